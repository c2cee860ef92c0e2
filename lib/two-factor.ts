import { decodeBase32IgnorePadding, encodeBase32NoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, verifyHOTP } from '@oslojs/otp';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { and, count, eq, gt, inArray, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { pendingSignIns, settings, totpFactors, twoFactorRecoveryCodes, users, type User } from '@/db/schema';
import type { TwoFactorEvent } from '@/emails/two-factor-changed';
import { accountState } from './account-state';
import { userLocale } from './admins';
import { recordAudit } from './audit';
import { addMs, MINUTE, type Clock } from './clock';
import { startSession } from './login';
import { enqueueMail, enqueueRequiredMail } from './mail/outbox';
import { beginPasskeyVerification, verifyPasskeyForUser } from './passkeys';
import {
  findPendingSignIn,
  livePendingSignIn,
  MAX_PENDING_ATTEMPTS,
  requiresSecondFactor,
  reservePendingAttempt,
  voidPendingSignInIfSpent,
} from './pending-sign-in';
import { randomKey, randomString } from './random';
import { limits } from './rate-limit';
import { reauthProofOf, verifyCurrentPassword, verifyReauthentication, type ReauthInput } from './reauth';
import type { RequestContext } from './request-context';
import { decryptSecret, encryptSecret } from './secrets';
import {
  hashToken,
  releaseAccountCodeAttempt,
  reserveAccountCodeAttempt,
  type AccountCodeBudget,
} from './tokens';
import { ENROLMENT_SETTINGS, enrolmentDue, type EnrolmentSettingRows } from './two-factor-requirement';
import { appUrl } from './urls';
import { normalizeRecoveryCode, RECOVERY_CODE_ALPHABET, RECOVERY_CODE_LENGTH } from './validation/two-factor';

/**
 * Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and single-use recovery codes
 * (decision 026). The shared key is kept encrypted (S53); a code is accepted once, in its 30-second
 * step or one step either side; recovery codes are kept as salted SHA-256 only. Every change, and
 * every recovery code used, is mailed to the owner (S60).
 */

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now that still count: phones whose clocks run a little off. */
export const TOTP_DRIFT_STEPS = 1;
/** RFC 4226 asks for at least 128 bits; 160 is what authenticator apps expect (SHA-1's size). */
const TOTP_KEY_BYTES = 20;
/** An enrolment not confirmed within this time starts again with a new key. */
export const ENROLMENT_TTL_MS = 15 * MINUTE;
export const RECOVERY_CODE_COUNT = 10;
/** Wrong second-factor codes an account may ever enter; past it an admin resets the factor. */
export const SECOND_FACTOR_FAILURES_LIFETIME = 100;

const SECOND_FACTOR_BUDGET: AccountCodeBudget = {
  daily: limits.secondFactorFailuresPerAccountDaily,
  counter: 'twoFactorFailureCount',
  lifetime: SECOND_FACTOR_FAILURES_LIFETIME,
};

type Busy = { ok: false; code: 'busy'; retryAfterSeconds: number };

// --- Codes ------------------------------------------------------------------------------------------

export function totpStepAt(date: Date): number {
  return Math.floor(date.getTime() / 1000 / TOTP_STEP_SECONDS);
}

/** The time step a code belongs to, now or one step either side, or null when it matches none. */
export function matchingTotpStep(key: Uint8Array, code: unknown, now: Date): number | null {
  if (typeof code !== 'string' || !/^[0-9]{6}$/.test(code)) return null;
  const current = totpStepAt(now);
  for (let offset = -TOTP_DRIFT_STEPS; offset <= TOTP_DRIFT_STEPS; offset += 1) {
    if (verifyHOTP(key, BigInt(current + offset), TOTP_DIGITS, code)) return current + offset;
  }
  return null;
}

function keyOf(secretEncrypted: string): Uint8Array {
  return decodeBase32IgnorePadding(decryptSecret(secretEncrypted));
}

/**
 * Accepts a code of the account's confirmed app once: the step it matched is stored by a conditional
 * UPDATE that only a step later than the last accepted one passes, so a replayed code, an older one,
 * and the loser of two concurrent submissions of one code are all refused.
 */
async function acceptTotpCode(db: Db, userId: string, code: unknown, clock: Clock): Promise<boolean> {
  const [factor] = await db
    .select()
    .from(totpFactors)
    .where(and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt)))
    .limit(1);
  if (!factor) return false;
  const step = matchingTotpStep(keyOf(factor.secretEncrypted), code, clock.now());
  if (step === null) return false;
  const accepted = await db
    .update(totpFactors)
    .set({ lastUsedStep: step })
    .where(
      and(
        eq(totpFactors.userId, userId),
        isNotNull(totpFactors.confirmedAt),
        or(isNull(totpFactors.lastUsedStep), lt(totpFactors.lastUsedStep, step)),
      ),
    )
    .returning({ userId: totpFactors.userId });
  return accepted.length === 1;
}

