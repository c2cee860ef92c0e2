import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { linkToken } from '@/lib/web/link-token';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { getSetting } from '@/lib/settings';
import { findLiveToken } from '@/lib/tokens';
import { ResetWithCodeForm, ResetWithLinkForm } from './reset-forms';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('resetPassword');
  return { title: t('title') };
}

/**
 * Opened from the mail's link (the proxy moved its token into a cookie): the link is checked before
 * the form is shown. Without one: the code form, for a mail read on another device.
 */
export default async function ResetPasswordPage() {
  const token = await linkToken();
  const db = await getDb();
  const [t, minLength] = await Promise.all([
    getTranslations('resetPassword'),
    getSetting(db, 'password_min_length'),
  ]);
  if (token === undefined) {
    return (
      <>
        <h1>{t('title')}</h1>
        <p>{t('codeLead')}</p>
        <ResetWithCodeForm minPasswordLength={minLength} />
      </>
    );
  }
  const live =
    typeof token === 'string' &&
    (await findLiveToken(db, { token, purpose: 'reset_password', clock: systemClock })).ok;
  if (!live || typeof token !== 'string') {
    return (
      <>
        <h1>{t('invalidTitle')}</h1>
        <p>{t('invalid')}</p>
        <p>
          <Link href="/forgot-password">{t('askAgain')}</Link>
        </p>
        <h2>{t('haveCodeTitle')}</h2>
        <p>{t('codeLead')}</p>
        <ResetWithCodeForm minPasswordLength={minLength} />
      </>
    );
  }
  return (
    <>
      <h1>{t('title')}</h1>
      <ResetWithLinkForm token={token} minPasswordLength={minLength} />
    </>
  );
}
