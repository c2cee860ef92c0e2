import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, users } from '@/db/schema';
import { DAY, ManualClock, MINUTE } from '@/lib/clock';
import {
  describeUserAgent,
  listSessionsForUser,
  revokeAllOtherSessions,
  revokeOtherSession,
  sessionHandle,
} from '@/lib/session-management';
import { createSession, revokeSession, SESSION_IDLE_MS, validateSession } from '@/lib/sessions';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';

let t: TestDatabase;
const clock = new ManualClock(new Date());
const ctx = { ip: '192.0.2.1', userAgent: 'vitest' };

const UA = {
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  chromeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  edgeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  safariMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  chromeAndroid:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  samsungAndroid:
    'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
  firefoxIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15',
  chromeOs:
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
};

async function makeUser(username: string) {
  const [user] = await t.db
    .insert(users)
    .values({
      username,
      email: `${username}@example.com`,
      emailVerifiedAt: clock.now(),
      approvedAt: clock.now(),
    })
    .returning();
  return user!;
}

const session = (userId: string, userAgent: string | null, ip = '198.51.100.9') =>
  createSession(t.db, userId, { ip, userAgent }, clock);

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t?.close();
});

describe('device labels', () => {
  it('names the browser and the system from the user agent', () => {
    expect(describeUserAgent(UA.firefoxLinux)).toEqual({ browser: 'Firefox', os: 'Linux' });
    expect(describeUserAgent(UA.chromeWindows)).toEqual({ browser: 'Chrome', os: 'Windows' });
    expect(describeUserAgent(UA.edgeWindows)).toEqual({ browser: 'Edge', os: 'Windows' });
    expect(describeUserAgent(UA.safariIphone)).toEqual({ browser: 'Safari', os: 'iOS' });
    expect(describeUserAgent(UA.safariMac)).toEqual({ browser: 'Safari', os: 'macOS' });
    expect(describeUserAgent(UA.chromeAndroid)).toEqual({ browser: 'Chrome', os: 'Android' });
    expect(describeUserAgent(UA.samsungAndroid)).toEqual({ browser: 'Samsung Internet', os: 'Android' });
    expect(describeUserAgent(UA.firefoxIphone)).toEqual({ browser: 'Firefox', os: 'iOS' });
    expect(describeUserAgent(UA.chromeOs)).toEqual({ browser: 'Chrome', os: 'ChromeOS' });
  });

  it('says nothing rather than guess', () => {
    for (const ua of [null, undefined, '', 'curl/8.5.0', 'vitest', 'x'.repeat(10_000)]) {
      expect(describeUserAgent(ua)).toEqual({ browser: null, os: null });
    }
  });
});

describe('sessions list', () => {
  it('S51: the sessions list marks the current one and shows no session id', async () => {
    const user = await makeUser('lister');
    const laptop = await session(user.id, UA.firefoxLinux, '203.0.113.5');
    clock.advance(MINUTE);
    const here = await session(user.id, UA.safariIphone, '203.0.113.6');
    clock.advance(MINUTE);
    const desktop = await session(user.id, UA.chromeWindows, '203.0.113.7');
    const ended = await session(user.id, UA.edgeWindows);
    await revokeSession(t.db, ended, clock);

    const list = await listSessionsForUser(t.db, user.id, here, clock);

    expect(list.map((entry) => [entry.current, entry.device, entry.ip])).toEqual([
      [true, { browser: 'Safari', os: 'iOS' }, '203.0.113.6'],
      [false, { browser: 'Chrome', os: 'Windows' }, '203.0.113.7'],
      [false, { browser: 'Firefox', os: 'Linux' }, '203.0.113.5'],
    ]);
    expect(list.map((entry) => entry.handle)).toEqual([here, desktop, laptop].map(sessionHandle));
    for (const entry of list) {
      expect(entry.handle).toMatch(/^[0-9a-f]{16}$/);
      expect(entry.lastSeenAt).toBeInstanceOf(Date);
      expect(entry.createdAt).toBeInstanceOf(Date);
    }
    const shown = JSON.stringify(list);
    for (const id of [here, laptop, desktop, ended]) expect(shown).not.toContain(id);
  });

  it('leaves out sessions that have gone idle', async () => {
    const user = await makeUser('idler');
    const stale = await session(user.id, UA.firefoxLinux);
    clock.advance(SESSION_IDLE_MS + MINUTE);
    const fresh = await session(user.id, UA.chromeWindows);
    const list = await listSessionsForUser(t.db, user.id, fresh, clock);
    expect(list.map((entry) => entry.handle)).toEqual([sessionHandle(fresh)]);
    expect(list.map((entry) => entry.handle)).not.toContain(sessionHandle(stale));
  });
});

