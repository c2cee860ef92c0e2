import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { emailOutbox, sessions, type NewUser } from '@/db/schema';
import { ManualClock, MINUTE } from '@/lib/clock';
import { resetEnvCache } from '@/lib/env';
import { logIn, THROTTLE_AFTER_FAILURES } from '@/lib/login';
import {
  checkResetLink,
  requestPasswordReset,
  resetPasswordWithCode,
  resetPasswordWithToken,
} from '@/lib/password-reset';
import { validateSession } from '@/lib/sessions';
import { linkTo, setUpMailbox } from '@/tests/helpers/mail';
import { linksIn } from '@/tests/helpers/smtp-catcher';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { compareTimings, similarTimes } from '@/tests/helpers/timing';
import { createTestUser, TEST_PASSWORD } from '@/tests/helpers/users';

const t = setUpTestDatabase();
const mailbox = setUpMailbox();
const clock = new ManualClock(new Date());
const OLD = TEST_PASSWORD;
const NEW = 'a brand new passphrase for me';
let octet = 0;
const ctx = () => ({ ip: `203.0.113.${(octet += 1) % 250}`, userAgent: 'vitest' });

const makeUser = (username: string, over: Partial<NewUser> = {}) =>
  createTestUser(t.db, clock, username, over);

/** Asks for a reset as the web layer does: the answer, then the deferred work, then delivery. */
async function askReset(email: string) {
  const result = await requestPasswordReset(t.db, email, ctx(), clock);
  await result.deliver();
  await mailbox.deliver(t.db, clock);
  return result;
}

async function resetMail(email: string) {
  const mail = await mailbox.catcher.waitForMail(email);
  const token = linkTo(mail, '/reset-password').searchParams.get('token')!;
  const code = /\b([0-9]{6})\b/.exec(mail.text)?.[1];
  return { mail, token, code: code! };
}

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('asking for a reset', () => {
  it('S28: known and unknown addresses get the same answer; only the known one gets mail', async () => {
    await makeUser('known');
    const known = await requestPasswordReset(t.db, 'known@example.com', ctx(), clock);
    const unknown = await requestPasswordReset(t.db, 'unknown@example.com', ctx(), clock);
    expect(known.ok).toBe(true);
    expect(unknown.ok).toBe(true);
    await known.deliver();
    await unknown.deliver();
    await mailbox.deliver(t.db, clock);
    await mailbox.catcher.waitForMail('known@example.com');
    const rows = await t.db.select().from(emailOutbox).where(eq(emailOutbox.to, 'unknown@example.com'));
    expect(rows).toHaveLength(0);
  });

  it('S28: the answer takes the same time for a known and an unknown address (medians, interleaved)', async () => {
    // Both sides only count rate limits before answering; the lookup and the mail run afterwards.
    // Each sample asks for an address asked for nowhere else (a known account of its own, or a
    // stranger's), so both sides do the same rate-limit work: a first hit on a fresh key.
    const known = Array.from({ length: 50 }, (_, i) => `timed-${i}`);
    for (const name of known) await makeUser(name);
    const result = await compareTimings(
      (i) => requestPasswordReset(t.db, `${known[i + 3]}@example.com`, ctx(), clock),
      (i) => requestPasswordReset(t.db, `ghost-${i + 3}@example.com`, ctx(), clock),
    );
    // What a leak would add: the lookup, the token, the mail rendered and queued, in the same run.
    const deliveries: number[] = [];
    for (const name of known.slice(0, 15)) {
      const asked = await requestPasswordReset(t.db, `${name}@example.com`, ctx(), clock);
      const started = performance.now();
      await asked.deliver();
      deliveries.push(performance.now() - started);
    }
    const leakMs = deliveries.sort((a, b) => a - b)[7]!;
    expect(similarTimes(result, { leakMs }), JSON.stringify({ ...result, leakMs })).toBe(true);
  });

  it('S34: links in mail come from APP_URL, never from the request', async () => {
    process.env.APP_URL = 'https://accounts.example.org';
    resetEnvCache();
    try {
      await makeUser('linked');
      await askReset('linked@example.com');
      const { mail } = await resetMail('linked@example.com');
      const links = linksIn(mail);
      expect(links.length).toBeGreaterThan(0);
      expect(links.every((link) => link.startsWith('https://accounts.example.org/'))).toBe(true);
    } finally {
      delete process.env.APP_URL;
      resetEnvCache();
    }
  });

  it('S18: an unconfirmed address gets no reset mail', async () => {
    await makeUser('unconfirmed', { emailVerifiedAt: null });
    await askReset('unconfirmed@example.com');
    const rows = await t.db.select().from(emailOutbox).where(eq(emailOutbox.to, 'unconfirmed@example.com'));
    expect(rows).toHaveLength(0);
  });

  it('S29: asking changes nothing: the old password still works', async () => {
    await makeUser('unchanged');
    await askReset('unchanged@example.com');
    await resetMail('unchanged@example.com');
    expect((await logIn(t.db, { identifier: 'unchanged', password: OLD }, ctx(), clock)).ok).toBe(true);
  });

  it('S14: rapid requests for one address get rate limited', async () => {
    const answers = [];
    for (let i = 0; i < 6; i += 1)
      answers.push(await requestPasswordReset(t.db, 'flood@example.com', ctx(), clock));
    expect(answers.at(-1)).toMatchObject({ ok: false, code: 'rate_limited' });
  });
});

