import { and, desc, eq, gt, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { passkeys, sessions, settings, totpFactors, users, type Session, type User } from '@/db/schema';
import { accountState } from './account-state';
import { addMs, DAY, MINUTE, type Clock } from './clock';
import { randomToken } from './random';
import { ENROLMENT_SETTINGS, enrolmentDue, type EnrolmentSettingRows } from './two-factor-requirement';

/**
 * Server-side sessions. The Auth.js cookie carries only a session id; every request checks the row,
 * so logout, revocation, locking and deletion take effect on the next request (S46, S51).
 */

/** Absolute lifetime: a session ends this long after sign-in whatever happens. */
export const SESSION_ABSOLUTE_MS = 30 * DAY;
/** Idle lifetime: a session not used for this long ends. */
export const SESSION_IDLE_MS = 7 * DAY;
// Writing last_seen_at on every request would turn every page view into a write.
const TOUCH_EVERY_MS = MINUTE;

export interface SessionContext {
  ip?: string | null;
  userAgent?: string | null;
}

export async function createSession(
  db: Db,
  userId: string,
  context: SessionContext,
  clock: Clock,
): Promise<string> {
  const row = newSessionRow(userId, context, clock);
  await db.insert(sessions).values(row);
  return row.id;
}

/** The row createSession inserts, with its new id, for a caller that writes it in a statement of its own. */
export function newSessionRow(userId: string, context: SessionContext, clock: Clock) {
  const now = clock.now();
  return {
    // 256 random bits (S50).
    id: randomToken(32),
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: addMs(now, SESSION_ABSOLUTE_MS),
    ip: context.ip?.slice(0, 45) ?? null,
    userAgent: context.userAgent?.slice(0, 512) ?? null,
  } satisfies typeof sessions.$inferInsert;
}

export type LiveSession = {
  session: Session;
  user: User;
  /**
   * The platform requires a second factor of this account (everyone, or admins and this is one), it
   * has none confirmed, and the grace is over: every account and admin page leads to enrolment. The
   * same answer as lib/two-factor.ts's twoFactorEnrolmentDue, read by the same statement as the session.
   */
  twoFactorEnrolmentDue: boolean;
};

/**
 * The session and its user when the session is live and the account active; otherwise undefined.
 *
 * One SQL statement, one round trip, whatever the answer (issue 15): the session joined to its user,
 * whether the account must enrol a second factor (the three settings and whether a confirmed factor
 * exists, as subqueries), and the last_seen_at touch as a data-modifying CTE that writes only when the
 * stored time is over a minute old (writing it on every request would turn every page view into a
 * write). The CTE's write is not visible to the SELECT (one snapshot): the row comes back as it was.
 */
export async function validateSession(
  db: Db,
  sessionId: unknown,
  clock: Clock,
): Promise<LiveSession | undefined> {
  if (typeof sessionId !== 'string' || sessionId.length !== 43) return undefined;
  const now = clock.now();
  const live = and(
    eq(sessions.id, sessionId),
    isNull(sessions.revokedAt),
    gt(sessions.expiresAt, now),
    gt(sessions.lastSeenAt, addMs(now, -SESSION_IDLE_MS)),
  );
  const touched = db.$with('touched').as(
    db
      .update(sessions)
      .set({ lastSeenAt: now })
      .where(and(live, lt(sessions.lastSeenAt, addMs(now, -TOUCH_EVERY_MS))))
      .returning({ id: sessions.id }),
  );
  const [row] = await db
    .with(touched)
    .select({
      session: sessions,
      user: users,
      // A confirmed app or any passkey, as requiresSecondFactor (lib/pending-sign-in.ts) counts them.
      hasFactor: sql<boolean>`(exists (select 1 from ${totpFactors} where ${totpFactors.userId} = ${users.id} and ${totpFactors.confirmedAt} is not null) or exists (select 1 from ${passkeys} where ${passkeys.userId} = ${users.id}))`,
      settingRows:
        sql<EnrolmentSettingRows | null>`(select jsonb_object_agg(${settings.key}, jsonb_build_object('value', ${settings.value}, 'at', ${settings.updatedAt})) from ${settings} where ${inArray(settings.key, [...ENROLMENT_SETTINGS])})`.mapWith(
          settings.value,
        ),
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(live)
    .limit(1);
  if (!row || accountState(row.user) !== 'active') return undefined;
  return {
    session: row.session,
    user: row.user,
    twoFactorEnrolmentDue: enrolmentDue(row.user, Boolean(row.hasFactor), row.settingRows ?? {}, now),
  };
}

export async function revokeSession(
  db: Db,
  sessionId: string,
  clock: Clock,
  userId?: string,
): Promise<boolean> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: clock.now() })
    .where(
      and(
        eq(sessions.id, sessionId),
        isNull(sessions.revokedAt),
        ...(userId ? [eq(sessions.userId, userId)] : []),
      ),
    )
    .returning({ id: sessions.id });
  return rows.length === 1;
}

/** Ends every live session of a user, or every one but `exceptId`. Returns how many ended. */
export async function revokeUserSessions(
  db: Db,
  userId: string,
  clock: Clock,
  exceptId?: string,
): Promise<number> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: clock.now() })
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        ...(exceptId ? [ne(sessions.id, exceptId)] : []),
      ),
    )
    .returning({ id: sessions.id });
  return rows.length;
}

/**
 * Replaces a session by a new one for the same user (S48: a new id at re-authentication). The old id
 * stops working at once.
 */
export async function rotateSession(db: Db, sessionId: string, context: SessionContext, clock: Clock) {
  return db.transaction(async (tx) => {
    const [old] = await tx
      .update(sessions)
      .set({ revokedAt: clock.now() })
      .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
      .returning({ userId: sessions.userId });
    if (!old) return undefined;
    return createSession(tx, old.userId, context, clock);
  });
}

export async function listLiveSessions(db: Db, userId: string, clock: Clock) {
  const now = clock.now();
  return db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
        gt(sessions.lastSeenAt, addMs(now, -SESSION_IDLE_MS)),
      ),
    )
    .orderBy(desc(sessions.lastSeenAt));
}

/**
 * Housekeeping: a session past its absolute expiry, revoked, or idle past the idle lifetime can never
 * be live again; its row goes a day after that. Returns how many went.
 *
 * Drizzle's operators, not a raw sql`` template: they pass the Date through the column's own mapping,
 * whereas postgres.js refuses a bare Date (PGlite accepts it, which hid the failure in tests).
 */
export async function pruneSessions(db: Db, clock: Clock): Promise<number> {
  const cutoff = addMs(clock.now(), -DAY);
  const deleted = await db
    .delete(sessions)
    .where(
      or(
        lt(sessions.expiresAt, cutoff),
        lt(sessions.revokedAt, cutoff),
        lt(sessions.lastSeenAt, addMs(cutoff, -SESSION_IDLE_MS)),
      ),
    )
    .returning({ id: sessions.id });
  return deleted.length;
}
