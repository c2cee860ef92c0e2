import { describe, expect, it } from 'vitest';
import { emailOutbox } from '@/db/schema';
import { adminOverview, lastDays, OVERVIEW_DAYS } from '@/lib/admin-overview';
import { recordAudit } from '@/lib/audit';
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
