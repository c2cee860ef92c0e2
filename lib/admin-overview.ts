import { desc, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { rowsOf } from '@/db/rows';
import { auditEvents, emailOutbox, userStateChanges, users } from '@/db/schema';
import { accountStates, type AccountState } from './account-state';
import type { AuditAction } from './audit';
import type { Clock } from './clock';

/**
 * The admin console's front page (/admin): accounts by state, sign-ups, sign-ins and failed sign-ins
 * per day, the mail of the last 24 hours and the latest security events. Every query is bounded by
 * an index (db/schema.ts); `npm run bench:admin` times them at 100,000 accounts and a year of audit
 * rows (docs/decisions/033).
 */

export const OVERVIEW_DAYS = 30;

/** The audit events an admin should see first: ones that change who can get in, or how. */
export const SECURITY_ACTIONS = [
  'login.throttle_started',
  'login.hard_stopped',
  'user.locked',
  'user.unlocked',
  'user.role_changed',
  'user.deleted',
  'password.reset_completed',
  'password.reset_sent_by_admin',
  'email.changed',
  'email.change_cancelled',
  'recovery_phrase.used',
  'recovery_phrase.failed',
  'session.revoked_by_admin',
  'settings.changed',
] as const satisfies readonly AuditAction[];

export const LATEST_EVENTS = 10;

export interface DayCount {
  /** The calendar day in the admin's time zone, YYYY-MM-DD. */
  day: string;
  count: number;
}

export interface AdminOverview {
  states: Record<AccountState, number>;
  total: number;
  /** One entry per day, oldest first, the last one today; days with nothing count 0. */
  signUps: DayCount[];
  signIns: DayCount[];
  failedSignIns: DayCount[];
  /** Mail queued in the last 24 hours, by what became of it. */
  mail: { delivered: number; retrying: number; failed: number };
  latestEvents: {
    id: number;
    at: Date;
    action: string;
    userId: string | null;
    username: string | null;
    ip: string | null;
  }[];
}

/** The calendar date of `at` in `timeZone`, YYYY-MM-DD. */
export function calendarDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/**
 * The `days` calendar days ending today in `timeZone`, oldest first. Counted on the calendar, not
 * in 24-hour steps, so a day that is 23 or 25 hours long (a clock change) is neither skipped nor doubled.
 */
export function lastDays(now: Date, timeZone: string, days: number): string[] {
  const today = new Date(`${calendarDay(now, timeZone)}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) =>
    new Date(today.getTime() - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}

/** Where a series' days start and end: the calendar days of `lastDays`, in the admin's time zone. */
export interface OverviewWindow {
  days: string[];
  timeZone: string;
}

/**
 * One count per day, each a range count between two local midnights on an index (`counted` names
 * the rows). The days arrive as a VALUES list rather than generate_series: the planner then knows
 * there are 30 of them, not the 1,000 it assumes for a set-returning function, and stays under
 * Postgres's JIT threshold; compiling the query cost more than running it (docs/decisions/033).
 * Midnight is computed in SQL with `at time zone`, so 23- and 25-hour days are right.
 */
async function dailyCounts(
  db: Db,
  window: OverviewWindow,
  counted: (starts: SQL, ends: SQL) => SQL,
): Promise<DayCount[]> {
  const days = sql.join(
    window.days.map((day) => sql`(${day}::date)`),
    sql`, `,
  );
  const starts = sql`(d.day::timestamp at time zone ${window.timeZone})`;
  const ends = sql`((d.day + 1)::timestamp at time zone ${window.timeZone})`;
  const result = await db.execute(
    sql`select to_char(d.day, 'YYYY-MM-DD') as day, (${counted(starts, ends)})::int as n
        from (values ${days}) as d(day) order by d.day`,
  );
  return rowsOf(result).map((row) => ({ day: String(row.day), count: Number(row.n) }));
}

/**
 * The overview's queries, one by one, so that `npm run bench:admin` can time each; `adminOverview`
 * runs them all at once. Every one is bounded by an index (db/schema.ts).
 */
export const overviewQueries = {
  /**
   * Accounts by state from `user_state_changes`, which triggers on `users` keep in the transaction
   * of every change: a few rows once the maintenance has folded them (compactUserStateCounts), so
   * the figure is exact and current without counting 100,000 accounts (docs/decisions/033).
   */
  async states(db: Db): Promise<{ states: Record<AccountState, number>; total: number }> {
    const rows = await db
      .select({
        state: userStateChanges.state,
        n: sql<number>`sum(${userStateChanges.delta})`.mapWith(Number),
      })
      .from(userStateChanges)
      .groupBy(userStateChanges.state);
    const states = Object.fromEntries(accountStates.map((state) => [state, 0])) as Record<
      AccountState,
      number
    >;
    for (const { state, n } of rows) if (state in states) states[state as AccountState] = n;
    return { states, total: Object.values(states).reduce((sum, n) => sum + n, 0) };
  },

  /** Accounts created each day, on `users_created_at_idx`. */
  signUps: (db: Db, window: OverviewWindow) =>
    dailyCounts(
      db,
      window,
      (starts, ends) =>
        sql`select count(*) from ${users} where ${users.createdAt} >= ${starts} and ${users.createdAt} < ${ends}`,
    ),

  /** Sign-ins each day, from the partial index `audit_events_sign_in_at_idx` alone. */
  signIns: (db: Db, window: OverviewWindow) =>
    dailyCounts(
      db,
      window,
      (starts, ends) =>
        sql`select count(*) from ${auditEvents} where ${auditEvents.action} = 'login.succeeded'
            and ${auditEvents.at} >= ${starts} and ${auditEvents.at} < ${ends}`,
    ),

  /** Failed sign-ins each day, on `audit_events_action_idx` (action, at). */
  failedSignIns: (db: Db, window: OverviewWindow) =>
    dailyCounts(
      db,
      window,
      (starts, ends) =>
        sql`select count(*) from ${auditEvents} where ${auditEvents.action} = 'login.failed'
            and ${auditEvents.at} >= ${starts} and ${auditEvents.at} < ${ends}`,
    ),

  /** Mail created in the last 24 hours by what became of it, on `email_outbox_created_idx`. */
  async mail(db: Db, now: Date): Promise<AdminOverview['mail']> {
    const [row] = await db
      .select({
        delivered: sql<number>`count(*) filter (where ${emailOutbox.status} = 'sent')`.mapWith(Number),
        retrying:
          sql<number>`count(*) filter (where ${emailOutbox.status} in ('queued', 'sending') and ${emailOutbox.attempts} > 0)`.mapWith(
            Number,
          ),
        failed: sql<number>`count(*) filter (where ${emailOutbox.status} = 'failed')`.mapWith(Number),
      })
      .from(emailOutbox)
      .where(gte(emailOutbox.createdAt, new Date(now.getTime() - 86_400_000)));
    return row ?? { delivered: 0, retrying: 0, failed: 0 };
  },

  /** The newest security events, walking `audit_events_at_idx` backwards until ten match. */
  latestEvents: (db: Db): Promise<AdminOverview['latestEvents']> =>
    db
      .select({
        id: auditEvents.id,
        at: auditEvents.at,
        action: auditEvents.action,
        userId: auditEvents.userId,
        username: users.username,
        ip: auditEvents.ip,
      })
      .from(auditEvents)
      .leftJoin(users, eq(users.id, auditEvents.userId))
      .where(inArray(auditEvents.action, [...SECURITY_ACTIONS]))
      .orderBy(desc(auditEvents.at), desc(auditEvents.id))
      .limit(LATEST_EVENTS),
};

export async function adminOverview(
  db: Db,
  input: { timeZone: string },
  clock: Clock,
): Promise<AdminOverview> {
  const now = clock.now();
  const window: OverviewWindow = {
    days: lastDays(now, input.timeZone, OVERVIEW_DAYS),
    timeZone: input.timeZone,
  };
  const [{ states, total }, signUps, signIns, failedSignIns, mail, latestEvents] = await Promise.all([
    overviewQueries.states(db),
    overviewQueries.signUps(db, window),
    overviewQueries.signIns(db, window),
    overviewQueries.failedSignIns(db, window),
    overviewQueries.mail(db, now),
    overviewQueries.latestEvents(db),
  ]);
  return { states, total, signUps, signIns, failedSignIns, mail, latestEvents };
}

/**
 * Folds the state changes into one row per state, in one statement: the rows it deletes are the
 * ones its snapshot sees, so a change committed meanwhile stays as its own row and nothing is lost
 * or counted twice, even with two instances folding at once. A state already on one row is left
 * alone, so an idle minute writes nothing. The maintenance runs it every minute (lib/maintenance.ts);
 * returns how many rows it folded.
 */
export async function compactUserStateCounts(db: Db): Promise<number> {
  const result = await db.execute(sql`
    with folded as (
      delete from ${userStateChanges}
      where state in (select state from ${userStateChanges} group by state having count(*) > 1)
      returning state, delta
    ),
    summed as (
      insert into ${userStateChanges} (state, delta)
      select state, sum(delta) from folded group by state having sum(delta) <> 0
    )
    select count(*)::int as n from folded`);
  return Number(rowsOf(result)[0]?.n ?? 0);
}
