import Link from 'next/link';
import { getTranslations } from 'next-intl/server';

export async function generateMetadata() {
  const t = await getTranslations('resetPassword');
  return { title: t('doneTitle') };
}

/** Says it worked, then moves on to the login page after 2 seconds, with or without JavaScript. */
export default async function ResetDonePage() {
  const t = await getTranslations('resetPassword');
  return (
    <>
      <meta httpEquiv="refresh" content="2;url=/login?passwordReset=1" />
      <h1>{t('doneTitle')}</h1>
      <p role="status">{t('done')}</p>
      <p>
        <Link href="/login?passwordReset=1">{t('toLogin')}</Link>
      </p>
    </>
  );
}
