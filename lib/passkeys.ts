import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { and, asc, eq, lte } from 'drizzle-orm';
import type { Db } from '@/db/client';
import {
  passkeys,
  users,
  webauthnChallenges,
  type Passkey,
  type WebauthnChallengePurpose,
} from '@/db/schema';
import { accountState } from './account-state';
import { userLocale } from './admins';
import { recordAudit } from './audit';
import { addMs, MINUTE, type Clock } from './clock';
import { env } from './env';
import { clearPasswordFailures, startSession, type LoginResult } from './login';
import { enqueueMail, enqueueRequiredMail } from './mail/outbox';
import { randomToken } from './random';
import { verifyCurrentPassword } from './reauth';
import type { RequestContext } from './request-context';
import type { SessionContext } from './sessions';
import { hashToken } from './tokens';
import { appUrl } from './urls';
import { DEFAULT_APP_NAME } from './validation/password';

/**
 * Passkeys (WebAuthn credentials): added by a signed-in owner after the password, used alone to sign
 * in (discoverable credentials, no username typed) or to prove the owner of a given account. Every
 * ceremony runs on a challenge stored in the database under the hash of a random handle that only
 * the browser's HttpOnly cookie carries: single use, five minutes, any instance can finish it.
 * The relying party is APP_URL: its host is the RP id, its origin the only origin accepted.
 * See docs/passkeys.md and docs/decisions/027.
 */

export const CHALLENGE_TTL_MS = 5 * MINUTE;
/** How long the browser waits for the person at the authenticator: the challenge outlives it. */
const CEREMONY_TIMEOUT_MS = 4 * MINUTE;
const CHALLENGE_BYTES = 32;

export function relyingParty(appUrlValue: string = env().APP_URL): { id: string; origin: string } {
  const url = new URL(appUrlValue);
  return { id: url.hostname, origin: url.origin };
}

// --- Challenges -----------------------------------------------------------------------------------

/**
 * Stores a fresh challenge and returns it with its handle, the value of the browser's cookie. The
 * handle is kept only as its SHA-256. Expired challenges of anyone are swept here, so the table never
 * holds more than five minutes' worth.
 */
async function issueChallenge(
  db: Db,
  purpose: WebauthnChallengePurpose,
  userId: string | null,
  clock: Clock,
): Promise<{ handle: string; challenge: string }> {
  const now = clock.now();
  const handle = randomToken();
  const challenge = randomToken(CHALLENGE_BYTES);
  await pruneWebauthnChallenges(db, clock);
  await db.insert(webauthnChallenges).values({
    handleHash: hashToken(handle),
    purpose,
    challenge,
    userId,
    expiresAt: addMs(now, CHALLENGE_TTL_MS),
    createdAt: now,
  });
  return { handle, challenge };
}

/**
 * Challenges past their five minutes, which nobody can answer any more: swept each time a challenge
 * is made, and by the periodic maintenance when none is made for a while (lib/maintenance.ts).
 */
export async function pruneWebauthnChallenges(db: Db, clock: Clock): Promise<number> {
  const deleted = await db
    .delete(webauthnChallenges)
    .where(lte(webauthnChallenges.expiresAt, clock.now()))
    .returning({ handleHash: webauthnChallenges.handleHash });
  return deleted.length;
}

/**
 * Takes the challenge a handle names, once: it is deleted whether or not it still applies, so a
 * second answer to it finds nothing. Undefined when missing, expired, for another purpose or another
 * account.
 */
export async function consumeChallenge(
  db: Db,
  input: { handle: string | undefined; purpose: WebauthnChallengePurpose; userId: string | null },
  clock: Clock,
): Promise<string | undefined> {
  if (!input.handle || input.handle.length > 100) return undefined;
  const [row] = await db
    .delete(webauthnChallenges)
    .where(eq(webauthnChallenges.handleHash, hashToken(input.handle)))
    .returning();
  if (!row || row.expiresAt.getTime() <= clock.now().getTime()) return undefined;
  if (row.purpose !== input.purpose || row.userId !== input.userId) return undefined;
  return row.challenge;
}

