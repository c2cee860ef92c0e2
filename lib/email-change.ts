import { and, desc, eq, gt, inArray, isNull, lte, ne } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { tokens, users, type TokenPurpose } from '@/db/schema';
import { revokeAllAccessTokens } from './access-tokens';
import { isLastActiveAdmin } from './account-deletion';
import { lockAccount } from './account-lock';
import { listActiveAdmins, userLocale } from './admins';
import { recordAudit } from './audit';
import { HOUR, MINUTE, type Clock } from './clock';
import { enqueueMail } from './mail/outbox';
import { hit, type Limit } from './rate-limit';
import { reauthProofOf, verifyReauthentication, type ReauthInput } from './reauth';
import { clearPasskeys } from './passkeys';
import { clearRecoveryPhrase } from './recovery-phrase';
import { isUniqueViolation } from './registration';
import type { RequestContext } from './request-context';
import { revokeUserSessions } from './sessions';
import { getSetting } from './settings';
import { clearTwoFactor } from './two-factor';
import { consumeToken, issueToken, voidAccountLinks } from './tokens';
import { appUrl } from './urls';

/**
 * Changing the address of an account (S42). The change waits until the NEW address confirms it by
 * link; the OLD address is told at once and gets a "this wasn't me" link that stops the change, signs
 * every device out and sends a password reset. The account keeps its old address until confirmed.
 *
 * Links: /email-change/confirm?token=… (to the new address) and /email-change/not-me?token=… (to the
 * old one). Both pages live outside /account because the person following them may not be signed in.
 */

/** Requests per account per hour: each one mails an address the requester typed. */
export const emailChangeRequestLimit: Limit = { name: 'email_change.account', max: 5, windowMs: HOUR };

/** Written to users.lock_reason when a change lapses unconfirmed. */
export const UNCONFIRMED_CHANGE_LOCK_REASON = 'email_change_unconfirmed';

export type RequestEmailChangeResult =
  | { ok: true }
  | { ok: false; code: 'wrong_password' | 'passkey_refused' | 'same_email' }
  | { ok: false; code: 'busy' | 'rate_limited'; retryAfterSeconds: number };

export type RequestEmailChangeInput = {
  userId: string;
  /** Trimmed and lower-cased already (emailField). */
  newEmail: string;
} & ReauthInput;

/**
 * Starts a change. The current password, or one of the account's passkeys, is required (S41); a wrong one changes nothing and counts as a
 * failed sign-in (verifyCurrentPassword). An address that belongs to another account gets the very
 * same answer and the very same pending state as a free one, so a signed-in user cannot probe which
 * addresses have accounts: the confirmation mail is simply not sent, and the other account's owner is
 * not mailed either (nothing happened to their account). Such a change can never be confirmed, so it
 * lapses like any other unconfirmed change.
 */
