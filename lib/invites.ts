import { and, count, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { tokens, users } from '@/db/schema';
import { accountState } from './account-state';
import { recordAudit } from './audit';
import { MINUTE, type Clock } from './clock';
import type { Locale } from './i18n/config';
import { enqueueMail } from './mail/outbox';
import type { RequestContext } from './request-context';
import { getSetting } from './settings';
import { emailDomain, signupDomainAccepted } from './signup-policy';
import { findLiveToken, issueToken } from './tokens';
import { appUrl } from './urls';

/**
 * Invitations to sign up (decision 030). An invite is a row of the tokens table with purpose
 * `invite`: user_id is whoever sent it, new_email the address it is bound to, and the clear token
 * exists only in the mail. It opens /register with that address filled in and fixed; the account it
 * creates gets that address, confirmed (the link reached that mailbox) and active at once.
 */

/** Open invites one non-admin may have at a time: enough for a team, too few to use the server as a mailer. */
export const MAX_OPEN_INVITES_PER_USER = 20;

export type SendInviteResult =
  | { ok: true; inviteId: string }
  | { ok: false; code: 'not_allowed' | 'signup_closed' | 'domain_not_allowed' | 'too_many_open' };

/**
 * Sends an invitation. The answer is the same whether or not the address already has an account:
 * its owner then gets an invite that leads to the usual "this address already has an account" mail,
 * and the sender learns nothing. A second invite to one address from one sender replaces the first.
 */
export async function sendInvite(
  db: Db,
  input: { inviterId: string; email: string; locale: Locale },
  context: RequestContext,
  clock: Clock,
): Promise<SendInviteResult> {
  const [inviter] = await db.select().from(users).where(eq(users.id, input.inviterId)).limit(1);
  if (!inviter || accountState(inviter) !== 'active') return { ok: false, code: 'not_allowed' };
  const admin = inviter.role === 'admin';
  if (!admin && !(await getSetting(db, 'users_may_invite'))) return { ok: false, code: 'not_allowed' };
  if ((await getSetting(db, 'signup_mode')) === 'closed') return { ok: false, code: 'signup_closed' };
  if (!(await signupDomainAccepted(db, input.email))) return { ok: false, code: 'domain_not_allowed' };
  const ttlMinutes = await getSetting(db, 'invite_ttl_minutes');

  return db.transaction(async (tx): Promise<SendInviteResult> => {
    const now = clock.now();
    // Earlier live invites from this sender to this address end here: the newest link is the one.
    await tx
      .update(tokens)
      .set({ usedAt: now })
      .where(and(openInvites(now), eq(tokens.userId, inviter.id), eq(tokens.newEmail, input.email)));
    if (!admin) {
      const [open] = await tx
        .select({ n: count() })
        .from(tokens)
        .where(and(openInvites(now), eq(tokens.userId, inviter.id)));
      if ((open?.n ?? 0) >= MAX_OPEN_INVITES_PER_USER) return { ok: false, code: 'too_many_open' };
    }
    const invite = await issueToken(tx, {
      userId: inviter.id,
      purpose: 'invite',
      newEmail: input.email,
      ttlMs: ttlMinutes * MINUTE,
      clock,
    });
    await enqueueMail(tx, {
      to: input.email,
      template: 'invite',
      locale: input.locale,
      props: {
        // An administrator's name stays private (as on the activity page); a user's is how the
        // person invited knows the mail is not spam.
        invitedBy: admin ? null : inviter.fullName || inviter.username,
        registerUrl: appUrl('/register', { token: invite.token }),
        expiresInMinutes: ttlMinutes,
      },
      clock,
    });
    await recordAudit(
      tx,
      {
        action: 'invite.sent',
        actorId: inviter.id,
        meta: { inviteId: invite.id, domain: emailDomain(input.email) },
        ip: context.ip,
        userAgent: context.userAgent,
      },
      clock,
    );
    return { ok: true, inviteId: invite.id };
  });
}

function openInvites(now: Date) {
  return and(eq(tokens.purpose, 'invite'), isNull(tokens.usedAt), gt(tokens.expiresAt, now));
}

export interface OpenInvite {
  id: string;
  email: string;
  createdAt: Date;
  expiresAt: Date;
  /** The sender's username: shown to admins, who see every sender's invites. */
  sentBy: string;
}

/** The invites still waiting to be used: a sender's own, or everyone's (for admins), newest first. */
export async function listOpenInvites(
  db: Db,
  filter: { sentBy: string } | { all: true },
  clock: Clock,
  limit = 200,
): Promise<OpenInvite[]> {
  const rows = await db
    .select({
      id: tokens.id,
      email: tokens.newEmail,
      createdAt: tokens.createdAt,
      expiresAt: tokens.expiresAt,
      sentBy: users.username,
    })
    .from(tokens)
    .innerJoin(users, eq(users.id, tokens.userId))
    .where(and(openInvites(clock.now()), 'sentBy' in filter ? eq(tokens.userId, filter.sentBy) : undefined))
    .orderBy(desc(tokens.createdAt))
    .limit(limit);
  return rows.map((row) => ({ ...row, email: row.email ?? '' }));
}

export type RevokeInviteResult = { ok: true } | { ok: false; code: 'not_found' };

/**
 * Ends an open invite; its link then answers like any dead link. A user may revoke only their own
 * invites, an admin any: someone else's invite is `not_found`, as if it did not exist.
 */
export async function revokeInvite(
  db: Db,
  input: { actorId: string; inviteId: string; asAdmin: boolean },
  context: RequestContext,
  clock: Clock,
): Promise<RevokeInviteResult> {
  return db.transaction(async (tx): Promise<RevokeInviteResult> => {
    const now = clock.now();
    const [revoked] = await tx
      .update(tokens)
      .set({ usedAt: now })
      .where(
        and(
          openInvites(now),
          eq(tokens.id, input.inviteId),
          input.asAdmin ? undefined : eq(tokens.userId, input.actorId),
        ),
      )
      .returning({ id: tokens.id, sentBy: tokens.userId });
    if (!revoked) return { ok: false, code: 'not_found' };
    await recordAudit(
      tx,
      {
        action: 'invite.revoked',
        actorId: input.actorId,
        meta: { inviteId: revoked.id, sentBy: revoked.sentBy },
        ip: context.ip,
        userAgent: context.userAgent,
      },
      clock,
    );
    return { ok: true };
  });
}

/** The address a live invite link is bound to, for the sign-up page; null for any dead or bad link. */
export async function invitedAddress(db: Db, token: unknown, clock: Clock): Promise<string | null> {
  const live = await findLiveToken(db, { token, purpose: 'invite', clock });
  return live.ok ? live.token.newEmail : null;
}
