import Link from 'next/link';
import { getLocale, getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { getSetting } from '@/lib/settings';
import { RegisterForm } from './register-form';

export async function generateMetadata() {
  const t = await getTranslations('register');
  return { title: t('title') };
}

export default async function RegisterPage() {
  const [t, locale, minLength] = await Promise.all([
    getTranslations(),
    getLocale(),
    getDb().then((db) => getSetting(db, 'password_min_length')),
  ]);
  return (
    <>
      <h1>{t('register.title')}</h1>
      <p>{t('register.lead')}</p>
      {/* Keyed by language: switching it remounts the form, so its language choice follows. */}
      <RegisterForm key={locale} minPasswordLength={minLength} locale={locale} />
      <p>
        {t('register.haveAccount')} <Link href="/login">{t('nav.login')}</Link>
      </p>
    </>
  );
}
