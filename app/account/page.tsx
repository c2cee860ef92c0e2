import { getTranslations } from 'next-intl/server';
import { PendingButton } from '@/components/ui/pending-button';
import { requireUser } from '@/lib/web/session';
import { logout } from '../logout/actions';

export async function generateMetadata() {
  const t = await getTranslations('account');
  return { title: t('title') };
}

export default async function AccountPage() {
  const { user } = await requireUser('/account');
  const t = await getTranslations();
  return (
    <>
      <h1>{t('account.title')}</h1>
      <p>{t('account.welcome', { name: user.fullName || user.username })}</p>
      <dl>
        <dt>{t('account.username')}</dt>
        <dd>{user.username}</dd>
        <dt>{t('account.email')}</dt>
        <dd>{user.email}</dd>
        <dt>{t('account.role')}</dt>
        <dd>{t(`account.roles.${user.role}`)}</dd>
      </dl>
      <form action={logout}>
        <PendingButton variant="secondary">{t('nav.logout')}</PendingButton>
      </form>
    </>
  );
}
