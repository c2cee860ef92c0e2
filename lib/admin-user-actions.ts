import { eq, inArray } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users, type User } from '@/db/schema';
import { revokeAllAccessTokens } from './access-tokens';
import { isLastActiveAdmin, removeAccount } from './account-deletion';
import { lockUser, MAX_LOCK_REASON_LENGTH } from './account-lock';
import { accountState } from './account-state';
import { userLocale } from './admins';
import { listAudit, recordAudit, type AuditEvent } from './audit';
import { DAY, MINUTE, type Clock } from './clock';
import { issueVerificationMail } from './email-verification';
import type { Locale } from './i18n/config';
import { enqueueRequiredMail } from './mail/outbox';
import { issueResetMail } from './password-reset';
import { changeProfile, isUsernameTaken, type ProfileChange, type ProfileValues } from './profile';
import { cooldown } from './rate-limit';
import { isUniqueViolation } from './registration';
import type { RequestContext } from './request-context';
import { describeUserAgent, sessionHandle, type DeviceLabel } from './session-management';
import { listLiveSessions, revokeUserSessions } from './sessions';
import { getSetting } from './settings';
import { issueToken } from './tokens';
import { appUrl } from './urls';

/**
 * What an administrator does to one account from its admin page, beyond approval (lib/approval.ts)
 * and unlocking (lib/account-lock.ts). Each function runs its change, its mail and its audit event in
 * one transaction. None of them ever returns a token or a link: the admin triggers mail, the owner
 * reads it (S47). The role check is the caller's (S45); `adminId` is who acts, for the audit trail.
 * Decisions behind the rules: docs/decisions/008-admin-user-actions.md.
 */

export interface AdminTarget {
  adminId: string;
  userId: string;
}

type NotFound = { ok: false; code: 'not_found' };
const notFound: NotFound = { ok: false, code: 'not_found' };

/**
 * The owner of an account made by an admin did not ask for the mail and may read it days later; the
 * link only works once, and a new one is a click away on the admin page.
 */
export const ADMIN_SET_PASSWORD_TTL_MS = 3 * DAY;

async function lockedRow(tx: Db, userId: string): Promise<User | undefined> {
  const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
  return user;
}

export type ChangeRoleResult =
  { ok: true } | NotFound | { ok: false; code: 'unchanged' | 'not_active' | 'last_admin' };

/**
 * Promotes an active account to administrator, or demotes an administrator. The last active
 * administrator cannot be demoted, by anyone (themself included): nobody would be left to approve
 * sign-ups or undo the change. Only an active account can be promoted, so a pending, locked or
 * rejected account never becomes an admin in passing. The role is read from the database on every
 * request, so the change applies to the account's live sessions at once.
 */
export async function changeRole(
  db: Db,
  input: AdminTarget & { role: User['role'] },
  context: RequestContext,
  clock: Clock,
): Promise<ChangeRoleResult> {
  return db.transaction(async (tx): Promise<ChangeRoleResult> => {
    // The active admins are locked before the target, in every function here, so two admins
    // demoting each other at once queue on the same rows instead of deadlocking.
    const last = await isLastActiveAdmin(tx, input.userId, { lock: true });
    const user = await lockedRow(tx, input.userId);
    if (!user) return notFound;
    if (user.role === input.role) return { ok: false, code: 'unchanged' };
    if (input.role === 'admin' && accountState(user) !== 'active') return { ok: false, code: 'not_active' };
    if (input.role === 'user' && last) return { ok: false, code: 'last_admin' };
    await tx.update(users).set({ role: input.role, updatedAt: clock.now() }).where(eq(users.id, user.id));
    await recordAudit(
      tx,
      {
        action: 'user.role_changed',
        userId: user.id,
        actorId: input.adminId,
        meta: { from: user.role, to: input.role },
        ...context,
      },
      clock,
    );
    return { ok: true };
  });
}

export type AdminLockResult =
  | { ok: true }
  | NotFound
  | { ok: false; code: 'already_locked' | 'last_admin' | 'reason_required' | 'reason_too_long' };

/**
 * lockUser (sessions end at once, S46; the owner is mailed the reason) with the admin console's
 * rules: a reason is required and is never cut short silently, and the last active administrator
 * cannot be locked, since nobody would be left to unlock them.
 */
