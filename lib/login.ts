import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users, type User } from '@/db/schema';
import { accountState } from './account-state';
import { recordAudit } from './audit';
import { addMs, HOUR, type Clock } from './clock';
import { dummyVerify, getDefaultHashLimiter, hashPassword, verifyPassword } from './password';
import { hit, limits, peek } from './rate-limit';
import { createSession, type SessionContext } from './sessions';

/**
 * Sign-in with email or username and password. Wrong password, unknown user, locked account and a
 * throttled account all answer `invalid_credentials`, in the same time (a dummy argon2 verify runs
 * for unknown users: S21, S22). Only after the right password is an unverified, pending or rejected
 * account told its state.
 */

/** Failures before the account is throttled (S23). */
export const THROTTLE_AFTER_FAILURES = 10;
/** Failures after which sign-in stops until the password is reset (S23: never more than 100). */
export const HARD_STOP_FAILURES = 100;
const FIRST_DELAY_MS = 30_000;
/** A user id no row has: the target of the equal-work write for unknown users. */
const NO_USER_ID = '00000000-0000-0000-0000-000000000000';
const MAX_DELAY_MS = HOUR;

/** The wait after the nth consecutive failure: nothing below the threshold, then 30 s doubling up to 1 h. */
export function throttleDelayMs(failures: number): number {
  if (failures < THROTTLE_AFTER_FAILURES) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** (failures - THROTTLE_AFTER_FAILURES), MAX_DELAY_MS);
}

export type LoginResult =
  | { ok: true; user: User; sessionId: string }
  | { ok: false; code: 'invalid_credentials' }
  | { ok: false; code: 'unverified' | 'pending' | 'rejected'; user: Pick<User, 'id' | 'email'> }
  | { ok: false; code: 'rate_limited' | 'busy'; retryAfterSeconds: number };

export interface LoginInput {
  identifier: string;
  password: string;
}

export async function findUserByIdentifier(db: Db, identifier: string): Promise<User | undefined> {
  const value = identifier.trim();
  if (value === '' || value.length > 254) return undefined;
  const where = value.includes('@')
    ? eq(users.email, value.toLowerCase())
    : eq(sql`lower(${users.username})`, value.toLowerCase());
  const [user] = await db.select().from(users).where(where).limit(1);
  return user;
}

export async function logIn(
  db: Db,
  input: LoginInput,
  context: SessionContext,
  clock: Clock,
): Promise<LoginResult> {
  // Past what the hash limiter could ever serve, a new sign-in answers busy at once (decision 012).
  const admission = getDefaultHashLimiter().admit();
  if (!admission.ok) return { ok: false, code: 'busy', retryAfterSeconds: admission.retryAfterSeconds };
  try {
    return await admittedLogIn(db, input, context, clock);
  } finally {
    admission.release();
  }
}

async function admittedLogIn(
  db: Db,
  input: LoginInput,
  context: SessionContext,
  clock: Clock,
): Promise<LoginResult> {
  const ip = context.ip ?? 'unknown';
  const audit = { ip: context.ip, userAgent: context.userAgent };

  const ipBudget = await peek(db, limits.loginFailuresPerIp, ip, clock);
  if (ipBudget.remaining === 0) {
    const windowMs = limits.loginFailuresPerIp.windowMs;
    const retryAfterSeconds = Math.ceil((windowMs - (clock.now().getTime() % windowMs)) / 1000);
    return { ok: false, code: 'rate_limited', retryAfterSeconds };
  }

  const user = await findUserByIdentifier(db, input.identifier);
  const now = clock.now();
  const stopped =
    user &&
    (user.failedLoginCount >= HARD_STOP_FAILURES ||
      (user.loginThrottledUntil !== null && user.loginThrottledUntil > now));

  if (!user || !user.passwordHash || stopped) {
    // Same work as a real check, so the time taken says nothing about the account (S22).
    const dummy = await dummyVerify(input.password);
    if (!dummy.ok) return { ok: false, code: 'busy', retryAfterSeconds: dummy.retryAfterSeconds };
    // The same counter write as a wrong password, aimed at no row (a throttled account does not
    // count attempts it could not make), so the database work matches too.
    await recordPasswordFailure(db, NO_USER_ID, clock);
    await hit(db, limits.loginFailuresPerIp, ip, clock);
    await recordAudit(
      db,
      { action: stopped ? 'login.throttled' : 'login.failed', userId: user?.id ?? null, ...audit },
      clock,
    );
    return { ok: false, code: 'invalid_credentials' };
  }

  const verified = await verifyPassword(input.password, user.passwordHash);
  if (!verified.ok) return { ok: false, code: 'busy', retryAfterSeconds: verified.retryAfterSeconds };

  if (!verified.valid) {
    await recordPasswordFailure(db, user.id, clock);
    await hit(db, limits.loginFailuresPerIp, ip, clock);
    await recordAudit(db, { action: 'login.failed', userId: user.id, ...audit }, clock);
    return { ok: false, code: 'invalid_credentials' };
  }

  const state = accountState(user);
  if (state === 'locked') {
    // Even with the right password a locked account learns nothing (S21): an admin must unlock it.
    await recordAudit(
      db,
      { action: 'login.failed', userId: user.id, meta: { reason: 'locked' }, ...audit },
      clock,
    );
    return { ok: false, code: 'invalid_credentials' };
  }

  if (state !== 'active') {
    await db
      .update(users)
      .set({ failedLoginCount: 0, loginThrottledUntil: null })
      .where(eq(users.id, user.id));
    await recordAudit(
      db,
      { action: 'login.failed', userId: user.id, meta: { reason: state }, ...audit },
      clock,
    );
    return { ok: false, code: state, user: { id: user.id, email: user.email } };
  }

  if (verified.needsRehash) {
    // Parameters changed (or a legacy bcrypt import): upgrade the stored hash while we hold the password.
    const rehashed = await hashPassword(input.password);
    if (rehashed.ok) await db.update(users).set({ passwordHash: rehashed.hash }).where(eq(users.id, user.id));
  }

  const sessionId = await createSession(db, user.id, context, clock);
  // The right password ends the run of failures; one write with the sign-in time.
  await db
    .update(users)
    .set({ failedLoginCount: 0, loginThrottledUntil: null, lastLoginAt: now })
    .where(eq(users.id, user.id));
  await recordAudit(db, { action: 'login.succeeded', userId: user.id, actorId: user.id, ...audit }, clock);
  return { ok: true, user, sessionId };
}

/**
 * Counts one wrong password against an account (S23), whether typed at sign-in or to confirm a
 * sensitive change, and starts the pause once the count reaches the threshold.
 */
export async function recordPasswordFailure(db: Db, userId: string, clock: Clock): Promise<void> {
  const [row] = await db
    .update(users)
    .set({ failedLoginCount: sql`${users.failedLoginCount} + 1` })
    .where(eq(users.id, userId))
    .returning({ failures: users.failedLoginCount });
  const delay = throttleDelayMs(row?.failures ?? 0);
  if (delay > 0) {
    await db
      .update(users)
      .set({ loginThrottledUntil: addMs(clock.now(), delay) })
      .where(eq(users.id, userId));
  }
}
