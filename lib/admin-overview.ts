import { count, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { rowsOf } from '@/db/rows';
import { auditEvents, emailOutbox, users } from '@/db/schema';
import { accountStates, type AccountState } from './account-state';
import { stateWhere } from './admin-users';
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

export async function adminOverview(
  db: Db,
  input: { timeZone: string },
  clock: Clock,
): Promise<AdminOverview> {
  const now = clock.now();
  const days = lastDays(now, input.timeZone, OVERVIEW_DAYS);
  /*
   * Each day of the chart is a range between two local midnights, and each count a range count on
   * an index: (created_at) for sign-ups, (action, at) for sign-ins and failures. Grouping the rows by
   * a computed day instead reads every row of the month and formats each one: ten times slower at a
   * year of audit rows (docs/decisions/033).
   */
  const series = db
    .execute(
      sql`with days as (
        select d::date as day,
               d::timestamp at time zone ${input.timeZone} as starts,
               (d + interval '1 day')::timestamp at time zone ${input.timeZone} as ends
        from generate_series(${days[0]}::date, ${days.at(-1)}::date, interval '1 day') as d
      )
      select to_char(day, 'YYYY-MM-DD') as day,
        (select count(*) from ${users} where ${users.createdAt} >= starts and ${users.createdAt} < ends)::int as sign_ups,
        (select count(*) from ${auditEvents} where ${auditEvents.action} = 'login.succeeded'
           and ${auditEvents.at} >= starts and ${auditEvents.at} < ends)::int as sign_ins,
        (select count(*) from ${auditEvents} where ${auditEvents.action} = 'login.failed'
           and ${auditEvents.at} >= starts and ${auditEvents.at} < ends)::int as failed
      from days order by day`,
    )
    .then((result) =>
      rowsOf(result).map((row) => ({
        day: String(row.day),
        signUps: Number(row.sign_ups),
        signIns: Number(row.sign_ins),
        failed: Number(row.failed),
      })),
    );
  const dayAgo = new Date(now.getTime() - 86_400_000);

  const [stateRows, [totals], perDay, mail, latestEvents] = await Promise.all([
    // One count per rare state, each on its partial index; active is what is left.
    Promise.all(
      accountStates
        .filter((state) => state !== 'active')
        .map((state) =>
          db
            .select({ n: count() })
            .from(users)
            .where(stateWhere(state))
            .then(([row]) => [state, row?.n ?? 0] as const),
        ),
    ),
    db.select({ n: count() }).from(users),
    series,
    db
      .select({
        delivered: sql<number>`count(*) filter (where ${emailOutbox.status} = 'sent')`.mapWith(Number),
        retrying:
          sql<number>`count(*) filter (where ${emailOutbox.status} in ('queued', 'sending') and ${emailOutbox.attempts} > 0)`.mapWith(
            Number,
          ),
        failed: sql<number>`count(*) filter (where ${emailOutbox.status} = 'failed')`.mapWith(Number),
      })
      .from(emailOutbox)
      .where(gte(emailOutbox.createdAt, dayAgo)),
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
  ]);

  const total = totals?.n ?? 0;
  const rare = Object.fromEntries(stateRows) as Record<Exclude<AccountState, 'active'>, number>;
  const inactive = Object.values(rare).reduce((sum, n) => sum + n, 0);
  return {
    states: { ...rare, active: total - inactive },
    total,
    signUps: perDay.map(({ day, signUps }) => ({ day, count: signUps })),
    signIns: perDay.map(({ day, signIns }) => ({ day, count: signIns })),
    failedSignIns: perDay.map(({ day, failed }) => ({ day, count: failed })),
    mail: mail[0] ?? { delivered: 0, retrying: 0, failed: 0 },
    latestEvents,
  };
}
