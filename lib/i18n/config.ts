/** Languages Gatehouse speaks. A locale is listed here only once every catalogue for it is complete. */
export const locales = ['en', 'fr'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'en';
/** A visitor's chosen language before sign-in (the switcher); a signed-in person's is on their row. */
export const LOCALE_COOKIE = 'gatehouse-locale';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/**
 * A visitor's language, before any saved choice: the switcher's cookie, then the browser's
 * Accept-Language, then the default (lib/i18n/request.ts; proxy.ts for its own busy page).
 */
export function visitorLocale(chosen: string | undefined, acceptLanguage: string | null): Locale {
  return isLocale(chosen) ? chosen : (localeFromAcceptLanguage(acceptLanguage) ?? defaultLocale);
}

/** The first supported language in an Accept-Language header, by quality. */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const base = tag.split('-')[0];
    if (isLocale(base)) return base;
  }
  return undefined;
}
