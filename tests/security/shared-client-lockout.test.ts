import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { emailOutbox, users } from '@/db/schema';
import { ManualClock } from '@/lib/clock';
import { logIn } from '@/lib/login';
import { hashPassword } from '@/lib/password';
import { requestPasswordReset } from '@/lib/password-reset';
import { limits } from '@/lib/rate-limit';
import { generateRecoveryPhrase, normalizePhrase, resetPasswordWithPhrase } from '@/lib/recovery-phrase';
import { registerUser } from '@/lib/registration';
import type { RequestContext } from '@/lib/request-context';
import { registrationSchema } from '@/lib/validation/registration';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, TEST_PASSWORD } from '@/tests/helpers/users';

/**
 * S59: one client's failures must not lock everybody else out. Without TRUSTED_PROXY_HEADER no request
 * has an address (lib/web/request-info.ts gives `ip: null`, the context every flow then gets), and the
 * attacker and the victim are indistinguishable to a per-IP limit: so there must be none.
 */

const t = setUpTestDatabase();
const clock = new ManualClock(new Date('2026-06-01T10:00:00Z'));
/** What every request looks like behind no trusted proxy. */
const untrusted = (userAgent: string): RequestContext => ({ ip: null, userAgent });
const attacker = untrusted('attacker/1.0');
const victimContext = untrusted('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0');

/** Accounts that share one precomputed hash: creating sixty does not cost sixty argon2 runs. */
async function makeAccounts(prefix: string, count: number): Promise<void> {
  const hashed = await hashPassword(TEST_PASSWORD);
  if (!hashed.ok) throw new Error('busy');
  await t.db.insert(users).values(
    Array.from({ length: count }, (_, i) => ({
      username: `${prefix}-${i}`,
      email: `${prefix}-${i}@example.com`,
      passwordHash: hashed.hash,
      emailVerifiedAt: clock.now(),
      approvedAt: clock.now(),
    })),
  );
}

function signUp(username: string, context: RequestContext) {
  const input = registrationSchema(15).parse({
    username,
    email: `${username}@example.com`,
    password: 'a long enough passphrase for sign-up',
    confirmPassword: 'a long enough passphrase for sign-up',
    fullName: 'Someone',
  });
  return registerUser(t.db, input, context, clock);
}

const mailTo = (to: string, template: string) =>
  t.db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.to, to), eq(emailOutbox.template, template)));

describe('no trusted client address (the default configuration)', () => {
  it("S59: 60 wrong passwords against 60 other accounts do not refuse the victim's correct password", async () => {
    await createTestUser(t.db, clock, 'victim');
    await makeAccounts('other', 60);
    for (let i = 0; i < 60; i += 1) {
      await logIn(t.db, { identifier: `other-${i}`, password: 'a wrong guess' }, attacker, clock);
    }
    const result = await logIn(t.db, { identifier: 'victim', password: TEST_PASSWORD }, victimContext, clock);
    expect(result.ok).toBe(true);
  });

  it("S59: a flood of reset requests for other addresses does not refuse the victim's own request", async () => {
    const victim = await createTestUser(t.db, clock, 'reset-victim');
    for (let i = 0; i < limits.forgotPasswordPerIp.max + 50; i += 1) {
      await requestPasswordReset(t.db, `stranger-${i}@example.com`, attacker, clock);
    }
    const own = await requestPasswordReset(t.db, victim.email, victimContext, clock);
    expect(own.ok).toBe(true);
    await own.deliver();
    expect(await mailTo(victim.email, 'reset-password')).toHaveLength(1);
  });

  it("S59: wrong recovery phrases against other accounts do not refuse the victim's right phrase", async () => {
    const phrase = generateRecoveryPhrase();
    const hashed = await hashPassword(normalizePhrase(phrase));
    if (!hashed.ok) throw new Error('busy');
    const victim = await createTestUser(t.db, clock, 'phrase-victim', { recoveryPhraseHash: hashed.hash });
    for (let i = 0; i < limits.recoveryPhrasePerIp.max * 2; i += 1) {
      await resetPasswordWithPhrase(
        t.db,
        {
          email: `nobody-${i}@example.com`,
          phrase: generateRecoveryPhrase(),
          newPassword: 'whatever I like here',
        },
        attacker,
        clock,
      );
    }
    const own = await resetPasswordWithPhrase(
      t.db,
      { email: victim.email, phrase, newPassword: 'the new passphrase of the victim' },
      victimContext,
      clock,
    );
    expect(own).toEqual({ ok: true, userId: victim.id });
  });

  it("S59: a burst of sign-ups does not refuse the victim's own sign-up", async () => {
    for (let i = 0; i < limits.registerPerIp.max * 2; i += 1) await signUp(`bot-${i}`, attacker);
    expect(await signUp('newcomer', victimContext)).toEqual({ ok: true });
    expect(await mailTo('newcomer@example.com', 'verify-email')).toHaveLength(1);
  });
});

describe('a trusted client address', () => {
  const budget = limits.loginFailuresPerIp.max;
  const spray = async (ip: string, prefix: string) => {
    for (let i = 0; i < budget; i += 1) {
      await logIn(t.db, { identifier: `${prefix}-${i}`, password: 'guess' }, { ip, userAgent: 'bot' }, clock);
    }
  };

  it('S59: IPv6 clients are counted per /64: another address in the same /64 is refused, the next /64 is not', async () => {
    await createTestUser(t.db, clock, 'v6-victim');
    await spray('2001:db8:1:2::5', 'v6-ghost');
    const sameNet = await logIn(
      t.db,
      { identifier: 'v6-victim', password: TEST_PASSWORD },
      { ip: '2001:db8:1:2:ffff::9', userAgent: 'bot' },
      clock,
    );
    expect(sameNet).toMatchObject({ ok: false, code: 'rate_limited' });
    const nextNet = await logIn(
      t.db,
      { identifier: 'v6-victim', password: TEST_PASSWORD },
      { ip: '2001:db8:1:3::1', userAgent: 'phone' },
      clock,
    );
    expect(nextNet.ok).toBe(true);
  });

  it('S59/S23: a trusted IPv4 client past its budget is still refused, written plain or IPv4-mapped', async () => {
    await createTestUser(t.db, clock, 'v4-victim');
    await spray('198.51.100.66', 'v4-ghost');
    for (const ip of ['198.51.100.66', '::ffff:198.51.100.66']) {
      const refused = await logIn(
        t.db,
        { identifier: 'v4-victim', password: TEST_PASSWORD },
        { ip, userAgent: 'bot' },
        clock,
      );
      expect(refused).toMatchObject({ ok: false, code: 'rate_limited' });
    }
    const other = await logIn(
      t.db,
      { identifier: 'v4-victim', password: TEST_PASSWORD },
      { ip: '198.51.100.67', userAgent: 'laptop' },
      clock,
    );
    expect(other.ok).toBe(true);
  });
});
