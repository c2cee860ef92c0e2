import Link from 'next/link';
import { getTranslations } from 'next-intl/server';

export async function generateMetadata() {
  const t = await getTranslations('resetPassword');
  return { title: t('doneTitle') };
}

/**
 * Says it worked and links to the login page. No timed move to it: a refresh after a delay would
 * take the page away from someone still reading it (WCAG 2.2.1, docs/decisions/013).
 */
export default async function ResetDonePage() {
  const t = await getTranslations('resetPassword');
  return (
    <>
      <h1>{t('doneTitle')}</h1>
      <p role="status">{t('done')}</p>
      <p>
        <Link href="/login?passwordReset=1">{t('toLogin')}</Link>
      </p>
    </>
  );
}