export async function adminLockUser(
  db: Db,
  input: AdminTarget & { reason: string },
  context: RequestContext,
  clock: Clock,
): Promise<AdminLockResult> {
  const reason = input.reason.trim();
  if (reason === '') return { ok: false, code: 'reason_required' };
  if (reason.length > MAX_LOCK_REASON_LENGTH) return { ok: false, code: 'reason_too_long' };
  return db.transaction(async (tx): Promise<AdminLockResult> => {
    if (await isLastActiveAdmin(tx, input.userId, { lock: true })) return { ok: false, code: 'last_admin' };
    // Inside this transaction lockUser's own becomes a savepoint: the check and the lock commit together.
    return lockUser(tx, { adminId: input.adminId, userId: input.userId, reason }, context, clock);
  });
}

export interface AdminCreateUserInput {
  adminId: string;
  email: string;
  username: string;
  fullName: string;
  phone?: string;
  address?: string;
  city?: string;
  country?: string;
  /** The language of the set-password mail and of the account. */
  locale: Locale;
  timezone?: string;
}

export type AdminCreateUserResult =
  { ok: true; userId: string } | { ok: false; code: 'email_taken' | 'username_taken' };

/**
 * Creates an account on someone's behalf: confirmed and approved (an admin vouches for it), with no
 * password. The owner gets the `set-password` mail with a one-time link and chooses their own; the
 * admin never sees or sets it (S47). A taken email or username is answered plainly (the admin may
 * know which accounts exist) and nobody is mailed about it.
 */
