import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { verificationLinkState } from '@/lib/email-verification';
import { getSetting } from '@/lib/settings';
import { linkToken } from '@/lib/web/link-token';
import { ConfirmWithNewPasswordForm, ConfirmWithPasswordForm } from './confirm-form';

export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('verify');
  return { title: t('title') };
}

export default async function VerifyEmailPage() {
  const token = await linkToken();
  const db = await getDb();
  const t = await getTranslations();
  const state = typeof token === 'string' ? await verificationLinkState(db, token, systemClock) : undefined;
  if (state === 'already_verified') {
    return (
      <>
        <h1>{t('verify.alreadyTitle')}</h1>
        <p>{t('verify.already')}</p>
        <p>
          <Link href="/login">{t('verify.signIn')}</Link>
        </p>
      </>
    );
  }
  if (state !== 'live' || typeof token !== 'string') {
    return (
      <>
        <h1>{t('verify.invalidTitle')}</h1>
        <p>{t('verify.invalid')}</p>
        <p>
          <Link href="/verify-email/resend">{t('resend.title')}</Link>
        </p>
      </>
    );
  }
  const minLength = await getSetting(db, 'password_min_length');
  return (
    <>
      <h1>{t('verify.title')}</h1>
      <p>{t('verify.confirmBody')}</p>
      <section aria-labelledby="verify-with-password">
        <h2 id="verify-with-password">{t('verify.withPasswordTitle')}</h2>
        <ConfirmWithPasswordForm token={token} />
      </section>
      <section aria-labelledby="verify-with-new-password">
        <h2 id="verify-with-new-password">{t('verify.withNewPasswordTitle')}</h2>
        <p>{t('verify.withNewPasswordBody')}</p>
        <ConfirmWithNewPasswordForm token={token} minPasswordLength={minLength} />
      </section>
    </>
  );
}
