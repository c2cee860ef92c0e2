import { eq } from 'drizzle-orm';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { users } from '@/db/schema';
import { requireUser } from '@/lib/web/session';
import { ProfileForm } from './profile-form';

export async function generateMetadata() {
  const t = await getTranslations('profile');
  return { title: t('title') };
}

export default async function ProfilePage({ searchParams }: { searchParams: Promise<{ saved?: string }> }) {
  const { user } = await requireUser('/account/profile');
  const [t, db, params] = await Promise.all([getTranslations('profile'), getDb(), searchParams]);
  const [row] = await db
    .select({
      username: users.username,
      fullName: users.fullName,
      phone: users.phone,
      address: users.address,
      city: users.city,
      country: users.country,
    })
    .from(users)
    .where(eq(users.id, user.id))
    .limit(1);
  if (!row) throw new Error('signed-in user has no row');
  return (
    <>
      <h1>{t('title')}</h1>
      {params.saved ? <p role="status">{t('saved')}</p> : null}
      <p>{t('lead')}</p>
      <p>
        {t.rich('elsewhere', {
          email: (chunks) => <Link href="/account/email">{chunks}</Link>,
          password: (chunks) => <Link href="/account/security">{chunks}</Link>,
        })}
      </p>
      <ProfileForm values={row} />
    </>
  );
}
