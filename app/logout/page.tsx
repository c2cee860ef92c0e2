import { redirect } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { currentBrand } from '@/lib/web/brand';
import { PendingButton } from '@/components/ui/pending-button';
import { currentSession } from '@/lib/web/session';
import { logout } from './actions';

export async function generateMetadata() {
  const t = await getTranslations('logout');
  return { title: t('title') };
}

/** Visiting /logout asks; only the button (a POST) signs out, so a link or prefetch cannot (S43). */
export default async function LogoutPage() {
  if (!(await currentSession())) redirect('/login');
  const [t, brand] = await Promise.all([getTranslations('logout'), currentBrand()]);
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('body', { product: brand.name })}</p>
      <form action={logout}>
        <PendingButton>{t('submit')}</PendingButton>
      </form>
    </>
  );
}
