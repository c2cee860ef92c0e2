import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  auditEvents,
  emailOutbox,
  passkeys,
  totpFactors,
  twoFactorRecoveryCodes,
  type User,
} from '@/db/schema';
import { unlockUser } from '@/lib/account-lock';
import { adminLockUser } from '@/lib/admin-user-actions';
import { ManualClock } from '@/lib/clock';
import { reportEmailChangeNotMe, requestEmailChange } from '@/lib/email-change';
import { resetEnvCache } from '@/lib/env';
import { logIn } from '@/lib/login';
import {
  beginPasskeyRegistration,
  beginPasskeySignIn,
  finishPasskeyRegistration,
  relyingParty,
  signInWithPasskey,
} from '@/lib/passkeys';
import { confirmTotpEnrolment, startTotpEnrolment, TOTP_STEP_SECONDS, totpStepAt } from '@/lib/two-factor';
import { linkTo, setUpMailbox } from '@/tests/helpers/mail';
import { SoftwarePasskey } from '@/tests/helpers/software-passkey';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';

/**
 * S60 for the second factors: whoever holds a session and the password (a stolen session
 * re-authenticates with it) enrols an authenticator app of their own and adds a passkey, two doors
 * that would outlive a password change. The owner's ways of taking the account back, "this wasn't me"
 * on the email change and an admin lock, must close both: the rows go, the owner is mailed, and the
 * attacker's passkey no longer signs in.
 */

const t = setUpTestDatabase();
const mailbox = setUpMailbox();
const STEP_MS = TOTP_STEP_SECONDS * 1000;
// The middle of a time step, so that enrolment never straddles a step edge.
const clock = new ManualClock(Math.floor(Date.now() / STEP_MS) * STEP_MS + STEP_MS / 2);
let savedSecret: string | undefined;

beforeAll(() => {
  savedSecret = process.env.AUTH_SECRET;
  process.env.AUTH_SECRET = 'standing-factors-secret-of-at-least-32-chars';
  resetEnvCache();
});

afterAll(() => {
  if (savedSecret === undefined) delete process.env.AUTH_SECRET;
  else process.env.AUTH_SECRET = savedSecret;
  resetEnvCache();
});

beforeEach(() => {
  // Refused sign-ins log a warning on purpose.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

const templatesTo = async (to: string) =>
  (
    await t.db.select().from(emailOutbox).where(eq(emailOutbox.to, to)).orderBy(asc(emailOutbox.createdAt))
  ).map((mail) => mail.template);

/** What the attacker does from the owner's session: an authenticator app and a passkey of their own. */
async function attackerAddsFactors(owner: User) {
  const started = await startTotpEnrolment(
    t.db,
    { userId: owner.id, currentPassword: TEST_PASSWORD, issuer: 'Gatehouse' },
    freshContext('attacker'),
    clock,
  );
  if (!started.ok) throw new Error(started.code);
  const code = generateHOTP(decodeBase32IgnorePadding(started.secret), BigInt(totpStepAt(clock.now())), 6);
  const confirmed = await confirmTotpEnrolment(
    t.db,
    { userId: owner.id, code },
    freshContext('attacker'),
    clock,
  );
  if (!confirmed.ok) throw new Error(confirmed.code);

  const key = new SoftwarePasskey(relyingParty().origin);
  const begun = await beginPasskeyRegistration(
    t.db,
    { userId: owner.id, currentPassword: TEST_PASSWORD },
    freshContext('attacker'),
    clock,
  );
  if (!begun.ok) throw new Error(begun.code);
  const added = await finishPasskeyRegistration(
    t.db,
    { userId: owner.id, handle: begun.handle, name: 'Attacker key', response: key.register(begun.options) },
    freshContext('attacker'),
    clock,
  );
  if (!added.ok) throw new Error(added.code);
  // With an authenticator app on, the owner's own password alone no longer signs in.
  expect(
    await logIn(t.db, { identifier: owner.username, password: TEST_PASSWORD }, freshContext(), clock),
  ).toMatchObject({ ok: false, code: 'second_factor_required' });
  return key;
}

async function passkeySignIn(key: SoftwarePasskey) {
  const begun = await beginPasskeySignIn(t.db, clock);
  return signInWithPasskey(
    t.db,
    { handle: begun.handle, response: key.authenticate(begun.options) },
    freshContext('attacker'),
    clock,
  );
}

async function expectFactorsGone(owner: User, key: SoftwarePasskey, reason: string) {
  expect(await t.db.select().from(totpFactors).where(eq(totpFactors.userId, owner.id))).toEqual([]);
  expect(
    await t.db.select().from(twoFactorRecoveryCodes).where(eq(twoFactorRecoveryCodes.userId, owner.id)),
  ).toEqual([]);
  expect(await t.db.select().from(passkeys).where(eq(passkeys.userId, owner.id))).toEqual([]);
  expect(await passkeySignIn(key)).toMatchObject({ ok: false });

  const templates = await templatesTo(owner.email);
  expect(templates.filter((name) => name === 'two-factor-changed').length).toBeGreaterThanOrEqual(2);
  expect(templates).toContain('passkey-removed');
  const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.userId, owner.id));
  expect(audit.filter((e) => e.action === 'two_factor.disabled').map((e) => e.meta)).toEqual([{ reason }]);
  expect(
    audit.filter((e) => e.action === 'passkey.removed').map((e) => (e.meta as { reason: string }).reason),
  ).toEqual([reason]);
}

