import { and, eq, isNull } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tokens, users } from '@/db/schema';
import { createAdmin } from '@/lib/admins';
import { ManualClock, MINUTE } from '@/lib/clock';
import { confirmEmailChange, requestEmailChange } from '@/lib/email-change';
import { logIn } from '@/lib/login';
import { changePassword } from '@/lib/password-change';
import { requestPasswordReset, resetPasswordWithCode, resetPasswordWithToken } from '@/lib/password-reset';
import { confirmRecoveryPhrase, createRecoveryPhrase, resetPasswordWithPhrase } from '@/lib/recovery-phrase';
import { createSession } from '@/lib/sessions';
import { setPasswordWithToken } from '@/lib/set-password';
import { hasLinkTo, linkTo, setUpMailbox } from '@/tests/helpers/mail';
import type { CaughtMail } from '@/tests/helpers/smtp-catcher';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';

/**
 * S62: a link mailed before a password change, an email change or a completed reset must not work
 * after it. Whoever held the old password (or the old inbox) may hold that link too: a reset link
 * kept from before would undo the very change meant to lock them out.
 */

const t = setUpTestDatabase();
const mailbox = setUpMailbox();
const clock = new ManualClock(new Date('2026-12-04T12:00:00Z'));
const NEW_PASSWORD = 'the owner picked this one after';
const ATTACKER = 'the intruder wants this password';

const deliver = () => mailbox.deliver(t.db, clock);
const tokenIn = (mail: CaughtMail, path: string) => linkTo(mail, path).searchParams.get('token');
const signIn = (identifier: string, password: string) =>
  logIn(t.db, { identifier, password }, freshContext(), clock);

/** Asks for a reset as anyone may, and returns the mailed link's token and 6-digit code. */
async function askReset(email: string) {
  const asked = await requestPasswordReset(t.db, email, freshContext(), clock);
  await asked.deliver();
  await deliver();
  // Other mail may be on its way to the same address (the phrase's notice): take the reset mail.
  const mail = await mailbox.catcher.waitForMail(email, {
    predicate: (m) => hasLinkTo(m, '/reset-password'),
  });
  const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
  return { token: tokenIn(mail, '/reset-password'), code: code! };
}

/** The attacker tries the old link, then the old code; neither may set their password. */
async function expectResetRefused(email: string, old: { token: string | null; code: string }) {
  expect(
    await resetPasswordWithToken(t.db, { token: old.token, password: ATTACKER }, freshContext(), clock),
  ).toEqual({ ok: false, code: 'invalid_or_expired' });
  expect(
    await resetPasswordWithCode(t.db, { email, code: old.code, password: ATTACKER }, freshContext(), clock),
  ).toEqual({ ok: false, code: 'invalid_or_expired' });
  expect(await signIn(email, ATTACKER)).toEqual({ ok: false, code: 'invalid_credentials' });
}

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  clock.advance(5 * MINUTE);
});