// Salted with the account id: equal codes of two accounts never share a hash.
function hashRecoveryCode(userId: string, normalized: string): string {
  return hashToken(`${userId}:${normalized}`);
}

/** Ten fresh codes replace the account's earlier ones; returned for showing once, as xxxxx-xxxxx. */
async function replaceRecoveryCodes(tx: Db, userId: string, clock: Clock): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    randomString(RECOVERY_CODE_LENGTH, RECOVERY_CODE_ALPHABET),
  );
  await tx.delete(twoFactorRecoveryCodes).where(eq(twoFactorRecoveryCodes.userId, userId));
  await tx
    .insert(twoFactorRecoveryCodes)
    .values(
      codes.map((code) => ({ userId, codeHash: hashRecoveryCode(userId, code), createdAt: clock.now() })),
    );
  const half = RECOVERY_CODE_LENGTH / 2;
  return codes.map((code) => `${code.slice(0, half)}-${code.slice(half)}`);
}

/** Spends one unused recovery code of the account: one conditional UPDATE, so a code works once. */
async function useRecoveryCode(db: Db, userId: string, code: unknown, clock: Clock): Promise<boolean> {
  const normalized = normalizeRecoveryCode(code);
  if (normalized === null) return false;
  const used = await db
    .update(twoFactorRecoveryCodes)
    .set({ usedAt: clock.now() })
    .where(
      and(
        eq(twoFactorRecoveryCodes.userId, userId),
        eq(twoFactorRecoveryCodes.codeHash, hashRecoveryCode(userId, normalized)),
        isNull(twoFactorRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: twoFactorRecoveryCodes.id });
  return used.length === 1;
}

async function recoveryCodesLeft(db: Db, userId: string): Promise<number> {
  const [row] = await db
    .select({ left: count() })
    .from(twoFactorRecoveryCodes)
    .where(and(eq(twoFactorRecoveryCodes.userId, userId), isNull(twoFactorRecoveryCodes.usedAt)));
  return row?.left ?? 0;
}

// --- What the account has ---------------------------------------------------------------------------

export interface TwoFactorStatus {
  totp: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
}

export async function twoFactorStatus(db: Db, userId: string): Promise<TwoFactorStatus> {
  const [factor] = await db
    .select({ confirmedAt: totpFactors.confirmedAt })
    .from(totpFactors)
    .where(and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt)))
    .limit(1);
  return {
    totp: Boolean(factor),
    enabledAt: factor?.confirmedAt ?? null,
    recoveryCodesLeft: factor ? await recoveryCodesLeft(db, userId) : 0,
  };
}

function twoFactorMail(user: User, event: TwoFactorEvent, clock: Clock, codesLeft = 0) {
  return {
    to: user.email,
    template: 'two-factor-changed' as const,
    locale: userLocale(user),
    props: {
      username: user.username,
      event,
      recoveryCodesLeft: codesLeft,
      twoFactorUrl: appUrl('/account/two-factor'),
      forgotPasswordUrl: appUrl('/forgot-password'),
    },
    clock,
  };
}

async function userById(db: Db, userId: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  return user;
}

// --- Enrolment --------------------------------------------------------------------------------------

export type StartEnrolmentResult =
  | {
      ok: true;
      /** The shared key in base32, for typing into the app by hand. */
      secret: string;
      /** The otpauth:// URI the QR code carries. */
      uri: string;
    }
  | { ok: false; code: 'wrong_password' | 'passkey_refused' | 'already_enabled' }
  | Busy;

/**
 * Step one at /account/two-factor: the current password (S41), then a new key, stored encrypted but
 * not yet in force: sign-in asks for codes only once a first code confirms the app has it.
 */
