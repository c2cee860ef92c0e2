import { getTranslations } from 'next-intl/server';
import { ResendForm } from './resend-form';

export async function generateMetadata() {
  const t = await getTranslations('resend');
  return { title: t('title') };
}

export default async function ResendPage() {
  const t = await getTranslations('resend');
  return (
    <>
      <h1>{t('title')}</h1>
      <ResendForm />
    </>
  );
}