export async function requestEmailChange(
  db: Db,
  input: RequestEmailChangeInput,
  context: RequestContext,
  clock: Clock,
): Promise<RequestEmailChangeResult> {
  const proof = await verifyReauthentication(
    db,
    { userId: input.userId, proof: reauthProofOf(input), purpose: 'email_change' },
    context,
    clock,
  );
  if (!proof.ok) return proof;

  const newEmail = input.newEmail.trim().toLowerCase();
  const [current] = await db
    .select({ email: users.email })
    .from(users)
    .where(eq(users.id, input.userId))
    .limit(1);
  if (!current) return { ok: false, code: 'wrong_password' };
  if (current.email === newEmail) return { ok: false, code: 'same_email' };

  const limited = await hit(db, emailChangeRequestLimit, input.userId, clock);
  if (!limited.ok) return { ok: false, code: 'rate_limited', retryAfterSeconds: limited.retryAfterSeconds };

  const ttlMinutes = await getSetting(db, 'change_email_ttl_minutes');
  await db.transaction(async (tx) => {
    // Row lock: two requests at once must not leave two live changes behind.
    const [user] = await tx.select().from(users).where(eq(users.id, input.userId)).for('update');
    if (!user) return;
    const [taken] = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.email, newEmail), ne(users.id, user.id)))
      .limit(1);

    const change = await issueToken(tx, {
      userId: user.id,
      purpose: 'change_email',
      ttlMs: ttlMinutes * MINUTE,
      newEmail,
      clock,
      // The newest request wins: an earlier confirmation link stops working.
      voidPrevious: true,
    });
    // Earlier "this wasn't me" links stay live: they only ever reach the old address, whose owner
    // may need one even after the change they object to was replaced or withdrawn.
    const cancel = await issueToken(tx, {
      userId: user.id,
      purpose: 'cancel_email_change',
      ttlMs: ttlMinutes * MINUTE,
      newEmail,
      clock,
    });

    if (!taken) {
      await enqueueMail(tx, {
        to: newEmail,
        template: 'email-change-confirm',
        locale: userLocale(user),
        props: {
          username: user.username,
          newEmail,
          confirmUrl: appUrl('/email-change/confirm', { token: change.token }),
          expiresInMinutes: ttlMinutes,
        },
        clock,
      });
    }
    await enqueueMail(tx, {
      to: user.email,
      template: 'email-change-notice',
      locale: userLocale(user),
      props: {
        username: user.username,
        newEmail,
        cancelUrl: appUrl('/email-change/not-me', { token: cancel.token }),
      },
      clock,
    });
    await recordAudit(
      tx,
      {
        action: 'email.change_requested',
        userId: user.id,
        actorId: user.id,
        meta: { newEmail },
        ...context,
      },
      clock,
    );
  });
  return { ok: true };
}

export interface PendingEmailChange {
  newEmail: string;
  expiresAt: Date;
}

/** The change waiting for confirmation, if any: the newest live confirmation token. */
export async function pendingEmailChange(
  db: Db,
  userId: string,
  clock: Clock,
): Promise<PendingEmailChange | undefined> {
  const [row] = await db
    .select({ newEmail: tokens.newEmail, expiresAt: tokens.expiresAt })
    .from(tokens)
    .where(liveTokens(userId, ['change_email'], clock))
    .orderBy(desc(tokens.createdAt))
    .limit(1);
  return row?.newEmail ? { newEmail: row.newEmail, expiresAt: row.expiresAt } : undefined;
}

export type CancelEmailChangeResult = { ok: true } | { ok: false; code: 'no_pending_change' };

/**
 * The signed-in user withdraws their pending change: the confirmation link stops working. The old
 * address's "this wasn't me" link stays live, so whoever reads that inbox can still sign every
 * device out if the request was not theirs.
 */
export async function cancelEmailChange(
  db: Db,
  input: { userId: string },
  context: RequestContext,
  clock: Clock,
): Promise<CancelEmailChangeResult> {
  return db.transaction(async (tx) => {
    const voided = await voidTokens(tx, input.userId, ['change_email'], clock);
    if (voided.length === 0) return { ok: false, code: 'no_pending_change' };
    await recordAudit(
      tx,
      {
        action: 'email.change_cancelled',
        userId: input.userId,
        actorId: input.userId,
        meta: { by: 'user', newEmail: voided[0]?.newEmail ?? null },
        ...context,
      },
      clock,
    );
    return { ok: true };
  });
}

export type ConfirmEmailChangeResult =
  { ok: true; newEmail: string } | { ok: false; code: 'invalid_or_expired' };

const invalid = { ok: false, code: 'invalid_or_expired' } as const;

/**
 * Completes a change from the link sent to the new address. From then on the account's address is the
 * new one, so the old one no longer signs in (S42). Sessions are kept: the change was asked for with
 * the current password from a signed-in session and proven by the new inbox, and signing the person
 * out everywhere for it would punish the ordinary case; the old address's "this wasn't me" link (sent
 * at request time) is the way to end them. Never signs anyone in (S44).
 */
