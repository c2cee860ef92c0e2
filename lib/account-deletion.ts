import { and, eq, inArray, isNotNull, isNull, or } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { auditEvents, emailOutbox, users, type User } from '@/db/schema';
import { userLocale } from './admins';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import { enqueueRequiredMail } from './mail/outbox';
import { verifyCurrentPassword } from './reauth';
import type { RequestContext } from './request-context';

export interface DeleteAccountInput {
  userId: string;
  currentPassword: string;
}

export type DeleteAccountResult =
  | { ok: true }
  | { ok: false; code: 'wrong_password' }
  | { ok: false; code: 'busy'; retryAfterSeconds: number }
  | { ok: false; code: 'last_admin' };

const activeAdmin = and(
  eq(users.role, 'admin'),
  isNotNull(users.emailVerifiedAt),
  isNotNull(users.approvedAt),
  isNull(users.lockedAt),
  isNull(users.rejectedAt),
);

/**
 * True when the user is an active administrator and no other is: deleting them would leave nobody
 * able to approve sign-ups or change settings. Inside a transaction pass `lock`, so that two admins
 * deleting themselves at once cannot both see the other one still there.
 */
export async function isLastActiveAdmin(db: Db, userId: string, options: { lock?: boolean } = {}) {
  const query = db.select({ id: users.id }).from(users).where(activeAdmin);
  const admins = options.lock ? await query.for('update') : await query;
  return admins.length === 1 && admins[0]!.id === userId;
}

/** Who deletes an account: its owner, or an administrator acting from a request of their own. */
export type Deleter = { by: 'self' } | { by: 'admin'; adminId: string; context: RequestContext };

/**
 * A user deletes their own account (S41: the current password is required; a wrong one is counted
 * like a failed sign-in); the rest is removeAccount's.
 */
export async function deleteAccount(
  db: Db,
  input: DeleteAccountInput,
  context: RequestContext,
  clock: Clock,
): Promise<DeleteAccountResult> {
  const proof = await verifyCurrentPassword(db, input.userId, input.currentPassword, context, clock);
  if (!proof.ok) return proof;

  return db.transaction(async (tx): Promise<DeleteAccountResult> => {
    const [user] = await tx.select().from(users).where(eq(users.id, input.userId)).for('update');
    // Deleted by a concurrent request after the password check: answered like verifyCurrentPassword
    // answers for a missing account.
    if (!user) return { ok: false, code: 'wrong_password' };
    if (await isLastActiveAdmin(tx, user.id, { lock: true })) return { ok: false, code: 'last_admin' };
    await removeAccount(tx, user, { by: 'self' }, clock);
    return { ok: true };
  });
}

/**
 * What deleting an account does, whoever deletes it, inside the caller's transaction and on the row
 * it has locked and checked. The `account-deleted` mail is queued to the address while it is still
 * known (outbox rows do not reference users); mail already delivered to the address leaves the
 * outbox, the new notice is left to go out. The owner's IP addresses and browser strings are wiped
 * from the audit trail, `user.deleted` is recorded with the id alone, and the row goes; sessions and
 * tokens go with it (foreign keys cascade), so every live session ends (S46).
 */
export async function removeAccount(tx: Db, user: User, deleter: Deleter, clock: Clock): Promise<void> {
  await tx
    .delete(emailOutbox)
    .where(and(eq(emailOutbox.to, user.email), inArray(emailOutbox.status, ['sent', 'failed'])));
  // An address nobody confirmed may not be the owner's: an admin's deletion does not write to it.
  // Owners deleting their own account are signed in, which takes a confirmed address (lib/login.ts).
  if (deleter.by === 'self' || user.emailVerifiedAt) {
    await enqueueRequiredMail(tx, {
      to: user.email,
      template: 'account-deleted',
      locale: userLocale(user),
      props: { username: user.username },
      clock,
    });
  }

  // What the person did, or what was done to the account by nobody known (which is mostly them
  // signing in): the network details are theirs. Rows an administrator made keep the admin's.
  await tx
    .update(auditEvents)
    .set({ ip: null, userAgent: null })
    .where(
      or(eq(auditEvents.actorId, user.id), and(eq(auditEvents.userId, user.id), isNull(auditEvents.actorId))),
    );
  // The owner's own request details would put back what was just wiped; an admin's are the admin's.
  const actor =
    deleter.by === 'self' ? { actorId: user.id } : { actorId: deleter.adminId, ...deleter.context };
  await recordAudit(
    tx,
    { action: 'user.deleted', userId: user.id, meta: { by: deleter.by }, ...actor },
    clock,
  );
  await tx.delete(users).where(eq(users.id, user.id));
}
