import { and, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import { isUniqueViolation } from './registration';
import type { RequestContext } from './request-context';

export const PROFILE_FIELDS = ['username', 'fullName', 'phone', 'address', 'city', 'country'] as const;

export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** The profile as its forms send it, the owner's and an admin's alike. */
export type ProfileValues = Record<ProfileField, string>;

export interface ProfileUpdate extends ProfileValues {
  userId: string;
}

export type ProfileResult = { ok: true } | { ok: false; code: 'username_taken' };

/**
 * Saves the person's own profile. The audit row names the fields that changed, never their old or
 * new values.
 */
export async function updateProfile(
  db: Db,
  input: ProfileUpdate,
  context: RequestContext,
  clock: Clock,
): Promise<ProfileResult> {
  const result = await changeProfile(db, input.userId, input, clock, (tx, changed) =>
    recordAudit(
      tx,
      {
        action: 'settings.changed',
        userId: input.userId,
        actorId: input.userId,
        ip: context.ip,
        userAgent: context.userAgent,
        meta: { area: 'profile', fields: changed },
      },
      clock,
    ),
  );
  if (result.ok) return { ok: true };
  if (result.code === 'not_found') throw new Error('profile update for a missing user');
  return { ok: false, code: result.code };
}

export type ProfileChange =
  { ok: true; changed: ProfileField[] } | { ok: false; code: 'not_found' | 'username_taken' };

/**
 * Stores the profile fields of an account that differ from the stored ones, trimmed, and has `audit`
 * record which changed in the same transaction; nothing is written when none did. Usernames are
 * unique whatever their case: the check here gives the friendly answer, the unique index on
 * lower(username) settles a race between two saves.
 */
export async function changeProfile(
  db: Db,
  userId: string,
  values: ProfileValues,
  clock: Clock,
  audit: (tx: Db, changed: ProfileField[]) => Promise<unknown>,
): Promise<ProfileChange> {
  const next = Object.fromEntries(
    PROFILE_FIELDS.map((field) => [field, values[field].trim()]),
  ) as ProfileValues;
  try {
    return await db.transaction(async (tx): Promise<ProfileChange> => {
      const [current] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
      if (!current) return { ok: false, code: 'not_found' };
      const changed = PROFILE_FIELDS.filter((field) => current[field] !== next[field]);
      if (changed.length === 0) return { ok: true, changed };
      if (changed.includes('username') && (await isUsernameTaken(tx, next.username, userId))) {
        return { ok: false, code: 'username_taken' };
      }
      await tx
        .update(users)
        .set({ ...Object.fromEntries(changed.map((field) => [field, next[field]])), updatedAt: clock.now() })
        .where(eq(users.id, userId));
      await audit(tx, changed);
      return { ok: true, changed };
    });
  } catch (error) {
    // Another account took the name between the check and the update.
    if (isUniqueViolation(error)) return { ok: false, code: 'username_taken' };
    throw error;
  }
}

/** True when an account other than `exceptUserId` has this username, whatever its case. */
export async function isUsernameTaken(db: Db, username: string, exceptUserId?: string): Promise<boolean> {
  const sameName = eq(sql`lower(${users.username})`, username.toLowerCase());
  const [taken] = await db
    .select({ id: users.id })
    .from(users)
    .where(exceptUserId ? and(sameName, ne(users.id, exceptUserId)) : sameName)
    .limit(1);
  return taken !== undefined;
}
