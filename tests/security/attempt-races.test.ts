import { and, desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents, emailOutbox, tokens, users } from '@/db/schema';
import { ManualClock } from '@/lib/clock';
import { HARD_STOP_FAILURES, logIn, THROTTLE_AFTER_FAILURES } from '@/lib/login';
import { requestPasswordReset, resetPasswordWithCode } from '@/lib/password-reset';
import { verifyCurrentPassword } from '@/lib/reauth';
import { limits, limitsChanged } from '@/lib/rate-limit';
import type { RequestContext } from '@/lib/request-context';
import { setSetting } from '@/lib/settings';
import { MAX_CODE_ATTEMPTS } from '@/lib/tokens';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';

/**
 * S61: attempt counters reserve the attempt before comparing. Each attack fires its guesses at once
 * (Promise.all), as a client with many connections would; run on PGlite and on Postgres
 * (TEST_DATABASE_URL), where the requests really overlap.
 */

const t = setUpTestDatabase();
const clock = new ManualClock(new Date('2026-06-01T10:00:00Z'));
const NEW_PASSWORD = 'the attacker would like this one';

const userRow = async (id: string) => (await t.db.select().from(users).where(eq(users.id, id)))[0]!;
const actionsOf = async (userId: string, action: string) =>
  t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.userId, userId), eq(auditEvents.action, action as 'login.failed')));

/** Asks for a reset and reads the code from the queued mail, as its recipient would. */
async function resetCodeFor(email: string): Promise<string> {
  const asked = await requestPasswordReset(t.db, email, freshContext(), clock);
  await asked.deliver();
  const [mail] = await t.db
    .select()
    .from(emailOutbox)
    .where(eq(emailOutbox.to, email))
    .orderBy(desc(emailOutbox.createdAt))
    .limit(1);
  return /\b([0-9]{6})\b/.exec(mail!.text!)![1]!;
}

/** Six-digit codes that are all different from `right`. */
function wrongCodes(right: string, count: number): string[] {
  const codes: string[] = [];
  for (let n = 0; codes.length < count; n += 1) {
    const code = String(n).padStart(6, '0');
    if (code !== right) codes.push(code);
  }
  return codes;
}

describe('reset code', () => {
  it('S61/S20: 20 parallel wrong codes are judged 5 at most; the code is void and the right one then fails', async () => {
    const user = await createTestUser(t.db, clock, 'code-target');
    const right = await resetCodeFor(user.email);
    const guesses = wrongCodes(right, 20);
    // Each guess from its own address, and the per-address budget raised (an admin setting), so that
    // only the code's own counter stands in the way.
    await setSetting(t.db, 'rate_limits', { [limits.codeEntryPerEmail.name]: 100 });
    limitsChanged();
    const answers = await Promise.all(
      guesses.map((code) =>
        resetPasswordWithCode(
          t.db,
          { email: user.email, code, password: NEW_PASSWORD },
          freshContext(),
          clock,
        ),
      ),
    );
    for (const answer of answers) expect(answer.ok).toBe(false);

    const [token] = await t.db.select().from(tokens).where(eq(tokens.userId, user.id));
    expect(token!.attempts).toBe(MAX_CODE_ATTEMPTS);
    expect(token!.usedAt).not.toBeNull();
    const failed = await actionsOf(user.id, 'password.reset_code_failed');
    expect(failed.filter((e) => (e.meta as { reason?: string }).reason === 'wrong_code')).toHaveLength(
      MAX_CODE_ATTEMPTS,
    );

    const late = await resetPasswordWithCode(
      t.db,
      { email: user.email, code: right, password: NEW_PASSWORD },
      freshContext(),
      clock,
    );
    expect(late).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect((await userRow(user.id)).passwordHash).toBe(user.passwordHash);
  });
});

describe('sign-in throttle', () => {
  it('S61/S23: 30 parallel wrong passwords: 10 are judged, the rest meet the pause', async () => {
    const user = await createTestUser(t.db, clock, 'burst-target');
    const context: RequestContext = { ip: null, userAgent: 'burst' };
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        logIn(t.db, { identifier: 'burst-target', password: `wrong guess ${i}` }, context, clock),
      ),
    );
    for (const answer of answers) expect(answer).toEqual({ ok: false, code: 'invalid_credentials' });

    const row = await userRow(user.id);
    expect(row.failedLoginCount).toBe(THROTTLE_AFTER_FAILURES);
    expect(row.loginThrottledUntil!.getTime()).toBeGreaterThan(clock.now().getTime());
    expect(await actionsOf(user.id, 'login.failed')).toHaveLength(THROTTLE_AFTER_FAILURES);
    expect(await actionsOf(user.id, 'login.throttled')).toHaveLength(30 - THROTTLE_AFTER_FAILURES);

    // The pause holds for the right password too.
    expect(
      await logIn(t.db, { identifier: 'burst-target', password: TEST_PASSWORD }, context, clock),
    ).toEqual({
      ok: false,
      code: 'invalid_credentials',
    });
  });
});

describe('re-authentication', () => {
  it('S61/S23: 30 parallel wrong current passwords: 10 are judged, then even the right one waits', async () => {
    const user = await createTestUser(t.db, clock, 'reauth-target');
    const context: RequestContext = { ip: '198.51.100.30', userAgent: 'stolen session' };
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        verifyCurrentPassword(t.db, user.id, `wrong ${i}`, context, clock),
      ),
    );
    for (const answer of answers) expect(answer).toEqual({ ok: false, code: 'wrong_password' });
    expect((await userRow(user.id)).failedLoginCount).toBe(THROTTLE_AFTER_FAILURES);
    expect(await actionsOf(user.id, 'login.failed')).toHaveLength(THROTTLE_AFTER_FAILURES);
    expect(await verifyCurrentPassword(t.db, user.id, TEST_PASSWORD, context, clock)).toEqual({
      ok: false,
      code: 'wrong_password',
    });
  });

  it("S61/S23: a hard-stopped account's re-authentication is refused even with the right password", async () => {
    const user = await createTestUser(t.db, clock, 'stopped-target', {
      failedLoginCount: HARD_STOP_FAILURES,
    });
    const context: RequestContext = { ip: '198.51.100.31', userAgent: 'stolen session' };
    expect(await verifyCurrentPassword(t.db, user.id, TEST_PASSWORD, context, clock)).toEqual({
      ok: false,
      code: 'wrong_password',
    });
    expect((await userRow(user.id)).failedLoginCount).toBe(HARD_STOP_FAILURES);
  });
});
