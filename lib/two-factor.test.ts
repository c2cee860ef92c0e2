import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEvents,
  emailOutbox,
  pendingSignIns,
  sessions,
  settings,
  totpFactors,
  twoFactorRecoveryCodes,
  users,
} from '@/db/schema';
import { DAY, ManualClock, MINUTE } from '@/lib/clock';
import { resetEnvCache } from '@/lib/env';
import { logIn } from '@/lib/login';
import { hashPassword } from '@/lib/password';
import { MAX_PENDING_ATTEMPTS, PENDING_SIGN_IN_TTL_MS } from '@/lib/pending-sign-in';
import { setSetting } from '@/lib/settings';
import {
  confirmTotpEnrolment,
  disableTwoFactor,
  ENROLMENT_TTL_MS,
  matchingTotpStep,
  RECOVERY_CODE_COUNT,
  regenerateRecoveryCodes,
  resetTwoFactorByAdmin,
  startTotpEnrolment,
  TOTP_STEP_SECONDS,
  totpStepAt,
  twoFactorEnrolmentDue,
  twoFactorStatus,
  verifySecondFactor,
} from '@/lib/two-factor';
import { startMailbox } from '@/tests/helpers/mail';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';

let t: TestDatabase;
let mailbox: Awaited<ReturnType<typeof startMailbox>>;
// The middle of a time step, so that a test moves across step edges only on purpose.
const STEP_MS = TOTP_STEP_SECONDS * 1000;
const clock = new ManualClock(Math.floor(Date.now() / STEP_MS) * STEP_MS + STEP_MS / 2);
const PASSWORD = 'correct horse battery staple';
let octet = 0;
const ctx = () => ({ ip: `203.0.113.${(octet += 1) % 250}`, userAgent: 'vitest' });
let savedSecret: string | undefined;

/** The code an authenticator app shows for `step`, computed with the same library the app uses. */
function codeAt(secret: string, step: number): string {
  return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(step), 6);
}
const nowStep = () => totpStepAt(clock.now());

async function makeUser(username: string, role: 'user' | 'admin' = 'user') {
  const hashed = await hashPassword(PASSWORD);
  if (!hashed.ok) throw new Error('busy');
  const now = clock.now();
  const [user] = await t.db
    .insert(users)
    .values({
      username,
      email: `${username}@example.com`,
      passwordHash: hashed.hash,
      role,
      emailVerifiedAt: now,
      approvedAt: now,
      createdAt: now,
    })
    .returning();
  return user!;
}

/** Enrols an authenticator app as its owner does; returns its secret and the recovery codes. */
async function enrol(userId: string) {
  const started = await startTotpEnrolment(
    t.db,
    { userId, currentPassword: PASSWORD, issuer: 'Gatehouse' },
    ctx(),
    clock,
  );
  if (!started.ok) throw new Error(started.code);
  const confirmed = await confirmTotpEnrolment(
    t.db,
    { userId, code: codeAt(started.secret, nowStep()) },
    ctx(),
    clock,
  );
  if (!confirmed.ok) throw new Error(confirmed.code);
  // The enrolment code's step is spent: sign-in tests start from the next one.
  clock.advance(STEP_MS);
  return { secret: started.secret, recoveryCodes: confirmed.recoveryCodes };
}

/** The password step of sign-in; returns the pending token a 2FA account gets instead of a session. */
async function passwordStep(identifier: string): Promise<string> {
  const result = await logIn(t.db, { identifier, password: PASSWORD }, ctx(), clock);
  if (result.ok || result.code !== 'second_factor_required')
    throw new Error(`no second step: ${String(result.ok)}`);
  return result.pendingToken;
}

const sessionsOf = (userId: string) => t.db.select().from(sessions).where(eq(sessions.userId, userId));
const mailsTo = (email: string) =>
  t.db.select().from(emailOutbox).where(eq(emailOutbox.to, email)).orderBy(asc(emailOutbox.createdAt));
const auditOf = (userId: string) =>
  t.db.select().from(auditEvents).where(eq(auditEvents.userId, userId)).orderBy(asc(auditEvents.id));

beforeAll(async () => {
  savedSecret = process.env.AUTH_SECRET;
  process.env.AUTH_SECRET = 'two-factor-tests-secret-of-at-least-32-chars';
  resetEnvCache();
  t = await createTestDatabase();
  mailbox = await startMailbox();
});

