import { eq } from 'drizzle-orm';
import { getTranslations } from 'next-intl/server';
import { getDb } from '@/db/client';
import { users } from '@/db/schema';
import { currentBrand } from '@/lib/web/brand';
import { requireUser } from '@/lib/web/session';
import { SettingsForm } from './settings-form';

export async function generateMetadata() {
  const t = await getTranslations('settingsPage');
  return { title: t('title') };
}

/** Every zone this runtime knows, with UTC and the person's current one sure to be in the list. */
function timeZoneOptions(current: string): string[] {
  const zones = new Set(Intl.supportedValuesOf('timeZone'));
  zones.add('UTC');
  zones.add(current);
  return [...zones].sort((a, b) => a.localeCompare(b, 'en'));
}

export default async function SettingsPage({ searchParams }: { searchParams: Promise<{ saved?: string }> }) {
  const { user } = await requireUser('/account/settings');
  const [t, db, params, brand] = await Promise.all([
    getTranslations('settingsPage'),
    getDb(),
    searchParams,
    currentBrand(),
  ]);
  const [row] = await db
    .select({
      emailNotifications: users.emailNotifications,
      theme: users.theme,
      locale: users.locale,
      timezone: users.timezone,
    })
    .from(users)
    .where(eq(users.id, user.id))
    .limit(1);
  if (!row) throw new Error('signed-in user has no row');
  return (
    <>
      <h1>{t('title')}</h1>
      {params.saved ? <p role="status">{t('saved')}</p> : null}
      <p>{t('lead', { product: brand.name })}</p>
      <SettingsForm values={row} timeZones={timeZoneOptions(row.timezone)} />
    </>
  );
}