export async function confirmEmailChange(
  db: Db,
  input: { token: unknown },
  context: RequestContext,
  clock: Clock,
): Promise<ConfirmEmailChangeResult> {
  try {
    return await db.transaction(async (tx): Promise<ConfirmEmailChangeResult> => {
      const consumed = await consumeToken(tx, { token: input.token, purpose: 'change_email', clock });
      if (!consumed.ok || !consumed.token.newEmail) return invalid;
      const newEmail = consumed.token.newEmail;
      const [user] = await tx
        .select()
        .from(users)
        .where(eq(users.id, consumed.token.userId))
        .limit(1)
        .for('update');
      // A locked or rejected account is frozen: an emailed link must not change it.
      if (!user || user.lockedAt || user.rejectedAt) return invalid;
      // Taken since the request (or at it): the link is spent and the account keeps its address.
      const [taken] = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.email, newEmail), ne(users.id, user.id)))
        .limit(1);
      if (taken) return invalid;

      await tx.update(users).set({ email: newEmail, updatedAt: clock.now() }).where(eq(users.id, user.id));
      // Once the change is done, neither another confirmation nor a cancellation may act on it, and
      // no reset or other link mailed to the old address may reach the account any more (S62).
      await voidAccountLinks(tx, user.id, clock, [
        'change_email',
        'cancel_email_change',
        'reset_password',
        'set_password',
        'verify_email',
      ]);
      await recordAudit(
        tx,
        {
          action: 'email.changed',
          userId: user.id,
          actorId: user.id,
          meta: { previousEmail: user.email, newEmail },
          ...context,
        },
        clock,
      );
      return { ok: true, newEmail };
    });
  } catch (error) {
    // Another account took the address between our check and our update: the unique index decides.
    if (isUniqueViolation(error)) return invalid;
    throw error;
  }
}

export type ReportNotMeResult = { ok: true } | { ok: false; code: 'invalid_or_expired' };

/**
 * "This wasn't me", from the link sent to the old address. Whoever asked for the change knew the
 * password and held a session, so this stops the change, ends every session of the account, revokes
 * its access tokens and removes its recovery phrase (S60), and mails the old address a password reset (link and 6-digit code). It
 * works whether or not the change is still pending, as long as it was not confirmed.
 */
export async function reportEmailChangeNotMe(
  db: Db,
  input: { token: unknown },
  context: RequestContext,
  clock: Clock,
): Promise<ReportNotMeResult> {
  const ttlMinutes = await getSetting(db, 'reset_password_ttl_minutes');
  return db.transaction(async (tx): Promise<ReportNotMeResult> => {
    const consumed = await consumeToken(tx, { token: input.token, purpose: 'cancel_email_change', clock });
    if (!consumed.ok) return invalid;
    const [user] = await tx.select().from(users).where(eq(users.id, consumed.token.userId)).limit(1);
    if (!user) return invalid;

    const voided = await voidTokens(tx, user.id, ['change_email', 'cancel_email_change'], clock);
    const sessionsRevoked = await revokeUserSessions(tx, user.id, clock);
    await revokeAllAccessTokens(
      tx,
      { userId: user.id, actorId: null, reason: 'email_change_not_me' },
      context,
      clock,
    );
    // Whoever asked may also have made a recovery phrase: it would outlive the reset (S60).
    const cleared = { userId: user.id, reason: 'email_change_not_me', actorId: null } as const;
    await clearRecoveryPhrase(tx, cleared, context, clock);
    await clearTwoFactor(tx, cleared, context, clock);
    await clearPasskeys(tx, cleared, context, clock);
    const reset = await issueToken(tx, {
      userId: user.id,
      purpose: 'reset_password',
      ttlMs: ttlMinutes * MINUTE,
      withCode: true,
      voidPrevious: true,
      clock,
    });
    await enqueueMail(tx, {
      to: user.email,
      template: 'reset-password',
      locale: userLocale(user),
      props: {
        username: user.username,
        resetUrl: appUrl('/reset-password', { token: reset.token }),
        code: reset.code!,
        expiresInMinutes: ttlMinutes,
      },
      clock,
    });
    await recordAudit(
      tx,
      {
        action: 'email.change_cancelled',
        userId: user.id,
        meta: {
          by: 'not_me',
          newEmail: consumed.token.newEmail,
          pendingVoided: voided.some((t) => t.purpose === 'change_email'),
          sessionsRevoked,
        },
        ...context,
      },
      clock,
    );
    return { ok: true };
  });
}

