import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { sessions, users } from '@/db/schema';
import { userLocale } from './admins';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import { enqueueRequiredMail } from './mail/outbox';
import { hashPassword, normalizePassword } from './password';
import { checkNewPassword, platformPasswordContext } from './password-policy';
import { verifyCurrentPassword } from './reauth';
import type { RequestContext } from './request-context';
import { revokeUserSessions, rotateSession } from './sessions';
import { voidAccountLinks } from './tokens';
import { appUrl } from './urls';
import type { PasswordProblem } from './validation/password';

export interface ChangePasswordInput {
  userId: string;
  /**
   * The session the change is made from: it survives under a new id, every other one ends. Null for
   * a caller with an access token (the JSON API): then every session ends.
   */
  sessionId: string | null;
  currentPassword: string;
  newPassword: string;
}

export type ChangePasswordResult<S extends string | null = string> =
  | { ok: true; sessionId: S }
  | { ok: false; code: 'wrong_password' }
  | { ok: false; code: 'password_policy'; problem: PasswordProblem }
  | { ok: false; code: 'same_password' }
  | { ok: false; code: 'busy'; retryAfterSeconds: number }
  | { ok: false; code: 'session_ended' };

/**
 * A signed-in user chooses a new password. The current one is required and a wrong one changes
 * nothing but the failed-attempt count (S40). On success, in one transaction: the new hash, every
 * other session ended (S37), this one replaced by a new id that the caller must put in the cookie
 * (S48), a notification mail without any secret (S38) and the audit row.
 *
 * The policy runs before the current password is checked: it is cheap, tells nothing about the
 * current password, and a refused new password then costs no counted attempt.
 */
export async function changePassword<S extends string | null>(
  db: Db,
  input: ChangePasswordInput & { sessionId: S },
  context: RequestContext,
  clock: Clock,
): Promise<ChangePasswordResult<S>> {
  const [user] = await db.select().from(users).where(eq(users.id, input.userId)).limit(1);
  // Only a race with the account's deletion gets here without a row.
  if (!user) return { ok: false, code: 'wrong_password' };

  const platform = await platformPasswordContext(db);
  const policy = await checkNewPassword(input.newPassword, {
    ...platform,
    username: user.username,
    email: user.email,
  });
  if (!policy.ok) return { ok: false, code: 'password_policy', problem: policy.problem };

  const proof = await verifyCurrentPassword(db, user.id, input.currentPassword, context, clock);
  if (!proof.ok) return proof;
  // The current password has just matched the stored hash, so comparing the two as they would be
  // hashed answers "is the new one the stored one?" without a second argon2 run.
  if (normalizePassword(input.newPassword) === normalizePassword(input.currentPassword)) {
    return { ok: false, code: 'same_password' };
  }

  const hashed = await hashPassword(input.newPassword);
  if (!hashed.ok) return { ok: false, code: 'busy', retryAfterSeconds: hashed.retryAfterSeconds };

  return db.transaction(async (tx): Promise<ChangePasswordResult<S>> => {
    const txDb = tx;
    const now = clock.now();
    let current: { id: string } | undefined;
    if (input.sessionId !== null) {
      // Locked so that a concurrent sign-out or second change cannot end it between here and the rotation.
      [current] = await tx
        .select({ id: sessions.id })
        .from(sessions)
        .where(
          and(
            eq(sessions.id, input.sessionId),
            eq(sessions.userId, user.id),
            isNull(sessions.revokedAt),
            gt(sessions.expiresAt, now),
          ),
        )
        .for('update');
      if (!current) return { ok: false, code: 'session_ended' };
    }

    await tx
      .update(users)
      .set({ passwordHash: hashed.hash, failedLoginCount: 0, loginThrottledUntil: null, updatedAt: now })
      .where(eq(users.id, user.id));
    const othersEnded = await revokeUserSessions(txDb, user.id, clock, current?.id);
    let sessionId: string | null = null;
    if (current) {
      sessionId = (await rotateSession(txDb, current.id, context, clock)) ?? null;
      if (!sessionId) throw new Error('the locked session could not be rotated');
    }
    // A reset link asked for before the change would undo it (S62).
    await voidAccountLinks(txDb, user.id, clock);

    // S38 makes the notice part of the change: no mail, no change.
    await enqueueRequiredMail(txDb, {
      to: user.email,
      template: 'password-changed',
      locale: userLocale(user),
      props: { username: user.username, forgotPasswordUrl: appUrl('/forgot-password') },
      clock,
    });

    await recordAudit(
      txDb,
      { action: 'password.changed', userId: user.id, actorId: user.id, meta: { othersEnded }, ...context },
      clock,
    );
    return { ok: true, sessionId: sessionId as S };
  });
}
