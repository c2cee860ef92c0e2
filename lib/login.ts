import { and, eq, gte, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { auditEvents, sessions, users, type User } from '@/db/schema';
import { accountState } from './account-state';
import { userLocale } from './admins';
import { auditRow, recordAudit } from './audit';
import { addMs, DAY, HOUR, type Clock } from './clock';
import { enqueueMail, type EnqueueInput } from './mail/outbox';
import { dummyVerify, getDefaultHashLimiter, hashPassword, verifyPassword } from './password';
import { beginPendingSignIn, requiresSecondFactor } from './pending-sign-in';
import { hit, limits, peek } from './rate-limit';
import { describeUserAgent } from './session-management';
import { newSessionRow, type SessionContext } from './sessions';
import { appUrl } from './urls';

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
  | {
      ok: true;
      user: User;
      sessionId: string;
      /** A notice was queued: deliver it soon. */ mailQueued: boolean;
    }
  | { ok: false; code: 'invalid_credentials' }
  /**
   * The password was right and a second factor is due: `pendingToken` goes in an HttpOnly cookie (the
   * pages) or the answer's body (the JSON API), and is good until `expiresAt`.
   */
  | { ok: false; code: 'second_factor_required'; pendingToken: string; expiresAt: Date }
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
  const ip = context.ip ?? null;
  const audit = { ip, userAgent: context.userAgent };

  // No trustworthy address, no per-IP budget (S59): the per-account throttle still holds.
  const ipBudget = await peek(db, limits.loginFailuresPerIp, ip, clock);
  if (ipBudget.remaining === 0) {
    const windowMs = limits.loginFailuresPerIp.windowMs;
    const retryAfterSeconds = Math.ceil((windowMs - (clock.now().getTime() % windowMs)) / 1000);
    return { ok: false, code: 'rate_limited', retryAfterSeconds };
  }

  const found = await findUserByIdentifier(db, input.identifier);
  const user = found?.passwordHash ? (found as User & { passwordHash: string }) : undefined;
  // The attempt is counted before the hash is checked (S61): a burst of parallel guesses takes one
  // reservation each and cannot all slip in under the threshold. Unknown users reserve against no row,
  // so the database work matches (S22).
  const failures = await reservePasswordAttempt(db, user?.id ?? NO_USER_ID, clock);

  if (!user || failures === null) {
    const dummy = await dummyVerify(input.password);
    if (!dummy.ok) return { ok: false, code: 'busy', retryAfterSeconds: dummy.retryAfterSeconds };
    await hit(db, limits.loginFailuresPerIp, ip, clock);
    // A paused or stopped account does not count the attempts it could not make.
    await recordAudit(
      db,
      { action: user ? 'login.throttled' : 'login.failed', userId: found?.id ?? null, ...audit },
      clock,
    );
    return { ok: false, code: 'invalid_credentials' };
  }

  const verified = await verifyPassword(input.password, user.passwordHash);
  if (!verified.ok) {
    // The password was never judged: give the attempt back.
    await releasePasswordAttempt(db, user.id);
    return { ok: false, code: 'busy', retryAfterSeconds: verified.retryAfterSeconds };
  }

  if (!verified.valid) {
    await hit(db, limits.loginFailuresPerIp, ip, clock);
    await recordAudit(db, { action: 'login.failed', userId: user.id, ...audit }, clock);
    await auditPause(db, user.id, failures, audit, clock);
    return { ok: false, code: 'invalid_credentials' };
  }

  // The right password ends the run of failures, whatever the account's state.
  await clearPasswordFailures(db, user.id);
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

  if (await requiresSecondFactor(db, user.id)) {
    // No session before the second factor: only a pending sign-in the browser's cookie names.
    const pending = await beginPendingSignIn(
      db,
      user.id,
      { ip, userAgent: context.userAgent ?? null },
      clock,
    );
    return {
      ok: false,
      code: 'second_factor_required',
      pendingToken: pending.token,
      expiresAt: pending.expiresAt,
    };
  }

  const { sessionId, mailQueued } = await startSession(db, user, audit, clock);
  return { ok: true, user, sessionId, mailQueued };
}

/**
 * The moment a sign-in really makes a session, after every factor it needs, whatever proved it
 * (password and second factor, passkey): the new-device notice, last_login_at and the audit row come
 * with it. `meta` says how, in the audit row.
 *
 * Two round trips when no notice is due (issue 15): whether the device is new, then one statement that
 * inserts the session, sets last_login_at and inserts the audit row (data-modifying CTEs, atomic as any
 * one statement). A notice goes in the same transaction as the session: `db` may be the caller's
 * transaction (then a savepoint) or the database handle.
 */
export async function startSession(
  db: Db,
  user: User,
  context: { ip: string | null; userAgent?: string | null },
  clock: Clock,
  meta: Record<string, unknown> = {},
): Promise<{ sessionId: string; mailQueued: boolean }> {
  const { ip } = context;
  // Asked before the new session exists, which would otherwise always be a known device.
  const newDevice = await isNewDevice(db, user, context.userAgent ?? null, clock);
  const session = newSessionRow(user.id, context, clock);
  const audit = auditRow(
    {
      action: 'login.succeeded',
      userId: user.id,
      actorId: user.id,
      ...(newDevice || Object.keys(meta).length > 0
        ? { meta: newDevice ? { ...meta, newDevice: true } : meta }
        : {}),
      ip,
      userAgent: context.userAgent,
    },
    clock,
  );
  const write = async (tx: Db) => {
    const created = tx
      .$with('created')
      .as(tx.insert(sessions).values(session).returning({ id: sessions.id }));
    const signedIn = tx
      .$with('signed_in')
      .as(
        tx
          .update(users)
          .set({ lastLoginAt: clock.now() })
          .where(eq(users.id, user.id))
          .returning({ id: users.id }),
      );
    // One statement: every CTE runs to completion whether or not the main insert reads it, and a
    // failure anywhere (the session's foreign key, a constraint) writes nothing at all.
    const [row] = await tx
      .with(created, signedIn)
      .insert(auditEvents)
      .values(audit)
      .returning({ id: auditEvents.id });
    if (!row) throw new Error('the session, last sign-in and audit row were not written');
  };
  const mailQueued = newDevice && user.emailNotifications;
  if (mailQueued) {
    await db.transaction(async (tx) => {
      await write(tx);
      await enqueueMail(tx, newSignInMail(user, { ip, userAgent: context.userAgent ?? null }, clock));
    });
  } else {
    await write(db);
  }
  return { sessionId: session.id, mailQueued };
}

