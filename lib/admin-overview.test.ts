import { describe, expect, it } from 'vitest';
import { eq, inArray, like } from 'drizzle-orm';
import postgres from 'postgres';
import { auditEvents, emailOutbox, userStateChanges, users } from '@/db/schema';
import { accountState, accountStates, type AccountState } from '@/lib/account-state';
import {
  adminOverview,
  calendarDay,
  compactUserStateCounts,
  lastDays,
  OVERVIEW_DAYS,
} from '@/lib/admin-overview';
import { recordAudit, type AuditAction } from '@/lib/audit';
import { ManualClock } from '@/lib/clock';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser } from '@/tests/helpers/users';

const t = setUpTestDatabase();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('lastDays', () => {
  it('counts calendar days in the zone, across a clock change, today last', () => {
    // Europe/Paris goes from summer to winter time on 2026-10-25: that day has 25 hours.
    const days = lastDays(new Date('2026-10-26T23:30:00Z'), 'Europe/Paris', 4);
    expect(days).toEqual(['2026-10-24', '2026-10-25', '2026-10-26', '2026-10-27']);
    expect(lastDays(new Date('2026-10-26T23:30:00Z'), 'America/New_York', 2)).toEqual([
      '2026-10-25',
      '2026-10-26',
    ]);
  });
});

describe('adminOverview', () => {
  it('counts accounts by state, sign-ups and sign-ins per day in the admin’s zone with empty days, mail of the last 24 h, and the latest security events', async () => {
    // 10:00 in New York on 2026-11-30.
    const clock = new ManualClock(new Date('2026-11-30T15:00:00Z'));
    const at = (iso: string) => new ManualClock(new Date(iso));

    // States: 2 active (one made 40 days ago, outside the chart), 1 unverified, 1 pending, 1 locked, 1 rejected.
    const active = await createTestUser(t.db, clock, 'Active-One', {
      createdAt: new Date('2026-11-29T04:00:00Z'),
    });
    await createTestUser(t.db, clock, 'Active-Old', { createdAt: new Date('2026-10-21T12:00:00Z') });
    await createTestUser(t.db, clock, 'Unverified', {
      emailVerifiedAt: null,
      approvedAt: null,
      createdAt: new Date('2026-11-30T14:00:00Z'),
    });
    await createTestUser(t.db, clock, 'Pending', {
      approvedAt: null,
      createdAt: new Date('2026-11-30T14:30:00Z'),
    });
    await createTestUser(t.db, clock, 'Locked', {
      lockedAt: clock.now(),
      createdAt: new Date('2026-11-30T14:40:00Z'),
    });
    await createTestUser(t.db, clock, 'Rejected', {
      rejectedAt: clock.now(),
      approvedAt: null,
      createdAt: new Date('2026-11-30T14:50:00Z'),
    });

    // 04:00 UTC on the 29th is still the 28th in New York.
    await recordAudit(t.db, { action: 'login.succeeded', userId: active.id }, at('2026-11-29T04:00:00Z'));
    await recordAudit(t.db, { action: 'login.succeeded', userId: active.id }, at('2026-11-29T16:00:00Z'));
    await recordAudit(t.db, { action: 'login.succeeded', userId: active.id }, at('2026-11-29T17:00:00Z'));
    await recordAudit(t.db, { action: 'login.failed', userId: active.id }, at('2026-11-30T14:59:00Z'));
    // Before the first day of the chart: not counted.
    await recordAudit(t.db, { action: 'login.succeeded', userId: active.id }, at('2026-10-31T03:59:00Z'));
    await recordAudit(
      t.db,
      { action: 'user.locked', userId: active.id, ip: '192.0.2.4' },
      at('2026-11-30T10:00:00Z'),
    );
    await recordAudit(t.db, { action: 'settings.changed', userId: null }, at('2026-11-30T11:00:00Z'));

    await t.db.insert(emailOutbox).values([
      {
        to: 'a@example.com',
        template: 'welcome',
        locale: 'en',
        subject: 's',
        status: 'sent',
        createdAt: new Date(clock.now().getTime() - HOUR),
      },
      {
        to: 'b@example.com',
        template: 'welcome',
        locale: 'en',
        subject: 's',
        status: 'queued',
        attempts: 2,
        createdAt: new Date(clock.now().getTime() - 2 * HOUR),
      },
      {
        to: 'c@example.com',
        template: 'welcome',
        locale: 'en',
        subject: 's',
        status: 'failed',
        attempts: 8,
        createdAt: new Date(clock.now().getTime() - 3 * HOUR),
      },
      // Waiting for its first try: neither delivered, retrying nor failed.
      {
        to: 'd@example.com',
        template: 'welcome',
        locale: 'en',
        subject: 's',
        status: 'queued',
        createdAt: clock.now(),
      },
      // Older than 24 hours.
      {
        to: 'e@example.com',
        template: 'welcome',
        locale: 'en',
        subject: 's',
        status: 'failed',
        createdAt: new Date(clock.now().getTime() - 2 * DAY),
      },
    ]);

    const overview = await adminOverview(t.db, { timeZone: 'America/New_York' }, clock);
    expect(overview.states).toEqual({ active: 2, unverified: 1, pending: 1, locked: 1, rejected: 1 });
    expect(overview.total).toBe(6);

    for (const series of [overview.signUps, overview.signIns, overview.failedSignIns]) {
      expect(series).toHaveLength(OVERVIEW_DAYS);
      expect(series[0]!.day).toBe('2026-11-01');
      expect(series.at(-1)!.day).toBe('2026-11-30');
    }
    const nonZero = (series: { day: string; count: number }[]) => series.filter((d) => d.count > 0);
    expect(nonZero(overview.signUps)).toEqual([
      { day: '2026-11-28', count: 1 },
      { day: '2026-11-30', count: 4 },
    ]);
    expect(nonZero(overview.signIns)).toEqual([
      { day: '2026-11-28', count: 1 },
      { day: '2026-11-29', count: 2 },
    ]);
    expect(nonZero(overview.failedSignIns)).toEqual([{ day: '2026-11-30', count: 1 }]);
    expect(overview.signIns.find((d) => d.day === '2026-11-15')).toEqual({ day: '2026-11-15', count: 0 });

    expect(overview.mail).toEqual({ delivered: 1, retrying: 1, failed: 1 });

    expect(overview.latestEvents.map((e) => [e.action, e.username, e.ip])).toEqual([
      ['settings.changed', null, null],
      ['user.locked', 'Active-One', '192.0.2.4'],
    ]);
  });

  it('in another zone the same rows fall on other days', async () => {
    const clock = new ManualClock(new Date('2026-11-30T15:00:00Z'));
    const overview = await adminOverview(t.db, { timeZone: 'Asia/Tokyo' }, clock);
    // 04:00 UTC on the 29th is 13:00 in Tokyo on the 29th; 16:00 and 17:00 UTC are already the 30th.
    expect(overview.signIns.filter((d) => d.count > 0)).toEqual([
      { day: '2026-11-29', count: 1 },
      { day: '2026-11-30', count: 2 },
    ]);
    expect(overview.signIns.at(-1)!.day).toBe('2026-12-01');
  });
});

