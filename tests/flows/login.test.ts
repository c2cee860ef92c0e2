import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, emailOutbox, sessions, users } from '@/db/schema';
import { DAY, ManualClock, MINUTE } from '@/lib/clock';
import {
  HARD_STOP_FAILURES,
  KNOWN_DEVICE_MS,
  logIn,
  THROTTLE_AFTER_FAILURES,
  throttleDelayMs,
} from '@/lib/login';
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

describe('new-device notice', () => {
  const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
  const SAFARI_IPHONE =
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
  const noticesTo = (email: string) =>
    t.db.select().from(emailOutbox).where(eq(emailOutbox.to, email)).orderBy(emailOutbox.createdAt);
  const signIn = (username: string, userAgent: string, ip: string | null = '198.51.100.44') =>
    logIn(t.db, { identifier: username, password: PASSWORD }, { ip, userAgent }, clock);

  it("a sign-in from a new browser queues a notice in the owner's language and time zone; the same browser again does not", async () => {
    const user = await makeUser('traveller');
    await t.db.update(users).set({ locale: 'fr', timezone: 'Europe/Paris' }).where(eq(users.id, user.id));
    // The very first sign-in of an account is not news.
    expect((await signIn('traveller', FIREFOX_LINUX)).ok).toBe(true);
    expect(await noticesTo(user.email)).toHaveLength(0);
    expect((await signIn('traveller', FIREFOX_LINUX)).ok).toBe(true);
    expect(await noticesTo(user.email)).toHaveLength(0);

    expect((await signIn('traveller', SAFARI_IPHONE, '203.0.113.77')).ok).toBe(true);
    const [notice] = await noticesTo(user.email);
    expect(notice).toMatchObject({ template: 'new-sign-in', locale: 'fr', containsSecret: false });
    expect(notice!.text).toContain('Safari sur iOS');
    expect(notice!.text).toContain('203.0.113.77');
    const local = new Intl.DateTimeFormat('fr', {
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'Europe/Paris',
    }).format(clock.now());
    expect(notice!.text).toContain(local);
    expect(notice!.text).toContain('/account/sessions');
    expect(notice!.text).toContain('/forgot-password');
    const [audit] = await t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.userId, user.id))
      .orderBy(desc(auditEvents.id))
      .limit(1);
    expect(audit).toMatchObject({ action: 'login.succeeded', meta: { newDevice: true } });

    expect((await signIn('traveller', SAFARI_IPHONE)).ok).toBe(true);
    expect(await noticesTo(user.email)).toHaveLength(1);
  });

  it('a browser not seen for 90 days is new again', async () => {
    const user = await makeUser('returning');
    await signIn('returning', FIREFOX_LINUX);
    await signIn('returning', SAFARI_IPHONE);
    expect(await noticesTo(user.email)).toHaveLength(1);
    clock.advance(KNOWN_DEVICE_MS + DAY);
    await signIn('returning', FIREFOX_LINUX);
    expect(await noticesTo(user.email)).toHaveLength(2);
  });

  it('with notices turned off, no mail is queued', async () => {
    const user = await makeUser('quiet');
    await t.db.update(users).set({ emailNotifications: false }).where(eq(users.id, user.id));
    await signIn('quiet', FIREFOX_LINUX);
    expect((await signIn('quiet', SAFARI_IPHONE)).ok).toBe(true);
    expect(await noticesTo(user.email)).toHaveLength(0);
  });
});