/** How far back a device counts as known: a sign-in from one not seen for this long is news again. */
export const KNOWN_DEVICE_MS = 90 * DAY;

/**
 * Whether a sign-in comes from a browser none of the account's sessions of the last 90 days had (the
 * same user agent string, revoked sessions included). The account's very first sign-in is not news.
 */
async function isNewDevice(db: Db, user: User, userAgent: string | null, clock: Clock): Promise<boolean> {
  if (user.lastLoginAt === null) {
    const [any] = await db
      .select({ id: sessions.id })
      .from(sessions)
      .where(eq(sessions.userId, user.id))
      .limit(1);
    if (!any) return false;
  }
  const since = addMs(clock.now(), -KNOWN_DEVICE_MS);
  const [known] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, user.id),
        gte(sessions.lastSeenAt, since),
        sql`${sessions.userAgent} is not distinct from ${userAgent}`,
      ),
    )
    .limit(1);
  return !known;
}

function newSignInMail(
  user: User,
  context: { ip: string | null; userAgent: string | null },
  clock: Clock,
): EnqueueInput<'new-sign-in'> {
  return {
    to: user.email,
    template: 'new-sign-in',
    locale: userLocale(user),
    props: {
      username: user.username,
      device: describeUserAgent(context.userAgent),
      signedInAt: clock.now(),
      timeZone: user.timezone,
      ip: context.ip,
      sessionsUrl: appUrl('/account/sessions'),
      forgotPasswordUrl: appUrl('/forgot-password'),
    },
    clock,
  };
}

/**
 * Reserves one password attempt against an account before the password is checked (S23, S61), and
 * returns the account's failure count including it, or null when the account may not try now: paused
 * (login_throttled_until ahead) or hard-stopped (HARD_STOP_FAILURES). One UPDATE does the check and the
 * count, so parallel attempts queue on the row and each sees the others' reservations. The reservation
 * that reaches the threshold also starts the pause, so the attempts behind it are refused at once.
 * Shared by sign-in and re-authentication: a stolen session cannot be used to guess the password either.
 */
export async function reservePasswordAttempt(db: Db, userId: string, clock: Clock): Promise<number | null> {
  const now = clock.now().toISOString();
  const failures = sql`${users.failedLoginCount} + 1`;
  // throttleDelayMs, in SQL: the pause must be set by the same statement that counts.
  const delayMs = sql`least(${FIRST_DELAY_MS} * power(2, ${failures} - ${THROTTLE_AFTER_FAILURES}), ${MAX_DELAY_MS})`;
  const [row] = await db
    .update(users)
    .set({
      failedLoginCount: failures,
      loginThrottledUntil: sql`case when ${failures} >= ${THROTTLE_AFTER_FAILURES}
        then ${now}::timestamptz + ${delayMs} * interval '1 millisecond'
        else ${users.loginThrottledUntil} end`,
    })
    .where(
      and(
        eq(users.id, userId),
        lt(users.failedLoginCount, HARD_STOP_FAILURES),
        or(isNull(users.loginThrottledUntil), lte(users.loginThrottledUntil, sql`${now}::timestamptz`)),
      ),
    )
    .returning({ failures: users.failedLoginCount });
  return row?.failures ?? null;
}

/** Gives back a reservation whose password was never judged (the hash limiter was full). */
export async function releasePasswordAttempt(db: Db, userId: string): Promise<void> {
  await db
    .update(users)
    .set({ failedLoginCount: sql`greatest(${users.failedLoginCount} - 1, 0)` })
    .where(eq(users.id, userId));
}

/** The right password: the run of failures (and any pause the reservation started) is over. */
export async function clearPasswordFailures(db: Db, userId: string): Promise<void> {
  await db.update(users).set({ failedLoginCount: 0, loginThrottledUntil: null }).where(eq(users.id, userId));
}

/**
 * Audits the moment a wrong password pauses the account (login.throttle_started, with the failure count
 * and the pause) or stops it for good (login.hard_stopped): the admin sees an attack on an account.
 */
export async function auditPause(
  db: Db,
  userId: string,
  failures: number,
  context: { ip?: string | null; userAgent?: string | null; actorId?: string | null },
  clock: Clock,
): Promise<void> {
  if (failures >= HARD_STOP_FAILURES) {
    await recordAudit(db, { action: 'login.hard_stopped', userId, meta: { failures }, ...context }, clock);
  } else if (failures >= THROTTLE_AFTER_FAILURES) {
    const pauseSeconds = throttleDelayMs(failures) / 1000;
    await recordAudit(
      db,
      { action: 'login.throttle_started', userId, meta: { failures, pauseSeconds }, ...context },
      clock,
    );
  }
}
