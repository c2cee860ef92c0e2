import { and, asc, desc, eq, inArray, lt } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { auditEvents, emailOutbox, sessions, tokens, users, type User } from '@/db/schema';
import { accountState } from './account-state';
import { recordAudit, type AuditAction } from './audit';
import type { Clock } from './clock';
import type { RequestContext } from './request-context';
import { describeUserAgent, type DeviceLabel } from './session-management';

/**
 * What the system knows about a person, shown to that person (decision 031): their security
 * activity at /account/activity and everything stored about them as JSON at /account/export.
 * Nothing here reveals another person: an administrator who acted on the account is "an
 * administrator", with neither their id, their address nor their IP; no secret (hash, token, code,
 * mail body with a link) ever leaves.
 */

/** The audit events a person sees about their own account. */
export const ACTIVITY_ACTIONS = [
  'user.registered',
  'user.created_by_admin',
  'invite.accepted',
  'user.email_verified',
  'user.approved',
  'user.rejected',
  'login.succeeded',
  'login.failed',
  'login.throttle_started',
  'login.hard_stopped',
  'session.revoked',
  'session.revoked_by_admin',
  'password.reset_requested',
  'password.reset_sent_by_admin',
  'password.reset_completed',
  'password.reset_code_failed',
  'password.changed',
  'email.change_requested',
  'email.changed',
  'email.change_cancelled',
  'recovery_phrase.created',
  'recovery_phrase.replaced',
  'recovery_phrase.used',
  'recovery_phrase.failed',
  'recovery_phrase.cleared',
  'user.locked',
  'user.unlocked',
  'user.role_changed',
  'user.profile_edited',
  'account.data_exported',
] as const satisfies readonly AuditAction[];

export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

export const ACTIVITY_PAGE_SIZE = 25;

export interface ActivityEntry {
  id: number;
  at: Date;
  action: ActivityAction;
  /** Who did it: the person (or someone trying to be them), or an administrator. */
  by: 'self' | 'administrator';
  /** Only for what the person's own side did: an administrator's address and device are theirs. */
  ip: string | null;
  device: DeviceLabel | null;
}

export interface ActivityPage {
  entries: ActivityEntry[];
  /** The cursor of the next (older) page, or null on the last one. */
  nextBefore: number | null;
}

function toEntry(userId: string, event: typeof auditEvents.$inferSelect): ActivityEntry {
  const byAdmin = event.actorId !== null && event.actorId !== userId;
  return {
    id: event.id,
    at: event.at,
    action: event.action as ActivityAction,
    by: byAdmin ? 'administrator' : 'self',
    ip: byAdmin ? null : event.ip,
    device: byAdmin || !event.userAgent ? null : describeUserAgent(event.userAgent),
  };
}

/** Reads a cursor from a query string: a positive whole number, or the first page. */
export function parseActivityCursor(value: unknown): number | undefined {
  return typeof value === 'string' && /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : undefined;
}

/**
 * One page of the person's activity, newest first. The cursor is the id of the last event shown:
 * a page never shifts when new events arrive, and a cursor can only ever reach this person's rows.
 */
export async function listOwnActivity(
  db: Db,
  input: { userId: string; before?: number; pageSize?: number },
): Promise<ActivityPage> {
  const pageSize = input.pageSize ?? ACTIVITY_PAGE_SIZE;
  const rows = await db
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.userId, input.userId),
        inArray(auditEvents.action, [...ACTIVITY_ACTIONS]),
        input.before === undefined ? undefined : lt(auditEvents.id, input.before),
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(pageSize + 1);
  const shown = rows.slice(0, pageSize);
  return {
    entries: shown.map((event) => toEntry(input.userId, event)),
    nextBefore: rows.length > pageSize ? shown[shown.length - 1]!.id : null,
  };
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function profileOf(user: User) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    fullName: user.fullName,
    phone: user.phone,
    address: user.address,
    city: user.city,
    country: user.country,
    role: user.role,
    state: accountState(user),
    signupComment: user.signupComment,
    hasRecoveryPhrase: user.recoveryPhraseHash !== null,
    emailVerifiedAt: iso(user.emailVerifiedAt),
    approvedAt: iso(user.approvedAt),
    lockedAt: iso(user.lockedAt),
    lockReason: user.lockReason,
    lastLoginAt: iso(user.lastLoginAt),
    createdAt: iso(user.createdAt),
    updatedAt: iso(user.updatedAt),
  };
}