export async function startTotpEnrolment(
  db: Db,
  input: { userId: string; issuer: string } & ReauthInput,
  context: RequestContext,
  clock: Clock,
): Promise<StartEnrolmentResult> {
  const reauth = await verifyReauthentication(
    db,
    { userId: input.userId, proof: reauthProofOf(input), purpose: 'two_factor_enrolment' },
    context,
    clock,
  );
  if (!reauth.ok) return reauth;
  const user = await userById(db, input.userId);
  if (!user) return { ok: false, code: 'wrong_password' };
  if ((await twoFactorStatus(db, user.id)).totp) return { ok: false, code: 'already_enabled' };

  const key = randomKey(TOTP_KEY_BYTES);
  const secret = encodeBase32NoPadding(key);
  const row = { secretEncrypted: encryptSecret(secret), lastUsedStep: null, createdAt: clock.now() };
  // Only over an unconfirmed row: a concurrent confirmation keeps the key it confirmed.
  const stored = await db
    .insert(totpFactors)
    .values({ userId: user.id, ...row })
    .onConflictDoUpdate({ target: totpFactors.userId, set: row, setWhere: isNull(totpFactors.confirmedAt) })
    .returning({ userId: totpFactors.userId });
  if (stored.length === 0) return { ok: false, code: 'already_enabled' };
  const uri = createTOTPKeyURI(input.issuer, user.email, key, TOTP_STEP_SECONDS, TOTP_DIGITS);
  return { ok: true, secret, uri };
}

export type ConfirmEnrolmentResult =
  { ok: true; recoveryCodes: string[] } | { ok: false; code: 'wrong_code' | 'expired' };

/**
 * Step two: a first code from the app puts it in force, with ten recovery codes shown once; the
 * owner is mailed in the same transaction, or nothing changes.
 */
export async function confirmTotpEnrolment(
  db: Db,
  input: { userId: string; code: string },
  context: RequestContext,
  clock: Clock,
): Promise<ConfirmEnrolmentResult> {
  const user = await userById(db, input.userId);
  const [factor] = await db
    .select()
    .from(totpFactors)
    .where(
      and(
        eq(totpFactors.userId, input.userId),
        isNull(totpFactors.confirmedAt),
        gt(totpFactors.createdAt, addMs(clock.now(), -ENROLMENT_TTL_MS)),
      ),
    )
    .limit(1);
  if (!user || !factor) return { ok: false, code: 'expired' };
  const step = matchingTotpStep(keyOf(factor.secretEncrypted), input.code, clock.now());
  if (step === null) return { ok: false, code: 'wrong_code' };

  return db.transaction(async (tx): Promise<ConfirmEnrolmentResult> => {
    const confirmed = await tx
      .update(totpFactors)
      .set({ confirmedAt: clock.now(), lastUsedStep: step })
      .where(
        and(
          eq(totpFactors.userId, user.id),
          eq(totpFactors.secretEncrypted, factor.secretEncrypted),
          isNull(totpFactors.confirmedAt),
        ),
      )
      .returning({ userId: totpFactors.userId });
    if (confirmed.length === 0) return { ok: false, code: 'expired' };
    const recoveryCodes = await replaceRecoveryCodes(tx, user.id, clock);
    await recordAudit(
      tx,
      { action: 'two_factor.enabled', userId: user.id, actorId: user.id, ...context },
      clock,
    );
    await enqueueRequiredMail(tx, twoFactorMail(user, 'added', clock));
    return { ok: true, recoveryCodes };
  });
}

export type RegenerateCodesResult =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; code: 'wrong_password' | 'passkey_refused' | 'not_enabled' }
  | Busy;

/** New recovery codes for the old ones (the password first): the old ones stop working at once. */
export async function regenerateRecoveryCodes(
  db: Db,
  input: { userId: string } & ReauthInput,
  context: RequestContext,
  clock: Clock,
): Promise<RegenerateCodesResult> {
  const reauth = await verifyReauthentication(
    db,
    { userId: input.userId, proof: reauthProofOf(input), purpose: 'recovery_codes' },
    context,
    clock,
  );
  if (!reauth.ok) return reauth;
  const user = await userById(db, input.userId);
  if (!user || !(await twoFactorStatus(db, user.id)).totp) return { ok: false, code: 'not_enabled' };
  return db.transaction(async (tx) => {
    const recoveryCodes = await replaceRecoveryCodes(tx, user.id, clock);
    await recordAudit(
      tx,
      { action: 'two_factor.recovery_codes_replaced', userId: user.id, actorId: user.id, ...context },
      clock,
    );
    await enqueueRequiredMail(tx, twoFactorMail(user, 'recovery_codes_replaced', clock, RECOVERY_CODE_COUNT));
    return { ok: true as const, recoveryCodes };
  });
}