// --- Reading --------------------------------------------------------------------------------------

export type PasskeySummary = Pick<Passkey, 'id' | 'name' | 'createdAt' | 'lastUsedAt' | 'backedUp'>;

export async function listPasskeys(db: Db, userId: string): Promise<PasskeySummary[]> {
  return db
    .select({
      id: passkeys.id,
      name: passkeys.name,
      createdAt: passkeys.createdAt,
      lastUsedAt: passkeys.lastUsedAt,
      backedUp: passkeys.backedUp,
    })
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(asc(passkeys.createdAt));
}

function transportsOf(passkey: Pick<Passkey, 'transports'>): AuthenticatorTransportFuture[] {
  return passkey.transports as AuthenticatorTransportFuture[];
}

// --- Adding ---------------------------------------------------------------------------------------

type Busy = { ok: false; code: 'busy'; retryAfterSeconds: number };

export type BeginRegistrationResult =
  | { ok: true; handle: string; options: PublicKeyCredentialCreationOptionsJSON }
  | { ok: false; code: 'wrong_password' }
  | Busy;

/**
 * Step one of adding a passkey: the current password (S41, with the sign-in throttle of
 * lib/reauth.ts), then the options for the browser. The challenge is bound to the account, so the
 * password proof travels with it to step two. Resident keys are required, so every passkey can sign
 * in without a username; the account's passkeys are excluded, so one authenticator is not added twice.
 */
export async function beginPasskeyRegistration(
  db: Db,
  input: { userId: string; currentPassword: string },
  context: RequestContext,
  clock: Clock,
): Promise<BeginRegistrationResult> {
  const reauth = await verifyCurrentPassword(db, input.userId, input.currentPassword, context, clock);
  if (!reauth.ok) return reauth;
  const [user] = await db.select().from(users).where(eq(users.id, input.userId)).limit(1);
  if (!user) return { ok: false, code: 'wrong_password' };
  const existing = await db
    .select({ credentialId: passkeys.credentialId, transports: passkeys.transports })
    .from(passkeys)
    .where(eq(passkeys.userId, user.id));
  const { handle, challenge } = await issueChallenge(db, 'register', user.id, clock);
  const options = await generateRegistrationOptions({
    rpName: DEFAULT_APP_NAME,
    rpID: relyingParty().id,
    userName: user.email,
    userDisplayName: user.fullName || user.username,
    userID: userHandleOf(user.id),
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: transportsOf(p) })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  return { ok: true, handle, options };
}

/** The WebAuthn user handle: the account id's 16 bytes, no personal data (the spec asks for none). */
function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId.replaceAll('-', ''), 'hex'));
}

