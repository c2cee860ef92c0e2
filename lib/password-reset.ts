import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users, type User } from '@/db/schema';
import { userLocale } from './admins';
import { recordAudit } from './audit';
import { MINUTE, type Clock } from './clock';
import { spendMailBudget } from './mail-budget';
import { enqueueMail, type EnqueueInput } from './mail/outbox';
import { hit, hitAll, limits } from './rate-limit';
import { clearRecoveryPhrase } from './recovery-phrase';
import type { RequestContext } from './request-context';
import {
  prepareNewPassword,
  setPasswordWithToken,
  storeNewPassword,
  type SetPasswordResult,
} from './set-password';
import { getSetting } from './settings';
import { consumeCode, findLiveToken, issueToken } from './tokens';
import { appUrl } from './urls';
import type { PasswordProblem } from './validation/password';

/**
 * Password reset by emailed link or 6-digit code (S28-S39). Asking for a reset changes nothing (S29);
 * the answer is the same for every address (S28), and mail goes only to confirmed addresses (S18).
 */

export type ResetRequestResult =
  { ok: true } | { ok: false; code: 'rate_limited'; retryAfterSeconds: number };

/**
 * The visible half of a reset request: the limits, the same for every address. The work that depends
 * on whether the account exists is returned as `deliver`, which the web layer runs after the response
 * (so the answer takes the same time either way) and tests or the API may await directly.
 */
export async function requestPasswordReset(
  db: Db,
  email: string,
  context: RequestContext,
  clock: Clock,
): Promise<ResetRequestResult & { deliver: () => Promise<void> }> {
  const limited = await hitAll(
    db,
    [
      [limits.forgotPasswordPerIp, context.ip],
      [limits.forgotPasswordPerEmail, email],
    ],
    clock,
  );
  if (!limited.ok) {
    return {
      ok: false,
      code: 'rate_limited',
      retryAfterSeconds: limited.retryAfterSeconds,
      deliver: async () => {},
    };
  }
  return { ok: true, deliver: () => sendResetMail(db, email, context, clock) };
}

async function sendResetMail(db: Db, email: string, context: RequestContext, clock: Clock): Promise<void> {
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  // Unknown, unconfirmed (S18) and rejected addresses get nothing, and nobody is told.
  if (!user || !user.emailVerifiedAt || user.rejectedAt) return;
  if (!(await spendMailBudget(db, clock))) return;
  const ttlMinutes = await getSetting(db, 'reset_password_ttl_minutes');
  await db.transaction(async (tx) => {
    await enqueueMail(tx, await issueResetMail(tx, user, ttlMinutes, clock));
    await recordAudit(tx, { action: 'password.reset_requested', userId: user.id, ...context }, clock);
  });
}

/**
 * Issues a new reset link and code for the account and returns the `reset-password` mail that carries
 * them, for the caller to queue in the same transaction. The newest request wins (S32): earlier links
 * and codes stop working.
 */
export async function issueResetMail(
  tx: Db,
  user: User,
  ttlMinutes: number,
  clock: Clock,
): Promise<EnqueueInput<'reset-password'>> {
  const token = await issueToken(tx, {
    userId: user.id,
    purpose: 'reset_password',
    ttlMs: ttlMinutes * MINUTE,
    clock,
    withCode: true,
    voidPrevious: true,
  });
  return {
    to: user.email,
    template: 'reset-password',
    locale: userLocale(user),
    props: {
      username: user.username,
      resetUrl: appUrl('/reset-password', { token: token.token }),
      code: token.code!,
      expiresInMinutes: ttlMinutes,
    },
    clock,
  };
}

/**
 * Completes a reset from the emailed link: new password, every session ended (S37), owner told (S38).
 * A completed reset (link or code) also removes the recovery phrase (S60, decision 019).
 */