describe('ending sessions', () => {
  it('S51: revoke one other session by its handle', async () => {
    const user = await makeUser('revoker');
    const here = await session(user.id, UA.firefoxLinux);
    const lost = await session(user.id, UA.safariIphone);
    const kept = await session(user.id, UA.chromeWindows);

    const result = await revokeOtherSession(
      t.db,
      { userId: user.id, currentSessionId: here, handle: sessionHandle(lost) },
      ctx,
      clock,
    );

    expect(result).toEqual({ ok: true });
    expect(await validateSession(t.db, lost, clock)).toBeUndefined();
    expect(await validateSession(t.db, here, clock)).toBeTruthy();
    expect(await validateSession(t.db, kept, clock)).toBeTruthy();
    const list = await listSessionsForUser(t.db, user.id, here, clock);
    expect(list.map((entry) => entry.handle)).not.toContain(sessionHandle(lost));
    const [event] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, 'session.revoked')));
    expect(event).toMatchObject({ actorId: user.id, meta: { scope: 'one', session: sessionHandle(lost) } });

    // Again, it is already gone; and the current session is not ended this way.
    expect(
      await revokeOtherSession(
        t.db,
        { userId: user.id, currentSessionId: here, handle: sessionHandle(lost) },
        ctx,
        clock,
      ),
    ).toEqual({ ok: false, code: 'not_found' });
    expect(
      await revokeOtherSession(
        t.db,
        { userId: user.id, currentSessionId: here, handle: sessionHandle(here) },
        ctx,
        clock,
      ),
    ).toEqual({ ok: false, code: 'current_session' });
    expect(await validateSession(t.db, here, clock)).toBeTruthy();
  });

  it('S51: revoke all other sessions keeps only this one', async () => {
    const user = await makeUser('sweeper');
    const here = await session(user.id, UA.firefoxLinux);
    const others = [await session(user.id, UA.safariIphone), await session(user.id, UA.chromeWindows)];

    const result = await revokeAllOtherSessions(
      t.db,
      { userId: user.id, currentSessionId: here },
      ctx,
      clock,
    );

    expect(result).toEqual({ ok: true, count: 2 });
    for (const id of others) expect(await validateSession(t.db, id, clock)).toBeUndefined();
    expect(await validateSession(t.db, here, clock)).toBeTruthy();
    expect((await listSessionsForUser(t.db, user.id, here, clock)).map((e) => e.current)).toEqual([true]);
    const events = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, 'session.revoked')));
    expect(events.map((e) => e.meta)).toEqual([{ scope: 'others', count: 2 }]);

    // Nothing left to end: nothing to record.
    expect(
      await revokeAllOtherSessions(t.db, { userId: user.id, currentSessionId: here }, ctx, clock),
    ).toEqual({ ok: true, count: 0 });
  });

  it("a user cannot revoke another user's session by handle", async () => {
    const mallory = await makeUser('mallory');
    const alice = await makeUser('alice');
    const malloryHere = await session(mallory.id, UA.firefoxLinux);
    const aliceSession = await session(alice.id, UA.safariMac);

    for (const handle of [sessionHandle(aliceSession), aliceSession, 'not-a-handle', '']) {
      expect(
        await revokeOtherSession(
          t.db,
          { userId: mallory.id, currentSessionId: malloryHere, handle },
          ctx,
          clock,
        ),
      ).toEqual({ ok: false, code: 'not_found' });
    }
    expect(await validateSession(t.db, aliceSession, clock)).toBeTruthy();
    // "All other sessions" means the caller's own only.
    await revokeAllOtherSessions(t.db, { userId: mallory.id, currentSessionId: malloryHere }, ctx, clock);
    expect(await validateSession(t.db, aliceSession, clock)).toBeTruthy();
  });

  it('a session past its absolute lifetime cannot be listed or revoked', async () => {
    const user = await makeUser('old-timer');
    const old = await session(user.id, UA.firefoxLinux);
    for (let day = 0; day < 31; day += 1) {
      clock.advance(DAY);
      // Keep it from going idle, so only the absolute limit ends it.
      await validateSession(t.db, old, clock);
    }
    const here = await session(user.id, UA.chromeWindows);
    expect((await listSessionsForUser(t.db, user.id, here, clock)).map((e) => e.handle)).toEqual([
      sessionHandle(here),
    ]);
    expect(
      await revokeOtherSession(
        t.db,
        { userId: user.id, currentSessionId: here, handle: sessionHandle(old) },
        ctx,
        clock,
      ),
    ).toEqual({ ok: false, code: 'not_found' });
  });
});