export async function adminCreateUser(
  db: Db,
  input: AdminCreateUserInput,
  context: RequestContext,
  clock: Clock,
): Promise<AdminCreateUserResult> {
  const email = input.email.trim().toLowerCase();
  const username = input.username.trim();
  try {
    return await db.transaction(async (tx): Promise<AdminCreateUserResult> => {
      const taken = await takenField(tx, email, username);
      if (taken) return { ok: false, code: taken };
      const now = clock.now();
      const [user] = await tx
        .insert(users)
        .values({
          email,
          username,
          fullName: input.fullName.trim(),
          phone: input.phone?.trim() ?? '',
          address: input.address?.trim() ?? '',
          city: input.city?.trim() ?? '',
          country: input.country?.trim() ?? '',
          locale: input.locale,
          ...(input.timezone ? { timezone: input.timezone } : {}),
          emailVerifiedAt: now,
          approvedAt: now,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await sendSetPasswordMail(tx, user!, clock);
      await recordAudit(
        tx,
        {
          action: 'user.created_by_admin',
          userId: user!.id,
          actorId: input.adminId,
          meta: { via: 'console' },
          ...context,
        },
        clock,
      );
      return { ok: true, userId: user!.id };
    });
  } catch (error) {
    // Another request took the address or the name between the check and the insert.
    if (!isUniqueViolation(error)) throw error;
    return { ok: false, code: (await takenField(db, email, username)) ?? 'email_taken' };
  }
}

async function takenField(db: Db, email: string, username: string) {
  const [byEmail] = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
  if (byEmail) return 'email_taken' as const;
  return (await isUsernameTaken(db, username)) ? ('username_taken' as const) : undefined;
}

async function sendSetPasswordMail(tx: Db, user: User, clock: Clock): Promise<void> {
  const token = await issueToken(tx, {
    userId: user.id,
    purpose: 'set_password',
    ttlMs: ADMIN_SET_PASSWORD_TTL_MS,
    clock,
    voidPrevious: true,
  });
  await enqueueRequiredMail(tx, {
    to: user.email,
    template: 'set-password',
    locale: userLocale(user),
    props: {
      username: user.username,
      setPasswordUrl: appUrl('/set-password', { token: token.token }),
      expiresInMinutes: ADMIN_SET_PASSWORD_TTL_MS / MINUTE,
    },
    clock,
  });
}

export type AdminMailResult =
  | { ok: true }
  | NotFound
  | { ok: false; code: 'unverified' | 'rejected' | 'already_verified' }
  | { ok: false; code: 'cooldown'; retryAfterSeconds: number };

/**
 * Mails the owner a link to choose a new password; the admin learns only that it was sent (S47).
 * Like "forgot password" it changes nothing by itself (S29), voids earlier links (S32) and never
 * goes to an unconfirmed address (S18). An account that never had a password (made by an admin or
 * the CLI) gets the set-password mail instead: "reset your password" would puzzle its owner. One
 * mail per account per resend cooldown, so a double click does not void the link just sent.
 */
export async function adminSendPasswordReset(
  db: Db,
  input: AdminTarget,
  context: RequestContext,
  clock: Clock,
): Promise<AdminMailResult> {
  const ttlMinutes = await getSetting(db, 'reset_password_ttl_minutes');
  const cooldownSeconds = await getSetting(db, 'resend_cooldown_seconds');
  return db.transaction(async (tx): Promise<AdminMailResult> => {
    const user = await lockedRow(tx, input.userId);
    if (!user) return notFound;
    if (user.rejectedAt) return { ok: false, code: 'rejected' };
    if (!user.emailVerifiedAt) return { ok: false, code: 'unverified' };
    const wait = await cooldown(tx, 'admin_password_reset', user.id, cooldownSeconds, clock);
    if (!wait.ok) return { ok: false, code: 'cooldown', retryAfterSeconds: wait.retryAfterSeconds };

    if (user.passwordHash === null) {
      await sendSetPasswordMail(tx, user, clock);
    } else {
      await enqueueRequiredMail(tx, await issueResetMail(tx, user, ttlMinutes, clock));
    }
    await recordAudit(
      tx,
      {
        action: 'password.reset_sent_by_admin',
        userId: user.id,
        actorId: input.adminId,
        meta: { kind: user.passwordHash === null ? 'set_password' : 'reset' },
        ...context,
      },
      clock,
    );
    return { ok: true };
  });
}

/**
 * A new confirmation link for an account whose address is not confirmed yet. It shares the public
 * resend's cooldown for that address (S19), so neither can be used to flood the inbox. The mail is
 * `verify-email`, not `verify-email-resend`, whose "you asked for a new link" would not be true.
 */
export async function adminResendVerification(
  db: Db,
  input: AdminTarget,
  context: RequestContext,
  clock: Clock,
): Promise<AdminMailResult> {
  const ttlMinutes = await getSetting(db, 'verify_email_ttl_minutes');
  const cooldownSeconds = await getSetting(db, 'resend_cooldown_seconds');
  return db.transaction(async (tx): Promise<AdminMailResult> => {
    const user = await lockedRow(tx, input.userId);
    if (!user) return notFound;
    if (user.rejectedAt) return { ok: false, code: 'rejected' };
    if (user.emailVerifiedAt) return { ok: false, code: 'already_verified' };
    const wait = await cooldown(tx, 'resend_verification', user.email, cooldownSeconds, clock);
    if (!wait.ok) return { ok: false, code: 'cooldown', retryAfterSeconds: wait.retryAfterSeconds };
    await enqueueRequiredMail(tx, await issueVerificationMail(tx, user, 'verify-email', ttlMinutes, clock));
    await recordAudit(
      tx,
      {
        action: 'verification.resent',
        userId: user.id,
        actorId: input.adminId,
        meta: { by: 'admin' },
        ...context,
      },
      clock,
    );
    return { ok: true };
  });
}

export type AdminRevokeSessionsResult = { ok: true; count: number } | NotFound;

/**
 * Signs the account out everywhere (S51) and revokes its access tokens, which would otherwise keep
 * whoever the admin is shutting out in (decision 025). An admin who names their own account signs
 * themself out.
 */
export async function adminRevokeSessions(
  db: Db,
  input: AdminTarget,
  context: RequestContext,
  clock: Clock,
): Promise<AdminRevokeSessionsResult> {
  return db.transaction(async (tx): Promise<AdminRevokeSessionsResult> => {
    const user = await lockedRow(tx, input.userId);
    if (!user) return notFound;
    const count = await revokeUserSessions(tx, user.id, clock);
    const tokens = await revokeAllAccessTokens(
      tx,
      { userId: user.id, actorId: input.adminId, reason: 'admin_sign_out' },
      context,
      clock,
    );
    await recordAudit(
      tx,
      {
        action: 'session.revoked_by_admin',
        userId: user.id,
        actorId: input.adminId,
        meta: { count, tokens },
        ...context,
      },
      clock,
    );
    return { ok: true, count };
  });
}

export type AdminProfileEdit = AdminTarget & ProfileValues;

export type AdminEditProfileResult = ProfileChange;

/**
 * Edits the profile fields an admin may correct. Not the email address: that changes only through
 * the owner's confirmed email change (S42); see docs/decisions/008. The audit row names the fields
 * that changed, never their values.
 */
export async function adminEditProfile(
  db: Db,
  input: AdminProfileEdit,
  context: RequestContext,
  clock: Clock,
): Promise<AdminEditProfileResult> {
  return changeProfile(db, input.userId, input, clock, (tx, changed) =>
    recordAudit(
      tx,
      {
        action: 'user.profile_edited',
        userId: input.userId,
        actorId: input.adminId,
        meta: { fields: changed },
        ...context,
      },
      clock,
    ),
  );
}

export type AdminDeleteUserResult = { ok: true } | NotFound | { ok: false; code: 'self' | 'last_admin' };

/**
 * Deletes an account as its owner's deletion does (removeAccount in lib/account-deletion.ts); an
 * unconfirmed address is not told. An admin may delete another admin, never the last active one.
 * Their own account is refused here: that is /account/delete, which asks for the password (S41).
 */
export async function adminDeleteUser(
  db: Db,
  input: AdminTarget,
  context: RequestContext,
  clock: Clock,
): Promise<AdminDeleteUserResult> {
  if (input.userId === input.adminId) return { ok: false, code: 'self' };
  return db.transaction(async (tx): Promise<AdminDeleteUserResult> => {
    const last = await isLastActiveAdmin(tx, input.userId, { lock: true });
    const user = await lockedRow(tx, input.userId);
    if (!user) return notFound;
    if (last) return { ok: false, code: 'last_admin' };
    await removeAccount(tx, user, { by: 'admin', adminId: input.adminId, context }, clock);
    return { ok: true };
  });
}

/** An account as its admin page shows it: never its password or recovery-phrase hash. */
export type AdminUserProfile = Omit<User, 'passwordHash' | 'recoveryPhraseHash'> & {
  hasPassword: boolean;
  hasRecoveryPhrase: boolean;
};

export interface AdminSessionEntry {
  /** A hash prefix of the session id (lib/session-management.ts): the id itself is a bearer secret. */
  handle: string;
  device: DeviceLabel;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
}

export interface AdminUserOverview {
  user: AdminUserProfile;
  sessions: AdminSessionEntry[];
  /** The newest events about the account. */
  events: AuditEvent[];
  /** Usernames of the actors in `events`, by id; an actor deleted since is missing. */
  actors: Record<string, string>;
  /** Demoting, locking or deleting this account is refused. */
  lastActiveAdmin: boolean;
}

export const ADMIN_USER_EVENTS = 50;

/** Everything the admin page for one account shows, or undefined when there is no such account. */
export async function adminUserOverview(
  db: Db,
  userId: string,
  clock: Clock,
): Promise<AdminUserOverview | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!row) return undefined;
  const { passwordHash, recoveryPhraseHash, ...rest } = row;
  const live = await listLiveSessions(db, userId, clock);
  const { events } = await listAudit(db, { userId, limit: ADMIN_USER_EVENTS });
  const actorIds = [...new Set(events.flatMap((event) => (event.actorId ? [event.actorId] : [])))];
  const actors =
    actorIds.length === 0
      ? []
      : await db
          .select({ id: users.id, username: users.username })
          .from(users)
          .where(inArray(users.id, actorIds));
  return {
    user: { ...rest, hasPassword: passwordHash !== null, hasRecoveryPhrase: recoveryPhraseHash !== null },
    sessions: live.map((session) => ({
      handle: sessionHandle(session.id),
      device: describeUserAgent(session.userAgent),
      ip: session.ip,
      createdAt: session.createdAt,
      lastSeenAt: session.lastSeenAt,
    })),
    events,
    actors: Object.fromEntries(actors.map((actor) => [actor.id, actor.username])),
    lastActiveAdmin: await isLastActiveAdmin(db, userId),
  };
}
