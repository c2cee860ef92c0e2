import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import { auditEvents, sessions, users } from '@/db/schema';
import { ManualClock, MINUTE } from '@/lib/clock';
import { logIn, startSession } from '@/lib/login';
import { countingDb } from '@/tests/helpers/statement-counter';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';

/** Statements per sign-in (issue 15), counted by drizzle's query logger as in lib/sessions.test.ts. */

const clock = new ManualClock(Date.UTC(2026, 11, 5, 12));
let t: TestDatabase;
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

describe('a password sign-in', () => {
  it('costs seven statements and no transaction when no notice is due (issue 15; eleven round trips before)', async () => {
    const user = await createTestUser(t.db, clock, 'stmts');
    // The first sign-in also reads the limits' settings and whether the account ever had a session.
    await logIn(counted, { identifier: user.email, password: TEST_PASSWORD }, freshContext(), clock);
    clock.advance(MINUTE);
    statements.length = 0;
    const result = await logIn(
      counted,
      { identifier: user.email, password: TEST_PASSWORD },
      freshContext(),
      clock,
    );
    expect(result.ok).toBe(true);
    expect(statements).toHaveLength(7);
    // The last one writes the session, last_login_at and the audit row together.
    expect(statements.at(-1)).toMatch(
      /^with "created" as \(insert into "sessions".*"signed_in" as \(update "users".*insert into "audit_events"/s,
    );
    // What it wrote is all there.
    if (!result.ok) return;
    const [session] = await t.db.select().from(sessions).where(eq(sessions.id, result.sessionId));
    expect(session?.userId).toBe(user.id);
    const [account] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(account?.lastLoginAt).toEqual(clock.now());
    const audits = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, 'login.succeeded')));
    expect(audits).toHaveLength(2);
  });

  it('writes nothing of the session when its statement fails', async () => {
    const user = await createTestUser(t.db, clock, 'stmtsfail');
    const before = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    // An account that no longer exists: the session's foreign key fails the one statement.
    await t.db.delete(users).where(eq(users.id, user.id));
    await expect(startSession(counted, user, { ip: null, userAgent: 'x' }, clock)).rejects.toThrow();
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
    expect(await t.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id))).toEqual(before);
  });
});
