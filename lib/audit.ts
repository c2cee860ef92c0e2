import { and, desc, eq, gte, inArray, lt, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { auditEvents } from '@/db/schema';
import type { Clock } from './clock';

/**
 * The audit trail of security events (S55): who did what to whom, from where and when. Rows are only
 * ever inserted; pass a transaction as `db` to record an event atomically with the change it describes.
 */

export const AUDIT_ACTIONS = [
  'user.registered',
  'user.email_verified',
  'user.approved',
  'user.rejected',
  'login.succeeded',
  'login.failed',
  'login.throttled',
  'login.throttle_started',
  'login.hard_stopped',
  'logout',
  'session.revoked',
  'password.reset_requested',
  'password.reset_completed',
  'password.reset_code_failed',
  'password.changed',
  'email.change_requested',
  'email.changed',
  'email.change_cancelled',
  'user.locked',
  'user.unlocked',
  'user.role_changed',
  'user.deleted',
  'user.created_by_admin',
  'verification.resent',
  'recovery_phrase.created',
  'recovery_phrase.replaced',
  'recovery_phrase.used',
  'recovery_phrase.failed',
  'recovery_phrase.cleared',
  'settings.changed',
  'mail.test_sent',
  'registration.duplicate',
  'user.profile_edited',
  'password.reset_sent_by_admin',
  'session.revoked_by_admin',
  'mail.requeued',
  'user.unconfirmed_removed',
  'registration.replaced_unconfirmed',
  'verification.failed',
  'user.lock_skipped',
  'user.imported',
  'user.import_completed',
  'access_token.created',
  'access_token.revoked',
  'invite.sent',
  'invite.revoked',
  'invite.accepted',
  'account.data_exported',
  'users.exported',
  'passkey.added',
  'passkey.renamed',
  'passkey.removed',
  'passkey.verified',
  'passkey.failed',
  'login.second_factor_required',
  'login.second_factor_failed',
  'two_factor.enabled',
  'two_factor.disabled',
  'two_factor.recovery_codes_replaced',
  'two_factor.recovery_code_used',
  'two_factor.reset_by_admin',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

const ACTION_SET: ReadonlySet<string> = new Set(AUDIT_ACTIONS);

export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === 'string' && ACTION_SET.has(value);
}

/** What a request knows about who is acting and from where: spread it into recordAudit's input. */
export interface AuditContext {
  actorId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

export interface AuditInput extends AuditContext {
  action: AuditAction;
  /** The account the event is about (the target); null for events about no account. */
  userId?: string | null;
  meta?: Record<string, unknown>;
}

export type AuditEvent = typeof auditEvents.$inferSelect;

/** 45 characters hold the longest textual IPv6 address (with an embedded IPv4 tail). */
export const MAX_IP_LENGTH = 45;
export const MAX_USER_AGENT_LENGTH = 512;
export const MAX_META_BYTES = 4096;
const MAX_META_STRING = 256;
const MAX_META_DEPTH = 4;
const MAX_META_ENTRIES = 50;

/**
 * Keys whose values must never reach the log. Matched anywhere in the key and case-insensitively, so
 * `newPassword`, `resetToken` and `verification_code` go too: dropping an innocent field costs less
 * than keeping a secret.
 */
const SECRET_KEY = /password|passwd|token|code|secret|phrase|api_?key|authorization|cookie|credential|hash/i;

/**
 * Postgres refuses NUL in text and jsonb, and lone UTF-16 surrogates in jsonb: a client-supplied user
 * agent must not be able to make the audit insert (and so the whole transaction) fail.
 */
function cleanString(value: string, max: number): string {
  const clean = value
    .replace(/\u0000/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  if (clean.length <= max) return clean;
  // Never cut a surrogate pair in half.
  const end = /[\uD800-\uDBFF]/.test(clean.charAt(max - 2)) ? max - 2 : max - 1;
  return `${clean.slice(0, end)}…`;
}

function cleanOptional(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  const clean = cleanString(value.trim(), max);
  return clean === '' ? null : clean;
}

function sanitizeValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return cleanString(value, MAX_META_STRING);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  // An error message can quote its input; the name says what went wrong without that risk.
  if (value instanceof Error) return value.name;
  if (typeof value !== 'object') return undefined; // functions, symbols, undefined
  if (depth >= MAX_META_DEPTH) return '[too deep]';
  if (Array.isArray(value)) {
    return value.slice(0, MAX_META_ENTRIES).map((item) => sanitizeValue(item, depth + 1) ?? null);
  }
  const clean = sanitizeObject(value as Record<string, unknown>, depth + 1);
  // An object left empty only because its secrets went says nothing: drop it rather than store `{}`.
  return Object.keys(clean).length === 0 && Object.keys(value).length > 0 ? undefined : clean;
}

function sanitizeObject(input: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let entries = 0;
  for (const [key, value] of Object.entries(input)) {
    // `__proto__` would set the prototype instead of a field (JSON.parse can produce such a key).
    if (SECRET_KEY.test(key) || key === '__proto__') continue;
    if (entries >= MAX_META_ENTRIES) break;
    const clean = sanitizeValue(value, depth);
    if (clean === undefined) continue;
    out[cleanString(key, 64)] = clean;
    entries += 1;
  }
  return out;
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * Makes caller-supplied details safe to keep: secret-looking keys dropped at every depth, long strings
 * cut, and the whole capped at MAX_META_BYTES. When over the cap, top-level entries are kept in order
 * while they fit and `truncated: true` marks the loss.
 */
export function sanitizeMeta(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!meta) return {};
  const clean = sanitizeObject(meta, 0);
  if (jsonBytes(clean) <= MAX_META_BYTES) return clean;
  const kept: Record<string, unknown> = { truncated: true };
  for (const [key, value] of Object.entries(clean)) {
    if (key === 'truncated') continue;
    kept[key] = value;
    if (jsonBytes(kept) > MAX_META_BYTES) delete kept[key];
  }
  return kept;
}

/**
 * Records one event. `at` comes from the clock when given (tests, or to match the change's own
 * timestamp); otherwise the database's now().
 */
export async function recordAudit(db: Db, input: AuditInput, clock?: Clock): Promise<{ id: number }> {
  const [row] = await db.insert(auditEvents).values(auditRow(input, clock)).returning({ id: auditEvents.id });
  if (!row) throw new Error('audit insert returned no row');
  return row;
}

/**
 * The row recordAudit inserts, checked and cleaned the same way, for a caller that writes it inside a
 * statement of its own (lib/login.ts's startSession: session, last sign-in and audit row in one).
 */
export function auditRow(input: AuditInput, clock?: Clock): typeof auditEvents.$inferInsert {
  // The type already says so; this catches a cast or an untyped caller before a stray action is stored.
  if (!isAuditAction(input.action)) throw new Error(`unknown audit action: ${String(input.action)}`);
  return {
    action: input.action,
    at: clock?.now(),
    userId: input.userId ?? null,
    actorId: input.actorId ?? null,
    ip: cleanOptional(input.ip, MAX_IP_LENGTH),
    userAgent: cleanOptional(input.userAgent, MAX_USER_AGENT_LENGTH),
    meta: sanitizeMeta(input.meta),
  };
}

export const MAX_AUDIT_PAGE = 500;

export interface AuditQuery {
  userId?: string;
  actorId?: string;
  action?: AuditAction | readonly AuditAction[];
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Page size, 1 to MAX_AUDIT_PAGE. */
  limit: number;
  /** Cursor: only events with a smaller id, i.e. the `nextBefore` of the previous page. */
  before?: number;
}

export interface AuditPage {
  events: AuditEvent[];
  /** Pass as `before` to get the next (older) page; null when this page is the last. */
  nextBefore: number | null;
}

/** Events newest first, paged by id (keyset), so a page stays cheap however deep the reader goes. */
export async function listAudit(db: Db, query: AuditQuery): Promise<AuditPage> {
  const limit = Math.min(MAX_AUDIT_PAGE, Math.max(1, Math.floor(query.limit)));
  const conditions: SQL[] = [];
  if (query.userId !== undefined) conditions.push(eq(auditEvents.userId, query.userId));
  if (query.actorId !== undefined) conditions.push(eq(auditEvents.actorId, query.actorId));
  if (typeof query.action === 'string') conditions.push(eq(auditEvents.action, query.action));
  else if (query.action !== undefined) {
    // An empty list means "none of them", not "any": an empty filter must not widen the result.
    if (query.action.length === 0) return { events: [], nextBefore: null };
    conditions.push(inArray(auditEvents.action, [...query.action]));
  }
  if (query.from !== undefined) conditions.push(gte(auditEvents.at, query.from));
  if (query.to !== undefined) conditions.push(lt(auditEvents.at, query.to));
  if (query.before !== undefined) conditions.push(lt(auditEvents.id, query.before));

  // One extra row tells whether an older page exists without a count query.
  const rows = await db
    .select()
    .from(auditEvents)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(limit + 1);
  const events = rows.slice(0, limit);
  const last = events[events.length - 1];
  return { events, nextBefore: rows.length > limit && last ? last.id : null };
}
