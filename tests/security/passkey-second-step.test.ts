import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, sessions } from '@/db/schema';
import { ManualClock } from '@/lib/clock';
import { MAX_PENDING_ATTEMPTS } from '@/lib/pending-sign-in';
import { verifyPasskeySecondStep } from '@/lib/two-factor';
import {
  addTestPasskey,
  beginPasskeyStep,
  passwordStep as passwordStepOf,
} from '@/tests/helpers/passkey-users';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext } from '@/tests/helpers/users';

/**
 * The pending state between the password and the second step (decision 035) cannot be finished with
 * another account's passkey, nor with a challenge issued for another pending sign-in.
 */

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

describe('the passkey second step is bound to the account of the password step', () => {
  it("security: another account's passkey cannot finish the pending sign-in, even with a valid signature", async () => {
    const victim = await userWithPasskey('pk2_victim');
    const attacker = await userWithPasskey('pk2_attacker');
    const token = await passwordStep('pk2_victim');
    const begun = await begin(token);
    const refused = await verifyPasskeySecondStep(
      t.db,
      { pendingToken: token, handle: begun.handle, response: attacker.key.authenticate(begun.options) },
      freshContext(),
      clock,
    );
    expect(refused).toEqual({ ok: false, code: 'passkey_refused', attemptsLeft: MAX_PENDING_ATTEMPTS - 1 });
    expect(await sessionsOf(victim.user.id)).toHaveLength(0);
    expect(await sessionsOf(attacker.user.id)).toHaveLength(0);
    const failed = await t.db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.userId, victim.user.id), eq(auditEvents.action, 'login.second_factor_failed')),
      );
    expect(failed.map((e) => e.meta)).toEqual([{ kind: 'passkey', attempts: 1 }]);
  });

  it("security: the attacker's own challenge does not finish the victim's pending sign-in", async () => {
    const victim = await userWithPasskey('pk2_victim2');
    const attacker = await userWithPasskey('pk2_attacker2');
    const victimToken = await passwordStep('pk2_victim2');
    const attackerToken = await passwordStep('pk2_attacker2');
    // A challenge issued for the attacker's pending sign-in, answered by the attacker's passkey,
    // then posted with the victim's pending token: bound to another account, refused.
    const begun = await begin(attackerToken);
    const refused = await verifyPasskeySecondStep(
      t.db,
      { pendingToken: victimToken, handle: begun.handle, response: attacker.key.authenticate(begun.options) },
      freshContext(),
      clock,
    );
    expect(refused.ok).toBe(false);
    expect(await sessionsOf(victim.user.id)).toHaveLength(0);
  });
});