afterAll(async () => {
  if (savedSecret === undefined) delete process.env.AUTH_SECRET;
  else process.env.AUTH_SECRET = savedSecret;
  resetEnvCache();
  await mailbox?.stop();
  await t?.close();
});

describe('codes at the window edges', () => {
  const key = decodeBase32IgnorePadding('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  const code = (step: number) => generateHOTP(key, BigInt(step), 6);

  it('accepts the current step and one either side, and nothing further', () => {
    const step = 60_000_000;
    // The first millisecond of `step`.
    const start = new Date(step * STEP_MS);
    expect(matchingTotpStep(key, code(step), start)).toBe(step);
    expect(matchingTotpStep(key, code(step - 1), start)).toBe(step - 1);
    expect(matchingTotpStep(key, code(step + 1), start)).toBe(step + 1);
    expect(matchingTotpStep(key, code(step - 2), start)).toBeNull();
    expect(matchingTotpStep(key, code(step + 2), start)).toBeNull();
    // The last millisecond of `step`: the step before the previous one is now two behind.
    const end = new Date((step + 1) * STEP_MS - 1);
    expect(matchingTotpStep(key, code(step - 1), end)).toBe(step - 1);
    expect(matchingTotpStep(key, code(step + 1), end)).toBe(step + 1);
    // One millisecond later the window has moved on.
    const next = new Date((step + 1) * STEP_MS);
    expect(matchingTotpStep(key, code(step - 1), next)).toBeNull();
    expect(matchingTotpStep(key, code(step + 2), next)).toBe(step + 2);
  });

  it('refuses anything but six digits', () => {
    const now = new Date(60_000_000 * STEP_MS);
    for (const bad of ['', '12345', '1234567', 'abcdef', ' 123456', null, 123456]) {
      expect(matchingTotpStep(key, bad, now)).toBeNull();
    }
  });
});

describe('enrolment', () => {
  it('needs the password, keeps the key encrypted, and puts it in force only with a first code', async () => {
    const user = await makeUser('enrolling');
    expect(
      await startTotpEnrolment(
        t.db,
        { userId: user.id, currentPassword: 'not the password', issuer: 'Gatehouse' },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'wrong_password' });

    const started = await startTotpEnrolment(
      t.db,
      { userId: user.id, currentPassword: PASSWORD, issuer: 'Gatehouse' },
      ctx(),
      clock,
    );
    if (!started.ok) throw new Error(started.code);
    expect(started.uri).toContain(`secret=${started.secret}`);
    const [row] = await t.db.select().from(totpFactors).where(eq(totpFactors.userId, user.id));
    expect(row!.secretEncrypted).not.toContain(started.secret);
    expect(row!.confirmedAt).toBeNull();
    // Not yet in force: the password alone still signs in.
    expect((await logIn(t.db, { identifier: user.email, password: PASSWORD }, ctx(), clock)).ok).toBe(true);

    const wrong = codeAt(started.secret, nowStep() + 5);
    expect(await confirmTotpEnrolment(t.db, { userId: user.id, code: wrong }, ctx(), clock)).toEqual({
      ok: false,
      code: 'wrong_code',
    });
    const confirmed = await confirmTotpEnrolment(
      t.db,
      { userId: user.id, code: codeAt(started.secret, nowStep()) },
      ctx(),
      clock,
    );
    if (!confirmed.ok) throw new Error(confirmed.code);
    expect(confirmed.recoveryCodes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(confirmed.recoveryCodes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of confirmed.recoveryCodes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const stored = await t.db
      .select()
      .from(twoFactorRecoveryCodes)
      .where(eq(twoFactorRecoveryCodes.userId, user.id));
    expect(JSON.stringify(stored)).not.toContain(confirmed.recoveryCodes[0]!.replace('-', ''));
    expect(await twoFactorStatus(t.db, user.id)).toMatchObject({ totp: true, recoveryCodesLeft: 10 });
    expect((await mailsTo(user.email)).map((m) => m.template)).toEqual(['two-factor-changed']);
    expect((await auditOf(user.id)).map((e) => e.action)).toContain('two_factor.enabled');
  });

  it('expires when not confirmed in time', async () => {
    const user = await makeUser('slowenrol');
    const started = await startTotpEnrolment(
      t.db,
      { userId: user.id, currentPassword: PASSWORD, issuer: 'Gatehouse' },
      ctx(),
      clock,
    );
    if (!started.ok) throw new Error(started.code);
    clock.advance(ENROLMENT_TTL_MS + MINUTE);
    expect(
      await confirmTotpEnrolment(
        t.db,
        { userId: user.id, code: codeAt(started.secret, nowStep()) },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'expired' });
  });
});

describe('the second step of sign-in', () => {
  it('gives no session for the password alone, then one for password and code', async () => {
    const user = await makeUser('twostep');
    const { secret } = await enrol(user.id);
    const before = (await sessionsOf(user.id)).length;
    const pending = await passwordStep(user.username);
    expect(await sessionsOf(user.id)).toHaveLength(before);

    const result = await verifySecondFactor(
      t.db,
      { pendingToken: pending, kind: 'totp', code: codeAt(secret, nowStep()) },
      ctx(),
      clock,
    );
    if (!result.ok) throw new Error(result.code);
    expect(await sessionsOf(user.id)).toHaveLength(before + 1);
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.lastLoginAt).toEqual(clock.now());
    // The pending sign-in was used: the cookie cannot be played again, not even with a new code.
    clock.advance(STEP_MS);
    expect(
      await verifySecondFactor(
        t.db,
        { pendingToken: pending, kind: 'totp', code: codeAt(secret, nowStep()) },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'expired' });
  });

  it('accepts a code once: a replay in a new sign-in is refused, as is a code older than the last', async () => {
    const user = await makeUser('replay');
    const { secret } = await enrol(user.id);
    const code = codeAt(secret, nowStep());
    const first = await verifySecondFactor(
      t.db,
      { pendingToken: await passwordStep(user.email), kind: 'totp', code },
      ctx(),
      clock,
    );
    expect(first.ok).toBe(true);
    expect(
      await verifySecondFactor(
        t.db,
        { pendingToken: await passwordStep(user.email), kind: 'totp', code },
        ctx(),
        clock,
      ),
    ).toMatchObject({ ok: false, code: 'wrong_code' });
    expect(
      await verifySecondFactor(
        t.db,
        { pendingToken: await passwordStep(user.email), kind: 'totp', code: codeAt(secret, nowStep() - 1) },
        ctx(),
        clock,
      ),
    ).toMatchObject({ ok: false, code: 'wrong_code' });
    const failed = (await auditOf(user.id)).filter((e) => e.action === 'login.second_factor_failed');
    expect(failed).toHaveLength(2);
  });

  it('S61: two concurrent submissions of one code: exactly one signs in', async () => {
    const user = await makeUser('concurrent');
    const { secret } = await enrol(user.id);
    const code = codeAt(secret, nowStep());
    const [a, b] = [await passwordStep(user.email), await passwordStep(user.email)];
    const before = (await sessionsOf(user.id)).length;
    const results = await Promise.all(
      [a, b].map((pendingToken) =>
        verifySecondFactor(t.db, { pendingToken, kind: 'totp', code }, ctx(), clock),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await sessionsOf(user.id)).toHaveLength(before + 1);
  });

  it('a recovery code works once, and its use is mailed with the count left', async () => {
    const user = await makeUser('recovering');
    const { recoveryCodes } = await enrol(user.id);
    const code = recoveryCodes[3]!;
    // Typed sloppily from paper: capitals, no hyphen, spaces.
    const typed = ` ${code.toUpperCase().replace('-', ' ')} `;
    const used = await verifySecondFactor(
      t.db,
      { pendingToken: await passwordStep(user.email), kind: 'recovery_code', code: typed },
      ctx(),
      clock,
    );
    expect(used).toMatchObject({ ok: true, mailQueued: true });
    expect(
      await verifySecondFactor(
        t.db,
        { pendingToken: await passwordStep(user.email), kind: 'recovery_code', code },
        ctx(),
        clock,
      ),
    ).toMatchObject({ ok: false, code: 'wrong_code' });
    expect((await twoFactorStatus(t.db, user.id)).recoveryCodesLeft).toBe(RECOVERY_CODE_COUNT - 1);
    expect((await auditOf(user.id)).map((e) => e.action)).toContain('two_factor.recovery_code_used');

    await mailbox.deliver(t.db, clock);
    const mail = await mailbox.catcher.waitForMail(user.email, {
      predicate: (m) => /recovery code was used/i.test(m.subject),
    });
    expect(mail.text).toContain('9 recovery codes are left');
    for (const secret of recoveryCodes) expect(mail.text).not.toContain(secret);
  });

  it('S61: a pending sign-in takes five wrong codes, then is void even for the right one', async () => {
    const user = await makeUser('guesser');
    const { secret } = await enrol(user.id);
    const pending = await passwordStep(user.email);
    const right = codeAt(secret, nowStep());
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 1; i <= MAX_PENDING_ATTEMPTS; i += 1) {
      expect(
        await verifySecondFactor(t.db, { pendingToken: pending, kind: 'totp', code: wrong }, ctx(), clock),
      ).toEqual({ ok: false, code: 'wrong_code', attemptsLeft: MAX_PENDING_ATTEMPTS - i });
    }
    expect(
      await verifySecondFactor(t.db, { pendingToken: pending, kind: 'totp', code: right }, ctx(), clock),
    ).toEqual({ ok: false, code: 'expired' });
  });

  it('S61: parallel wrong guesses each take one attempt of the pending sign-in', async () => {
    const user = await makeUser('parallel');
    await enrol(user.id);
    const pending = await passwordStep(user.email);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        verifySecondFactor(
          t.db,
          { pendingToken: pending, kind: 'recovery_code', code: `aaaaa-aaaa${'abcdefgh'[i]}` },
          ctx(),
          clock,
        ),
      ),
    );
    expect(results.filter((r) => !r.ok && r.code === 'wrong_code')).toHaveLength(MAX_PENDING_ATTEMPTS);
    const [row] = await t.db.select().from(pendingSignIns).where(eq(pendingSignIns.userId, user.id));
    expect(row!.attempts).toBe(MAX_PENDING_ATTEMPTS);
  });

  it('S61: the account has a daily cap of wrong codes across sign-ins; a right code costs nothing', async () => {
    const user = await makeUser('dailycap');
    const { secret } = await enrol(user.id);
    for (let i = 0; i < 4; i += 1) {
      const pending = await passwordStep(user.email);
      for (let j = 0; j < MAX_PENDING_ATTEMPTS; j += 1) {
        await verifySecondFactor(
          t.db,
          { pendingToken: pending, kind: 'recovery_code', code: 'zzzzz-zzzzz' },
          ctx(),
          clock,
        );
      }
    }
    const capped = await verifySecondFactor(
      t.db,
      { pendingToken: await passwordStep(user.email), kind: 'totp', code: codeAt(secret, nowStep()) },
      ctx(),
      clock,
    );
    expect(capped).toEqual({ ok: false, code: 'capped' });
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.twoFactorFailureCount).toBe(20);
    // The next day the right code works again.
    clock.advance(DAY);
    const ok = await verifySecondFactor(
      t.db,
      { pendingToken: await passwordStep(user.email), kind: 'totp', code: codeAt(secret, nowStep()) },
      ctx(),
      clock,
    );
    expect(ok.ok).toBe(true);
    const [after] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(after!.twoFactorFailureCount).toBe(20);
  });

  it('expires after five minutes', async () => {
    const user = await makeUser('expiring');
    const { secret } = await enrol(user.id);
    const pending = await passwordStep(user.email);
    clock.advance(PENDING_SIGN_IN_TTL_MS);
    expect(
      await verifySecondFactor(
        t.db,
        { pendingToken: pending, kind: 'totp', code: codeAt(secret, nowStep()) },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'expired' });
  });

  it('gives no session to an account locked between the two steps, and keeps the code unspent', async () => {
    const user = await makeUser('lockedmid');
    const { recoveryCodes } = await enrol(user.id);
    const pending = await passwordStep(user.email);
    await t.db.update(users).set({ lockedAt: clock.now() }).where(eq(users.id, user.id));
    expect(
      await verifySecondFactor(
        t.db,
        { pendingToken: pending, kind: 'recovery_code', code: recoveryCodes[0]! },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'expired' });
    expect((await twoFactorStatus(t.db, user.id)).recoveryCodesLeft).toBe(RECOVERY_CODE_COUNT);
  });
});