/** Removes the app and the recovery codes; true when there was a factor to remove. */
async function removeFactors(tx: Db, userId: string): Promise<boolean> {
  const removed = await tx
    .delete(totpFactors)
    .where(and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt)))
    .returning({ userId: totpFactors.userId });
  await tx.delete(twoFactorRecoveryCodes).where(eq(twoFactorRecoveryCodes.userId, userId));
  return removed.length === 1;
}

/**
 * Taking the account back (S60): the owner's "this wasn't me" or an admin lock removes an
 * authenticator app and its recovery codes, which whoever had the account may have enrolled. In the
 * caller's transaction; audited and mailed when there was one. Returns whether one went.
 */
export async function clearTwoFactor(
  tx: Db,
  input: { userId: string; reason: 'email_change_not_me' | 'admin_lock'; actorId: string | null },
  context: RequestContext,
  clock: Clock,
): Promise<boolean> {
  const user = await userById(tx, input.userId);
  if (!user || !(await removeFactors(tx, user.id))) return false;
  await recordAudit(
    tx,
    {
      action: 'two_factor.disabled',
      userId: user.id,
      ...context,
      actorId: input.actorId,
      meta: { reason: input.reason },
    },
    clock,
  );
  // Not a required mail: a refused mail must not undo the lock or the "this wasn't me" that called this.
  await enqueueMail(tx, twoFactorMail(user, 'removed', clock));
  return true;
}

export type DisableResult =
  { ok: true } | { ok: false; code: 'wrong_password' | 'wrong_code' | 'not_enabled' | 'capped' } | Busy;

/**
 * Turning two-factor sign-in off takes the password and a current code (issue 14): a stolen session
 * with the password alone cannot strip the second factor. The code counts against the account's
 * second-factor budget like one typed at sign-in.
 */
export async function disableTwoFactor(
  db: Db,
  input: { userId: string; currentPassword: string; code: string },
  context: RequestContext,
  clock: Clock,
): Promise<DisableResult> {
  const reauth = await verifyCurrentPassword(db, input.userId, input.currentPassword, context, clock);
  if (!reauth.ok) return reauth;
  const user = await userById(db, input.userId);
  if (!user || !(await twoFactorStatus(db, user.id)).totp) return { ok: false, code: 'not_enabled' };
  if (!(await reserveAccountCodeAttempt(db, user.id, SECOND_FACTOR_BUDGET, clock))) {
    return { ok: false, code: 'capped' };
  }
  if (!(await acceptTotpCode(db, user.id, input.code, clock))) {
    await recordAudit(
      db,
      {
        action: 'login.second_factor_failed',
        userId: user.id,
        actorId: user.id,
        meta: { reason: 'disable' },
        ...context,
      },
      clock,
    );
    return { ok: false, code: 'wrong_code' };
  }
  await releaseAccountCodeAttempt(db, user.id, SECOND_FACTOR_BUDGET, clock);
  return db.transaction(async (tx) => {
    if (!(await removeFactors(tx, user.id))) return { ok: false as const, code: 'not_enabled' as const };
    await recordAudit(
      tx,
      { action: 'two_factor.disabled', userId: user.id, actorId: user.id, ...context },
      clock,
    );
    await enqueueRequiredMail(tx, twoFactorMail(user, 'removed', clock));
    return { ok: true as const };
  });
}

export type AdminResetResult = { ok: true } | { ok: false; code: 'not_found' | 'not_enabled' };

/**
 * An admin removes a user's second factor (a lost phone and no recovery code): audited with the
 * admin as actor, the owner mailed, and the account's spent budget of wrong codes given back.
 */
export async function resetTwoFactorByAdmin(
  db: Db,
  input: { userId: string; adminId: string },
  context: RequestContext,
  clock: Clock,
): Promise<AdminResetResult> {
  const user = await userById(db, input.userId);
  if (!user) return { ok: false, code: 'not_found' };
  return db.transaction(async (tx): Promise<AdminResetResult> => {
    if (!(await removeFactors(tx, user.id))) return { ok: false, code: 'not_enabled' };
    await tx.update(users).set({ twoFactorFailureCount: 0 }).where(eq(users.id, user.id));
    await recordAudit(
      tx,
      { action: 'two_factor.reset_by_admin', userId: user.id, actorId: input.adminId, ...context },
      clock,
    );
    await enqueueRequiredMail(tx, twoFactorMail(user, 'reset_by_admin', clock));
    return { ok: true };
  });
}