describe('S62: old links die with the change', () => {
  it('S62: a reset link asked for before a password change is refused after it', async () => {
    const user = await createTestUser(t.db, clock, 'gina');
    const old = await askReset(user.email);
    const sessionId = await createSession(t.db, user.id, freshContext(), clock);
    expect(
      await changePassword(
        t.db,
        { userId: user.id, sessionId, currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD },
        freshContext(),
        clock,
      ),
    ).toMatchObject({ ok: true });

    await expectResetRefused(user.email, old);
    expect((await signIn(user.email, NEW_PASSWORD)).ok).toBe(true);
  });

  it('S62: a pending email change started before a password change cannot be confirmed after it', async () => {
    const user = await createTestUser(t.db, clock, 'hal');
    expect(
      await requestEmailChange(
        t.db,
        { userId: user.id, currentPassword: TEST_PASSWORD, newEmail: 'intruder@example.net' },
        freshContext(),
        clock,
      ),
    ).toEqual({ ok: true });
    await deliver();
    await mailbox.catcher.waitForMail(user.email);
    const change = tokenIn(
      await mailbox.catcher.waitForMail('intruder@example.net'),
      '/email-change/confirm',
    );
    const sessionId = await createSession(t.db, user.id, freshContext(), clock);
    expect(
      await changePassword(
        t.db,
        { userId: user.id, sessionId, currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD },
        freshContext(),
        clock,
      ),
    ).toMatchObject({ ok: true });

    expect(await confirmEmailChange(t.db, { token: change }, freshContext(), clock)).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
    expect((await t.db.select().from(users).where(eq(users.id, user.id)))[0]!.email).toBe(user.email);
  });

  it('S62: a reset link mailed to the old address is refused once the email change is confirmed', async () => {
    const user = await createTestUser(t.db, clock, 'ivy');
    const old = await askReset(user.email);
    await requestEmailChange(
      t.db,
      { userId: user.id, currentPassword: TEST_PASSWORD, newEmail: 'ivy.new@example.com' },
      freshContext(),
      clock,
    );
    await deliver();
    await mailbox.catcher.waitForMail(user.email);
    const change = tokenIn(await mailbox.catcher.waitForMail('ivy.new@example.com'), '/email-change/confirm');
    expect(await confirmEmailChange(t.db, { token: change }, freshContext(), clock)).toEqual({
      ok: true,
      newEmail: 'ivy.new@example.com',
    });

    expect(
      await resetPasswordWithToken(t.db, { token: old.token, password: ATTACKER }, freshContext(), clock),
    ).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect(await signIn('ivy.new@example.com', ATTACKER)).toEqual({ ok: false, code: 'invalid_credentials' });
    expect((await signIn('ivy.new@example.com', TEST_PASSWORD)).ok).toBe(true);
  });

  it('S62: a reset completed with the code voids the set-password link and the reset link of the same mail', async () => {
    const made = await createAdmin(t.db, { email: 'jo@example.com' }, freshContext(), clock);
    const setPasswordToken = new URL(made.setPasswordUrl).searchParams.get('token');
    const reset = await askReset('jo@example.com');
    expect(
      await resetPasswordWithCode(
        t.db,
        { email: 'jo@example.com', code: reset.code, password: NEW_PASSWORD },
        freshContext(),
        clock,
      ),
    ).toMatchObject({ ok: true });

    expect(
      await setPasswordWithToken(
        t.db,
        { token: setPasswordToken, password: ATTACKER, purpose: 'set_password' },
        freshContext(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect(
      await resetPasswordWithToken(t.db, { token: reset.token, password: ATTACKER }, freshContext(), clock),
    ).toEqual({ ok: false, code: 'invalid_or_expired' });
    expect((await signIn('jo@example.com', NEW_PASSWORD)).ok).toBe(true);
    expect(await signIn('jo@example.com', ATTACKER)).toEqual({ ok: false, code: 'invalid_credentials' });
  });

  it('S62: a reset completed with the recovery phrase voids an earlier reset link and code', async () => {
    const user = await createTestUser(t.db, clock, 'kim');
    const created = await createRecoveryPhrase(
      t.db,
      { userId: user.id, currentPassword: TEST_PASSWORD },
      freshContext(),
      clock,
    );
    if (!created.ok) throw new Error(created.code);
    expect(
      await confirmRecoveryPhrase(
        t.db,
        { userId: user.id, phrase: created.phrase, confirmation: created.confirmation },
        freshContext(),
        clock,
      ),
    ).toEqual({ ok: true });
    const old = await askReset(user.email);
    expect(
      await resetPasswordWithPhrase(
        t.db,
        { email: user.email, phrase: created.phrase, newPassword: NEW_PASSWORD },
        freshContext(),
        clock,
      ),
    ).toMatchObject({ ok: true });

    await expectResetRefused(user.email, old);
    expect((await signIn(user.email, NEW_PASSWORD)).ok).toBe(true);
  });

  it("S62: an intruder's pending email change cannot be confirmed after the owner resets the password by link", async () => {
    const user = await createTestUser(t.db, clock, 'lou');
    // The intruder knows the password and asks to move the account to their own address.
    await requestEmailChange(
      t.db,
      { userId: user.id, currentPassword: TEST_PASSWORD, newEmail: 'lou.intruder@example.net' },
      freshContext(),
      clock,
    );
    await deliver();
    await mailbox.catcher.waitForMail(user.email);
    const change = tokenIn(
      await mailbox.catcher.waitForMail('lou.intruder@example.net'),
      '/email-change/confirm',
    );
    const reset = await askReset(user.email);
    expect(
      await resetPasswordWithToken(
        t.db,
        { token: reset.token, password: NEW_PASSWORD },
        freshContext(),
        clock,
      ),
    ).toMatchObject({ ok: true });

    expect(await confirmEmailChange(t.db, { token: change }, freshContext(), clock)).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
    const live = await t.db
      .select({ purpose: tokens.purpose })
      .from(tokens)
      .where(and(eq(tokens.userId, user.id), isNull(tokens.usedAt)));
    // Only the old address's "this wasn't me" link is left: it only ever reaches the owner.
    expect(live).toEqual([{ purpose: 'cancel_email_change' }]);
  });
});