export async function resetPasswordWithToken(
  db: Db,
  input: { token: unknown; password: string },
  context: RequestContext,
  clock: Clock,
): Promise<SetPasswordResult | { ok: false; code: 'rate_limited'; retryAfterSeconds: number }> {
  const limited = await hit(db, limits.linkEntryPerIp, context.ip, clock);
  if (!limited.ok) return { ok: false, code: 'rate_limited', retryAfterSeconds: limited.retryAfterSeconds };
  const result = await setPasswordWithToken(
    db,
    { token: input.token, password: input.password, purpose: 'reset_password' },
    context,
    clock,
    'password.reset_completed',
  );
  if (result.ok) {
    await clearRecoveryPhrase(
      db,
      { userId: result.userId, reason: 'password_reset', actorId: result.userId },
      context,
      clock,
    );
    await notifyPasswordChanged(db, result.userId, clock);
  }
  return result;
}

export type ResetLinkState =
  | { ok: true }
  | { ok: false; code: 'invalid_or_expired' }
  | { ok: false; code: 'rate_limited'; retryAfterSeconds: number };

/**
 * Whether an emailed reset link still works, without using it: for a client that asks before it
 * shows its new-password form. Counted like a submitted link, so it is no cheaper to probe with.
 */
export async function checkResetLink(
  db: Db,
  input: { token: unknown },
  context: RequestContext,
  clock: Clock,
): Promise<ResetLinkState> {
  const limited = await hit(db, limits.linkEntryPerIp, context.ip, clock);
  if (!limited.ok) return { ok: false, code: 'rate_limited', retryAfterSeconds: limited.retryAfterSeconds };
  const found = await findLiveToken(db, { token: input.token, purpose: 'reset_password', clock });
  return found.ok ? { ok: true } : { ok: false, code: 'invalid_or_expired' };
}

export type CodeResetResult =
  | { ok: true; userId: string }
  | { ok: false; code: 'invalid_or_expired' }
  | { ok: false; code: 'password_policy'; problem: PasswordProblem }
  | { ok: false; code: 'busy' | 'rate_limited'; retryAfterSeconds: number };

/**
 * Completes a reset with the 6-digit code, typed on another device with the address. Wrong codes are
 * counted on the token (the fifth voids it, S20), per IP, and per account a day and for good (S61:
 * past those caps only the emailed link works, and the answer stays `invalid_or_expired`, so it says
 * nothing a stranger could not already tell). The password is checked before the code is used, so a
 * refused password does not burn a right code.
 */
export async function resetPasswordWithCode(
  db: Db,
  input: { email: string; code: string; password: string },
  context: RequestContext,
  clock: Clock,
): Promise<CodeResetResult> {
  const limited = await hitAll(
    db,
    [
      [limits.codeEntryPerIp, context.ip],
      [limits.codeEntryPerEmail, input.email],
    ],
    clock,
  );
  if (!limited.ok) return { ok: false, code: 'rate_limited', retryAfterSeconds: limited.retryAfterSeconds };
  const [user] = await db.select().from(users).where(eq(users.email, input.email)).limit(1);
  if (!user) return { ok: false, code: 'invalid_or_expired' };

  const prepared = await prepareNewPassword(db, user, input.password);
  if (!prepared.ok) return prepared;

  const done = await db.transaction(async (tx) => {
    const used = await consumeCode(tx, {
      userId: user.id,
      code: input.code,
      purpose: 'reset_password',
      clock,
    });
    if (!used.ok) {
      // Every refused code of a known account is on record: wrong, past the caps, or with no live code.
      await recordAudit(
        tx,
        { action: 'password.reset_code_failed', userId: user.id, meta: { reason: used.reason }, ...context },
        clock,
      );
      return false;
    }
    await storeNewPassword(
      tx,
      { userId: user.id, hash: prepared.hash, action: 'password.reset_completed', meta: { via: 'code' } },
      context,
      clock,
    );
    return true;
  });
  if (!done) return { ok: false, code: 'invalid_or_expired' };
  await clearRecoveryPhrase(
    db,
    { userId: user.id, reason: 'password_reset', actorId: user.id },
    context,
    clock,
  );
  await notifyPasswordChanged(db, user.id, clock);
  return { ok: true, userId: user.id };
}

async function notifyPasswordChanged(db: Db, userId: string, clock: Clock): Promise<void> {
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) return;
  await enqueueMail(db, {
    to: user.email,
    template: 'password-changed',
    locale: userLocale(user),
    props: { username: user.username, forgotPasswordUrl: appUrl('/forgot-password') },
    clock,
  });
}
