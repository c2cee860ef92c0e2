'use server';

import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { isLocale } from '@/lib/i18n/config';
import { LOCALE_COOKIE } from '@/lib/i18n/config';
import { isTheme } from '@/lib/theme';
import { updateSettings, type SettingsUpdate } from '@/lib/user-settings';
import { rememberPreference, THEME_COOKIE } from '@/lib/web/preferences';
import { requestContext } from '@/lib/web/request-info';
import { currentSession } from '@/lib/web/session';

/** A signed-in person's saved preference wins over the cookie, so the switchers save it too. */
async function saveForSignedInUser(change: Omit<SettingsUpdate, 'userId'>): Promise<void> {
  const session = await currentSession();
  if (!session) return;
  await updateSettings(
    await getDb(),
    { userId: session.user.id, ...change },
    await requestContext(),
    systemClock,
  );
}

/** A server action is a public endpoint: a crafted request can send anything in place of the form. */
function field(formData: unknown, name: string): unknown {
  return formData instanceof FormData ? formData.get(name) : undefined;
}

export async function setTheme(formData: FormData): Promise<void> {
  const theme = field(formData, 'theme');
  // An unknown value is ignored rather than stored: the switcher only ever sends the three themes.
  if (!isTheme(theme)) return;
  await rememberPreference(THEME_COOKIE, theme);
  await saveForSignedInUser({ theme });
}

export async function setLocale(formData: FormData): Promise<void> {
  const locale = field(formData, 'locale');
  if (!isLocale(locale)) return;
  await rememberPreference(LOCALE_COOKIE, locale);
  await saveForSignedInUser({ locale });
}