export type OwnDataExport = Awaited<ReturnType<typeof collectOwnData>>;

async function collectOwnData(db: Db, user: User, clock: Clock) {
  const [sessionRows, events, mails, invites] = await Promise.all([
    db.select().from(sessions).where(eq(sessions.userId, user.id)).orderBy(asc(sessions.createdAt)),
    db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, user.id), inArray(auditEvents.action, [...ACTIVITY_ACTIONS])))
      .orderBy(asc(auditEvents.id)),
    // Mail to the current address; bodies never: a link in one may still work.
    db
      .select({
        template: emailOutbox.template,
        subject: emailOutbox.subject,
        locale: emailOutbox.locale,
        status: emailOutbox.status,
        createdAt: emailOutbox.createdAt,
        sentAt: emailOutbox.sentAt,
      })
      .from(emailOutbox)
      .where(eq(emailOutbox.to, user.email))
      .orderBy(asc(emailOutbox.createdAt)),
    db
      .select({
        email: tokens.newEmail,
        createdAt: tokens.createdAt,
        expiresAt: tokens.expiresAt,
        usedAt: tokens.usedAt,
      })
      .from(tokens)
      .where(and(eq(tokens.userId, user.id), eq(tokens.purpose, 'invite')))
      .orderBy(asc(tokens.createdAt)),
  ]);
  return {
    exportedAt: clock.now().toISOString(),
    profile: profileOf(user),
    settings: {
      locale: user.locale,
      timezone: user.timezone,
      theme: user.theme,
      emailNotifications: user.emailNotifications,
    },
    // No session id: it is the credential inside the cookie.
    sessions: sessionRows.map((session) => ({
      createdAt: iso(session.createdAt),
      lastSeenAt: iso(session.lastSeenAt),
      expiresAt: iso(session.expiresAt),
      revokedAt: iso(session.revokedAt),
      ip: session.ip,
      userAgent: session.userAgent,
    })),
    activity: events.map((event) => {
      const entry = toEntry(user.id, event);
      return {
        at: entry.at.toISOString(),
        action: entry.action,
        by: entry.by,
        ip: entry.ip,
        userAgent: entry.by === 'self' ? event.userAgent : null,
      };
    }),
    mails: mails.map((mail) => ({ ...mail, createdAt: iso(mail.createdAt), sentAt: iso(mail.sentAt) })),
    invitationsSent: invites.map((invite) => ({
      email: invite.email,
      createdAt: iso(invite.createdAt),
      expiresAt: iso(invite.expiresAt),
      usedOrRevokedAt: iso(invite.usedAt),
    })),
  };
}

export type OwnDataExportResult = { ok: true; data: OwnDataExport } | { ok: false; code: 'not_found' };

/** Everything stored about a person, for their download; the download itself is audited. */
export async function exportOwnData(
  db: Db,
  input: { userId: string },
  context: RequestContext,
  clock: Clock,
): Promise<OwnDataExportResult> {
  return db.transaction(async (tx): Promise<OwnDataExportResult> => {
    const [user] = await tx.select().from(users).where(eq(users.id, input.userId)).limit(1);
    if (!user) return { ok: false, code: 'not_found' };
    await recordAudit(
      tx,
      { action: 'account.data_exported', userId: user.id, actorId: user.id, ...context },
      clock,
    );
    return { ok: true, data: await collectOwnData(tx, user, clock) };
  });
}
