import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { requireAdmin } from '@/lib/web/session';
import { CreateUserForm } from './create-user-form';

// Never prerendered or cached: an admin page (proxy.ts adds no-store).
export const dynamic = 'force-dynamic';

export async function generateMetadata() {
  const t = await getTranslations('adminUserNew');
  return { title: t('title') };
}

export default async function NewUserPage() {
  await requireAdmin('/admin/users/new');
  const t = await getTranslations('adminUserNew');
  return (
    <>
      <p>
        <Link href="/admin/users">{t('back')}</Link>
      </p>
      <h1>{t('title')}</h1>
      <p>{t('lead')}</p>
      <CreateUserForm />
    </>
  );
}