// --- The second step of sign-in ---------------------------------------------------------------------

export type SecondFactorKind = 'totp' | 'recovery_code';

export type CompleteSignInResult =
  { ok: true; user: User; sessionId: string; mailQueued: boolean } | { ok: false; code: 'expired' };

export type SecondFactorResult =
  | CompleteSignInResult
  | { ok: false; code: 'wrong_code'; attemptsLeft: number }
  | { ok: false; code: 'capped' };

/**
 * Ends a pending sign-in whose second factor was just verified: marks it used (once: a conditional
 * UPDATE) and makes the session as a password-only sign-in does (startSession), in the caller's
 * transaction. Any kind of factor finishes here: verify it against `userId` of the pending row, then
 * call this with the row's id.
 */
export async function completePendingSignIn(
  tx: Db,
  pendingId: string,
  context: RequestContext,
  clock: Clock,
  meta?: Record<string, unknown>,
): Promise<CompleteSignInResult> {
  const [pending] = await tx
    .update(pendingSignIns)
    .set({ usedAt: clock.now() })
    .where(and(eq(pendingSignIns.id, pendingId), livePendingSignIn(clock)))
    .returning({ userId: pendingSignIns.userId });
  const user = pending ? await userById(tx, pending.userId) : undefined;
  // Locked, rejected or deleted since the password step: no session by this route either (S44).
  if (!user || accountState(user) !== 'active') return { ok: false, code: 'expired' };
  const started = await startSession(tx, user, context, clock, meta);
  return { ok: true, user, ...started };
}

/** Thrown inside the transaction to undo a spent code when the sign-in cannot complete after all. */
class SignInNotCompleted extends Error {}

/**
 * The second step with an authenticator code or a recovery code. Each attempt is reserved before the
 * code is compared (S61): one on the pending sign-in (MAX_PENDING_ATTEMPTS, then it is void and the
 * password must be typed again) and one from the account's daily and lifetime budgets of wrong
 * second-factor codes; a right code gives its account reservation back. A used recovery code is
 * mailed to the owner with how many are left.
 */
export async function verifySecondFactor(
  db: Db,
  input: { pendingToken: unknown; kind: SecondFactorKind; code: string },
  context: RequestContext,
  clock: Clock,
): Promise<SecondFactorResult> {
  const pending = await findPendingSignIn(db, input.pendingToken, clock);
  if (!pending) return { ok: false, code: 'expired' };
  const attempts = await reservePendingAttempt(db, pending.id, clock);
  if (attempts === undefined) return { ok: false, code: 'expired' };
  const { userId } = pending;
  if (!(await reserveAccountCodeAttempt(db, userId, SECOND_FACTOR_BUDGET, clock))) {
    await recordAudit(
      db,
      { action: 'login.second_factor_failed', userId, meta: { reason: 'capped' }, ...context },
      clock,
    );
    return { ok: false, code: 'capped' };
  }

  try {
    const result = await db.transaction(async (tx) => {
      const accepted =
        input.kind === 'totp'
          ? await acceptTotpCode(tx, userId, input.code, clock)
          : await useRecoveryCode(tx, userId, input.code, clock);
      if (!accepted) return undefined;
      const completed = await completePendingSignIn(tx, pending.id, context, clock);
      if (!completed.ok) throw new SignInNotCompleted();
      if (input.kind === 'recovery_code') {
        await recordAudit(
          tx,
          { action: 'two_factor.recovery_code_used', userId, actorId: userId, ...context },
          clock,
        );
        const left = await recoveryCodesLeft(tx, userId);
        await enqueueRequiredMail(tx, twoFactorMail(completed.user, 'recovery_code_used', clock, left));
        return { ...completed, mailQueued: true };
      }
      return completed;
    });
    if (result) {
      await releaseAccountCodeAttempt(db, userId, SECOND_FACTOR_BUDGET, clock);
      return result;
    }
  } catch (error) {
    if (!(error instanceof SignInNotCompleted)) throw error;
    await releaseAccountCodeAttempt(db, userId, SECOND_FACTOR_BUDGET, clock);
    return { ok: false, code: 'expired' };
  }

  await recordAudit(
    db,
    {
      action: 'login.second_factor_failed',
      userId,
      meta: { kind: input.kind, attempts },
      ...context,
    },
    clock,
  );
  await voidPendingSignInIfSpent(db, pending.id, attempts, clock);
  return { ok: false, code: 'wrong_code', attemptsLeft: Math.max(0, MAX_PENDING_ATTEMPTS - attempts) };
}

