import { defaultLocale, isLocale, type Locale } from './config';

/**
 * Catalogues are split by area so that each area can be edited on its own: ui.json for the public
 * pages and the account area, admin-users.json and admin-platform.json for the admin console,
 * emails.json for mail. A locale's messages are their union, mail under `emails`. Top-level
 * namespaces must not repeat across files (tests/i18n-catalogues.test.ts checks).
 */
export const PAGE_CATALOGUES = ['ui', 'admin-users', 'admin-platform'] as const;

export async function loadMessages(locale: Locale) {
  const [ui, adminUsers, adminPlatform, emails] = await Promise.all([
    import(`./messages/${locale}/ui.json`),
    import(`./messages/${locale}/admin-users.json`),
    import(`./messages/${locale}/admin-platform.json`),
    import(`./messages/${locale}/emails.json`),
  ]);
  return {
    ...(ui.default as UiMessages),
    ...(adminUsers.default as AdminUsersMessages),
    ...(adminPlatform.default as AdminPlatformMessages),
    emails: emails.default as EmailMessages,
  };
}

/**
 * What client components may read, out of a locale's messages: the public and account pages get
 * ui.json only (about half the bytes of every page's payload); the admin console adds its own
 * catalogues (app/admin/layout.tsx). Mail strings never reach the browser.
 */
export async function clientMessages(requested: string, area: 'public' | 'admin') {
  const locale = isLocale(requested) ? requested : defaultLocale;
  const ui = (await import(`./messages/${locale}/ui.json`)).default as UiMessages;
  if (area === 'public') return ui;
  const { emails: _emails, ...all } = await loadMessages(locale);
  return all;
}

export type UiMessages = typeof import('./messages/en/ui.json');
export type AdminUsersMessages = typeof import('./messages/en/admin-users.json');
export type AdminPlatformMessages = typeof import('./messages/en/admin-platform.json');
export type EmailMessages = typeof import('./messages/en/emails.json');
export type Messages = UiMessages & AdminUsersMessages & AdminPlatformMessages & { emails: EmailMessages };
