import { getTranslations } from 'next-intl/server';
import { ResendForm } from '@/app/verify-email/resend/resend-form';

export async function generateMetadata() {
  const t = await getTranslations('checkInbox');
  return { title: t('title') };
}

export default async function CheckInboxPage() {
  const t = await getTranslations('checkInbox');
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('body')}</p>
      <h2>{t('resendTitle')}</h2>
      <p>{t('resendBody')}</p>
      <ResendForm />
    </>
  );
}
