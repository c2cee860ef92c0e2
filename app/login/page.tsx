import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { safeReturnPath } from '@/lib/urls';
import { currentSession } from '@/lib/web/session';
import { LoginForm } from './login-form';
import { PasskeySignIn } from './passkey-sign-in';

export async function generateMetadata() {
  const t = await getTranslations('login');
  return { title: t('title') };
}

type Search = {
  next?: string | string[];
  signedOut?: string;
  passwordSet?: string;
  passwordReset?: string;
  deleted?: string;
  code?: string;
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Search> }) {
  const params = await searchParams;
  const next = safeReturnPath(params.next);
  // Signing in again while signed in would only make a second session.
  if (await currentSession()) redirect(next ?? '/account');
  // Auth.js's own endpoint (POST /api/auth/callback/credentials) lands here after a right password.
  if (params.code === 'second_factor') redirect('/login/two-factor');
  const t = await getTranslations();
  return (
    <>
      <h1>{t('login.title')}</h1>
      {params.signedOut ? <p role="status">{t('login.signedOut')}</p> : null}
      {params.passwordSet ? <p role="status">{t('login.passwordSet')}</p> : null}
      {params.passwordReset ? <p role="status">{t('login.passwordReset')}</p> : null}
      {params.deleted ? <p role="status">{t('deleteAccount.done')}</p> : null}
      <LoginForm next={next} />
      <PasskeySignIn next={next} />
      <p>
        {t('login.noAccount')} <Link href="/register">{t('nav.register')}</Link>
      </p>
      <p>
        <Link href="/forgot-password">{t('login.forgot')}</Link>
      </p>
      <p>
        <Link href="/verify-email/resend">{t('login.resendLink')}</Link>
      </p>
    </>
  );
}
