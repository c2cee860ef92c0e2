import { getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { hasRecoveryPhrase } from '@/lib/recovery-phrase';
import { secondFactorsOf } from '@/lib/pending-sign-in';
import { requireUser } from '@/lib/web/session';
import { RecoveryPhraseForm } from './recovery-form';

export async function generateMetadata() {
  const t = await getTranslations('recovery');
  return { title: t('title') };
}

export default async function RecoveryPage({ searchParams }: { searchParams: Promise<{ saved?: string }> }) {
  const { user } = await requireUser('/account/recovery');
  const db = await getDb();
  const [t, { saved }, has, factors] = await Promise.all([
    getTranslations('recovery'),
    searchParams,
    hasRecoveryPhrase(db, user.id),
    secondFactorsOf(db, user.id),
  ]);
  return (
    <>
      <h1>{t('title')}</h1>
      {saved ? <p role="status">{t('saved')}</p> : null}
      <p>{t('lead')}</p>
      <p>{has ? t('statusSet') : t('statusNone')}</p>
      <RecoveryPhraseForm hasPhrase={has} hasPasskeys={factors.passkeys} />
    </>
  );
}
