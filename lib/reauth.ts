import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import { recordPasswordFailure } from './login';
import { dummyVerify, verifyPassword } from './password';
import type { RequestContext } from './request-context';

export type ReauthResult =
  | { ok: true }
  | { ok: false; code: 'wrong_password' }
  | { ok: false; code: 'busy'; retryAfterSeconds: number };

/**
 * Proof for a sensitive change (S40, S41): the current password of the signed-in user. A wrong one
 * changes nothing and counts as a failed sign-in, with the same throttle, so a stolen session cannot
 * be used to guess the password.
 */
export async function verifyCurrentPassword(
  db: Db,
  userId: string,
  password: string,
  context: RequestContext,
  clock: Clock,
): Promise<ReauthResult> {
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  const throttled = user?.loginThrottledUntil && user.loginThrottledUntil > clock.now();
  if (!user?.passwordHash || throttled) {
    const dummy = await dummyVerify(password);
    if (!dummy.ok) return { ok: false, code: 'busy', retryAfterSeconds: dummy.retryAfterSeconds };
    return { ok: false, code: 'wrong_password' };
  }
  const result = await verifyPassword(password, user.passwordHash);
  if (!result.ok) return { ok: false, code: 'busy', retryAfterSeconds: result.retryAfterSeconds };
  if (result.valid) return { ok: true };
  await recordPasswordFailure(db, userId, clock);
  await recordAudit(
    db,
    { action: 'login.failed', userId, actorId: userId, meta: { reason: 'reauthentication' }, ...context },
    clock,
  );
  return { ok: false, code: 'wrong_password' };
}
