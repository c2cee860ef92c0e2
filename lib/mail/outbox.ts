import { and, asc, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { emailOutbox, type OutboxRow } from '@/db/schema';
import { mailBrandFor } from '@/lib/brand';
import { renderEmail, UnknownTemplateError, type TemplateName, type TemplateProps } from '@/emails';
import { addMs, HOUR, MINUTE, type Clock } from '@/lib/clock';
import type { Locale } from '@/lib/i18n/config';
import { log } from '@/lib/log';
import type { MailFrom } from './config';
import { isMailError, MailError, validateMessage, type MessageInvalidCode } from './message';
import type { MailTransport } from './transport';

/**
 * The outbox: flows insert mail in the same transaction as the change that causes it, and workers
 * deliver it later. An outage of the mail provider delays mail; it never loses it.
 */

/** Waits before retry n (after the nth failed attempt): about 1 min, 5 min, 30 min, 2 h, 12 h. */
export const RETRY_DELAYS_MS = [MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 12 * HOUR] as const;
/** The first attempt plus one per retry delay; then the row parks as failed. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** A row claimed longer ago than this belonged to a worker that died: it is taken back. */
export const CLAIM_LEASE_MS = 5 * MINUTE;

export type EnqueueResult =
  { ok: true; id: string } | { ok: false; code: MessageInvalidCode | 'unknown_template' };

export interface EnqueueInput<T extends TemplateName> {
  to: string;
  template: T;
  props: TemplateProps[T];
  locale: Locale;
  clock: Clock;
}

/**
 * Renders and queues one mail. Pass the flow's transaction as `db` so the mail exists if and only if
 * the change that caused it was committed.
 */
export async function enqueueMail<T extends TemplateName>(
  db: Db,
  input: EnqueueInput<T>,
): Promise<EnqueueResult> {
  let rendered;
  try {
    rendered = await renderEmail(input.template, input.props, input.locale, await mailBrandFor(db));
  } catch (error) {
    if (error instanceof UnknownTemplateError) return { ok: false, code: 'unknown_template' };
    throw error;
  }
  // The sender is chosen at delivery; a placeholder stands in for it here.
  const check = validateMessage({ ...rendered, to: input.to, from: { name: 'x', address: 'x@example.com' } });
  if (!check.ok) return { ok: false, code: check.code };
  const [row] = await db
    .insert(emailOutbox)
    .values({
      to: input.to,
      template: input.template,
      locale: input.locale,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      containsSecret: rendered.containsSecret,
      nextAttemptAt: input.clock.now(),
      createdAt: input.clock.now(),
    })
    .returning({ id: emailOutbox.id });
  return { ok: true, id: row!.id };
}

/**
 * Queues a mail the change cannot go without: a refusal throws, so the caller's transaction rolls
 * back with it rather than committing a change its owner is never told about.
 */
export async function enqueueRequiredMail<T extends TemplateName>(
  db: Db,
  input: EnqueueInput<T>,
): Promise<void> {
  const result = await enqueueMail(db, input);
  if (!result.ok) throw new Error(`${input.template} mail refused: ${result.code}`);
}

export interface DrainOptions {
  transport: MailTransport;
  from: MailFrom;
  clock: Clock;
  /** Rows claimed per round. */
  batchSize?: number;
  /** Messages in flight at once within a round. */
  concurrency?: number;
}

export interface DrainSummary {
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * Claims due rows with FOR UPDATE SKIP LOCKED (so instances draining at once never take the same row)
 * and delivers them. Returns what happened; call again while `claimed` equals the batch size.
 */
export async function drainOutbox(db: Db, options: DrainOptions): Promise<DrainSummary> {
  const batchSize = options.batchSize ?? 50;
  const now = options.clock.now();
  const due = db
    .select({ id: emailOutbox.id })
    .from(emailOutbox)
    .where(
      or(
        and(eq(emailOutbox.status, 'queued'), lte(emailOutbox.nextAttemptAt, now)),
        and(eq(emailOutbox.status, 'sending'), lt(emailOutbox.claimedAt, addMs(now, -CLAIM_LEASE_MS))),
      ),
    )
    .orderBy(asc(emailOutbox.nextAttemptAt))
    .limit(batchSize)
    .for('update', { skipLocked: true });
  const claimed = await db
    .update(emailOutbox)
    .set({ status: 'sending', claimedAt: now, attempts: sql`${emailOutbox.attempts} + 1` })
    .where(inArray(emailOutbox.id, due))
    .returning();

  const summary: DrainSummary = { claimed: claimed.length, sent: 0, retrying: 0, failed: 0 };
  const queue = [...claimed];
  const workers = Array.from({ length: Math.min(options.concurrency ?? 8, queue.length) }, async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      const outcome = await deliverRow(db, row, options);
      summary[outcome] += 1;
    }
  });
  await Promise.all(workers);
  return summary;
}

async function deliverRow(
  db: Db,
  row: OutboxRow,
  options: DrainOptions,
): Promise<'sent' | 'retrying' | 'failed'> {
  const now = options.clock.now();
  try {
    if (row.html === null || row.text === null) {
      throw new MailError('unknown', 'The message body is gone (scrubbed after an earlier delivery).', {
        permanent: true,
      });
    }
    const { messageId } = await options.transport.send({
      from: options.from,
      to: row.to,
      subject: row.subject,
      html: row.html,
      text: row.text,
    });
    await db
      .update(emailOutbox)
      .set({
        status: 'sent',
        sentAt: options.clock.now(),
        providerMessageId: messageId,
        transport: options.transport.name,
        lastError: null,
        claimedAt: null,
        // A delivered link must not sit in the database in clear (S54): keep the metadata only.
        ...(row.containsSecret ? { html: null, text: null, scrubbedAt: options.clock.now() } : {}),
      })
      .where(eq(emailOutbox.id, row.id));
    return 'sent';
  } catch (error) {
    const mailError = isMailError(error)
      ? error
      : new MailError('unknown', error instanceof Error ? error.message : String(error), {
          permanent: false,
        });
    if (!isMailError(error)) log.error('outbox.unexpected_error', { id: row.id, error: mailError.message });
    const parked = mailError.permanent || row.attempts >= MAX_ATTEMPTS;
    const delay = RETRY_DELAYS_MS[Math.min(row.attempts, RETRY_DELAYS_MS.length) - 1] ?? MINUTE;
    await db
      .update(emailOutbox)
      .set({
        status: parked ? 'failed' : 'queued',
        lastError: `${mailError.code}: ${mailError.message}`.slice(0, 2000),
        transport: options.transport.name,
        claimedAt: null,
        nextAttemptAt: parked ? row.nextAttemptAt : addMs(now, delay),
      })
      .where(eq(emailOutbox.id, row.id));
    log.warn(parked ? 'outbox.failed' : 'outbox.retry', {
      id: row.id,
      template: row.template,
      attempt: row.attempts,
      error: mailError.code,
    });
    return parked ? 'failed' : 'retrying';
  }
}

/** Puts a failed row back in the queue for an immediate new series of attempts (admin "re-send"). */
export async function requeueFailed(db: Db, id: string, clock: Clock): Promise<boolean> {
  const rows = await db
    .update(emailOutbox)
    .set({ status: 'queued', attempts: 0, nextAttemptAt: clock.now(), lastError: null })
    .where(and(eq(emailOutbox.id, id), eq(emailOutbox.status, 'failed')))
    .returning({ id: emailOutbox.id });
  return rows.length === 1;
}
