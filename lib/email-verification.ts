import { and, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { tokens, users, type User } from '@/db/schema';
import { isBootstrapAdmin, listActiveAdmins, userLocale } from './admins';
import { recordAudit } from './audit';
import { MINUTE, type Clock } from './clock';
import { spendMailBudget } from './mail-budget';
import { enqueueMail, type EnqueueInput } from './mail/outbox';
import { verifyPassword } from './password';
import { cooldown, hit, hitAll, limits } from './rate-limit';
import type { RequestContext } from './request-context';
import { revokeUserSessions } from './sessions';
import { prepareNewPassword } from './set-password';
import { getSetting } from './settings';
import {
  consumeToken,
  findLiveToken,
  hashToken,
  isWellFormedToken,
  issueToken,
  voidAccountLinks,
} from './tokens';
import { appUrl } from './urls';
import type { PasswordProblem } from './validation/password';

/**
 * What the person confirming shows to prove the password is theirs (S56): the password submitted
 * with this registration, or a new one they choose on the confirmation page.
 */
export type VerifyEmailProof = { password: string } | { newPassword: string };

export type VerifyEmailInput = { token: unknown } & VerifyEmailProof;

export type VerifyEmailResult =
  | { ok: true; state: 'pending' | 'active' }
  | { ok: false; code: 'already_verified' | 'invalid_or_expired' | 'wrong_password' }
  | { ok: false; code: 'password_policy'; problem: PasswordProblem }
  | { ok: false; code: 'busy' | 'rate_limited'; retryAfterSeconds: number };

/**
 * Confirms an address from the emailed link. Whoever reads the inbox may not be whoever registered
 * (a stranger can sign up with someone else's address, S56), so the link alone is not enough: the
 * confirmer gives the password submitted with this registration, or sets a new one here. A wrong
 * password changes nothing and leaves the link live. Only then is the link used and the address
 * confirmed: with approval required the account becomes pending and every admin is told now, never
 * before; otherwise it is active and welcomed. Never signs anyone in (S44).
 */
export async function verifyEmail(
  db: Db,
  input: VerifyEmailInput,
  context: RequestContext,
  clock: Clock,
): Promise<VerifyEmailResult> {
  // Each submission may cost an argon2 run: the same budget as the other links' forms.
  const limited = await hit(db, limits.linkEntryPerIp, context.ip, clock);
  if (!limited.ok) return { ok: false, code: 'rate_limited', retryAfterSeconds: limited.retryAfterSeconds };

  const live = await findLiveToken(db, { token: input.token, purpose: 'verify_email', clock });
  if (!live.ok) return deadLinkAnswer(db, input.token);
  const [user] = await db.select().from(users).where(eq(users.id, live.token.userId)).limit(1);
  if (!user) return { ok: false, code: 'invalid_or_expired' };
  if (user.emailVerifiedAt) return { ok: false, code: 'already_verified' };

  let newHash: string | undefined;
  if ('newPassword' in input) {
    const prepared = await prepareNewPassword(db, user, input.newPassword);
    if (!prepared.ok) return prepared;
    newHash = prepared.hash;
  } else {
    // An unconfirmed account without a password (imported with --without-password-ok) is checked
    // against nothing: a dummy verify keeps the time the same, and only a new password confirms it.
    const checked = await verifyPassword(input.password, user.passwordHash ?? '');
    if (!checked.ok) return checked;
    if (!checked.valid || !user.passwordHash) {
      await recordAudit(
        db,
        { action: 'verification.failed', userId: user.id, meta: { reason: 'wrong_password' }, ...context },
        clock,
      );
      return { ok: false, code: 'wrong_password' };
    }
  }

  // Only open sign-up skips the admin: in the other modes an address confirmed by link (a sign-up left
  // from before the mode changed) waits for approval. Invited accounts never come this way.
  const requireApproval = (await getSetting(db, 'signup_mode')) !== 'open';
  const result = await db.transaction(async (tx): Promise<VerifyEmailResult> => {
    const consumed = await consumeToken(tx, { token: input.token, purpose: 'verify_email', clock });
    if (!consumed.ok) return { ok: false, code: 'invalid_or_expired' };
    const [current] = await tx
      .select()
      .from(users)
      .where(eq(users.id, consumed.token.userId))
      .limit(1)
      .for('update');
    if (!current) return { ok: false, code: 'invalid_or_expired' };
    if (current.emailVerifiedAt) return { ok: false, code: 'already_verified' };
    // The password proven above must still be the row's: nothing may have replaced it meanwhile.
    if (newHash === undefined && current.passwordHash !== user.passwordHash) {
      return { ok: false, code: 'invalid_or_expired' };
    }

    const now = clock.now();
    const admin = isBootstrapAdmin(current.email);
    const approved = admin || !requireApproval;
    await tx
      .update(users)
      .set({
        emailVerifiedAt: now,
        ...(approved && !current.approvedAt ? { approvedAt: now } : {}),
        ...(admin ? { role: 'admin' as const } : {}),
        // A new password replaces the registration's, and with it anything set before confirmation.
        ...(newHash !== undefined
          ? {
              passwordHash: newHash,
              recoveryPhraseHash: null,
              failedLoginCount: 0,
              loginThrottledUntil: null,
            }
          : {}),
        updatedAt: now,
      })
      .where(eq(users.id, current.id));
    if (newHash !== undefined) await revokeUserSessions(tx, current.id, clock);
    await voidAccountLinks(tx, current.id, clock);
    await recordAudit(
      tx,
      {
        action: 'user.email_verified',
        userId: current.id,
        actorId: current.id,
        meta: { proof: newHash === undefined ? 'password' : 'new_password' },
        ...context,
      },
      clock,
    );
    if (admin) {
      await recordAudit(
        tx,
        {
          action: 'user.role_changed',
          userId: current.id,
          meta: { role: 'admin', via: 'ADMIN_EMAILS' },
          ...context,
        },
        clock,
      );
    }

    if (approved) {
      await enqueueMail(tx, {
        to: current.email,
        template: 'welcome',
        locale: userLocale(current),
        props: { username: current.username, loginUrl: appUrl('/login') },
        clock,
      });
      return { ok: true, state: 'active' };
    }
    await notifyAdminsOfSignup(tx, current, clock);
    return { ok: true, state: 'pending' };
  });

  if (!result.ok && result.code === 'invalid_or_expired') return deadLinkAnswer(db, input.token);
  return result;
}

export type VerificationLinkState = 'live' | 'already_verified' | 'invalid_or_expired';

/** What the confirmation page shows for a link before anything is submitted. */
export async function verificationLinkState(
  db: Db,
  token: unknown,
  clock: Clock,
): Promise<VerificationLinkState> {
  const live = await findLiveToken(db, { token, purpose: 'verify_email', clock });
  if (live.ok) return 'live';
  return (await deadLinkAnswer(db, token)).code;
}

/** A link used once already, by its owner: say so plainly rather than "invalid". */
async function deadLinkAnswer(
  db: Db,
  token: unknown,
): Promise<{ ok: false; code: 'already_verified' | 'invalid_or_expired' }> {
  if (isWellFormedToken(token)) {
    const [used] = await db
      .select({ id: tokens.id })
      .from(tokens)
      .innerJoin(users, eq(users.id, tokens.userId))
      .where(
        and(
          eq(tokens.tokenHash, hashToken(token)),
          eq(tokens.purpose, 'verify_email'),
          isNotNull(users.emailVerifiedAt),
        ),
      )
      .limit(1);
    if (used) return { ok: false, code: 'already_verified' };
  }
  return { ok: false, code: 'invalid_or_expired' };
}

async function notifyAdminsOfSignup(db: Db, user: User, clock: Clock): Promise<void> {
  for (const admin of await listActiveAdmins(db)) {
    await enqueueMail(db, {
      to: admin.email,
      template: 'admin-new-signup',
      locale: userLocale(admin),
      props: {
        username: user.username,
        fullName: user.fullName,
        email: user.email,
        comment: user.signupComment || null,
        approvalRequired: true,
        adminUserUrl: appUrl(`/admin/users/${user.id}`),
      },
      clock,
    });
  }
}

export type ResendResult =
  { ok: true } | { ok: false; code: 'cooldown' | 'rate_limited'; retryAfterSeconds: number };

/**
 * Sends a fresh link to an unconfirmed address. The answer is the same for any address (S13): the
 * cooldown (S19) and limits apply to the address given, whether or not it has an account.
 */
export async function resendVerification(
  db: Db,
  email: string,
  context: RequestContext,
  clock: Clock,
): Promise<ResendResult> {
  const limited = await hitAll(
    db,
    [
      [limits.resendPerIp, context.ip],
      [limits.resendPerEmail, email],
    ],
    clock,
  );
  if (!limited.ok) return { ok: false, code: 'rate_limited', retryAfterSeconds: limited.retryAfterSeconds };
  const seconds = await getSetting(db, 'resend_cooldown_seconds');
  const wait = await cooldown(db, 'resend_verification', email, seconds, clock);
  if (!wait.ok) return { ok: false, code: 'cooldown', retryAfterSeconds: wait.retryAfterSeconds };

  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  if (!user || user.emailVerifiedAt) return { ok: true };
  if (!(await spendMailBudget(db, clock))) return { ok: true };
  const ttlMinutes = await getSetting(db, 'verify_email_ttl_minutes');
  await db.transaction(async (tx) => {
    await enqueueMail(tx, await issueVerificationMail(tx, user, 'verify-email-resend', ttlMinutes, clock));
    await recordAudit(tx, { action: 'verification.resent', userId: user.id, ...context }, clock);
  });
  return { ok: true };
}

/**
 * Issues a new confirmation link for the account, voiding earlier ones, and returns the mail that
 * carries it, for the caller to queue in the same transaction: `verify-email-resend` says the person
 * asked for it, `verify-email` does not.
 */
export async function issueVerificationMail<T extends 'verify-email' | 'verify-email-resend'>(
  tx: Db,
  user: User,
  template: T,
  ttlMinutes: number,
  clock: Clock,
): Promise<EnqueueInput<T>> {
  const token = await issueToken(tx, {
    userId: user.id,
    purpose: 'verify_email',
    ttlMs: ttlMinutes * MINUTE,
    clock,
    voidPrevious: true,
  });
  return {
    to: user.email,
    template,
    locale: userLocale(user),
    props: {
      username: user.username,
      verifyUrl: appUrl('/verify-email', { token: token.token }),
      expiresInMinutes: ttlMinutes,
    },
    clock,
  };
}
