import { getTranslations } from 'next-intl/server';
import { linkToken } from '@/lib/web/link-token';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { getSetting } from '@/lib/settings';
import { findLiveToken } from '@/lib/tokens';
import { SetPasswordForm } from './set-password-form';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('setPassword');
  return { title: t('title') };
}

export default async function SetPasswordPage() {
  const token = await linkToken();
  const db = await getDb();
  const t = await getTranslations('setPassword');
  const live =
    typeof token === 'string' &&
    (await findLiveToken(db, { token, purpose: 'set_password', clock: systemClock })).ok;
  if (!live || typeof token !== 'string') {
    return (
      <>
        <h1>{t('invalidTitle')}</h1>
        <p>{t('invalid')}</p>
      </>
    );
  }
  return (
    <>
      <h1>{t('title')}</h1>
      <SetPasswordForm token={token} minPasswordLength={await getSetting(db, 'password_min_length')} />
    </>
  );
}