function userIdOfHandle(userHandle: string | undefined): string | undefined {
  if (!userHandle) return undefined;
  const hex = Buffer.from(userHandle, 'base64url').toString('hex');
  if (hex.length !== 32) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type FinishRegistrationResult =
  { ok: true; passkeyId: string } | { ok: false; code: 'expired' | 'invalid' | 'already_registered' };

/**
 * Step two: the authenticator's answer to the challenge of step one. A verified answer is stored, and
 * the owner is mailed in the same transaction (S60): a mail that cannot be queued leaves no passkey.
 */
export async function finishPasskeyRegistration(
  db: Db,
  input: { userId: string; handle: string | undefined; name: string; response: RegistrationResponseJSON },
  context: RequestContext,
  clock: Clock,
): Promise<FinishRegistrationResult> {
  const challenge = await consumeChallenge(
    db,
    { handle: input.handle, purpose: 'register', userId: input.userId },
    clock,
  );
  if (!challenge) return { ok: false, code: 'expired' };
  const rp = relyingParty();
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch {
    // The library throws for every malformed or mismatched answer: all of them are a refusal.
    return { ok: false, code: 'invalid' };
  }
  if (!verification.verified) return { ok: false, code: 'invalid' };
  const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;

  return db.transaction(async (tx): Promise<FinishRegistrationResult> => {
    const [user] = await tx.select().from(users).where(eq(users.id, input.userId)).limit(1);
    if (!user) return { ok: false, code: 'expired' };
    const [added] = await tx
      .insert(passkeys)
      .values({
        userId: user.id,
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: credential.transports ?? [],
        deviceType: credentialDeviceType,
        backedUp: credentialBackedUp,
        name: input.name,
        createdAt: clock.now(),
      })
      .onConflictDoNothing({ target: passkeys.credentialId })
      .returning({ id: passkeys.id });
    if (!added) return { ok: false, code: 'already_registered' };
    await recordAudit(
      tx,
      {
        action: 'passkey.added',
        userId: user.id,
        actorId: user.id,
        meta: { passkeyId: added.id, name: input.name },
        ...context,
      },
      clock,
    );
    await enqueueRequiredMail(tx, {
      to: user.email,
      template: 'passkey-added',
      props: {
        username: user.username,
        passkeyName: input.name,
        passkeysUrl: appUrl('/account/passkeys'),
        forgotPasswordUrl: appUrl('/forgot-password'),
      },
      locale: userLocale(user),
      clock,
    });
    return { ok: true, passkeyId: added.id };
  });
}

// --- Renaming and removing ------------------------------------------------------------------------

export async function renamePasskey(
  db: Db,
  input: { userId: string; passkeyId: string; name: string },
  context: RequestContext,
  clock: Clock,
): Promise<{ ok: true } | { ok: false; code: 'not_found' }> {
  return db.transaction(async (tx) => {
    const [renamed] = await tx
      .update(passkeys)
      .set({ name: input.name })
      .where(and(eq(passkeys.id, input.passkeyId), eq(passkeys.userId, input.userId)))
      .returning({ id: passkeys.id });
    if (!renamed) return { ok: false, code: 'not_found' } as const;
    await recordAudit(
      tx,
      {
        action: 'passkey.renamed',
        userId: input.userId,
        actorId: input.userId,
        meta: { passkeyId: renamed.id, name: input.name },
        ...context,
      },
      clock,
    );
    return { ok: true } as const;
  });
}

/**
 * The record of passkeys that went: an audit row each and a mail to the owner each (S60), in the
 * caller's transaction. Not a required mail: a refused mail must not keep a passkey its owner or an
 * admin wants gone.
 */
async function noteRemovals(
  tx: Db,
  removed: { id: string; name: string }[],
  input: { userId: string; actorId: string | null; byAdmin: boolean; meta: Record<string, unknown> },
  context: RequestContext,
  clock: Clock,
): Promise<void> {
  const [user] = await tx.select().from(users).where(eq(users.id, input.userId)).limit(1);
  for (const passkey of removed) {
    await recordAudit(
      tx,
      {
        action: 'passkey.removed',
        userId: input.userId,
        ...context,
        actorId: input.actorId,
        meta: { passkeyId: passkey.id, name: passkey.name, ...input.meta },
      },
      clock,
    );
    if (!user) continue;
    await enqueueMail(tx, {
      to: user.email,
      template: 'passkey-removed',
      props: {
        username: user.username,
        passkeyName: passkey.name,
        byAdmin: input.byAdmin,
        passkeysUrl: appUrl('/account/passkeys'),
      },
      locale: userLocale(user),
      clock,
    });
  }
}

/**
 * Removes one passkey of an account, by its owner or by an admin (`actorId` says who). Audited, and
 * the owner is mailed either way (S60). Another account's passkey id is `not_found`.
 */
export async function removePasskey(
  db: Db,
  input: { userId: string; passkeyId: string; actorId: string },
  context: RequestContext,
  clock: Clock,
): Promise<{ ok: true } | { ok: false; code: 'not_found' }> {
  return db.transaction(async (tx) => {
    const removed = await tx
      .delete(passkeys)
      .where(and(eq(passkeys.id, input.passkeyId), eq(passkeys.userId, input.userId)))
      .returning({ id: passkeys.id, name: passkeys.name });
    if (removed.length === 0) return { ok: false, code: 'not_found' } as const;
    const byAdmin = input.actorId !== input.userId;
    await noteRemovals(
      tx,
      removed,
      { userId: input.userId, actorId: input.actorId, byAdmin, meta: byAdmin ? { byAdmin: true } : {} },
      context,
      clock,
    );
    return { ok: true } as const;
  });
}

/**
 * Taking the account back (S60): the owner's "this wasn't me" or an admin lock removes every passkey,
 * since whoever had the account may have added one. In the caller's transaction; each is audited and
 * mailed. Returns how many went.
 */
export async function clearPasskeys(
  tx: Db,
  input: { userId: string; reason: 'email_change_not_me' | 'admin_lock'; actorId: string | null },
  context: RequestContext,
  clock: Clock,
): Promise<number> {
  const removed = await tx
    .delete(passkeys)
    .where(eq(passkeys.userId, input.userId))
    .returning({ id: passkeys.id, name: passkeys.name });
  await noteRemovals(
    tx,
    removed,
    {
      userId: input.userId,
      actorId: input.actorId,
      byAdmin: input.reason === 'admin_lock',
      meta: { reason: input.reason },
    },
    context,
    clock,
  );
  return removed.length;
}

// --- Assertions -----------------------------------------------------------------------------------

type AssertionFailure = { ok: false; code: 'expired' | 'invalid' };

/**
 * Checks an assertion against a stored passkey and, if it holds, moves the counter forward. A counter
 * that does not move forward (for an authenticator that keeps one) is a cloned key: refused. The
 * update is conditional on the counter read, so of two answers racing with one counter, one wins.
 */
async function checkAssertion(
  db: Db,
  passkey: Passkey,
  challenge: string,
  response: AuthenticationResponseJSON,
  clock: Clock,
): Promise<boolean> {
  const rp = relyingParty();
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
        counter: passkey.counter,
        transports: transportsOf(passkey),
      },
    });
  } catch {
    // Signature, origin, RP id, user verification or counter: the library throws for each.
    return false;
  }
  if (!verification.verified) return false;
  const { newCounter, credentialBackedUp } = verification.authenticationInfo;
  const [moved] = await db
    .update(passkeys)
    .set({ counter: newCounter, backedUp: credentialBackedUp, lastUsedAt: clock.now() })
    .where(and(eq(passkeys.id, passkey.id), eq(passkeys.counter, passkey.counter)))
    .returning({ id: passkeys.id });
  return Boolean(moved);
}

