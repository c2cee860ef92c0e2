import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '@/db/schema';
import { ManualClock } from '@/lib/clock';
import { logOut } from '@/lib/logout';
import { createSession, validateSession } from '@/lib/sessions';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { createTestUser } from '@/tests/helpers/users';

let t: TestDatabase;
const clock = new ManualClock(new Date());
const ctx = { ip: '192.0.2.7', userAgent: 'vitest' };

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t?.close();
});

describe('signing out (S51, S58)', () => {
  it('S58: signing out ends the row and audits it once; signing out again, or twice at once, changes nothing', async () => {
    const user = await createTestUser(t.db, clock, 'leaver');
    const sessionId = await createSession(t.db, user.id, ctx, clock);
    const other = await createSession(t.db, user.id, ctx, clock);

    const results = await Promise.all([
      logOut(t.db, { sessionId }, ctx, clock),
      logOut(t.db, { sessionId }, ctx, clock),
    ]);
    expect(results.filter((r) => r.ended)).toHaveLength(1);
    expect(await validateSession(t.db, sessionId, clock)).toBeUndefined();
    // Only this device: the person's other sessions live on.
    expect(await validateSession(t.db, other, clock)).toBeTruthy();
    expect(await logOut(t.db, { sessionId }, ctx, clock)).toEqual({ ended: false });

    const events = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, 'logout')));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: user.id, ip: '192.0.2.7', userAgent: 'vitest' });
  });

  it('a cookie without a usable session id signs nothing out', async () => {
    for (const sessionId of [undefined, null, 42, '', 'x'.repeat(43), ['a']]) {
      expect(await logOut(t.db, { sessionId }, ctx, clock)).toEqual({ ended: false });
    }
  });
});
