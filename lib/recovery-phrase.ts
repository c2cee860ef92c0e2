import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { entropyToMnemonic, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { and, eq, isNotNull, isNull, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users, type User } from '@/db/schema';
import type { RecoveryPhraseRemovalReason } from '@/emails/recovery-phrase-removed';
import { userLocale } from './admins';
import { recordAudit } from './audit';
import { addMs, MINUTE, type Clock } from './clock';
import { enqueueMail, enqueueRequiredMail } from './mail/outbox';
import { dummyVerify, hashPassword, verifyPassword } from './password';
import {
  checkNewPassword,
  checkPasswordPolicy,
  platformPasswordContext,
  type PasswordProblem,
} from './password-policy';
import { hitAll, limits } from './rate-limit';
import { reauthProofOf, verifyReauthentication, type ReauthInput } from './reauth';
import type { RequestContext } from './request-context';
import { appSecret } from './secrets';
import { revokeUserSessions } from './sessions';
import { voidAccountLinks } from './tokens';
import { appUrl } from './urls';
import { normalizePhrase, PHRASE_MAX_LENGTH, PHRASE_WORD_COUNT } from './validation/recovery-phrase';

export { normalizePhrase } from './validation/recovery-phrase';

/**
 * The recovery phrase: twelve words from the BIP39 English list (128 random bits plus a 4-bit
 * checksum) that let the owner set a new password when their inbox is gone. Only its argon2id hash is
 * kept; it is shown once, and spent by its first successful use. The owner is mailed whenever one is
 * saved, used or removed, and taking the account back removes it (S60). See docs/decisions/007 and 019.
 */

const PHRASE_ENTROPY_BYTES = 16;
/** Long enough to write twelve words on paper and type them back. */
export const CONFIRMATION_TTL_MS = 30 * MINUTE;
const CONFIRMATION_VERSION = 'v1';
const MAX_CONFIRMATION_LENGTH = 1000;

/** A new phrase from 128 bits of the system CSPRNG, as words separated by single spaces. */
export function generateRecoveryPhrase(): string {
  return entropyToMnemonic(randomBytes(PHRASE_ENTROPY_BYTES), wordlist);
}

/**
 * Twelve words from the list with a valid checksum. Says nothing about any account, so a typo is
 * answered at once without spending one of the owner's attempts: a word off the list always, a wrong
 * listed word or two swapped words 15 times in 16 (the 4-bit checksum).
 */
export function isWellFormedPhrase(normalized: string): boolean {
  if (normalized.length > PHRASE_MAX_LENGTH) return false;
  if (normalized.split(' ').length !== PHRASE_WORD_COUNT) return false;
  return validateMnemonic(normalized, wordlist);
}

export async function hasRecoveryPhrase(db: Db, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ hash: users.recoveryPhraseHash })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return Boolean(row?.hash);
}

// --- Creating a phrase: generate and show, then confirm and save -----------------------------------

type Busy = { ok: false; code: 'busy'; retryAfterSeconds: number };

export type CreateRecoveryPhraseResult =
  | {
      ok: true;
      /** Shown to the owner once; never stored, never logged. */
      phrase: string;
      /** Goes back with the typed phrase to confirmRecoveryPhrase (a hidden form field). */
      confirmation: string;
      expiresAt: Date;
    }
  | { ok: false; code: 'wrong_password' | 'passkey_refused' }
  | Busy;

export type ConfirmRecoveryPhraseResult =
  { ok: true } | { ok: false; code: 'mismatch' } | { ok: false; code: 'expired' } | Busy;

interface ConfirmationPayload {
  u: string;
  h: string;
  e: number;
}

function confirmationKey(): Buffer {
  return Buffer.from(hkdfSync('sha256', appSecret(), 'gatehouse', 'recovery-phrase-confirmation', 32));
}

/**
 * The MAC covers the payload and the account's current password and phrase hashes: changing either
 * voids every pending confirmation, and saving a phrase changes the phrase hash, so a confirmation
 * works once. No server-side state is needed for that.
 */
function confirmationMac(signed: string, user: Pick<User, 'passwordHash' | 'recoveryPhraseHash'>): Buffer {
  return createHmac('sha256', confirmationKey())
    .update(`${signed}\n${user.passwordHash ?? ''}\n${user.recoveryPhraseHash ?? ''}`, 'utf8')
    .digest();
}

