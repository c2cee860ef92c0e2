import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { ForgotPasswordForm } from './forgot-password-form';

export async function generateMetadata() {
  const t = await getTranslations('forgotPassword');
  return { title: t('title') };
}

export default async function ForgotPasswordPage() {
  const t = await getTranslations('forgotPassword');
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('lead')}</p>
      <ForgotPasswordForm />
      <p>
        <Link href="/reset-password">{t('haveCode')}</Link>
      </p>
      <p>
        <Link href="/forgot-password/phrase">{t('usePhrase')}</Link>
      </p>
    </>
  );
}
