import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { userLocale } from './admins';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import { enqueueMail } from './mail/outbox';
import type { RequestContext } from './request-context';
import { revokeUserSessions } from './sessions';
import { appUrl } from './urls';

export type ApprovalResult = { ok: true } | { ok: false; code: 'not_found' | 'not_pending' };

const pending = and(isNotNull(users.emailVerifiedAt), isNull(users.approvedAt), isNull(users.rejectedAt));

/** Approves a pending account (address confirmed, not yet approved) and sends the welcome mail. */
export async function approveUser(
  db: Db,
  input: { adminId: string; userId: string },
  context: RequestContext,
  clock: Clock,
): Promise<ApprovalResult> {
  return db.transaction(async (tx) => {
    const now = clock.now();
    const [user] = await tx
      .update(users)
      .set({ approvedAt: now, updatedAt: now })
      .where(and(eq(users.id, input.userId), pending))
      .returning();
    if (!user)
      return (await exists(tx, input.userId))
        ? { ok: false, code: 'not_pending' }
        : { ok: false, code: 'not_found' };
    await enqueueMail(tx, {
      to: user.email,
      template: 'welcome',
      locale: userLocale(user),
      props: { username: user.username, loginUrl: appUrl('/login') },
      clock,
    });
    await recordAudit(
      tx,
      { action: 'user.approved', userId: user.id, actorId: input.adminId, ...context },
      clock,
    );
    return { ok: true };
  });
}

/** Rejects an account that is not yet approved: it can never sign in, and its sessions end (S46). */
export async function rejectUser(
  db: Db,
  input: { adminId: string; userId: string },
  context: RequestContext,
  clock: Clock,
): Promise<ApprovalResult> {
  return db.transaction(async (tx) => {
    const now = clock.now();
    const [user] = await tx
      .update(users)
      .set({ rejectedAt: now, updatedAt: now })
      .where(and(eq(users.id, input.userId), isNull(users.approvedAt), isNull(users.rejectedAt)))
      .returning();
    if (!user)
      return (await exists(tx, input.userId))
        ? { ok: false, code: 'not_pending' }
        : { ok: false, code: 'not_found' };
    await revokeUserSessions(tx, user.id, clock);
    await enqueueMail(tx, {
      to: user.email,
      template: 'account-rejected',
      locale: userLocale(user),
      props: { username: user.username },
      clock,
    });
    await recordAudit(
      tx,
      { action: 'user.rejected', userId: user.id, actorId: input.adminId, ...context },
      clock,
    );
    return { ok: true };
  });
}

async function exists(db: Db, userId: string): Promise<boolean> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId)).limit(1);
  return Boolean(row);
}
