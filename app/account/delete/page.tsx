import { getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { isLastActiveAdmin } from '@/lib/account-deletion';
import { secondFactorsOf } from '@/lib/pending-sign-in';
import { requireUser } from '@/lib/web/session';
import { DeleteAccountForm } from './delete-account-form';

export async function generateMetadata() {
  const t = await getTranslations('deleteAccount');
  return { title: t('title') };
}

export default async function DeleteAccountPage() {
  const { user } = await requireUser('/account/delete');
  const db = await getDb();
  const [t, lastAdmin, factors] = await Promise.all([
    getTranslations('deleteAccount'),
    isLastActiveAdmin(db, user.id),
    secondFactorsOf(db, user.id),
  ]);
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('lead')}</p>
      <p>{t('whatGoes')}</p>
      {lastAdmin ? (
        <p role="note">{t('lastAdmin')}</p>
      ) : (
        <DeleteAccountForm username={user.username} hasPasskeys={factors.passkeys} />
      )}
    </>
  );
}
