import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { emailOutbox, outboxStatus } from '@/db/schema';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import { requeueFailed } from './mail/outbox';
import type { RequestContext } from './request-context';

/**
 * The admin's view of the outbox (/admin/mail): mail by status with numbered pages, counts per status,
 * and "re-send" for a failed mail. Bodies of mail that carried a secret (a token link or a code) are
 * never read here: the listing selects a body only for mail marked as holding none.
 */

export const OUTBOX_STATUSES = outboxStatus.enumValues;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export const OUTBOX_PAGE_SIZE = 50;
const MAX_TEXT_SHOWN = 4000;

type Params = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

export interface OutboxQuery {
  status?: OutboxStatus;
  page: number;
  /** A status was asked for that does not exist: the page says so and lists nothing. */
  unknownStatus: boolean;
}

/** Reads the query string; nothing here can throw. A page that is not a whole number is page 1. */
export function parseOutboxQuery(params: Params): OutboxQuery {
  const status = first(params.status);
  const page = first(params.page);
  const known = (OUTBOX_STATUSES as readonly string[]).includes(status);
  return {
    status: known ? (status as OutboxStatus) : undefined,
    unknownStatus: status !== '' && !known,
    page: /^[0-9]{1,6}$/.test(page) ? Math.max(1, Number(page)) : 1,
  };
}

export interface OutboxListRow {
  id: string;
  to: string;
  template: string;
  subject: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
  transport: string | null;
  containsSecret: boolean;
  /** The plain-text body, for mail that carried no secret and still has it; null otherwise. */
  text: string | null;
}

export interface OutboxPage {
  rows: OutboxListRow[];
  /** Mail matching the filter, over all pages. */
  total: number;
  page: number;
  pageCount: number;
}

/** Newest first; the tie-break on id keeps pages stable when many rows share a created_at. */
export async function listOutbox(
  db: Db,
  query: { status?: OutboxStatus; page: number },
): Promise<OutboxPage> {
  const where = query.status ? eq(emailOutbox.status, query.status) : undefined;
  const [totals] = await db.select({ total: count() }).from(emailOutbox).where(where);
  const total = totals?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / OUTBOX_PAGE_SIZE));
  const page = Math.max(1, Math.floor(query.page));
  if ((page - 1) * OUTBOX_PAGE_SIZE >= total) return { rows: [], total, page, pageCount };
  const rows = await db
    .select({
      id: emailOutbox.id,
      to: emailOutbox.to,
      template: emailOutbox.template,
      subject: emailOutbox.subject,
      status: emailOutbox.status,
      attempts: emailOutbox.attempts,
      nextAttemptAt: emailOutbox.nextAttemptAt,
      lastError: emailOutbox.lastError,
      sentAt: emailOutbox.sentAt,
      createdAt: emailOutbox.createdAt,
      transport: emailOutbox.transport,
      containsSecret: emailOutbox.containsSecret,
      // Decided in the query, so a secret-bearing body never even reaches this process; the rest is
      // cut to what a reader checks at a glance (a page holds 50 rows).
      text: sql<
        string | null
      >`case when ${emailOutbox.containsSecret} then null else left(${emailOutbox.text}, ${MAX_TEXT_SHOWN}) end`,
    })
    .from(emailOutbox)
    .where(where)
    .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
    .limit(OUTBOX_PAGE_SIZE)
    .offset((page - 1) * OUTBOX_PAGE_SIZE);
  return { rows, total, page, pageCount };
}

export async function countOutboxByStatus(db: Db): Promise<Record<OutboxStatus, number>> {
  const rows = await db
    .select({ status: emailOutbox.status, n: count() })
    .from(emailOutbox)
    .groupBy(emailOutbox.status);
  const counts = Object.fromEntries(OUTBOX_STATUSES.map((status) => [status, 0])) as Record<
    OutboxStatus,
    number
  >;
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}

export type RequeueResult = { ok: true } | { ok: false; code: 'not_failed' };

/** Puts a failed mail back in the queue for a new series of attempts; audited as mail.requeued. */
export async function requeueOutboxMail(
  db: Db,
  input: { adminId: string; id: string },
  context: RequestContext,
  clock: Clock,
): Promise<RequeueResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ to: emailOutbox.to, template: emailOutbox.template, attempts: emailOutbox.attempts })
      .from(emailOutbox)
      .where(and(eq(emailOutbox.id, input.id), eq(emailOutbox.status, 'failed')))
      .limit(1);
    if (!row || !(await requeueFailed(tx, input.id, clock))) return { ok: false, code: 'not_failed' };
    await recordAudit(
      tx,
      {
        action: 'mail.requeued',
        actorId: input.adminId,
        ip: context.ip,
        userAgent: context.userAgent,
        meta: { outboxId: input.id, to: row.to, template: row.template, previousAttempts: row.attempts },
      },
      clock,
    );
    return { ok: true };
  });
}