describe('S60: taking the account back removes the second factors an attacker added', () => {
  it('S60: after "this wasn\'t me" the attacker\'s authenticator app and passkey are gone and the owner signs in with the password', async () => {
    const owner = await createTestUser(t.db, clock, 'factors-notme');
    const key = await attackerAddsFactors(owner);
    expect(await passkeySignIn(key)).toMatchObject({ ok: true });

    expect(
      await requestEmailChange(
        t.db,
        { userId: owner.id, currentPassword: TEST_PASSWORD, newEmail: 'thief@example.net' },
        freshContext('attacker'),
        clock,
      ),
    ).toEqual({ ok: true });
    await mailbox.deliver(t.db, clock);
    const notice = await mailbox.catcher.waitForMail(owner.email, {
      predicate: (m) => /email address/i.test(m.subject),
    });
    const token = linkTo(notice, '/email-change/not-me').searchParams.get('token');
    expect(await reportEmailChangeNotMe(t.db, { token }, freshContext('owner'), clock)).toEqual({ ok: true });

    await expectFactorsGone(owner, key, 'email_change_not_me');
    expect(
      await logIn(t.db, { identifier: owner.username, password: TEST_PASSWORD }, freshContext(), clock),
    ).toMatchObject({ ok: true });
  });

  it('S60: an admin lock removes them too, and unlocking does not bring them back', async () => {
    const admin = await createTestUser(t.db, clock, 'factors-admin', { role: 'admin' });
    const owner = await createTestUser(t.db, clock, 'factors-locked');
    const key = await attackerAddsFactors(owner);

    expect(
      await adminLockUser(
        t.db,
        { adminId: admin.id, userId: owner.id, reason: 'Compromised' },
        freshContext('admin'),
        clock,
      ),
    ).toEqual({ ok: true });
    await expectFactorsGone(owner, key, 'admin_lock');

    expect(
      await unlockUser(t.db, { adminId: admin.id, userId: owner.id }, freshContext('admin'), clock),
    ).toEqual({
      ok: true,
    });
    expect(await passkeySignIn(key)).toMatchObject({ ok: false });
    expect(
      await logIn(t.db, { identifier: owner.username, password: TEST_PASSWORD }, freshContext(), clock),
    ).toMatchObject({ ok: true });
  });
});
