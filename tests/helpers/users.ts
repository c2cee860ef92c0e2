import type { Db } from '@/db/client';
import { users, type NewUser, type User } from '@/db/schema';
import type { Clock } from '@/lib/clock';
import { hashPassword } from '@/lib/password';
import type { RequestContext } from '@/lib/request-context';

/** The password of every account createTestUser creates. */
export const TEST_PASSWORD = 'correct horse battery staple';

/**
 * Inserts an active account: `<username>@example.com` in lower case, confirmed and approved at the
 * clock's time, with TEST_PASSWORD. `over` sets any other column or replaces these.
 */
export async function createTestUser(
  db: Db,
  clock: Clock,
  username: string,
  over: Partial<NewUser> = {},
): Promise<User> {
  const hashed = await hashPassword(TEST_PASSWORD);
  if (!hashed.ok) throw new Error('busy');
  const [user] = await db
    .insert(users)
    .values({
      username,
      email: `${username.toLowerCase()}@example.com`,
      fullName: `Full Name Of ${username}`,
      passwordHash: hashed.hash,
      emailVerifiedAt: clock.now(),
      approvedAt: clock.now(),
      ...over,
    })
    .returning();
  return user!;
}

let octet = 0;

/** A request from a new address each call, which keeps per-IP limits out of tests not about them. */
export function freshContext(userAgent = 'vitest'): RequestContext {
  octet = (octet % 250) + 1;
  return { ip: `192.0.2.${octet}`, userAgent };
}
