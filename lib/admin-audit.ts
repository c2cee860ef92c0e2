import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { isAuditAction, listAudit, type AuditAction, type AuditEvent } from './audit';

/**
 * The admin's audit log (/admin/audit): the filters of its query string read forgivingly, accounts
 * named by email, username or id, dates taken in the admin's time zone, and pages by id (keyset,
 * lib/audit.ts listAudit). A filter that cannot be understood is reported and lists nothing: quietly
 * ignoring it would show a wider log than the admin asked for.
 */

export const AUDIT_PAGE_SIZE = 50;
/** Nothing longer can name an account (an email has at most 254 characters). */
const MAX_ACCOUNT_FILTER = 254;

type Params = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** The filters as the form shows them again. */
export interface AuditFilterForm {
  actor: string;
  user: string;
  action: string;
  from: string;
  to: string;
}

export interface AuditPerson {
  username: string;
  email: string;
}

export interface AuditSearch {
  form: AuditFilterForm;
  /** Message keys by filter field; when there is any, `events` is empty. */
  problems: Partial<Record<keyof AuditFilterForm, string>>;
  events: AuditEvent[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: number | null;
  /** Whether this is a later page (a `before` cursor was used). */
  paged: boolean;
  /** Accounts mentioned on this page, by id; deleted accounts are missing (shown by id). */
  people: Record<string, AuditPerson>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/**
 * An account named by id (kept even when the account is gone: the log outlives it), email or
 * username. Undefined when nothing matches.
 */
export async function resolveAccount(db: Db, text: string): Promise<string | undefined> {
  if (UUID.test(text)) return text.toLowerCase();
  const where = text.includes('@')
    ? eq(users.email, text.toLowerCase())
    : eq(sql`lower(${users.username})`, text.toLowerCase());
  const [row] = await db.select({ id: users.id }).from(users).where(where).limit(1);
  return row?.id;
}

function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return wall - instant;
}

/**
 * The instant a calendar day (YYYY-MM-DD) starts in a time zone, or undefined for anything that is not
 * a real date ("yesterday", 2026-02-30). `days` moves the day first (1: the start of the next day).
 */
export function startOfDay(text: string, timeZone: string, days = 0): Date | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(year, month - 1, day);
  const check = new Date(utc);
  if (year < 1970 || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  const guess = utc + days * 86_400_000;
  let zone = timeZone;
  try {
    offsetMs(guess, zone);
  } catch {
    zone = 'UTC';
  }
  // Twice, so a day that starts just after a daylight-saving change lands on its own offset.
  const first = guess - offsetMs(guess, zone);
  return new Date(guess - offsetMs(first, zone));
}

export async function searchAudit(
  db: Db,
  params: Params,
  timeZone: string,
  pageSize = AUDIT_PAGE_SIZE,
): Promise<AuditSearch> {
  const form: AuditFilterForm = {
    actor: first(params.actor).trim().slice(0, MAX_ACCOUNT_FILTER),
    user: first(params.user).trim().slice(0, MAX_ACCOUNT_FILTER),
    action: first(params.action).trim().slice(0, 100),
    from: first(params.from).trim().slice(0, 10),
    to: first(params.to).trim().slice(0, 10),
  };
  const rawFrom = first(params.from).trim();
  const rawTo = first(params.to).trim();
  const problems: AuditSearch['problems'] = {};

  const actorId = form.actor ? await resolveAccount(db, form.actor) : undefined;
  if (form.actor && !actorId) problems.actor = 'adminAudit.errors.noAccount';
  const userId = form.user ? await resolveAccount(db, form.user) : undefined;
  if (form.user && !userId) problems.user = 'adminAudit.errors.noAccount';

  let action: AuditAction | undefined;
  if (form.action) {
    if (isAuditAction(form.action)) action = form.action;
    else problems.action = 'adminAudit.errors.action';
  }

  const from = rawFrom ? startOfDay(rawFrom, timeZone) : undefined;
  if (rawFrom && !from) problems.from = 'adminAudit.errors.date';
  // "To" names the last day wanted, so the range ends where the next day starts.
  const to = rawTo ? startOfDay(rawTo, timeZone, 1) : undefined;
  if (rawTo && !to) problems.to = 'adminAudit.errors.date';
  if (from && to && from >= to) problems.to = 'adminAudit.errors.range';

  const rawBefore = first(params.before);
  const before = /^[0-9]{1,15}$/.test(rawBefore) ? Number(rawBefore) : undefined;

  if (Object.keys(problems).length > 0) {
    return { form, problems, events: [], nextBefore: null, paged: before !== undefined, people: {} };
  }
  const page = await listAudit(db, { actorId, userId, action, from, to, before, limit: pageSize });
  const ids = [...new Set(page.events.flatMap((e) => [e.actorId, e.userId]).filter((id) => id !== null))];
  const found =
    ids.length === 0
      ? []
      : await db
          .select({ id: users.id, username: users.username, email: users.email })
          .from(users)
          .where(inArray(users.id, ids));
  const people = Object.fromEntries(found.map(({ id, ...person }) => [id, person]));
  return { form, problems, ...page, paged: before !== undefined, people };
}