async function findPasskey(db: Db, credentialId: string): Promise<Passkey | undefined> {
  if (credentialId.length > 1024) return undefined;
  const [row] = await db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId)).limit(1);
  return row;
}

export type BeginAssertionResult = { handle: string; options: PublicKeyCredentialRequestOptionsJSON };

/** Options for a username-less sign-in: no credentials listed, the authenticator offers its own. */
export async function beginPasskeySignIn(db: Db, clock: Clock): Promise<BeginAssertionResult> {
  const { handle, challenge } = await issueChallenge(db, 'sign_in', null, clock);
  const options = await generateAuthenticationOptions({
    rpID: relyingParty().id,
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'required',
  });
  return { handle, options };
}

/**
 * Sign-in with a passkey alone. A verified assertion ends like a password sign-in
 * (startSession: session, audit, new-device notice) and under the same rules: only an active
 * account gets a session; an unverified, pending or rejected one is told so, a locked one learns
 * nothing (S21, S44). Anything else, an unknown or removed passkey included, is `invalid_credentials`
 * and counts against the address like a wrong password.
 */
export async function signInWithPasskey(
  db: Db,
  input: { handle: string | undefined; response: AuthenticationResponseJSON },
  context: SessionContext,
  clock: Clock,
): Promise<LoginResult> {
  const audit = { ip: context.ip ?? null, userAgent: context.userAgent };
  const refuse = async (userId: string | null, reason: string): Promise<LoginResult> => {
    await recordAudit(
      db,
      { action: 'login.failed', userId, meta: { method: 'passkey', reason }, ...audit },
      clock,
    );
    return { ok: false, code: 'invalid_credentials' };
  };

  const challenge = await consumeChallenge(
    db,
    { handle: input.handle, purpose: 'sign_in', userId: null },
    clock,
  );
  if (!challenge) return refuse(null, 'challenge');
  const passkey = await findPasskey(db, input.response.id);
  if (!passkey) return refuse(null, 'unknown_passkey');
  // The authenticator names the account it made the passkey for: it must be the passkey's owner.
  const named = userIdOfHandle(input.response.response.userHandle);
  if (named !== undefined && named !== passkey.userId) return refuse(passkey.userId, 'user_handle');
  if (!(await checkAssertion(db, passkey, challenge, input.response, clock))) {
    return refuse(passkey.userId, 'assertion');
  }

  const [user] = await db.select().from(users).where(eq(users.id, passkey.userId)).limit(1);
  if (!user) return refuse(null, 'unknown_passkey');
  const state = accountState(user);
  if (state === 'locked') return refuse(user.id, 'locked');
  if (state !== 'active') {
    await recordAudit(
      db,
      { action: 'login.failed', userId: user.id, meta: { method: 'passkey', reason: state }, ...audit },
      clock,
    );
    return { ok: false, code: state, user: { id: user.id, email: user.email } };
  }
  // Proof of the account as strong as the password: the run of password failures is over (S23).
  await clearPasswordFailures(db, user.id);
  const started = await db.transaction((tx) =>
    startSession(tx, user, { ip: context.ip ?? null, userAgent: context.userAgent }, clock, {
      method: 'passkey',
      passkeyId: passkey.id,
    }),
  );
  return { ok: true, user, ...started };
}