/**
 * Housekeeping, run periodically by the outbox worker: every confirmation link that lapsed unused is
 * marked used (so it is processed once) and, with the setting lock_on_unconfirmed_email_change on, its
 * account is locked: a change nobody confirmed may have been started by someone who took over the
 * session. The user is mailed ('email-change-expired') and the lock is in the audit trail, where the
 * admin user list shows it. Returns how many accounts were locked.
 */
export async function lockExpiredEmailChanges(db: Db, clock: Clock): Promise<number> {
  const lockEnabled = await getSetting(db, 'lock_on_unconfirmed_email_change');
  return db.transaction(async (tx) => {
    const now = clock.now();
    const lapsed = await tx
      .update(tokens)
      .set({ usedAt: now })
      .where(and(eq(tokens.purpose, 'change_email'), isNull(tokens.usedAt), lte(tokens.expiresAt, now)))
      .returning({ userId: tokens.userId, newEmail: tokens.newEmail });
    if (!lockEnabled) return 0;

    const byUser = new Map(lapsed.map((row) => [row.userId, row.newEmail ?? '']));
    let locked = 0;
    for (const [userId, newEmail] of byUser) {
      // Locking the only active administrator would leave nobody to unlock anyone, them included:
      // the lapse is recorded instead. No mail says "lapsed but not locked", so none is sent.
      if (await isLastActiveAdmin(tx, userId, { lock: true })) {
        await recordAudit(
          tx,
          {
            action: 'user.lock_skipped',
            userId,
            meta: { reason: UNCONFIRMED_CHANGE_LOCK_REASON, why: 'last_admin' },
          },
          clock,
        );
        continue;
      }
      const user = await lockAccount(tx, { userId, reason: UNCONFIRMED_CHANGE_LOCK_REASON }, clock);
      // Already locked (or gone): nothing new to tell anyone.
      if (!user) continue;
      locked += 1;
      await enqueueMail(tx, {
        to: user.email,
        template: 'email-change-expired',
        locale: userLocale(user),
        props: { username: user.username, newEmail },
        clock,
      });
      for (const admin of await listActiveAdmins(tx)) {
        await enqueueMail(tx, {
          to: admin.email,
          template: 'admin-user-locked',
          locale: userLocale(admin),
          props: {
            username: user.username,
            email: user.email,
            newEmail,
            adminUserUrl: appUrl(`/admin/users/${user.id}`),
          },
          clock,
        });
      }
      await recordAudit(
        tx,
        {
          action: 'user.locked',
          userId: user.id,
          meta: { reason: UNCONFIRMED_CHANGE_LOCK_REASON, newEmail },
        },
        clock,
      );
    }
    return locked;
  });
}

function liveTokens(userId: string, purposes: TokenPurpose[], clock: Clock) {
  return and(
    eq(tokens.userId, userId),
    inArray(tokens.purpose, purposes),
    isNull(tokens.usedAt),
    gt(tokens.expiresAt, clock.now()),
  );
}

/** Marks the user's live tokens of these purposes used; returns what was voided, newest first. */
async function voidTokens(db: Db, userId: string, purposes: TokenPurpose[], clock: Clock) {
  const rows = await db
    .update(tokens)
    .set({ usedAt: clock.now() })
    .where(liveTokens(userId, purposes, clock))
    .returning({ purpose: tokens.purpose, newEmail: tokens.newEmail, createdAt: tokens.createdAt });
  return rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}
