import type { Locale } from './config';

/**
 * Catalogues are split by area (ui.json for pages and components, emails.json for mail) so that
 * each area can be edited on its own; a locale's messages are their union, mail under `emails`.
 */
export async function loadMessages(locale: Locale) {
  const [ui, emails] = await Promise.all([
    import(`./messages/${locale}/ui.json`),
    import(`./messages/${locale}/emails.json`),
  ]);
  return { ...(ui.default as UiMessages), emails: emails.default as EmailMessages };
}

export type UiMessages = typeof import('./messages/en/ui.json');
export type EmailMessages = typeof import('./messages/en/emails.json');
export type Messages = UiMessages & { emails: EmailMessages };
