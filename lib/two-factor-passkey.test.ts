import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, pendingSignIns, sessions, settings } from '@/db/schema';
import { DAY, ManualClock } from '@/lib/clock';
import { deleteAccountFormSchema } from '@/lib/validation/account-deletion';
import {
  MAX_PENDING_ATTEMPTS,
  PENDING_SIGN_IN_TTL_MS,
  requiresSecondFactor,
  secondFactorsOf,
} from '@/lib/pending-sign-in';
import { setSetting } from '@/lib/settings';
import { beginPasskeyVerification, relyingParty } from '@/lib/passkeys';
import {
  beginPasskeySecondStep,
  startTotpEnrolment,
  twoFactorEnrolmentDue,
  verifyPasskeySecondStep,
  verifySecondFactor,
} from '@/lib/two-factor';
import {
  addTestPasskey,
  beginPasskeyStep,
  passwordStep as passwordStepOf,
} from '@/tests/helpers/passkey-users';
import { SoftwarePasskey } from '@/tests/helpers/software-passkey';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext } from '@/tests/helpers/users';

/** A passkey as the second step after the password (decision 035), beside lib/two-factor.ts. */

let t: TestDatabase;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
});

async function userWithPasskey(username: string) {
  const user = await createTestUser(t.db, clock, username);
  return { user, ...(await addTestPasskey(t.db, clock, user)) };
}

const passwordStep = (identifier: string) => passwordStepOf(t.db, clock, identifier);
const begin = (pendingToken: string) => beginPasskeyStep(t.db, clock, pendingToken);

const sessionsOf = (userId: string) => t.db.select().from(sessions).where(eq(sessions.userId, userId));

describe('a passkey as the second step after the password', () => {
  it('an account with a passkey and no app gets no session for the password alone', async () => {
    const { user } = await userWithPasskey('pk2_plain');
    expect(await secondFactorsOf(t.db, user.id)).toEqual({ totp: false, passkeys: true });
    expect(await requiresSecondFactor(t.db, user.id)).toBe(true);
    await passwordStep('pk2_plain');
    expect(await sessionsOf(user.id)).toHaveLength(0);
  });

  it("finishes with the account's own passkey: one session, audited, the pending sign-in used", async () => {
    const { user, key, passkeyId } = await userWithPasskey('pk2_ok');
    const token = await passwordStep('pk2_ok');
    const begun = await begin(token);
    expect(begun.options.allowCredentials?.map((c) => c.id)).toEqual([key.credentialId]);
    const result = await verifyPasskeySecondStep(
      t.db,
      { pendingToken: token, handle: begun.handle, response: key.authenticate(begun.options) },
      freshContext(),
      clock,
    );
    expect(result.ok).toBe(true);
    expect(await sessionsOf(user.id)).toHaveLength(1);
    const [succeeded] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, 'login.succeeded')));
    expect(succeeded?.meta).toMatchObject({ secondFactor: 'passkey', passkeyId });
    // Used once: the same pending sign-in cannot be finished again, not even by a code.
    const again = await verifySecondFactor(
      t.db,
      { pendingToken: token, kind: 'totp', code: '000000' },
      freshContext(),
      clock,
    );
    expect(again).toEqual({ ok: false, code: 'expired' });
  });

  it('S61: refused answers take the pending sign-in attempts; after the last it is void even for the right passkey', async () => {
    const { user, key } = await userWithPasskey('pk2_attempts');
    const stranger = new SoftwarePasskey(relyingParty().origin);
    const token = await passwordStep('pk2_attempts');
    for (let i = 1; i <= MAX_PENDING_ATTEMPTS; i += 1) {
      const begun = await begin(token);
      const refused = await verifyPasskeySecondStep(
        t.db,
        { pendingToken: token, handle: begun.handle, response: stranger.authenticate(begun.options) },
        freshContext(),
        clock,
      );
      expect(refused).toEqual({ ok: false, code: 'passkey_refused', attemptsLeft: MAX_PENDING_ATTEMPTS - i });
    }
    expect(await beginPasskeySecondStep(t.db, { pendingToken: token }, clock)).toEqual({
      ok: false,
      code: 'expired',
    });
    const [row] = await t.db.select().from(pendingSignIns).where(eq(pendingSignIns.userId, user.id));
    expect(row?.usedAt).not.toBeNull();
    expect(key).toBeDefined();
    expect(await sessionsOf(user.id)).toHaveLength(0);
  });

  it('a pending sign-in expires after five minutes, passkey or not', async () => {
    const { user, key } = await userWithPasskey('pk2_late');
    const token = await passwordStep('pk2_late');
    const begun = await begin(token);
    clock.advance(PENDING_SIGN_IN_TTL_MS + 1);
    const late = await verifyPasskeySecondStep(
      t.db,
      { pendingToken: token, handle: begun.handle, response: key.authenticate(begun.options) },
      freshContext(),
      clock,
    );
    expect(late).toEqual({ ok: false, code: 'expired' });
    expect(await sessionsOf(user.id)).toHaveLength(0);
  });

  it('a challenge for the second step does not finish without the pending token', async () => {
    const { key } = await userWithPasskey('pk2_notoken');
    const token = await passwordStep('pk2_notoken');
    const begun = await begin(token);
    const result = await verifyPasskeySecondStep(
      t.db,
      { pendingToken: undefined, handle: begun.handle, response: key.authenticate(begun.options) },
      freshContext(),
      clock,
    );
    expect(result).toEqual({ ok: false, code: 'expired' });
  });
});

