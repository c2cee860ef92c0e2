import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users, type User } from '@/db/schema';
import { accountState } from '@/lib/account-state';
import type { SessionListEntry } from '@/lib/session-management';

/**
 * Rows as the JSON API shows them: never a hash, a session id or anything a stranger could use;
 * sessions are named by their public handle (lib/session-management.ts).
 */

export async function findUser(db: Db, userId: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  return user;
}

/** An account as its owner sees it; the admin console shows the same without the preferences. */
export function meBody(user: Omit<User, 'passwordHash' | 'recoveryPhraseHash'>) {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    fullName: user.fullName,
    phone: user.phone,
    address: user.address,
    city: user.city,
    country: user.country,
    locale: user.locale,
    timezone: user.timezone,
    theme: user.theme,
    emailNotifications: user.emailNotifications,
    role: user.role,
    state: accountState(user),
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}

export function settingsBody(user: User) {
  const { emailNotifications, theme, locale, timezone } = meBody(user);
  return { emailNotifications, theme, locale, timezone };
}

export function sessionBody(entry: Omit<SessionListEntry, 'current'> & { current?: boolean }) {
  return {
    id: entry.handle,
    ...(entry.current === undefined ? {} : { current: entry.current }),
    device: entry.device,
    ip: entry.ip,
    createdAt: entry.createdAt.toISOString(),
    lastSeenAt: entry.lastSeenAt.toISOString(),
  };
}