/** The accounts by state as the users table says, one row at a time through lib/account-state.ts. */
async function statesOfRows(): Promise<{ states: Record<AccountState, number>; total: number }> {
  const rows = await t.db.select().from(users);
  const states = Object.fromEntries(accountStates.map((state) => [state, 0])) as Record<AccountState, number>;
  for (const row of rows) states[accountState(row)] += 1;
  return { states, total: rows.length };
}

async function countsOnOverview() {
  const { states, total } = await adminOverview(t.db, { timeZone: 'UTC' }, new ManualClock(new Date()));
  return { states, total };
}

const changeRows = async () => (await t.db.select().from(userStateChanges)).length;

describe('accounts by state, kept by the triggers on users', () => {
  it('match the rows after bulk inserts, every move between states, deletes and folding, without a row per sign-in', async () => {
    const now = new Date();
    const person = (i: number, over: Partial<typeof users.$inferInsert> = {}) => ({
      username: `bulk-${i}`,
      email: `bulk-${i}@example.com`,
      emailVerifiedAt: i % 4 === 0 ? null : now,
      approvedAt: i % 3 === 0 ? null : now,
      lockedAt: i % 7 === 0 ? now : null,
      rejectedAt: i % 11 === 0 ? now : null,
      ...over,
    });
    // One statement, forty accounts in every state.
    await t.db.insert(users).values(Array.from({ length: 40 }, (_, i) => person(i)));
    expect(await countsOnOverview()).toEqual(await statesOfRows());
    const bulk = like(users.username, 'bulk-%');

    // Each move: confirming, approving (in bulk), locking, unlocking, rejecting.
    await t.db.update(users).set({ emailVerifiedAt: now }).where(eq(users.username, 'bulk-4'));
    await t.db.update(users).set({ approvedAt: now }).where(bulk);
    await t.db.update(users).set({ lockedAt: now }).where(eq(users.username, 'bulk-1'));
    await t.db.update(users).set({ lockedAt: null }).where(eq(users.username, 'bulk-14'));
    await t.db
      .update(users)
      .set({ rejectedAt: now })
      .where(inArray(users.username, ['bulk-2', 'bulk-22']));
    expect(await countsOnOverview()).toEqual(await statesOfRows());

    // A sign-in, or a change that leaves the state as it was, adds no row.
    const before = await changeRows();
    await t.db.update(users).set({ lastLoginAt: now, failedLoginCount: 0 }).where(bulk);
    await t.db
      .update(users)
      .set({ approvedAt: new Date(now.getTime() - 1000) })
      .where(bulk);
    expect(await changeRows()).toBe(before);

    // Folded into one row per state, the figures stay.
    expect(await compactUserStateCounts(t.db)).toBeGreaterThan(accountStates.length);
    expect(await changeRows()).toBeLessThanOrEqual(accountStates.length);
    // Once folded, folding again writes nothing.
    expect(await compactUserStateCounts(t.db)).toBe(0);
    expect(await countsOnOverview()).toEqual(await statesOfRows());

    await t.db.delete(users).where(inArray(users.username, ['bulk-0', 'bulk-5', 'bulk-7']));
    await t.db.update(users).set({ rejectedAt: null, lockedAt: null }).where(bulk);
    expect(await countsOnOverview()).toEqual(await statesOfRows());
    await compactUserStateCounts(t.db);
    expect(await countsOnOverview()).toEqual(await statesOfRows());
  });

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))(
    'a change committed while the rows are folded is neither lost nor counted twice (Postgres)',
    async () => {
      const other = postgres(t.url!, { max: 1, onnotice: () => undefined });
      try {
        await other.begin(async (tx) => {
          await tx`insert into users (username, email) values ('in-flight', 'in-flight@example.com')`;
          // The fold runs while that sign-up is not yet committed: its row is not the fold's to take.
          await compactUserStateCounts(t.db);
        });
        expect(await countsOnOverview()).toEqual(await statesOfRows());
        await Promise.all([compactUserStateCounts(t.db), compactUserStateCounts(t.db)]);
        expect(await countsOnOverview()).toEqual(await statesOfRows());
      } finally {
        await other.end();
      }
    },
  );
});