function signConfirmation(payload: ConfirmationPayload, user: User): string {
  const signed = `${CONFIRMATION_VERSION}.${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
  return `${signed}.${confirmationMac(signed, user).toString('base64url')}`;
}

function openConfirmation(confirmation: string, user: User): ConfirmationPayload | undefined {
  if (confirmation.length > MAX_CONFIRMATION_LENGTH) return undefined;
  const [version, body, mac, ...rest] = confirmation.split('.');
  if (version !== CONFIRMATION_VERSION || !body || !mac || rest.length > 0) return undefined;
  const given = Buffer.from(mac, 'base64url');
  const expected = confirmationMac(`${version}.${body}`, user);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const payload = JSON.parse(
      Buffer.from(body, 'base64url').toString('utf8'),
    ) as Partial<ConfirmationPayload>;
    if (typeof payload.u !== 'string' || typeof payload.h !== 'string' || typeof payload.e !== 'number') {
      return undefined;
    }
    return { u: payload.u, h: payload.h, e: payload.e };
  } catch {
    return undefined;
  }
}

/**
 * Step one: the current password or one of the account's passkeys (S41), then a fresh phrase. Nothing is stored yet, so an abandoned
 * attempt leaves the previous phrase in force; the argon2 hash travels in the signed confirmation.
 */
export async function createRecoveryPhrase(
  db: Db,
  input: { userId: string } & ReauthInput,
  context: RequestContext,
  clock: Clock,
): Promise<CreateRecoveryPhraseResult> {
  const reauth = await verifyReauthentication(
    db,
    { userId: input.userId, proof: reauthProofOf(input), purpose: 'recovery_phrase' },
    context,
    clock,
  );
  if (!reauth.ok) return reauth;
  const [user] = await db.select().from(users).where(eq(users.id, input.userId)).limit(1);
  if (!user) return { ok: false, code: 'wrong_password' };

  const phrase = generateRecoveryPhrase();
  const hashed = await hashPassword(phrase);
  if (!hashed.ok) return hashed;
  const expiresAt = addMs(clock.now(), CONFIRMATION_TTL_MS);
  const confirmation = signConfirmation({ u: user.id, h: hashed.hash, e: expiresAt.getTime() }, user);
  return { ok: true, phrase, confirmation, expiresAt };
}

/**
 * Step two: the owner types the phrase back; only a phrase that matches the one just shown is saved,
 * replacing any earlier one. A confirmation that is forged, stale, for someone else or already used
 * answers `expired`: the owner starts again. The owner's address is mailed in the same transaction
 * (S60): whoever holds a session and the password can do this, and the mail is how the owner finds
 * out; a mail that cannot be queued leaves the phrase unsaved.
 */
export async function confirmRecoveryPhrase(
  db: Db,
  input: { userId: string; phrase: string; confirmation: string },
  context: RequestContext,
  clock: Clock,
): Promise<ConfirmRecoveryPhraseResult> {
  const [user] = await db.select().from(users).where(eq(users.id, input.userId)).limit(1);
  if (!user) return { ok: false, code: 'expired' };
  const pending = openConfirmation(input.confirmation, user);
  if (!pending || pending.u !== user.id || pending.e <= clock.now().getTime()) {
    return { ok: false, code: 'expired' };
  }

  const typed = normalizePhrase(input.phrase);
  if (typed.length > PHRASE_MAX_LENGTH) return { ok: false, code: 'mismatch' };
  const check = await verifyPassword(typed, pending.h);
  if (!check.ok) return check;
  if (!check.valid) return { ok: false, code: 'mismatch' };

  return db.transaction(async (tx): Promise<ConfirmRecoveryPhraseResult> => {
    // Only over the row the confirmation was signed for: a concurrent save or password change wins.
    const saved = await tx
      .update(users)
      .set({ recoveryPhraseHash: pending.h, updatedAt: clock.now() })
      .where(
        and(
          eq(users.id, user.id),
          sameOrNull(users.passwordHash, user.passwordHash),
          sameOrNull(users.recoveryPhraseHash, user.recoveryPhraseHash),
        ),
      )
      .returning({ id: users.id });
    if (saved.length === 0) return { ok: false, code: 'expired' };
    const replaced = user.recoveryPhraseHash !== null;
    await recordAudit(
      tx,
      {
        action: replaced ? 'recovery_phrase.replaced' : 'recovery_phrase.created',
        userId: user.id,
        actorId: user.id,
        ...context,
      },
      clock,
    );
    await enqueueRequiredMail(tx, {
      to: user.email,
      template: 'recovery-phrase-created',
      props: {
        username: user.username,
        replaced,
        forgotPasswordUrl: appUrl('/forgot-password'),
        securityUrl: appUrl('/account/recovery'),
      },
      locale: userLocale(user),
      clock,
    });
    return { ok: true };
  });
}

function sameOrNull(
  column: typeof users.passwordHash | typeof users.recoveryPhraseHash,
  value: string | null,
): SQL {
  return value === null ? isNull(column) : eq(column, value);
}

// --- Using a phrase -------------------------------------------------------------------------------

type PhraseFailure =
  | { ok: false; code: 'invalid' }
  | { ok: false; code: 'malformed' }
  | { ok: false; code: 'rate_limited'; retryAfterSeconds: number }
  | Busy;

export type ResetWithPhraseResult =
  | { ok: true; userId: string }
  | PhraseFailure
  | { ok: false; code: 'password_policy'; problem: PasswordProblem };

export type VerifyPhraseResult = { ok: true } | PhraseFailure;

const INVALID = { ok: false, code: 'invalid' } as const;

type UserWithPhrase = User & { recoveryPhraseHash: string };

/**
 * The shared core of every use: counts the attempt against the account and the address (5 an hour
 * each), then one argon2 verify whether or not the account exists or has a phrase, so neither the
 * answer nor its timing says which. Every attempt is audited.
 */
async function checkPhrase(
  db: Db,
  user: User | undefined,
  phrase: string,
  accountSubject: string,
  purpose: string,
  context: RequestContext,
  clock: Clock,
): Promise<{ ok: true; user: UserWithPhrase } | Exclude<PhraseFailure, { code: 'malformed' }>> {
  const failed = (reason: string) =>
    recordAudit(
      db,
      {
        action: 'recovery_phrase.failed',
        userId: user?.id ?? null,
        meta: { reason, purpose },
        ...context,
      },
      clock,
    );

  const limit = await hitAll(
    db,
    [
      [limits.recoveryPhrasePerIp, context.ip],
      [limits.recoveryPhrasePerAccount, accountSubject],
    ],
    clock,
  );
  if (!limit.ok) {
    await failed('rate_limited');
    return { ok: false, code: 'rate_limited', retryAfterSeconds: limit.retryAfterSeconds };
  }

  if (!user?.recoveryPhraseHash) {
    const dummy = await dummyVerify(phrase);
    if (!dummy.ok) return dummy;
    await failed(user ? 'no_phrase' : 'unknown_account');
    return INVALID;
  }
  const check = await verifyPassword(phrase, user.recoveryPhraseHash);
  if (!check.ok) return check;
  if (!check.valid) {
    await failed('wrong_phrase');
    return INVALID;
  }
  return { ok: true, user: user as UserWithPhrase };
}

function accountSubjectFor(user: User | undefined, email: string): string {
  // Keyed by the account, so every way of using the phrase shares one budget; an unknown address gets
  // a budget of its own, so the limit answers alike whether the account exists or not.
  return user ? `user:${user.id}` : `email:${email}`;
}

/**
 * "Forgot password" without the inbox: email, phrase and a new password. The right phrase sets the
 * password, clears the sign-in throttle, ends every session (S37), spends the phrase and tells the
 * owner by mail (S38), all in one transaction. Nobody is signed in, and a locked or rejected account
 * stays so: the phrase proves who you are, not that you may use the account (S44).
 */
export async function resetPasswordWithPhrase(
  db: Db,
  input: { email: string; phrase: string; newPassword: string },
  context: RequestContext,
  clock: Clock,
): Promise<ResetWithPhraseResult> {
  const email = input.email.trim().toLowerCase();
  const phrase = normalizePhrase(input.phrase);
  if (!isWellFormedPhrase(phrase)) return { ok: false, code: 'malformed' };

  // The parts of the policy that need no account, before an attempt is spent on a password that
  // would be refused anyway; the personal-data checks wait for the right phrase, so that they cannot
  // tell a stranger anything about the account.
  const platform = await platformPasswordContext(db);
  const general = checkPasswordPolicy(input.newPassword, platform);
  if (!general.ok) return { ok: false, code: 'password_policy', problem: general.problem };

  const [found] =
    email.length > 254 ? [] : await db.select().from(users).where(eq(users.email, email)).limit(1);
  const checked = await checkPhrase(
    db,
    found,
    phrase,
    accountSubjectFor(found, email),
    'password_reset',
    context,
    clock,
  );
  if (!checked.ok) return checked;
  const { user } = checked;

  const policy = await checkNewPassword(input.newPassword, {
    ...platform,
    username: user.username,
    email: user.email,
  });
  if (!policy.ok) {
    await recordAudit(
      db,
      {
        action: 'recovery_phrase.failed',
        userId: user.id,
        actorId: user.id,
        meta: { reason: 'password_policy', purpose: 'password_reset' },
        ...context,
      },
      clock,
    );
    return { ok: false, code: 'password_policy', problem: policy.problem };
  }
  const hashed = await hashPassword(input.newPassword);
  if (!hashed.ok) return hashed;

  return db.transaction(async (tx): Promise<ResetWithPhraseResult> => {
    const now = clock.now();
    // Conditional on the phrase just verified: of two concurrent uses, one wins.
    const updated = await tx
      .update(users)
      .set({
        passwordHash: hashed.hash,
        failedLoginCount: 0,
        loginThrottledUntil: null,
        recoveryPhraseHash: null,
        updatedAt: now,
      })
      .where(and(eq(users.id, user.id), eq(users.recoveryPhraseHash, user.recoveryPhraseHash)))
      .returning({ id: users.id });
    if (updated.length === 0) return INVALID;
    await revokeUserSessions(tx, user.id, clock);
    await voidAccountLinks(tx, user.id, clock);
    await recordAudit(
      tx,
      {
        action: 'recovery_phrase.used',
        userId: user.id,
        actorId: user.id,
        meta: { purpose: 'password_reset' },
        ...context,
      },
      clock,
    );
    await enqueueMail(tx, {
      to: user.email,
      template: 'recovery-phrase-used',
      props: { username: user.username, securityUrl: appUrl('/account/recovery') },
      locale: userLocale(user),
      clock,
    });
    return { ok: true, userId: user.id };
  });
}

/**
 * For flows that accept the phrase as proof of ownership in place of the inbox (an email change when
 * the old address is dead). Same limits, budget and audit as a reset; a right phrase is spent at once
 * and the owner gets the `recovery-phrase-used` mail (S60). The calling flow tells of its own change.
 */
export async function verifyRecoveryPhrase(
  db: Db,
  input: { userId: string; phrase: string; purpose: string },
  context: RequestContext,
  clock: Clock,
): Promise<VerifyPhraseResult> {
  const phrase = normalizePhrase(input.phrase);
  if (!isWellFormedPhrase(phrase)) return { ok: false, code: 'malformed' };
  const [found] = await db.select().from(users).where(eq(users.id, input.userId)).limit(1);
  const checked = await checkPhrase(db, found, phrase, `user:${input.userId}`, input.purpose, context, clock);
  if (!checked.ok) return checked;
  const { user } = checked;
  return db.transaction(async (tx): Promise<VerifyPhraseResult> => {
    const spent = await tx
      .update(users)
      .set({ recoveryPhraseHash: null, updatedAt: clock.now() })
      .where(and(eq(users.id, user.id), eq(users.recoveryPhraseHash, user.recoveryPhraseHash)))
      .returning({ id: users.id });
    if (spent.length === 0) return INVALID;
    await recordAudit(
      tx,
      {
        action: 'recovery_phrase.used',
        userId: user.id,
        actorId: user.id,
        meta: { purpose: input.purpose },
        ...context,
      },
      clock,
    );
    await enqueueMail(tx, {
      to: user.email,
      template: 'recovery-phrase-used',
      props: { username: user.username, securityUrl: appUrl('/account/recovery') },
      locale: userLocale(user),
      clock,
    });
    return { ok: true };
  });
}

// --- Removing a phrase when the owner takes the account back -------------------------------------

export type { RecoveryPhraseRemovalReason };

/**
 * Removes the account's recovery phrase, if it has one, because its owner is taking the account back
 * (S60): "this wasn't me" on an email change, an admin lock, a password reset by link or code. Whoever
 * held the account in between may have made the phrase, and it would outlive every other remedy.
 * Audited as `recovery_phrase.cleared` with the reason; the owner is mailed (`recovery-phrase-removed`)
 * so that they know to make a new one. Pass the caller's transaction. Returns whether a phrase went.
 */
export async function clearRecoveryPhrase(
  db: Db,
  input: { userId: string; reason: RecoveryPhraseRemovalReason; actorId: string | null },
  context: RequestContext,
  clock: Clock,
): Promise<boolean> {
  const [user] = await db
    .update(users)
    .set({ recoveryPhraseHash: null, updatedAt: clock.now() })
    .where(and(eq(users.id, input.userId), isNotNull(users.recoveryPhraseHash)))
    .returning();
  if (!user) return false;
  await recordAudit(
    db,
    {
      action: 'recovery_phrase.cleared',
      userId: user.id,
      ...context,
      actorId: input.actorId,
      meta: { reason: input.reason },
    },
    clock,
  );
  // Not a required mail: a refused mail must not undo the lock or reset that called this.
  await enqueueMail(db, {
    to: user.email,
    template: 'recovery-phrase-removed',
    props: { username: user.username, reason: input.reason, securityUrl: appUrl('/account/recovery') },
    locale: userLocale(user),
    clock,
  });
  return true;
}