/**
 * Options for proving a known account with one of its passkeys (re-authentication, or the second
 * step of a sign-in): the challenge is bound to the account and lists its passkeys.
 */
export async function beginPasskeyVerification(
  db: Db,
  input: { userId: string },
  clock: Clock,
): Promise<BeginAssertionResult | { ok: false; code: 'no_passkeys' }> {
  const own = await db
    .select({ credentialId: passkeys.credentialId, transports: passkeys.transports })
    .from(passkeys)
    .where(eq(passkeys.userId, input.userId));
  if (own.length === 0) return { ok: false, code: 'no_passkeys' };
  const { handle, challenge } = await issueChallenge(db, 'verify_user', input.userId, clock);
  const options = await generateAuthenticationOptions({
    rpID: relyingParty().id,
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'required',
    allowCredentials: own.map((p) => ({ id: p.credentialId, transports: transportsOf(p) })),
  });
  return { handle, options };
}

/**
 * Verifies an assertion for a GIVEN account: the challenge must have been issued for it
 * (beginPasskeyVerification) and the passkey must be its own; another account's passkey is refused
 * even with a valid signature. Audited as `passkey.verified` with the purpose, or as a failure.
 */
export async function verifyPasskeyForUser(
  db: Db,
  input: {
    userId: string;
    handle: string | undefined;
    response: AuthenticationResponseJSON;
    purpose: string;
  },
  context: RequestContext,
  clock: Clock,
): Promise<{ ok: true; passkeyId: string } | AssertionFailure> {
  const challenge = await consumeChallenge(
    db,
    { handle: input.handle, purpose: 'verify_user', userId: input.userId },
    clock,
  );
  if (!challenge) return { ok: false, code: 'expired' };
  const passkey = await findPasskey(db, input.response.id);
  const valid =
    passkey !== undefined &&
    passkey.userId === input.userId &&
    (await checkAssertion(db, passkey, challenge, input.response, clock));
  await recordAudit(
    db,
    {
      action: valid ? 'passkey.verified' : 'passkey.failed',
      userId: input.userId,
      actorId: input.userId,
      meta: { purpose: input.purpose, ...(passkey ? { passkeyId: passkey.id } : {}) },
      ...context,
    },
    clock,
  );
  if (!valid || !passkey) return { ok: false, code: 'invalid' };
  return { ok: true, passkeyId: passkey.id };
}