export type BeginPasskeyStepResult =
  | { ok: true; handle: string; options: PublicKeyCredentialRequestOptionsJSON }
  | { ok: false; code: 'expired' | 'no_passkeys' };

/**
 * A passkey as the second step: a challenge bound to the pending sign-in's account that lists only
 * that account's passkeys (allowCredentials), so the browser offers no one else's. The handle goes in
 * the browser's WebAuthn cookie, as for every ceremony.
 */
export async function beginPasskeySecondStep(
  db: Db,
  input: { pendingToken: unknown },
  clock: Clock,
): Promise<BeginPasskeyStepResult> {
  const pending = await findPendingSignIn(db, input.pendingToken, clock);
  if (!pending) return { ok: false, code: 'expired' };
  const begun = await beginPasskeyVerification(db, { userId: pending.userId }, clock);
  if ('code' in begun) return { ok: false, code: 'no_passkeys' };
  return { ok: true, ...begun };
}

export type PasskeyStepResult =
  CompleteSignInResult | { ok: false; code: 'passkey_refused'; attemptsLeft: number };

/**
 * The second step with a passkey: the assertion must answer the challenge issued for the pending
 * sign-in's account and come from one of that account's own passkeys (verifyPasskeyForUser), so
 * another account's passkey cannot finish it. Each answer takes one of the pending sign-in's
 * attempts, like a code; a refused one is audited as `login.second_factor_failed`. A passkey answer
 * cannot be guessed, so it does not draw on the account's budget of wrong codes.
 */
export async function verifyPasskeySecondStep(
  db: Db,
  input: { pendingToken: unknown; handle: string | undefined; response: AuthenticationResponseJSON },
  context: RequestContext,
  clock: Clock,
): Promise<PasskeyStepResult> {
  const pending = await findPendingSignIn(db, input.pendingToken, clock);
  if (!pending) return { ok: false, code: 'expired' };
  const attempts = await reservePendingAttempt(db, pending.id, clock);
  if (attempts === undefined) return { ok: false, code: 'expired' };
  const { userId } = pending;
  const verified = await verifyPasskeyForUser(
    db,
    { userId, handle: input.handle, response: input.response, purpose: 'sign_in' },
    context,
    clock,
  );
  if (verified.ok) {
    return db.transaction((tx) =>
      completePendingSignIn(tx, pending.id, context, clock, {
        secondFactor: 'passkey',
        passkeyId: verified.passkeyId,
      }),
    );
  }
  await recordAudit(
    db,
    { action: 'login.second_factor_failed', userId, meta: { kind: 'passkey', attempts }, ...context },
    clock,
  );
  await voidPendingSignInIfSpent(db, pending.id, attempts, clock);
  return { ok: false, code: 'passkey_refused', attemptsLeft: Math.max(0, MAX_PENDING_ATTEMPTS - attempts) };
}

// --- Required by the platform -----------------------------------------------------------------------

/**
 * Whether a signed-in person must now set up two-factor sign-in before going on (the rule:
 * lib/two-factor-requirement.ts). Page views read it with the session (lib/sessions.ts); this reads
 * the same values on their own.
 */
export async function twoFactorEnrolmentDue(
  db: Db,
  user: { id: string; role: 'user' | 'admin' },
  clock: Clock,
): Promise<boolean> {
  const [settingRows, hasFactor, [account]] = await Promise.all([
    db
      .select({ key: settings.key, value: settings.value, at: settings.updatedAt })
      .from(settings)
      .where(inArray(settings.key, [...ENROLMENT_SETTINGS])),
    requiresSecondFactor(db, user.id),
    db.select({ createdAt: users.createdAt }).from(users).where(eq(users.id, user.id)).limit(1),
  ]);
  const rows: EnrolmentSettingRows = Object.fromEntries(settingRows.map(({ key, ...row }) => [key, row]));
  return enrolmentDue(
    { role: user.role, createdAt: account?.createdAt ?? new Date(0) },
    hasFactor,
    rows,
    clock.now(),
  );
}
