import { and, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { tokens, users, type User } from '@/db/schema';
import { isBootstrapAdmin, listActiveAdmins, userLocale } from './admins';
import { recordAudit } from './audit';
import { MINUTE, type Clock } from './clock';
import { spendMailBudget } from './mail-budget';
import { enqueueMail, type EnqueueInput } from './mail/outbox';
import { cooldown, hitAll, limits } from './rate-limit';
import type { RequestContext } from './request-context';
import { getSetting } from './settings';
import { consumeToken, hashToken, isWellFormedToken, issueToken } from './tokens';
import { appUrl } from './urls';

export type VerifyEmailResult =
  { ok: true; state: 'pending' | 'active' } | { ok: false; code: 'already_verified' | 'invalid_or_expired' };

/**
 * Confirms an address from the emailed link. With approval required the account becomes pending and
 * every admin is told now, never before the address is confirmed; otherwise it is active and welcomed.
 * Never signs anyone in (S44): the person signs in with their password.
 */
export async function verifyEmail(
  db: Db,
  token: unknown,
  context: RequestContext,
  clock: Clock,
): Promise<VerifyEmailResult> {
  const requireApproval = await getSetting(db, 'require_approval');
  const result = await db.transaction(async (tx): Promise<VerifyEmailResult> => {
    const consumed = await consumeToken(tx, { token, purpose: 'verify_email', clock });
    if (!consumed.ok) return { ok: false, code: 'invalid_or_expired' };
    const [user] = await tx.select().from(users).where(eq(users.id, consumed.token.userId)).limit(1);
    if (!user) return { ok: false, code: 'invalid_or_expired' };
    if (user.emailVerifiedAt) return { ok: false, code: 'already_verified' };

    const now = clock.now();
    const admin = isBootstrapAdmin(user.email);
    const approved = admin || !requireApproval;
    await tx
      .update(users)
      .set({
        emailVerifiedAt: now,
        ...(approved && !user.approvedAt ? { approvedAt: now } : {}),
        ...(admin ? { role: 'admin' as const } : {}),
        updatedAt: now,
      })
      .where(eq(users.id, user.id));
    await recordAudit(
      tx,
      { action: 'user.email_verified', userId: user.id, actorId: user.id, ...context },
      clock,
    );
    if (admin) {
      await recordAudit(
        tx,
        {
          action: 'user.role_changed',
          userId: user.id,
          meta: { role: 'admin', via: 'ADMIN_EMAILS' },
          ...context,
        },
        clock,
      );
    }

    if (approved) {
      await enqueueMail(tx, {
        to: user.email,
        template: 'welcome',
        locale: userLocale(user),
        props: { username: user.username, loginUrl: appUrl('/login') },
        clock,
      });
      return { ok: true, state: 'active' };
    }
    await notifyAdminsOfSignup(tx, user, clock);
    return { ok: true, state: 'pending' };
  });

  if (!result.ok && result.code === 'invalid_or_expired' && isWellFormedToken(token)) {
    // A link used once already, by its owner: say so plainly rather than "invalid".
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
  return result;
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
