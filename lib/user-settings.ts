import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import type { Locale } from './i18n/config';
import type { RequestContext } from './request-context';
import type { Theme } from './theme';

/** The preferences to save; one left out stays as it is (the header's theme and language switchers send one). */
export interface SettingsUpdate {
  userId: string;
  emailNotifications?: boolean;
  theme?: Theme;
  locale?: Locale;
  timezone?: string;
}

const SETTINGS_FIELDS = ['emailNotifications', 'theme', 'locale', 'timezone'] as const;

/** Saves the person's preferences; the audit row names the fields that changed, not their values. */
export async function updateSettings(
  db: Db,
  input: SettingsUpdate,
  context: RequestContext,
  clock: Clock,
): Promise<{ ok: true }> {
  await db.transaction(async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, input.userId)).limit(1);
    if (!current) throw new Error('settings update for a missing user');
    const changed = SETTINGS_FIELDS.filter(
      (field) => input[field] !== undefined && current[field] !== input[field],
    );
    if (changed.length === 0) return;
    await tx
      .update(users)
      .set({
        ...Object.fromEntries(changed.map((field) => [field, input[field]])),
        updatedAt: clock.now(),
      })
      .where(eq(users.id, input.userId));
    await recordAudit(
      tx,
      {
        action: 'settings.changed',
        userId: input.userId,
        actorId: input.userId,
        ip: context.ip,
        userAgent: context.userAgent,
        meta: { area: 'preferences', fields: changed },
      },
      clock,
    );
  });
  return { ok: true };
}
