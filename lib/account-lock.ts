import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users, type User } from '@/db/schema';
import { revokeAllAccessTokens } from './access-tokens';
import { userLocale } from './admins';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import { enqueueMail } from './mail/outbox';
import { clearPasskeys } from './passkeys';
import { clearRecoveryPhrase } from './recovery-phrase';
import { noRequestContext, type RequestContext } from './request-context';
import { revokeUserSessions } from './sessions';
import { clearTwoFactor } from './two-factor';

/**
 * Locking and unlocking accounts. A locked account keeps its data but cannot sign in by any route
 * (S44), and its live sessions end at the moment of locking (S46). Only an administrator unlocks.
 */

export type LockResult = { ok: true } | { ok: false; code: 'not_found' | 'already_locked' };
export type UnlockResult = { ok: true } | { ok: false; code: 'not_found' | 'not_locked' };

/** Longest reason kept: it is shown to the user in the lock mail and to admins in the user list. */
export const MAX_LOCK_REASON_LENGTH = 500;

/**
 * Sets the lock on an account that is not locked yet, ends its sessions and revokes its access
 * tokens (decision 025: unlocking must not bring back a token whoever had the account made); returns
 * the locked row, or undefined when there was nothing to lock. The building block for lockUser and
 * for automatic locks (lib/email-change.ts), which each send their own mail and audit event. Pass a
 * transaction, and `actorId`/`context` when a person locks.
 */
export async function lockAccount(
  db: Db,
  input: { userId: string; reason: string | null; actorId?: string },
  clock: Clock,
  context: RequestContext = noRequestContext,
): Promise<User | undefined> {
  const now = clock.now();
  const [user] = await db
    .update(users)
    .set({ lockedAt: now, lockReason: input.reason, updatedAt: now })
    .where(and(eq(users.id, input.userId), isNull(users.lockedAt)))
    .returning();
  if (!user) return undefined;
  await revokeUserSessions(db, user.id, clock);
  await revokeAllAccessTokens(
    db,
    { userId: user.id, actorId: input.actorId ?? null, reason: 'lock' },
    context,
    clock,
  );
  return user;
}

/**
 * An administrator locks an account: its sessions end at once (S46), its recovery phrase, second
 * factor and passkeys are removed (S60) and its owner is told why.
 */
export async function lockUser(
  db: Db,
  input: { adminId: string; userId: string; reason: string | null },
  context: RequestContext,
  clock: Clock,
): Promise<LockResult> {
  const reason = input.reason?.trim().slice(0, MAX_LOCK_REASON_LENGTH) || null;
  return db.transaction(async (tx) => {
    const user = await lockAccount(
      tx,
      { userId: input.userId, reason, actorId: input.adminId },
      clock,
      context,
    );
    if (!user) {
      const [existing] = await tx
        .select({ id: users.id })
        .from(users)
        .where(eq(users.id, input.userId))
        .limit(1);
      return { ok: false, code: existing ? 'already_locked' : 'not_found' };
    }
    await enqueueMail(tx, {
      to: user.email,
      template: 'account-locked',
      locale: userLocale(user),
      props: { username: user.username, reason },
      clock,
    });
    await recordAudit(
      tx,
      { action: 'user.locked', userId: user.id, actorId: input.adminId, meta: { reason }, ...context },
      clock,
    );
    // Every admin lock, whatever its reason: the form has no "compromised" choice, and a phrase made
    // by whoever had the account would reset the password once it is unlocked (S60, decision 019).
    const cleared = { userId: user.id, reason: 'admin_lock', actorId: input.adminId } as const;
    await clearRecoveryPhrase(tx, cleared, context, clock);
    await clearTwoFactor(tx, cleared, context, clock);
    await clearPasskeys(tx, cleared, context, clock);
    return { ok: true };
  });
}

/**
 * An administrator lifts a lock. The failure count stays as it was: unlocking is not a password reset,
 * so an account throttled for guessing stays throttled.
 */
export async function unlockUser(
  db: Db,
  input: { adminId: string; userId: string },
  context: RequestContext,
  clock: Clock,
): Promise<UnlockResult> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ lockReason: users.lockReason })
      .from(users)
      .where(eq(users.id, input.userId))
      .limit(1)
      .for('update');
    if (!before) return { ok: false, code: 'not_found' };
    const now = clock.now();
    const [user] = await tx
      .update(users)
      .set({ lockedAt: null, lockReason: null, updatedAt: now })
      .where(and(eq(users.id, input.userId), isNotNull(users.lockedAt)))
      .returning({ id: users.id });
    if (!user) return { ok: false, code: 'not_locked' };
    await recordAudit(
      tx,
      {
        action: 'user.unlocked',
        userId: user.id,
        actorId: input.adminId,
        meta: { previousReason: before.lockReason },
        ...context,
      },
      clock,
    );
    return { ok: true };
  });
}
