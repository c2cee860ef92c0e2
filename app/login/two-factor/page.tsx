import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { findPendingSignIn } from '@/lib/pending-sign-in';
import { safeReturnPath } from '@/lib/urls';
import { pendingSignInToken } from '@/lib/web/pending-sign-in-cookie';
import { currentSession } from '@/lib/web/session';
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
  const pending = await findPendingSignIn(await getDb(), await pendingSignInToken(), systemClock);
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
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('lead')}</p>
      <AuthenticatorCodeForm next={next} />
      <h2>{t('recoveryTitle')}</h2>
      <p>{t('recoveryLead')}</p>
      <RecoveryCodeForm next={next} />
    </>
  );
}
