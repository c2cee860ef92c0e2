import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { getSetting } from '@/lib/settings';
import { currentSession } from '@/lib/web/session';
import { ResetWithPhraseForm } from './reset-with-phrase-form';

export async function generateMetadata() {
  const t = await getTranslations('recovery.reset');
  return { title: t('title') };
}

export default async function ResetWithPhrasePage() {
  // Logged-out only: a signed-in owner changes the password with the current one.
  if (await currentSession()) redirect('/account');
  const [t, minLength] = await Promise.all([
    getTranslations('recovery.reset'),
    getDb().then((db) => getSetting(db, 'password_min_length')),
  ]);
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('lead')}</p>
      <ResetWithPhraseForm minPasswordLength={minLength} />
      <p>
        <Link href="/forgot-password">{t('useEmail')}</Link>
      </p>
    </>
  );
}
