import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import { auditPause, clearPasswordFailures, releasePasswordAttempt, reservePasswordAttempt } from './login';
import { verifyPasskeyForUser } from './passkeys';
import { dummyVerify, verifyPassword } from './password';
import type { RequestContext } from './request-context';

export type ReauthResult =
  | { ok: true }
  | { ok: false; code: 'wrong_password' }
  | { ok: false; code: 'busy'; retryAfterSeconds: number };

/**
 * Proof for a sensitive change (S40, S41): the current password of the signed-in user. A wrong one
 * changes nothing and counts as a failed sign-in, with the same throttle and the same hard stop (S23):
 * the attempt is reserved before the hash is checked (S61), so a stolen session cannot be used to
 * guess the password, not even with parallel requests.
 */
export async function verifyCurrentPassword(
  db: Db,
  userId: string,
  password: string,
  context: RequestContext,
  clock: Clock,
): Promise<ReauthResult> {
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  const failures = user?.passwordHash ? await reservePasswordAttempt(db, userId, clock) : null;
  if (!user?.passwordHash || failures === null) {
    const dummy = await dummyVerify(password);
    if (!dummy.ok) return { ok: false, code: 'busy', retryAfterSeconds: dummy.retryAfterSeconds };
    return { ok: false, code: 'wrong_password' };
  }
  const result = await verifyPassword(password, user.passwordHash);
  if (!result.ok) {
    await releasePasswordAttempt(db, userId);
    return { ok: false, code: 'busy', retryAfterSeconds: result.retryAfterSeconds };
  }
  if (result.valid) {
    await clearPasswordFailures(db, userId);
    return { ok: true };
  }
  const audit = { actorId: userId, ...context };
  await recordAudit(
    db,
    { action: 'login.failed', userId, meta: { reason: 'reauthentication' }, ...audit },
    clock,
  );
  await auditPause(db, userId, failures, audit, clock);
  return { ok: false, code: 'wrong_password' };
}

/** What a person offers to prove they are the signed-in owner: the password, or a passkey's answer. */
export type ReauthProof =
  { password: string } | { passkey: { handle: string | undefined; response: AuthenticationResponseJSON } };

export type ReauthenticationResult = ReauthResult | { ok: false; code: 'passkey_refused' };

/**
 * Proof for a sensitive change (S41) by either means: the current password (verifyCurrentPassword,
 * with its throttle), or a fresh assertion of one of the account's own passkeys, made for a challenge
 * beginPasskeyVerification issued to this account (lib/passkeys.ts). `purpose` names the change in
 * the audit trail.
 */
export async function verifyReauthentication(
  db: Db,
  input: { userId: string; proof: ReauthProof; purpose: string },
  context: RequestContext,
  clock: Clock,
): Promise<ReauthenticationResult> {
  if ('password' in input.proof) {
    return verifyCurrentPassword(db, input.userId, input.proof.password, context, clock);
  }
  const result = await verifyPasskeyForUser(
    db,
    { userId: input.userId, purpose: input.purpose, ...input.proof.passkey },
    context,
    clock,
  );
  return result.ok ? { ok: true } : { ok: false, code: 'passkey_refused' };
}

/** A passkey's answer to a re-authentication challenge, with the handle the browser's cookie held. */
export type PasskeyAnswer = { handle: string | undefined; response: AuthenticationResponseJSON };

/**
 * How a sensitive flow's input carries its proof (S41): the current password, or a passkey's answer
 * instead. Callers that only know passwords (the JSON API, the CLI) keep passing `currentPassword`.
 */
export type ReauthInput =
  { currentPassword: string; passkey?: undefined } | { passkey: PasskeyAnswer; currentPassword?: undefined };

export function reauthProofOf(input: ReauthInput): ReauthProof {
  return input.passkey ? { passkey: input.passkey } : { password: input.currentPassword };
}
