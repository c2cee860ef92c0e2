import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { findPendingSignIn, secondFactorsOf } from '@/lib/pending-sign-in';
import { safeReturnPath } from '@/lib/urls';
import { pendingSignInToken } from '@/lib/web/pending-sign-in-cookie';
import { currentSession } from '@/lib/web/session';
import { PasskeySecondStep } from './passkey-second-step';
import { AuthenticatorCodeForm, RecoveryCodeForm } from './two-factor-forms';

export async function generateMetadata() {
  const t = await getTranslations('twoFactorSignIn');
  return { title: t('title') };
}

export default async function TwoFactorSignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const next = safeReturnPath((await searchParams).next);
  if (await currentSession()) redirect(next ?? '/account');
  const t = await getTranslations('twoFactorSignIn');
  const db = await getDb();
  const pending = await findPendingSignIn(db, await pendingSignInToken(), systemClock);
  if (!pending) {
    return (
      <>
        <h1>{t('title')}</h1>
        <p>{t('expired')}</p>
        <p>
          <Link href={next ? `/login?next=${encodeURIComponent(next)}` : '/login'}>{t('signInAgain')}</Link>
        </p>
      </>
    );
  }
  // The page offers what the account has: an authenticator app (codes, recovery codes), passkeys, or both.
  const factors = await secondFactorsOf(db, pending.userId);
  return (
    <>
      <h1>{t('title')}</h1>
      {factors.totp ? (
        <>
          <p>{t('lead')}</p>
          <AuthenticatorCodeForm next={next} />
        </>
      ) : null}
      {factors.passkeys ? (
        <section aria-labelledby="passkey-second-step">
          <h2 id="passkey-second-step">{t('passkeyHeading')}</h2>
          <p>{factors.totp ? t('passkeyLead') : t('passkeyOnlyLead')}</p>
          <PasskeySecondStep
            next={next}
            noScript={factors.totp ? t('passkeyNeedsJavaScript') : t('passkeyOnlyNeedsJavaScript')}
          />
        </section>
      ) : null}
      {factors.totp ? (
        <>
          <h2>{t('recoveryTitle')}</h2>
          <p>{t('recoveryLead')}</p>
          <RecoveryCodeForm next={next} />
        </>
      ) : (
        <>
          <h2>{t('passkeyLostTitle')}</h2>
          <p>{t('passkeyLostLead')}</p>
        </>
      )}
    </>
  );
}
