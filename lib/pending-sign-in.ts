import { and, eq, gt, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { pendingSignIns, totpFactors, type PendingSignIn } from '@/db/schema';
import { recordAudit } from './audit';
import { addMs, MINUTE, type Clock } from './clock';
import { randomToken } from './random';
import type { RequestContext } from './request-context';
import { hashToken, isWellFormedToken } from './tokens';

/**
 * The state between the right password and the second factor (decision 026): no session exists yet,
 * only a row naming the account, found by the SHA-256 of a random id that the browser holds in an
 * HttpOnly cookie. Short-lived, a few attempts, used once; lib/two-factor.ts turns it into a session.
 */

export const PENDING_SIGN_IN_TTL_MS = 5 * MINUTE;
/** Wrong codes one pending sign-in takes before it is void and the password must be typed again. */
export const MAX_PENDING_ATTEMPTS = 5;

/**
 * Whether the account must pass a second factor after its password: a confirmed authenticator app.
 * Another kind of factor (passkeys) joins here, so the password step asks for it too.
 */
export async function requiresSecondFactor(db: Db, userId: string): Promise<boolean> {
  const [factor] = await db
    .select({ userId: totpFactors.userId })
    .from(totpFactors)
    .where(and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt)))
    .limit(1);
  return Boolean(factor);
}

/** Starts the second step; the returned token goes in the browser's cookie and nowhere else. */
export async function beginPendingSignIn(
  db: Db,
  userId: string,
  context: RequestContext,
  clock: Clock,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken(32);
  const now = clock.now();
  const expiresAt = addMs(now, PENDING_SIGN_IN_TTL_MS);
  await db.transaction(async (tx) => {
    await tx
      .insert(pendingSignIns)
      .values({ userId, tokenHash: hashToken(token), expiresAt, createdAt: now });
    await recordAudit(tx, { action: 'login.second_factor_required', userId, ...context }, clock);
  });
  return { token, expiresAt };
}

/** The live pending sign-in a cookie names: not used, not expired, attempts left. */
export async function findPendingSignIn(
  db: Db,
  token: unknown,
  clock: Clock,
): Promise<PendingSignIn | undefined> {
  if (!isWellFormedToken(token)) return undefined;
  const [row] = await db
    .select()
    .from(pendingSignIns)
    .where(and(eq(pendingSignIns.tokenHash, hashToken(token)), livePendingSignIn(clock)))
    .limit(1);
  return row;
}

export function livePendingSignIn(clock: Clock) {
  return and(isNull(pendingSignIns.usedAt), gt(pendingSignIns.expiresAt, clock.now()));
}
