import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, sessions, users } from '@/db/schema';
import { ManualClock, MINUTE } from '@/lib/clock';
import { HARD_STOP_FAILURES, logIn, THROTTLE_AFTER_FAILURES, throttleDelayMs } from '@/lib/login';
import { hashPassword } from '@/lib/password';
import {
  revokeSession,
  revokeUserSessions,
  rotateSession,
  SESSION_IDLE_MS,
  validateSession,
} from '@/lib/sessions';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { compareTimings, similarTimes } from '@/tests/helpers/timing';

let t: TestDatabase;
const clock = new ManualClock(new Date());
const PASSWORD = 'correct horse battery staple';
let octet = 0;
// A fresh address per test keeps the per-IP failure budget out of tests that are not about it.
const ctx = () => ({ ip: `192.0.2.${(octet += 1)}`, userAgent: 'vitest' });

async function makeUser(
  username: string,
  state: 'active' | 'unverified' | 'pending' | 'locked' | 'rejected' = 'active',
) {
  const hashed = await hashPassword(PASSWORD);
  if (!hashed.ok) throw new Error('busy');
  const now = clock.now();
  const [user] = await t.db
    .insert(users)
    .values({
      username,
      email: `${username.toLowerCase()}@example.com`,
      fullName: username,
      passwordHash: hashed.hash,
      emailVerifiedAt: state === 'unverified' ? null : now,
      approvedAt: state === 'active' || state === 'locked' ? now : null,
      lockedAt: state === 'locked' ? now : null,
      lockReason: state === 'locked' ? 'test' : null,
      rejectedAt: state === 'rejected' ? now : null,
    })
    .returning();
  return user!;
}

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t?.close();
});

describe('login', () => {
  it('signs in with the username or the email, case-insensitively, and records it', async () => {
    const user = await makeUser('Turing');
    for (const identifier of ['Turing', 'turing', 'TURING@example.com', ' turing@example.com ']) {
      const result = await logIn(t.db, { identifier, password: PASSWORD }, ctx(), clock);
      expect(result.ok).toBe(true);
    }
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    expect(events.filter((e) => e.action === 'login.succeeded')).toHaveLength(4);
  });

  it('S21: wrong password, unknown user and locked account give the same answer', async () => {
    await makeUser('known');
    await makeUser('locked', 'locked');
    const answers = [
      await logIn(t.db, { identifier: 'known', password: 'not the password at all' }, ctx(), clock),
      await logIn(t.db, { identifier: 'nobody-at-all', password: PASSWORD }, ctx(), clock),
      await logIn(t.db, { identifier: 'locked', password: PASSWORD }, ctx(), clock),
      await logIn(t.db, { identifier: 'locked', password: 'not the password at all' }, ctx(), clock),
    ];
    for (const answer of answers) expect(answer).toEqual({ ok: false, code: 'invalid_credentials' });
  });

  it('S21/S44: unverified, pending and rejected accounts are told their state only after the right password, and get no session', async () => {
    for (const state of ['unverified', 'pending', 'rejected'] as const) {
      await makeUser(`state-${state}`, state);
      expect(
        await logIn(t.db, { identifier: `state-${state}`, password: 'wrong wrong wrong' }, ctx(), clock),
      ).toEqual({
        ok: false,
        code: 'invalid_credentials',
      });
      const right = await logIn(t.db, { identifier: `state-${state}`, password: PASSWORD }, ctx(), clock);
      expect(right).toMatchObject({ ok: false, code: state });
    }
    const rows = await t.db
      .select({ id: sessions.id, username: users.username })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId));
    expect(rows.filter((r) => r.username.startsWith('state-') || r.username === 'locked')).toHaveLength(0);
  });

  it('S22: an unknown user takes as long as a known user with a wrong password (medians, interleaved)', async () => {
    await makeUser('timing');
    const attempt = (identifier: string) =>
      logIn(t.db, { identifier, password: 'a wrong password of some length' }, ctx(), clock);
    // Each sample uses its own known account, so the known side never reaches the throttle.
    const names = Array.from({ length: 50 }, (_, i) => `timing-${i}`);
    for (const name of names) await makeUser(name);
    const result = await compareTimings(
      (i) => attempt(names[i + 3]!),
      (i) => attempt(`ghost-${i + 3}`),
    );
    expect(similarTimes(result), JSON.stringify(result)).toBe(true);
  });

  it('S23: failures are counted per account; after 10 the account is throttled with a growing delay; success resets', async () => {
    const user = await makeUser('hammered');
    for (let i = 0; i < THROTTLE_AFTER_FAILURES; i += 1) {
      await logIn(t.db, { identifier: 'hammered', password: `wrong ${i}` }, ctx(), clock);
    }
    let [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.failedLoginCount).toBe(THROTTLE_AFTER_FAILURES);
    expect(row!.loginThrottledUntil!.getTime() - clock.now().getTime()).toBe(
      throttleDelayMs(THROTTLE_AFTER_FAILURES),
    );

    // While throttled even the right password is refused, with the same generic answer.
    expect(await logIn(t.db, { identifier: 'hammered', password: PASSWORD }, ctx(), clock)).toEqual({
      ok: false,
      code: 'invalid_credentials',
    });
    const [throttled] = await t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'login.throttled'));
    expect(throttled).toBeTruthy();

    clock.advance(throttleDelayMs(THROTTLE_AFTER_FAILURES));
    expect((await logIn(t.db, { identifier: 'hammered', password: PASSWORD }, ctx(), clock)).ok).toBe(true);
    [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.failedLoginCount).toBe(0);
    expect(row!.loginThrottledUntil).toBeNull();
  });

  it('S23: the delay grows and is capped; 100 failures stop sign-in until the password is reset', async () => {
    expect(throttleDelayMs(THROTTLE_AFTER_FAILURES - 1)).toBe(0);
    expect(throttleDelayMs(11)).toBe(2 * throttleDelayMs(10));
    expect(throttleDelayMs(99)).toBe(60 * MINUTE);
    const user = await makeUser('stopped');
    await t.db.update(users).set({ failedLoginCount: HARD_STOP_FAILURES }).where(eq(users.id, user.id));
    clock.advance(24 * 60 * MINUTE);
    expect(await logIn(t.db, { identifier: 'stopped', password: PASSWORD }, ctx(), clock)).toEqual({
      ok: false,
      code: 'invalid_credentials',
    });
  });

  it('S23: failures are also counted per IP: past the budget that address gets rate limited', async () => {
    await makeUser('victim');
    const address = { ip: '198.18.0.1', userAgent: 'vitest' };
    const answers = [];
    for (let i = 0; i < 51; i += 1) {
      answers.push(await logIn(t.db, { identifier: `spray-${i}`, password: 'guess' }, address, clock));
    }
    expect(answers.at(-1)).toMatchObject({ ok: false, code: 'rate_limited' });
    // The same account from another address is unaffected.
    expect((await logIn(t.db, { identifier: 'victim', password: PASSWORD }, ctx(), clock)).ok).toBe(true);
  });

  it('S12: a legacy bcrypt hash is upgraded to argon2id at sign-in', async () => {
    const bcrypt = await import('bcryptjs');
    const [user] = await t.db
      .insert(users)
      .values({
        username: 'imported',
        email: 'imported@example.com',
        passwordHash: await bcrypt.hash(PASSWORD, 4),
        emailVerifiedAt: clock.now(),
        approvedAt: clock.now(),
      })
      .returning();
    expect((await logIn(t.db, { identifier: 'imported', password: PASSWORD }, ctx(), clock)).ok).toBe(true);
    const [row] = await t.db.select().from(users).where(eq(users.id, user!.id));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});

