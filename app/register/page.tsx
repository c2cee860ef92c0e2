import Link from 'next/link';
import { getLocale, getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { invitedAddress } from '@/lib/invites';
import { getSetting } from '@/lib/settings';
import { linkToken } from '@/lib/web/link-token';
import { RegisterForm } from './register-form';

export async function generateMetadata() {
  const t = await getTranslations('register');
  return { title: t('title') };
}

/**
 * The sign-up form, or why there is none (decision 030). An invite link arrives here with its token
 * moved into a cookie by the proxy; the form then shows the invited address, fixed.
 */
export default async function RegisterPage() {
  const db = await getDb();
  const [t, locale, minLength, mode, token] = await Promise.all([
    getTranslations(),
    getLocale(),
    getSetting(db, 'password_min_length'),
    getSetting(db, 'signup_mode'),
    linkToken(),
  ]);
  const invitedEmail = token && mode !== 'closed' ? await invitedAddress(db, token, systemClock) : null;
  const deadInvite = token !== undefined && invitedEmail === null && mode !== 'closed';
  const formShown = mode === 'open' || mode === 'approval' || invitedEmail !== null;
  return (
    <>
      <h1>{t('register.title')}</h1>
      {deadInvite ? <p role="alert">{t('signupPolicy.inviteDead')}</p> : null}
      {mode === 'closed' ? <p>{t('signupPolicy.closed')}</p> : null}
      {mode === 'invite' && !formShown ? <p>{t('signupPolicy.inviteOnly')}</p> : null}
      {formShown ? (
        <>
          <p>{invitedEmail ? t('signupPolicy.invitedLead') : t('register.lead')}</p>
          {/* Keyed by language: switching it remounts the form, so its language choice follows. */}
          <RegisterForm
            key={locale}
            minPasswordLength={minLength}
            locale={locale}
            invitedEmail={invitedEmail ?? undefined}
          />
        </>
      ) : null}
      <p>
        {t('register.haveAccount')} <Link href="/login">{t('nav.login')}</Link>
      </p>
    </>
  );
}
