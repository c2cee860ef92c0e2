import { getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { getSetting } from '@/lib/settings';
import { requireUser } from '@/lib/web/session';
import { ChangePasswordForm } from './change-password-form';

export async function generateMetadata() {
  const t = await getTranslations('security');
  return { title: t('title') };
}

export default async function SecurityPage({
  searchParams,
}: {
  searchParams: Promise<{ changed?: string }>;
}) {
  const { user } = await requireUser('/account/security');
  const [t, minLength, params] = await Promise.all([
    getTranslations('security'),
    getDb().then((db) => getSetting(db, 'password_min_length')),
    searchParams,
  ]);
  return (
    <>
      <h1>{t('title')}</h1>
      {params.changed ? <p role="status">{t('changed')}</p> : null}
      <p>{t('lead')}</p>
      <ChangePasswordForm minPasswordLength={minLength} username={user.username} />
    </>
  );
}