describe('the series against the rows', () => {
  it('every day of sign-ups, sign-ins and failures equals the rows of that local day, midnights and a clock change included', async () => {
    // Europe/Paris moves to summer time on 2027-03-28: that day has 23 hours.
    const timeZone = 'Europe/Paris';
    const clock = new ManualClock(new Date('2027-03-31T20:00:00Z'));
    const days = lastDays(clock.now(), timeZone, OVERVIEW_DAYS);
    // A fixed pseudo-random walk (no flaky seeds): times over 34 days, some exactly on a local midnight.
    let seed = 17;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const start = new Date('2027-02-26T00:00:00Z').getTime();
    const span = clock.now().getTime() - start;
    const times = Array.from({ length: 240 }, () => new Date(start + Math.floor(next() * span)));
    // Midnight in Paris on 2 March (first day of the chart) and on 28 March, and a millisecond before each.
    for (const edge of ['2027-03-01T23:00:00Z', '2027-03-27T23:00:00Z']) {
      times.push(new Date(edge), new Date(new Date(edge).getTime() - 1));
    }

    const actions = times.map((_, i): AuditAction => (i % 3 === 0 ? 'login.failed' : 'login.succeeded'));
    await t.db.insert(auditEvents).values(times.map((at, i) => ({ at, action: actions[i]! })));
    const signUpTimes = times.filter((_, i) => i % 4 === 1);
    await t.db.insert(users).values(
      signUpTimes.map((createdAt, i) => ({
        username: `series-${i}`,
        email: `series-${i}@example.com`,
        createdAt,
      })),
    );

    const expected = (picked: Date[]) =>
      days.map((day) => ({ day, count: picked.filter((at) => calendarDay(at, timeZone) === day).length }));
    const overview = await adminOverview(t.db, { timeZone }, clock);
    expect(overview.signIns).toEqual(expected(times.filter((_, i) => actions[i] === 'login.succeeded')));
    expect(overview.failedSignIns).toEqual(expected(times.filter((_, i) => actions[i] === 'login.failed')));
    expect(overview.signUps).toEqual(expected(signUpTimes));
    // The walk did reach both edges of a midnight, and the chart is not all zeros.
    expect(overview.signIns.find((d) => d.day === '2027-03-02')!.count).toBeGreaterThan(0);
    expect(overview.signIns.reduce((sum, d) => sum + d.count, 0)).toBeGreaterThan(100);
    // Today's rows are counted live, up to the clock's minute.
    const late = new Date(clock.now().getTime() - 60_000);
    await t.db.insert(auditEvents).values({ at: late, action: 'login.succeeded' });
    const again = await adminOverview(t.db, { timeZone }, clock);
    expect(again.signIns.at(-1)!.count).toBe(overview.signIns.at(-1)!.count + 1);
  });
});