describe('required by the platform', () => {
  it('a passkey satisfies "require two-factor"', async () => {
    const without = await createTestUser(t.db, clock, 'pk2_required_none');
    const { user } = await userWithPasskey('pk2_required');
    await setSetting(t.db, 'two_factor_required_everyone', true);
    await setSetting(t.db, 'two_factor_grace_days', 1);
    // The requirement counts from the moment it was switched on, by the wall clock that saved it.
    await t.db
      .update(settings)
      .set({ updatedAt: clock.now() })
      .where(eq(settings.key, 'two_factor_required_everyone'));
    clock.advance(DAY);
    expect(await twoFactorEnrolmentDue(t.db, without, clock)).toBe(true);
    expect(await twoFactorEnrolmentDue(t.db, user, clock)).toBe(false);
    await setSetting(t.db, 'two_factor_required_everyone', false);
  });
});

describe('re-authentication by passkey for the two-factor page', () => {
  it("S41: the owner's passkey stands in for the password to set up an app; another account's does not", async () => {
    const { user, key } = await userWithPasskey('pk2_reauth');
    const other = await userWithPasskey('pk2_reauth_other');
    const refusedChallenge = await beginPasskeyVerification(t.db, { userId: user.id }, clock);
    if ('code' in refusedChallenge) throw new Error(refusedChallenge.code);
    const refused = await startTotpEnrolment(
      t.db,
      {
        userId: user.id,
        issuer: 'Gatehouse',
        passkey: {
          handle: refusedChallenge.handle,
          response: other.key.authenticate(refusedChallenge.options),
        },
      },
      freshContext(),
      clock,
    );
    expect(refused).toEqual({ ok: false, code: 'passkey_refused' });

    const begun = await beginPasskeyVerification(t.db, { userId: user.id }, clock);
    if ('code' in begun) throw new Error(begun.code);
    const started = await startTotpEnrolment(
      t.db,
      {
        userId: user.id,
        issuer: 'Gatehouse',
        passkey: { handle: begun.handle, response: key.authenticate(begun.options) },
      },
      freshContext(),
      clock,
    );
    expect(started.ok).toBe(true);
    const verified = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, user.id), eq(auditEvents.action, 'passkey.verified')));
    expect(verified.map((e) => e.meta)).toContainEqual(
      expect.objectContaining({ purpose: 'two_factor_enrolment' }),
    );
  });

  it('the forms take the password or a passkey answer, and ask for the password when neither is there', () => {
    expect(deleteAccountFormSchema.safeParse({ confirm: 'on' }).success).toBe(false);
    expect(deleteAccountFormSchema.safeParse({ confirm: 'on', currentPassword: 'x' }).success).toBe(true);
    expect(deleteAccountFormSchema.safeParse({ confirm: 'on', passkeyProof: '{}' }).success).toBe(true);
    // Both missing fields are named at once, the password's even though the box is not ticked.
    const empty = deleteAccountFormSchema.safeParse({});
    expect(empty.success ? [] : empty.error.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'confirm',
      'currentPassword',
    ]);
  });
});
