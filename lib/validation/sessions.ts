import { z } from 'zod';

/**
 * The devices page's forms. A session is named by its public handle (lib/session-management.ts),
 * never by its id; the pattern is repeated here because that module cannot ship to the browser.
 */
export const revokeSessionSchema = z.object({
  handle: z.string().regex(/^[0-9a-f]{16}$/, { error: 'sessionsPage.errors.notFound' }),
});

export const revokeOtherSessionsSchema = z.object({});
