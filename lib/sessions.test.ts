import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import { passkeys, sessions, settings, totpFactors, users } from '@/db/schema';
import { DAY, ManualClock, MINUTE } from '@/lib/clock';
import { createSession, revokeSession, SESSION_IDLE_MS, validateSession } from '@/lib/sessions';
import { clearSetting, setSetting } from '@/lib/settings';
import { twoFactorEnrolmentDue } from '@/lib/two-factor';
import { countingDb } from '@/tests/helpers/statement-counter';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext } from '@/tests/helpers/users';

/**
 * Issue 15: a signed-in page view costs one database round trip for the session and the user. The
 * counter is drizzle's query logger on the same driver client the app's handle uses: it sees every
 * statement drizzle sends (one call per execute, data-modifying CTEs included in their statement).
 */

const clock = new ManualClock(Date.UTC(2026, 11, 5, 12));
let t: TestDatabase;
/** The same database through a drizzle that counts every statement it sends. */
let counted: Db;
const statements: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  counted = countingDb(t, statements);
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  statements.length = 0;
});

/** validateSession on the counting handle: its answer and how many statements it sent. */
async function check(sessionId: unknown) {
  statements.length = 0;
  const live = await validateSession(counted, sessionId, clock);
  return { live, trips: statements.length };
}

async function lastSeen(id: string): Promise<Date> {
  const [row] = await t.db.select({ at: sessions.lastSeenAt }).from(sessions).where(eq(sessions.id, id));
  return row!.at;
}

describe('validateSession: one statement per page view', () => {
  it('answers a live session with its user in one statement, touching last_seen_at in the same one', async () => {
    const user = await createTestUser(t.db, clock, 'onetrip');
    const id = await createSession(t.db, user.id, freshContext(), clock);

    const fresh = await check(id);
    expect(fresh.trips).toBe(1);
    expect(fresh.live?.session.id).toBe(id);
    expect(fresh.live?.user.id).toBe(user.id);
    expect(fresh.live?.twoFactorEnrolmentDue).toBe(false);
    expect(await lastSeen(id)).toEqual(clock.now());

    // Over a minute later the touch is due: still one statement, and the row was written.
    clock.advance(2 * MINUTE);
    const later = await check(id);
    expect(later.trips).toBe(1);
    expect(later.live?.user.id).toBe(user.id);
    expect(await lastSeen(id)).toEqual(clock.now());
    // Within the minute nothing is written.
    const touchedAt = clock.now();
    clock.advance(30_000);
    expect((await check(id)).trips).toBe(1);
    expect(await lastSeen(id)).toEqual(touchedAt);
  });

  it('answers nothing, in one statement and without touching, for revoked, idle, expired and locked', async () => {
    const user = await createTestUser(t.db, clock, 'onetripgone');
    const revoked = await createSession(t.db, user.id, freshContext(), clock);
    await revokeSession(t.db, revoked, clock);
    const idle = await createSession(t.db, user.id, freshContext(), clock);
    const idleSince = await lastSeen(idle);
    clock.advance(SESSION_IDLE_MS + MINUTE);
    for (const id of [revoked, idle]) {
      const gone = await check(id);
      expect(gone).toEqual({ live: undefined, trips: 1 });
    }
    expect(await lastSeen(idle)).toEqual(idleSince);

    const locked = await createTestUser(t.db, clock, 'onetriplocked');
    const lockedSession = await createSession(t.db, locked.id, freshContext(), clock);
    await t.db.update(users).set({ lockedAt: clock.now() }).where(eq(users.id, locked.id));
    expect(await check(lockedSession)).toEqual({ live: undefined, trips: 1 });

    // Not even a statement for what cannot be an id.
    expect(await check('short')).toEqual({ live: undefined, trips: 0 });
    expect(await check(undefined)).toEqual({ live: undefined, trips: 0 });
  });

  it('says whether two-factor enrolment is due as twoFactorEnrolmentDue does, still in one statement', async () => {
    const admin = await createTestUser(t.db, clock, 'onetripadmin', { role: 'admin' });
    const user = await createTestUser(t.db, clock, 'onetripuser');
    const adminSession = await createSession(t.db, admin.id, freshContext(), clock);
    const userSession = await createSession(t.db, user.id, freshContext(), clock);

    /** Both accounts' answers, each checked against lib/two-factor.ts's own rule. */
    const due = async () => {
      const answers = [];
      for (const [who, id] of [
        [admin, adminSession],
        [user, userSession],
      ] as const) {
        const { live, trips } = await check(id);
        expect(trips).toBe(1);
        expect(live?.twoFactorEnrolmentDue).toBe(await twoFactorEnrolmentDue(t.db, who, clock));
        answers.push(live?.twoFactorEnrolmentDue);
      }
      return answers;
    };

    expect(await due()).toEqual([false, false]);
    await setSetting(t.db, 'two_factor_required_admins', true);
    await setSetting(t.db, 'two_factor_grace_days', 3);
    await t.db
      .update(settings)
      .set({ updatedAt: clock.now() })
      .where(eq(settings.key, 'two_factor_required_admins'));
    expect(await due()).toEqual([false, false]);
    clock.advance(3 * DAY);
    expect(await due()).toEqual([true, false]);

    await setSetting(t.db, 'two_factor_required_everyone', true);
    await t.db
      .update(settings)
      .set({ updatedAt: clock.now() })
      .where(eq(settings.key, 'two_factor_required_everyone'));
    expect(await due()).toEqual([false, false]);
    clock.advance(3 * DAY);
    expect(await due()).toEqual([true, true]);

    // A confirmed factor ends it; one still being enrolled does not.
    await t.db.insert(totpFactors).values({ userId: user.id, secretEncrypted: 'x' });
    expect(await due()).toEqual([true, true]);
    await t.db.update(totpFactors).set({ confirmedAt: clock.now() }).where(eq(totpFactors.userId, user.id));
    expect(await due()).toEqual([true, false]);
    // So does a passkey (decision 035).
    await t.db.insert(passkeys).values({
      userId: admin.id,
      credentialId: 'one-trip-credential',
      publicKey: 'x',
      deviceType: 'singleDevice',
      name: 'Key',
    });
    expect(await due()).toEqual([false, false]);
    await t.db.delete(passkeys).where(eq(passkeys.userId, admin.id));
    expect(await due()).toEqual([true, false]);

    // A stored value that no longer parses reads as the default (7 days), as getSetting reads it.
    await t.db.update(settings).set({ value: 'yes' }).where(eq(settings.key, 'two_factor_grace_days'));
    expect(await due()).toEqual([false, false]);
    clock.advance(4 * DAY);
    expect(await due()).toEqual([true, false]);
    await clearSetting(t.db, 'two_factor_required_everyone');
    await clearSetting(t.db, 'two_factor_required_admins');
    expect(await due()).toEqual([false, false]);
  });
});