describe('completing a reset', () => {
  it('S30/S37/S38: the link resets once, ends every session and the owner is told without a secret', async () => {
    const user = await makeUser('resetter');
    const signedIn = await logIn(t.db, { identifier: 'resetter', password: OLD }, ctx(), clock);
    if (!signedIn.ok) throw new Error('login failed');
    await askReset('resetter@example.com');
    const { token, code } = await resetMail('resetter@example.com');

    expect(await resetPasswordWithToken(t.db, { token, password: NEW }, ctx(), clock)).toMatchObject({
      ok: true,
    });
    expect(await resetPasswordWithToken(t.db, { token, password: NEW }, ctx(), clock)).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
    // The code of the same mail went with the link.
    expect(
      await resetPasswordWithCode(t.db, { email: 'resetter@example.com', code, password: NEW }, ctx(), clock),
    ).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
    expect(await validateSession(t.db, signedIn.sessionId, clock)).toBeUndefined();
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).toSatisfy(
      (rows: { revokedAt: Date | null }[]) => rows.every((r) => r.revokedAt !== null),
    );
    await mailbox.deliver(t.db, clock);
    const notice = await mailbox.catcher.waitForMail('resetter@example.com');
    expect(notice.text).not.toContain(token);
    expect(linkTo(notice, '/forgot-password')).toBeTruthy();

    expect((await logIn(t.db, { identifier: 'resetter', password: OLD }, ctx(), clock)).ok).toBe(false);
    expect((await logIn(t.db, { identifier: 'resetter', password: NEW }, ctx(), clock)).ok).toBe(true);
  });

  it('S30: the 6-digit code resets once, on another device', async () => {
    await makeUser('coder');
    await askReset('coder@example.com');
    const { code } = await resetMail('coder@example.com');
    expect(code).toMatch(/^[0-9]{6}$/);
    expect(
      await resetPasswordWithCode(t.db, { email: 'coder@example.com', code, password: NEW }, ctx(), clock),
    ).toMatchObject({
      ok: true,
    });
    expect(
      await resetPasswordWithCode(t.db, { email: 'coder@example.com', code, password: NEW }, ctx(), clock),
    ).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
  });

  it('checking a link does not use it; a used, expired or tampered link checks as invalid_or_expired', async () => {
    await makeUser('checker');
    await askReset('checker@example.com');
    const { token } = await resetMail('checker@example.com');
    expect(await checkResetLink(t.db, { token }, ctx(), clock)).toEqual({ ok: true });
    expect(await checkResetLink(t.db, { token }, ctx(), clock)).toEqual({ ok: true });
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(await checkResetLink(t.db, { token: tampered }, ctx(), clock)).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
    expect((await resetPasswordWithToken(t.db, { token, password: NEW }, ctx(), clock)).ok).toBe(true);
    expect(await checkResetLink(t.db, { token }, ctx(), clock)).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
  });

  it('S31: the link expires after its lifetime: 61 minutes is too late', async () => {
    await makeUser('slow');
    await askReset('slow@example.com');
    const { token } = await resetMail('slow@example.com');
    clock.advance(61 * MINUTE);
    expect(await resetPasswordWithToken(t.db, { token, password: NEW }, ctx(), clock)).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
  });

  it('S32: a new request voids the earlier link and code', async () => {
    await makeUser('twice');
    await askReset('twice@example.com');
    const first = await resetMail('twice@example.com');
    await askReset('twice@example.com');
    const second = await resetMail('twice@example.com');
    expect(await resetPasswordWithToken(t.db, { token: first.token, password: NEW }, ctx(), clock)).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
    expect(
      (await resetPasswordWithToken(t.db, { token: second.token, password: NEW }, ctx(), clock)).ok,
    ).toBe(true);
  });

  it('S20: five wrong codes void the code', async () => {
    await makeUser('guesser');
    await askReset('guesser@example.com');
    const { code } = await resetMail('guesser@example.com');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) {
      await resetPasswordWithCode(
        t.db,
        { email: 'guesser@example.com', code: wrong, password: NEW },
        ctx(),
        clock,
      );
    }
    expect(
      await resetPasswordWithCode(t.db, { email: 'guesser@example.com', code, password: NEW }, ctx(), clock),
    ).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
  });

  it('S36: the new password passes the full policy, and a refused one does not burn the link', async () => {
    await makeUser('picky');
    await askReset('picky@example.com');
    const { token } = await resetMail('picky@example.com');
    expect(
      await resetPasswordWithToken(t.db, { token, password: 'password1234567' }, ctx(), clock),
    ).toMatchObject({
      ok: false,
      code: 'password_policy',
    });
    expect(await resetPasswordWithToken(t.db, { token, password: 'short' }, ctx(), clock)).toMatchObject({
      ok: false,
      code: 'password_policy',
    });
    expect((await resetPasswordWithToken(t.db, { token, password: NEW }, ctx(), clock)).ok).toBe(true);
  });

  it('S24: a throttled account can still reset its password, and then sign in', async () => {
    await makeUser('throttled');
    for (let i = 0; i < THROTTLE_AFTER_FAILURES; i += 1) {
      await logIn(t.db, { identifier: 'throttled', password: `wrong ${i}` }, ctx(), clock);
    }
    expect(await logIn(t.db, { identifier: 'throttled', password: OLD }, ctx(), clock)).toEqual({
      ok: false,
      code: 'invalid_credentials',
    });
    await askReset('throttled@example.com');
    const { token } = await resetMail('throttled@example.com');
    expect((await resetPasswordWithToken(t.db, { token, password: NEW }, ctx(), clock)).ok).toBe(true);
    expect((await logIn(t.db, { identifier: 'throttled', password: NEW }, ctx(), clock)).ok).toBe(true);
  });

  it('S44/S39: a reset signs nobody in, and a locked account stays locked', async () => {
    const user = await makeUser('locked-out', { lockedAt: clock.now(), lockReason: 'admin' });
    await askReset('locked-out@example.com');
    const { token } = await resetMail('locked-out@example.com');
    expect((await resetPasswordWithToken(t.db, { token, password: NEW }, ctx(), clock)).ok).toBe(true);
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect(await logIn(t.db, { identifier: 'locked-out', password: NEW }, ctx(), clock)).toEqual({
      ok: false,
      code: 'invalid_credentials',
    });
  });

  it('tokens and codes of the wrong length or charset get a clear refusal, never an exception', async () => {
    for (const token of ['', 'short', 'x'.repeat(43), '!'.repeat(43), 'x'.repeat(5000)]) {
      expect(await resetPasswordWithToken(t.db, { token, password: NEW }, ctx(), clock)).toEqual({
        ok: false,
        code: 'invalid_or_expired',
      });
    }
    await makeUser('codeform');
    for (const code of ['12345', 'abcdef', '1234567', '']) {
      expect(
        await resetPasswordWithCode(
          t.db,
          { email: 'codeform@example.com', code, password: NEW },
          ctx(),
          clock,
        ),
      ).toEqual({
        ok: false,
        code: 'invalid_or_expired',
      });
    }
  });
});
