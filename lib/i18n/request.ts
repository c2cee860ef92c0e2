import { cookies, headers } from 'next/headers';
import { getRequestConfig } from 'next-intl/server';
import { currentSession } from '@/lib/web/session';
import { isLocale, LOCALE_COOKIE, visitorLocale } from './config';
import { loadMessages } from './messages';

// No locale in the URL: the language comes from a signed-in person's saved choice, then the visitor's
// choice (cookie), then their browser.
export default getRequestConfig(async () => {
  const user = (await currentSession())?.user;
  const saved = user?.locale;
  const locale = isLocale(saved)
    ? saved
    : visitorLocale((await cookies()).get(LOCALE_COOKIE)?.value, (await headers()).get('accept-language'));
  // Every date a page formats is in the reader's own zone unless the call says otherwise; a visitor
  // with no account sees UTC, never the server's zone.
  return { locale, timeZone: user?.timezone || 'UTC', messages: await loadMessages(locale) };
});
