import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { users } from '@/db/schema';
import { accountOverview } from '@/lib/account-overview';
import { recordAudit } from '@/lib/audit';
import { ManualClock } from '@/lib/clock';
import { createSession, revokeSession } from '@/lib/sessions';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser } from '@/tests/helpers/users';

const t = setUpTestDatabase();
const DAY = 86_400_000;
const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const iphone =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';

describe('accountOverview', () => {
  it('reads where a person stands: confirmed email, password age, phrase, devices with this one marked, last sign-ins', async () => {
    const clock = new ManualClock(new Date('2026-11-01T09:00:00Z'));
    const user = await createTestUser(t.db, clock, 'Overview');
    await recordAudit(t.db, { action: 'user.registered', userId: user.id }, clock);
    clock.advance(10 * DAY);
    await recordAudit(t.db, { action: 'password.changed', userId: user.id }, clock);
    const passwordChangedAt = clock.now();
    clock.advance(5 * DAY);
    await recordAudit(
      t.db,
      { action: 'login.failed', userId: user.id, ip: '203.0.113.9', userAgent: iphone },
      clock,
    );
    const failedAt = clock.now();
    clock.advance(DAY);
    // As lib/login.ts does on success: an audit row and a session, with the same address and browser.
    const signIn = async (context: { ip: string; userAgent: string }) => {
      await recordAudit(t.db, { action: 'login.succeeded', userId: user.id, ...context }, clock);
      return createSession(t.db, user.id, context, clock);
    };
    const phone = await signIn({ ip: '203.0.113.7', userAgent: iphone });
    clock.advance(DAY);
    const laptop = await signIn({ ip: '198.51.100.4', userAgent: firefox });
    const lastSignInAt = clock.now();
    const ended = await createSession(t.db, user.id, { ip: '198.51.100.5', userAgent: firefox }, clock);
    await revokeSession(t.db, ended, clock);
    // Another person's events are not this person's.
    const other = await createTestUser(t.db, clock, 'Someone-Else');
    clock.advance(DAY);
    await recordAudit(t.db, { action: 'login.failed', userId: other.id, ip: '192.0.2.1' }, clock);

    const overview = await accountOverview(t.db, { userId: user.id, currentSessionId: laptop }, clock);
    expect(overview).toEqual({
      emailConfirmedAt: user.emailVerifiedAt,
      hasPassword: true,
      passwordSetAt: passwordChangedAt,
      recoveryPhraseSet: false,
      twoFactor: { enabled: false },
      devices: { count: 2, current: { browser: 'Firefox', os: 'Linux', signedInAt: lastSignInAt } },
      lastSignIn: { at: lastSignInAt, ip: '198.51.100.4', device: { browser: 'Firefox', os: 'Linux' } },
      lastFailedSignIn: { at: failedAt, ip: '203.0.113.9', device: { browser: 'Safari', os: 'iOS' } },
    });
    expect(phone).not.toBe(laptop);
  });

  it('says what is missing: no confirmed email, no password, no phrase, no sign-in yet', async () => {
    const clock = new ManualClock(new Date('2026-11-01T09:00:00Z'));
    const user = await createTestUser(t.db, clock, 'Newcomer', { emailVerifiedAt: null, passwordHash: null });
    const overview = await accountOverview(t.db, { userId: user.id, currentSessionId: 'none' }, clock);
    expect(overview).toMatchObject({
      emailConfirmedAt: null,
      hasPassword: false,
      passwordSetAt: null,
      recoveryPhraseSet: false,
      devices: { count: 0, current: null },
      lastSignIn: null,
      lastFailedSignIn: null,
    });
  });

  it('sees a recovery phrase once one is saved, and nothing for an account that is gone', async () => {
    const clock = new ManualClock(new Date('2026-11-01T09:00:00Z'));
    const user = await createTestUser(t.db, clock, 'Phrase-Keeper', { recoveryPhraseHash: 'argon2-hash' });
    expect(
      (await accountOverview(t.db, { userId: user.id, currentSessionId: '' }, clock))?.recoveryPhraseSet,
    ).toBe(true);
    await t.db.delete(users).where(eq(users.id, user.id));
    expect(await accountOverview(t.db, { userId: user.id, currentSessionId: '' }, clock)).toBeNull();
  });
});
