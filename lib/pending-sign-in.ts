import { and, eq, gt, isNotNull, isNull, lte, lt, or, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { passkeys, pendingSignIns, totpFactors, users, type PendingSignIn } from '@/db/schema';
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

/** The kinds of second factor an account has: a confirmed authenticator app, passkeys, or both. */
export interface SecondFactors {
  totp: boolean;
  passkeys: boolean;
}

export async function secondFactorsOf(db: Db, userId: string): Promise<SecondFactors> {
  // One statement, not one per kind: it runs in every password sign-in (issue 15).
  const [row] = await db
    .select({
      totp: sql<boolean>`exists (select 1 from ${totpFactors} where ${totpFactors.userId} = ${userId} and ${totpFactors.confirmedAt} is not null)`.mapWith(
        Boolean,
      ),
      passkeys: sql<boolean>`exists (select 1 from ${passkeys} where ${passkeys.userId} = ${userId})`.mapWith(
        Boolean,
      ),
    })
    .from(users)
    .where(eq(users.id, userId));
  return { totp: Boolean(row?.totp), passkeys: Boolean(row?.passkeys) };
}

/**
 * Whether the account must pass a second factor after its password: a confirmed authenticator app,
 * or at least one passkey (decision 035: a passkey is a factor of its own, so an account that has one
 * is asked for it after the password, as the issue asks passkeys to serve "as the second factor").
 */
export async function requiresSecondFactor(db: Db, userId: string): Promise<boolean> {
  const factors = await secondFactorsOf(db, userId);
  return factors.totp || factors.passkeys;
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

/**
 * Reserves one attempt of a pending sign-in before any factor is compared (S61): the attempt count
 * after the reservation, or undefined when the pending sign-in is used, expired or out of attempts.
 * Codes and passkey answers draw on the same MAX_PENDING_ATTEMPTS.
 */
export async function reservePendingAttempt(
  db: Db,
  pendingId: string,
  clock: Clock,
): Promise<number | undefined> {
  const [reserved] = await db
    .update(pendingSignIns)
    .set({ attempts: sql`${pendingSignIns.attempts} + 1` })
    .where(
      and(
        eq(pendingSignIns.id, pendingId),
        livePendingSignIn(clock),
        lt(pendingSignIns.attempts, MAX_PENDING_ATTEMPTS),
      ),
    )
    .returning({ attempts: pendingSignIns.attempts });
  return reserved?.attempts;
}

/** After a failed attempt: the pending sign-in that has used its last attempt is void. */
export async function voidPendingSignInIfSpent(
  db: Db,
  pendingId: string,
  attempts: number,
  clock: Clock,
): Promise<void> {
  if (attempts < MAX_PENDING_ATTEMPTS) return;
  await db.update(pendingSignIns).set({ usedAt: clock.now() }).where(eq(pendingSignIns.id, pendingId));
}

/**
 * Pending sign-ins nothing can use any more (used, or past their five minutes): the periodic
 * maintenance drops them, since nothing reads a spent one (lib/maintenance.ts).
 */
export async function prunePendingSignIns(db: Db, clock: Clock): Promise<number> {
  const deleted = await db
    .delete(pendingSignIns)
    .where(or(isNotNull(pendingSignIns.usedAt), lte(pendingSignIns.expiresAt, clock.now())))
    .returning({ id: pendingSignIns.id });
  return deleted.length;
}