describe('sessions', () => {
  it('S48/S50: every sign-in makes a new 256-bit session id', async () => {
    await makeUser('fresh');
    const a = await logIn(t.db, { identifier: 'fresh', password: PASSWORD }, ctx(), clock);
    const b = await logIn(t.db, { identifier: 'fresh', password: PASSWORD }, ctx(), clock);
    if (!a.ok || !b.ok) throw new Error('login failed');
    expect(a.sessionId).not.toBe(b.sessionId);
    expect(Buffer.from(a.sessionId, 'base64url')).toHaveLength(32);
  });

  it('S48: rotating a session kills the old id and keeps the user signed in under a new one', async () => {
    await makeUser('rotor');
    const a = await logIn(t.db, { identifier: 'rotor', password: PASSWORD }, ctx(), clock);
    if (!a.ok) throw new Error('login failed');
    const next = await rotateSession(t.db, a.sessionId, ctx(), clock);
    expect(next).toBeTruthy();
    expect(await validateSession(t.db, a.sessionId, clock)).toBeUndefined();
    expect((await validateSession(t.db, next, clock))?.user.username).toBe('rotor');
  });

  it('S51: logout, revocation, idle and absolute timeouts are enforced on the server', async () => {
    const user = await makeUser('timeouts');
    const login = () => logIn(t.db, { identifier: 'timeouts', password: PASSWORD }, ctx(), clock);
    const a = await login();
    const b = await login();
    const c = await login();
    if (!a.ok || !b.ok || !c.ok) throw new Error('login failed');
    expect(await validateSession(t.db, a.sessionId, clock)).toBeTruthy();

    await revokeSession(t.db, a.sessionId, clock);
    expect(await validateSession(t.db, a.sessionId, clock)).toBeUndefined();

    expect(await revokeUserSessions(t.db, user.id, clock, c.sessionId)).toBe(1);
    expect(await validateSession(t.db, b.sessionId, clock)).toBeUndefined();
    expect(await validateSession(t.db, c.sessionId, clock)).toBeTruthy();

    clock.advance(SESSION_IDLE_MS + MINUTE);
    expect(await validateSession(t.db, c.sessionId, clock)).toBeUndefined();
  });

  it('S46: locking or rejecting an account ends its live sessions at once', async () => {
    const user = await makeUser('soon-locked');
    const a = await logIn(t.db, { identifier: 'soon-locked', password: PASSWORD }, ctx(), clock);
    if (!a.ok) throw new Error('login failed');
    expect(await validateSession(t.db, a.sessionId, clock)).toBeTruthy();
    await t.db.update(users).set({ lockedAt: clock.now() }).where(eq(users.id, user.id));
    expect(await validateSession(t.db, a.sessionId, clock)).toBeUndefined();
  });

  it('garbage session ids are refused without error', async () => {
    for (const id of [undefined, null, 42, '', 'x'.repeat(43), 'x'.repeat(10_000), ['a']]) {
      expect(await validateSession(t.db, id, clock)).toBeUndefined();
    }
  });
});
