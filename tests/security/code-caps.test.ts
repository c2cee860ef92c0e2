import { and, desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents, emailOutbox, users } from '@/db/schema';
import { DAY, HOUR, ManualClock } from '@/lib/clock';
import { logIn, THROTTLE_AFTER_FAILURES, throttleDelayMs, HARD_STOP_FAILURES } from '@/lib/login';
import { requestPasswordReset, resetPasswordWithCode, resetPasswordWithToken } from '@/lib/password-reset';
import { limits } from '@/lib/rate-limit';
import { CODE_FAILURES_LIFETIME, MAX_CODE_ATTEMPTS } from '@/lib/tokens';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext } from '@/tests/helpers/users';

/**
 * S61 / item 8: a 6-digit code has a daily and a lifetime cap of wrong entries per account, after which
 * only the emailed link works; every refused code and every pause of sign-in is in the audit log (S55).
 */

const t = setUpTestDatabase();
// Early in a UTC day, so that the hourly rounds below stay inside one daily window.
const clock = new ManualClock(new Date('2026-06-01T00:30:00Z'));
const NEW_PASSWORD = 'a fresh passphrase after the reset';
const INVALID = { ok: false, code: 'invalid_or_expired' };

const userRow = async (id: string) => (await t.db.select().from(users).where(eq(users.id, id)))[0]!;
const audits = (
  userId: string,
  action: 'password.reset_code_failed' | 'login.throttle_started' | 'login.hard_stopped',
) =>
  t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.userId, userId), eq(auditEvents.action, action)))
    .orderBy(auditEvents.id);

/** Asks for a reset and reads code and link from the queued mail, as its recipient would. */
async function resetMail(email: string): Promise<{ code: string; token: string }> {
  const asked = await requestPasswordReset(t.db, email, freshContext(), clock);
  await asked.deliver();
  const [mail] = await t.db
    .select()
    .from(emailOutbox)
    .where(eq(emailOutbox.to, email))
    .orderBy(desc(emailOutbox.createdAt))
    .limit(1);
  return {
    code: /\b([0-9]{6})\b/.exec(mail!.text!)![1]!,
    token: /token=([A-Za-z0-9_-]{43})/.exec(mail!.text!)![1]!,
  };
}

const wrongFor = (right: string) => (right === '000000' ? '000001' : '000000');
const enterCode = (email: string, code: string) =>
  resetPasswordWithCode(t.db, { email, code, password: NEW_PASSWORD }, freshContext(), clock);

describe('code caps per account', () => {
  it('S61: past the daily cap of wrong codes the right code is refused, the link still works; the next day the code works again', async () => {
    const user = await createTestUser(t.db, clock, 'daily-target');
    const dailyCap = limits.codeFailuresPerAccountDaily.max;
    // Each round: a fresh mail, then five wrong codes (which void it), an hour apart to stay under the
    // hourly per-address limit. Slow, but that is what an attacker has to do.
    for (let round = 0; round < dailyCap / MAX_CODE_ATTEMPTS; round += 1) {
      const { code } = await resetMail(user.email);
      for (let i = 0; i < MAX_CODE_ATTEMPTS; i += 1)
        expect(await enterCode(user.email, wrongFor(code))).toEqual(INVALID);
      clock.advance(HOUR);
    }
    const wrong = await audits(user.id, 'password.reset_code_failed');
    expect(wrong).toHaveLength(dailyCap);
    expect(wrong.every((e) => (e.meta as { reason: string }).reason === 'wrong_code')).toBe(true);

    const { code, token } = await resetMail(user.email);
    // Same answer as any wrong code: the visitor learns nothing new about the account.
    expect(await enterCode(user.email, code)).toEqual(INVALID);
    const capped = (await audits(user.id, 'password.reset_code_failed')).at(-1)!;
    expect(capped.meta).toEqual({ reason: 'capped' });
    expect((await userRow(user.id)).passwordHash).toBe(user.passwordHash);

    const byLink = await resetPasswordWithToken(
      t.db,
      { token, password: NEW_PASSWORD },
      freshContext(),
      clock,
    );
    expect(byLink.ok).toBe(true);

    clock.advance(DAY);
    const tomorrow = await resetMail(user.email);
    expect((await enterCode(user.email, tomorrow.code)).ok).toBe(true);
  });

  it('S61: past the lifetime cap only the link works, whatever the day', async () => {
    const user = await createTestUser(t.db, clock, 'lifetime-target', {
      codeFailureCount: CODE_FAILURES_LIFETIME - 1,
    });
    const first = await resetMail(user.email);
    expect(await enterCode(user.email, wrongFor(first.code))).toEqual(INVALID);
    expect((await userRow(user.id)).codeFailureCount).toBe(CODE_FAILURES_LIFETIME);
    // The very code just mailed, still live (one wrong attempt of five), is no longer compared.
    expect(await enterCode(user.email, first.code)).toEqual(INVALID);
    expect((await audits(user.id, 'password.reset_code_failed')).map((e) => e.meta)).toEqual([
      { reason: 'wrong_code' },
      { reason: 'capped' },
    ]);

    clock.advance(7 * DAY);
    const later = await resetMail(user.email);
    expect(await enterCode(user.email, later.code)).toEqual(INVALID);
    const byLink = await resetPasswordWithToken(
      t.db,
      { token: later.token, password: NEW_PASSWORD },
      freshContext(),
      clock,
    );
    expect(byLink.ok).toBe(true);
  });

  it('S61: a right code does not count against the caps, and an unknown address gets the same answer', async () => {
    const user = await createTestUser(t.db, clock, 'honest-typo');
    const { code } = await resetMail(user.email);
    expect(await enterCode(user.email, wrongFor(code))).toEqual(INVALID);
    expect((await enterCode(user.email, code)).ok).toBe(true);
    expect((await userRow(user.id)).codeFailureCount).toBe(1);
    expect(await enterCode('nobody-here@example.com', code)).toEqual(INVALID);
  });
});

describe('sign-in pauses in the audit log', () => {
  it('S55/S23: the failure that starts a pause and the one that reaches the hard stop are audited', async () => {
    const user = await createTestUser(t.db, clock, 'paused');
    const context = freshContext();
    for (let i = 0; i < THROTTLE_AFTER_FAILURES; i += 1) {
      await logIn(t.db, { identifier: 'paused', password: `wrong ${i}` }, context, clock);
    }
    const started = await audits(user.id, 'login.throttle_started');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({
      ip: context.ip,
      meta: {
        failures: THROTTLE_AFTER_FAILURES,
        pauseSeconds: throttleDelayMs(THROTTLE_AFTER_FAILURES) / 1000,
      },
    });

    await t.db
      .update(users)
      .set({ failedLoginCount: HARD_STOP_FAILURES - 1, loginThrottledUntil: null })
      .where(eq(users.id, user.id));
    await logIn(t.db, { identifier: 'paused', password: 'one more wrong' }, context, clock);
    const stopped = await audits(user.id, 'login.hard_stopped');
    expect(stopped).toHaveLength(1);
    expect(stopped[0]!.meta).toEqual({ failures: HARD_STOP_FAILURES });
  });
});
