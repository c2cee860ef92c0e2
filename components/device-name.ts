import type { getTranslations } from 'next-intl/server';
import type { DeviceLabel } from '@/lib/session-management';

type Translate = Awaited<ReturnType<typeof getTranslations<'sessionsPage'>>>;

/** "Firefox on Linux", or as much of it as the user agent told: the devices page and the overview. */
export function deviceName(t: Translate, { browser, os }: DeviceLabel): string {
  if (browser && os) return t('device', { browser, os });
  if (browser) return browser;
  if (os) return t('deviceOsOnly', { os });
  return t('deviceUnknown');
}
