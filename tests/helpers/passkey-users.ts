import type { Db } from '@/db/client';
import type { User } from '@/db/schema';
import type { Clock } from '@/lib/clock';
import { logIn } from '@/lib/login';
import { beginPasskeyRegistration, finishPasskeyRegistration, relyingParty } from '@/lib/passkeys';
import { beginPasskeySecondStep } from '@/lib/two-factor';
import { SoftwarePasskey } from './software-passkey';
import { freshContext, TEST_PASSWORD } from './users';

/** Adds a passkey to `user` through the real registration flow; the returned software key answers for it. */
export async function addTestPasskey(
  db: Db,
  clock: Clock,
  user: Pick<User, 'id'>,
  name = 'Laptop',
): Promise<{ key: SoftwarePasskey; passkeyId: string }> {
  const key = new SoftwarePasskey(relyingParty().origin);
  const begun = await beginPasskeyRegistration(
    db,
    { userId: user.id, currentPassword: TEST_PASSWORD },
    freshContext(),
    clock,
  );
  if (!begun.ok) throw new Error(begun.code);
  const finished = await finishPasskeyRegistration(
    db,
    { userId: user.id, handle: begun.handle, name, response: key.register(begun.options) },
    freshContext(),
    clock,
  );
  if (!finished.ok) throw new Error(finished.code);
  return { key, passkeyId: finished.passkeyId };
}

/** The right password of an account with a second factor: the pending sign-in's token. */
export async function passwordStep(db: Db, clock: Clock, identifier: string): Promise<string> {
  const result = await logIn(db, { identifier, password: TEST_PASSWORD }, freshContext(), clock);
  if (result.ok || result.code !== 'second_factor_required') throw new Error('no second step');
  return result.pendingToken;
}

/** The challenge of a passkey second step for that pending sign-in. */
export async function beginPasskeyStep(db: Db, clock: Clock, pendingToken: string) {
  const begun = await beginPasskeySecondStep(db, { pendingToken }, clock);
  if (!begun.ok) throw new Error(begun.code);
  return begun;
}
