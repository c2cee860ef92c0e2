import { like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimits } from '@/db/schema';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { DAY, HOUR, ManualClock, MINUTE, type Clock } from './clock';
import {
  cooldown,
  GLOBAL_SUBJECT,
  hashSubject,
  hit,
  hitAll,
  limits,
  peek,
  pruneRateLimits,
  reset,
  type Limit,
} from './rate-limit';

let t: TestDatabase;
const START = new Date('2026-01-01T12:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t?.close();
});

// Each test gets its own limit name, so counters never leak between tests sharing the database.
let seq = 0;
const limit = (max: number, windowMs = HOUR): Limit => ({ name: `test${(seq += 1)}`, max, windowMs });

const rowsFor = (name: string) =>
  t.db
    .select()
    .from(rateLimits)
    .where(like(rateLimits.key, `${name}:%`));

describe(`rate limits on ${process.env.TEST_DATABASE_URL ? 'Postgres' : 'PGlite'}`, () => {
  it('counts hits and refuses past the maximum until the window ends', async () => {
    const clock = new ManualClock(START);
    const l = limit(3);
    expect(await hit(t.db, l, '203.0.113.7', clock)).toEqual({ ok: true, remaining: 2 });
    expect(await hit(t.db, l, '203.0.113.7', clock)).toEqual({ ok: true, remaining: 1 });
    expect(await hit(t.db, l, '203.0.113.7', clock)).toEqual({ ok: true, remaining: 0 });
    clock.advance(10 * MINUTE);
    expect(await hit(t.db, l, '203.0.113.7', clock)).toEqual({ ok: false, retryAfterSeconds: 50 * 60 });
    clock.advance(50 * MINUTE - 1);
    // The last millisecond of the window still says "wait a second", never "wait 0 seconds".
    expect(await hit(t.db, l, '203.0.113.7', clock)).toEqual({ ok: false, retryAfterSeconds: 1 });
    // Another subject has its own budget.
    expect(await hit(t.db, l, '203.0.113.8', clock)).toEqual({ ok: true, remaining: 2 });
  });

  it('a new window starts fresh', async () => {
    const clock = new ManualClock(START);
    const l = limit(1, 15 * MINUTE);
    expect((await hit(t.db, l, 'x', clock)).ok).toBe(true);
    expect((await hit(t.db, l, 'x', clock)).ok).toBe(false);
    clock.advance(15 * MINUTE);
    expect(await hit(t.db, l, 'x', clock)).toEqual({ ok: true, remaining: 0 });
  });

  it('windows are aligned to the clock, not to the first hit', async () => {
    const clock = new ManualClock(new Date('2026-01-01T12:59:00Z'));
    const l = limit(1);
    expect((await hit(t.db, l, 'x', clock)).ok).toBe(true);
    expect(await hit(t.db, l, 'x', clock)).toEqual({ ok: false, retryAfterSeconds: 60 });
    const [row] = await rowsFor(l.name);
    expect(row!.windowStart.toISOString()).toBe('2026-01-01T12:00:00.000Z');
  });

  it('stores subjects hashed: the raw email never appears in the table', async () => {
    const clock = new ManualClock(START);
    const email = 'Alice.Secret@Example.com';
    await hit(t.db, limits.registerPerEmail, email, clock);
    await hit(t.db, limits.registerPerIp, '198.51.100.23', clock);
    await cooldown(t.db, 'resend', email, 60, clock);
    const all = JSON.stringify(await t.db.select().from(rateLimits)).toLowerCase();
    for (const fragment of ['alice', 'secret', 'example.com', '198.51.100.23']) {
      expect(all).not.toContain(fragment);
    }
    const [row] = await rowsFor(limits.registerPerEmail.name);
    expect(row!.key).toBe(`register.email:${hashSubject(email)}`);
    expect(hashSubject(email)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('subjects differing only in case or surrounding spaces share one budget', async () => {
    const clock = new ManualClock(START);
    const l = limit(2);
    await hit(t.db, l, 'bob@example.com', clock);
    await hit(t.db, l, ' BOB@Example.COM ', clock);
    expect((await hit(t.db, l, 'Bob@example.com', clock)).ok).toBe(false);
  });

  it('30 concurrent hits against a maximum of 10: exactly 10 pass', async () => {
    const clock = new ManualClock(START);
    const l = limit(10);
    const results = await Promise.all(Array.from({ length: 30 }, () => hit(t.db, l, 'burst', clock)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    const remaining = results.flatMap((r) => (r.ok ? [r.remaining] : [])).sort((a, b) => a - b);
    expect(remaining).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const [row] = await rowsFor(l.name);
    expect(row!.count).toBe(30);
  });

  it('hitAll refuses when either limit is exceeded and reports the longest wait', async () => {
    const clock = new ManualClock(START);
    const perIp = limit(3, HOUR);
    const perEmail = limit(1, 15 * MINUTE);
    const ip = '192.0.2.1';

    // Same address twice: the per-address limit refuses although the IP is still within its own.
    expect(
      await hitAll(
        t.db,
        [
          [perIp, ip],
          [perEmail, 'a@example.com'],
        ],
        clock,
      ),
    ).toEqual({
      ok: true,
      remaining: 0,
    });
    expect(
      await hitAll(
        t.db,
        [
          [perIp, ip],
          [perEmail, 'a@example.com'],
        ],
        clock,
      ),
    ).toEqual({
      ok: false,
      retryAfterSeconds: 15 * 60,
    });
    // A fresh address, but the IP is now past its limit: refused with the IP's (longer) wait.
    expect(
      await hitAll(
        t.db,
        [
          [perIp, ip],
          [perEmail, 'b@example.com'],
        ],
        clock,
      ),
    ).toEqual({
      ok: true,
      remaining: 0,
    });
    expect(
      await hitAll(
        t.db,
        [
          [perIp, ip],
          [perEmail, 'c@example.com'],
        ],
        clock,
      ),
    ).toEqual({
      ok: false,
      retryAfterSeconds: 60 * 60,
    });
    // Both over: the longer wait wins.
    expect(
      await hitAll(
        t.db,
        [
          [perIp, ip],
          [perEmail, 'a@example.com'],
        ],
        clock,
      ),
    ).toEqual({
      ok: false,
      retryAfterSeconds: 60 * 60,
    });
    // A refused check still counted against the other limit.
    expect((await peek(t.db, perEmail, 'c@example.com', clock)).count).toBe(1);
  });

  it('peek reads the count without counting', async () => {
    const clock = new ManualClock(START);
    const l = limit(2);
    expect(await peek(t.db, l, 'p', clock)).toEqual({ count: 0, remaining: 2 });
    await hit(t.db, l, 'p', clock);
    expect(await peek(t.db, l, 'p', clock)).toEqual({ count: 1, remaining: 1 });
    expect(await peek(t.db, l, 'p', clock)).toEqual({ count: 1, remaining: 1 });
    await hit(t.db, l, 'p', clock);
    await hit(t.db, l, 'p', clock);
    expect(await peek(t.db, l, 'p', clock)).toEqual({ count: 3, remaining: 0 });
  });

  it('reset clears the subject and only that subject', async () => {
    const clock = new ManualClock(START);
    const l = limit(1);
    await hit(t.db, l, 'carol', clock);
    await hit(t.db, l, 'dave', clock);
    expect((await hit(t.db, l, 'carol', clock)).ok).toBe(false);
    await reset(t.db, l, 'Carol');
    expect(await hit(t.db, l, 'carol', clock)).toEqual({ ok: true, remaining: 0 });
    expect((await hit(t.db, l, 'dave', clock)).ok).toBe(false);
  });

  it('S19: cooldown refuses an immediate repeat with the remaining wait, and allows it afterwards', async () => {
    const clock = new ManualClock(START);
    expect(await cooldown(t.db, 'resend-a', 'erin@example.com', 60, clock)).toEqual({ ok: true });
    expect(await cooldown(t.db, 'resend-a', 'erin@example.com', 60, clock)).toEqual({
      ok: false,
      retryAfterSeconds: 60,
    });
    clock.advance(45_500);
    expect(await cooldown(t.db, 'resend-a', 'erin@example.com', 60, clock)).toEqual({
      ok: false,
      retryAfterSeconds: 15,
    });
    // Another subject, or another action for the same subject, is not held back.
    expect(await cooldown(t.db, 'resend-a', 'frank@example.com', 60, clock)).toEqual({ ok: true });
    expect(await cooldown(t.db, 'resend-b', 'erin@example.com', 60, clock)).toEqual({ ok: true });
    clock.advance(14_500);
    expect(await cooldown(t.db, 'resend-a', 'ERIN@example.com', 60, clock)).toEqual({ ok: true });
    // The refused attempts did not extend the wait: it runs from the last allowed one.
    expect(await cooldown(t.db, 'resend-a', 'erin@example.com', 60, clock)).toEqual({
      ok: false,
      retryAfterSeconds: 60,
    });
    // One lock row and one time row per subject, however often it was used.
    const rows = await t.db
      .select()
      .from(rateLimits)
      .where(like(rateLimits.key, `cooldown:resend-a:${hashSubject('erin@example.com')}`));
    expect(rows).toHaveLength(2);
  });

  it('10 concurrent cooldown calls: exactly one is allowed', async () => {
    const clock = new ManualClock(START);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => cooldown(t.db, 'resend-burst', 'gina@example.com', 60, clock)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual(Array(9).fill({ ok: false, retryAfterSeconds: 60 }));
  });

  it('10 concurrent cooldown calls a millisecond apart (as on a real clock): exactly one is allowed', async () => {
    let ms = START.getTime();
    const ticking: Clock = { now: () => new Date((ms += 1)) };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => cooldown(t.db, 'resend-tick', 'hal@example.com', 60, ticking)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('prune removes old windows only', async () => {
    const clock = new ManualClock(START);
    const l = limit(5);
    await hit(t.db, l, 'old', clock);
    clock.advance(2 * DAY);
    await hit(t.db, l, 'new', clock);
    const deleted = await pruneRateLimits(t.db, clock, DAY);
    expect(deleted).toBeGreaterThanOrEqual(1);
    const left = await rowsFor(l.name);
    expect(left.map((r) => r.key)).toEqual([`${l.name}:${hashSubject('new')}`]);
    // The current window is never old enough to go.
    expect(await pruneRateLimits(t.db, clock, HOUR)).toBe(0);
    expect(await rowsFor(l.name)).toHaveLength(1);
  });

  it('the registry holds valid limits with distinct names', () => {
    const all = Object.values(limits);
    expect(new Set(all.map((l) => l.name)).size).toBe(all.length);
    for (const l of all) {
      expect(Number.isInteger(l.max) && l.max >= 1).toBe(true);
      expect(l.windowMs).toBeGreaterThanOrEqual(MINUTE);
      expect(l.name).not.toContain(':');
    }
    expect(limits.registerPerEmail).toMatchObject({ max: 3, windowMs: HOUR });
    expect(limits.loginFailuresPerIp).toMatchObject({ max: 50, windowMs: 15 * MINUTE });
    expect(limits.mailGlobal).toMatchObject({ max: 1000, windowMs: HOUR });
    expect(GLOBAL_SUBJECT).toBe('global');
  });

  it('refuses a malformed limit or cooldown instead of silently allowing everything', async () => {
    const clock = new ManualClock(START);
    await expect(hit(t.db, { name: 'bad', max: 0, windowMs: HOUR }, 'x', clock)).rejects.toThrow(/max/);
    await expect(hit(t.db, { name: 'bad', max: 1, windowMs: 0 }, 'x', clock)).rejects.toThrow(/windowMs/);
    await expect(cooldown(t.db, 'bad', 'x', 0, clock)).rejects.toThrow(/seconds/);
  });
});
