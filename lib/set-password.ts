import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users, type TokenPurpose, type User } from '@/db/schema';
import { recordAudit, type AuditAction } from './audit';
import type { Clock } from './clock';
import { hashPassword } from './password';
import { checkNewPassword, platformPasswordContext } from './password-policy';
import type { RequestContext } from './request-context';
import { revokeUserSessions } from './sessions';
import { consumeToken, findLiveToken, voidAccountLinks } from './tokens';
import type { PasswordProblem } from './validation/password';

export type SetPasswordResult =
  | { ok: true; userId: string }
  | { ok: false; code: 'invalid_or_expired' }
  | { ok: false; code: 'password_policy'; problem: PasswordProblem }
  | { ok: false; code: 'busy'; retryAfterSeconds: number };

export type PreparedPassword =
  | { ok: true; hash: string }
  | { ok: false; code: 'password_policy'; problem: PasswordProblem }
  | { ok: false; code: 'busy'; retryAfterSeconds: number };

/** Checks a new password against the full policy for this account (S36) and hashes it. */
export async function prepareNewPassword(
  db: Db,
  user: Pick<User, 'username' | 'email'>,
  password: string,
): Promise<PreparedPassword> {
  const platform = await platformPasswordContext(db);
  const policy = await checkNewPassword(password, {
    ...platform,
    username: user.username,
    email: user.email,
  });
  if (!policy.ok) return { ok: false, code: 'password_policy', problem: policy.problem };
  const hashed = await hashPassword(password);
  if (!hashed.ok) return { ok: false, code: 'busy', retryAfterSeconds: hashed.retryAfterSeconds };
  return { ok: true, hash: hashed.hash };
}

/**
 * Stores a new password inside the caller's transaction: clears the sign-in throttle (S24), ends every
 * session of the account (S37), voids every earlier reset, set-password and confirmation link and a
 * pending email change (S62) and records the event. Nobody is signed in by it (S44).
 */
export async function storeNewPassword(
  tx: Db,
  input: { userId: string; hash: string; action: AuditAction; meta?: Record<string, unknown> },
  context: RequestContext,
  clock: Clock,
): Promise<void> {
  await tx
    .update(users)
    .set({ passwordHash: input.hash, failedLoginCount: 0, loginThrottledUntil: null, updatedAt: clock.now() })
    .where(eq(users.id, input.userId));
  await revokeUserSessions(tx, input.userId, clock);
  // Links mailed before this password may be in someone else's hands: none outlives it (S62).
  await voidAccountLinks(tx, input.userId, clock);
  await recordAudit(
    tx,
    { action: input.action, userId: input.userId, actorId: input.userId, meta: input.meta, ...context },
    clock,
  );
}

/**
 * Sets a password from an emailed link (an account made by an admin or the CLI, or a reset). The
 * token is checked before the policy and used only once the new password is accepted, so a refused
 * password does not burn the link.
 */
export async function setPasswordWithToken(
  db: Db,
  input: {
    token: unknown;
    password: string;
    purpose: Extract<TokenPurpose, 'set_password' | 'reset_password'>;
  },
  context: RequestContext,
  clock: Clock,
  auditAction: AuditAction = 'password.changed',
): Promise<SetPasswordResult> {
  const live = await findLiveToken(db, { token: input.token, purpose: input.purpose, clock });
  if (!live.ok) return live;
  const [user] = await db.select().from(users).where(eq(users.id, live.token.userId)).limit(1);
  if (!user) return { ok: false, code: 'invalid_or_expired' };
  const prepared = await prepareNewPassword(db, user, input.password);
  if (!prepared.ok) return prepared;

  return db.transaction(async (tx): Promise<SetPasswordResult> => {
    const used = await consumeToken(tx, { token: input.token, purpose: input.purpose, clock });
    if (!used.ok) return used;
    await storeNewPassword(tx, { userId: user.id, hash: prepared.hash, action: auditAction }, context, clock);
    return { ok: true, userId: user.id };
  });
}
