import { and, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import { isUniqueViolation } from './registration';
import type { RequestContext } from './request-context';

export interface ProfileUpdate {
  userId: string;
  username: string;
  fullName: string;
  phone: string;
  address: string;
  city: string;
  country: string;
}

export type ProfileResult = { ok: true } | { ok: false; code: 'username_taken' };

const PROFILE_FIELDS = ['username', 'fullName', 'phone', 'address', 'city', 'country'] as const;

/**
 * Saves the person's own profile. Usernames are unique whatever their case; the check here gives the
 * friendly answer, the unique index on lower(username) settles a race between two saves. The audit
 * row names the fields that changed, never their old or new values.
 */
export async function updateProfile(
  db: Db,
  input: ProfileUpdate,
  context: RequestContext,
  clock: Clock,
): Promise<ProfileResult> {
  const next = {
    username: input.username.trim(),
    fullName: input.fullName.trim(),
    phone: input.phone.trim(),
    address: input.address.trim(),
    city: input.city.trim(),
    country: input.country.trim(),
  };
  try {
    return await db.transaction(async (tx): Promise<ProfileResult> => {
      const [current] = await tx.select().from(users).where(eq(users.id, input.userId)).limit(1);
      if (!current) throw new Error('profile update for a missing user');
      const changed = PROFILE_FIELDS.filter((field) => current[field] !== next[field]);
      if (changed.length === 0) return { ok: true };
      if (changed.includes('username')) {
        const [taken] = await tx
          .select({ id: users.id })
          .from(users)
          .where(
            and(eq(sql`lower(${users.username})`, next.username.toLowerCase()), ne(users.id, input.userId)),
          )
          .limit(1);
        if (taken) return { ok: false, code: 'username_taken' };
      }
      const now = clock.now();
      await tx
        .update(users)
        .set({ ...Object.fromEntries(changed.map((field) => [field, next[field]])), updatedAt: now })
        .where(eq(users.id, input.userId));
      await recordAudit(
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
      );
      return { ok: true };
    });
  } catch (error) {
    // Another account took the name between the check and the update.
    if (isUniqueViolation(error)) return { ok: false, code: 'username_taken' };
    throw error;
  }
}