describe('changing the factor', () => {
  it('new recovery codes replace the old ones', async () => {
    const user = await makeUser('regenerate');
    const { recoveryCodes } = await enrol(user.id);
    const fresh = await regenerateRecoveryCodes(
      t.db,
      { userId: user.id, currentPassword: PASSWORD },
      ctx(),
      clock,
    );
    if (!fresh.ok) throw new Error(fresh.code);
    expect(
      await verifySecondFactor(
        t.db,
        { pendingToken: await passwordStep(user.email), kind: 'recovery_code', code: recoveryCodes[0]! },
        ctx(),
        clock,
      ),
    ).toMatchObject({ ok: false, code: 'wrong_code' });
    expect(
      (
        await verifySecondFactor(
          t.db,
          {
            pendingToken: await passwordStep(user.email),
            kind: 'recovery_code',
            code: fresh.recoveryCodes[0]!,
          },
          ctx(),
          clock,
        )
      ).ok,
    ).toBe(true);
  });

  it('turning it off takes the password and a current code, and is mailed', async () => {
    const user = await makeUser('disabling');
    const { secret } = await enrol(user.id);
    expect(
      await disableTwoFactor(
        t.db,
        { userId: user.id, currentPassword: PASSWORD, code: codeAt(secret, nowStep() + 3) },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'wrong_code' });
    expect(
      await disableTwoFactor(
        t.db,
        { userId: user.id, currentPassword: 'wrong password here', code: codeAt(secret, nowStep()) },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'wrong_password' });
    expect(
      await disableTwoFactor(
        t.db,
        { userId: user.id, currentPassword: PASSWORD, code: codeAt(secret, nowStep()) },
        ctx(),
        clock,
      ),
    ).toEqual({ ok: true });
    expect(await twoFactorStatus(t.db, user.id)).toMatchObject({ totp: false, recoveryCodesLeft: 0 });
    expect((await logIn(t.db, { identifier: user.email, password: PASSWORD }, ctx(), clock)).ok).toBe(true);
    const events = (await mailsTo(user.email)).filter((m) => m.template === 'two-factor-changed');
    expect(events.map((m) => m.subject)).toEqual([
      expect.stringMatching(/turned on/),
      expect.stringMatching(/turned off/),
    ]);
  });

  it('an admin reset removes it, audited with the admin as actor, and mails the owner', async () => {
    const admin = await makeUser('resetter', 'admin');
    const user = await makeUser('lostphone');
    await enrol(user.id);
    expect(await resetTwoFactorByAdmin(t.db, { userId: user.id, adminId: admin.id }, ctx(), clock)).toEqual({
      ok: true,
    });
    expect((await twoFactorStatus(t.db, user.id)).totp).toBe(false);
    expect((await auditOf(user.id)).find((e) => e.action === 'two_factor.reset_by_admin')).toMatchObject({
      actorId: admin.id,
    });
    const [mail] = (await mailsTo(user.email)).filter((m) => /administrator reset/.test(m.subject));
    expect(mail).toBeDefined();
    expect(await resetTwoFactorByAdmin(t.db, { userId: user.id, adminId: admin.id }, ctx(), clock)).toEqual({
      ok: false,
      code: 'not_enabled',
    });
  });
});

describe('required by the platform', () => {
  it('sends an admin without a factor to enrolment once the grace period is over', async () => {
    const admin = await makeUser('graceadmin', 'admin');
    const user = await makeUser('graceuser');
    expect(await twoFactorEnrolmentDue(t.db, admin, clock)).toBe(false);
    await setSetting(t.db, 'two_factor_required_admins', true);
    await setSetting(t.db, 'two_factor_grace_days', 3);
    // The requirement counts from the moment it was switched on, by the wall clock that saved it.
    await t.db
      .update(settings)
      .set({ updatedAt: clock.now() })
      .where(and(eq(settings.key, 'two_factor_required_admins')));
    expect(await twoFactorEnrolmentDue(t.db, admin, clock)).toBe(false);
    clock.advance(3 * DAY);
    expect(await twoFactorEnrolmentDue(t.db, admin, clock)).toBe(true);
    expect(await twoFactorEnrolmentDue(t.db, user, clock)).toBe(false);
    await enrol(admin.id);
    expect(await twoFactorEnrolmentDue(t.db, admin, clock)).toBe(false);
    await setSetting(t.db, 'two_factor_required_admins', false);
  });
});
