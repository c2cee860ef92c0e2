import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, emailOutbox } from '@/db/schema';
import { previewProps } from '@/emails';
import { ManualClock, MINUTE } from '@/lib/clock';
import { drainOutbox, enqueueMail } from '@/lib/mail/outbox';
import { MailError } from '@/lib/mail/message';
import type { MailTransport } from '@/lib/mail/transport';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import {
  countOutboxByStatus,
  listOutbox,
  OUTBOX_PAGE_SIZE,
  parseOutboxQuery,
  requeueOutboxMail,
} from './admin-mail';

const clock = new ManualClock(new Date('2026-03-01T09:00:00Z'));
const ctx = { ip: '203.0.113.9', userAgent: 'vitest' };
const ADMIN_ID = '00000000-0000-4000-8000-000000000001';
const from = { name: 'Gatehouse', address: 'accounts@example.test' };

const t = setUpTestDatabase();

/** Refuses every message for good, so each drained row parks as failed. */
const refusing: MailTransport = {
  name: 'smtp',
  async send() {
    throw new MailError(
      'rejected',
      'The SMTP server at mx.example.test:25 refused the message: 550 5.1.1 No such user',
      {
        permanent: true,
        status: 550,
      },
    );
  },
};
const accepting: MailTransport = {
  name: 'dev',
  async send() {
    return { messageId: 'ok' };
  },
};

describe('parseOutboxQuery', () => {
  it.each([
    [{}, { status: undefined, page: 1, unknownStatus: false }],
    [
      { status: 'failed', page: '3' },
      { status: 'failed', page: 3, unknownStatus: false },
    ],
    [{ status: 'exploded' }, { status: undefined, page: 1, unknownStatus: true }],
    [{ page: 'abc' }, { status: undefined, page: 1, unknownStatus: false }],
    [{ page: '-2' }, { status: undefined, page: 1, unknownStatus: false }],
    [{ page: '0' }, { status: undefined, page: 1, unknownStatus: false }],
    [{ page: '9'.repeat(10_000) }, { status: undefined, page: 1, unknownStatus: false }],
    [{ status: ['sent', 'failed'] }, { status: 'sent', page: 1, unknownStatus: false }],
  ])('%j reads as %j', (params, expected) => {
    expect(parseOutboxQuery(params)).toEqual(expected);
  });
});

describe('the outbox for admins', () => {
  beforeAll(async () => {
    // A secret-bearing mail and a plain one, both failed; then a plain one sent.
    await enqueueMail(t.db, {
      to: 'ada@example.test',
      template: 'reset-password',
      props: previewProps('reset-password'),
      locale: 'en',
      clock,
    });
    await enqueueMail(t.db, {
      to: 'bob@example.test',
      template: 'welcome',
      props: previewProps('welcome'),
      locale: 'en',
      clock,
    });
    await drainOutbox(t.db, { transport: refusing, from, clock });
    clock.advance(MINUTE);
    await enqueueMail(t.db, {
      to: 'cy@example.test',
      template: 'welcome',
      props: previewProps('welcome'),
      locale: 'en',
      clock,
    });
    await drainOutbox(t.db, { transport: accepting, from, clock });
  });

  it('counts mail per status', async () => {
    expect(await countOutboxByStatus(t.db)).toEqual({ queued: 0, sending: 0, sent: 1, failed: 2 });
  });

  it('lists by status, newest first, with the last error; never the body of mail that held a secret', async () => {
    const failed = await listOutbox(t.db, { status: 'failed', page: 1 });
    expect(failed).toMatchObject({ total: 2, page: 1, pageCount: 1 });
    const reset = failed.rows.find((row) => row.template === 'reset-password');
    const welcome = failed.rows.find((row) => row.template === 'welcome');
    expect(reset).toMatchObject({
      to: 'ada@example.test',
      status: 'failed',
      attempts: 1,
      containsSecret: true,
      text: null,
      lastError: expect.stringContaining('550 5.1.1 No such user'),
    });
    expect(JSON.stringify(failed)).not.toMatch(/reset-password\?token=|token=/);
    expect(welcome?.text).toEqual(expect.stringContaining('Welcome'));

    const all = await listOutbox(t.db, { page: 1 });
    expect(all.rows.map((row) => row.to)).toEqual([
      'cy@example.test',
      expect.any(String),
      expect.any(String),
    ]);
    expect(all.rows[0]).toMatchObject({ status: 'sent', sentAt: expect.any(Date) });
  });

  it('a page past the end is empty, not an error', async () => {
    expect(await listOutbox(t.db, { page: 999_999 })).toMatchObject({ rows: [], total: 3, pageCount: 1 });
  });

  it('pages hold OUTBOX_PAGE_SIZE rows and do not overlap', async () => {
    const more = Array.from({ length: OUTBOX_PAGE_SIZE + 5 }, (_, i) => ({
      to: `bulk${i}@example.test`,
      template: 'welcome',
      locale: 'en',
      subject: 'Welcome',
      html: '<p>hi</p>',
      text: 'hi',
      status: 'queued' as const,
      // Many share one instant: the id tie-break must keep pages apart.
      createdAt: new Date('2026-01-01T00:00:00Z'),
    }));
    await t.db.insert(emailOutbox).values(more);
    const one = await listOutbox(t.db, { status: 'queued', page: 1 });
    const two = await listOutbox(t.db, { status: 'queued', page: 2 });
    expect(one.rows).toHaveLength(OUTBOX_PAGE_SIZE);
    expect(two.rows).toHaveLength(5);
    expect(one.pageCount).toBe(2);
    const ids = new Set([...one.rows, ...two.rows].map((row) => row.id));
    expect(ids.size).toBe(OUTBOX_PAGE_SIZE + 5);
    await t.db.delete(emailOutbox).where(eq(emailOutbox.status, 'queued'));
  });

  it('re-sending a failed mail queues it again at once and audits mail.requeued; a second press does nothing', async () => {
    const [failed] = (await listOutbox(t.db, { status: 'failed', page: 1 })).rows;
    expect(await requeueOutboxMail(t.db, { adminId: ADMIN_ID, id: failed!.id }, ctx, clock)).toEqual({
      ok: true,
    });
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, failed!.id));
    expect(row).toMatchObject({ status: 'queued', attempts: 0, lastError: null, nextAttemptAt: clock.now() });

    const audits = await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'mail.requeued'));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actorId: ADMIN_ID,
      ip: ctx.ip,
      meta: { outboxId: failed!.id, to: failed!.to, template: failed!.template, previousAttempts: 1 },
    });

    expect(await requeueOutboxMail(t.db, { adminId: ADMIN_ID, id: failed!.id }, ctx, clock)).toEqual({
      ok: false,
      code: 'not_failed',
    });
    const sent = (await listOutbox(t.db, { status: 'sent', page: 1 })).rows[0]!;
    expect(await requeueOutboxMail(t.db, { adminId: ADMIN_ID, id: sent.id }, ctx, clock)).toEqual({
      ok: false,
      code: 'not_failed',
    });
    expect(
      await requeueOutboxMail(
        t.db,
        { adminId: ADMIN_ID, id: '00000000-0000-4000-8000-00000000beef' },
        ctx,
        clock,
      ),
    ).toEqual({ ok: false, code: 'not_failed' });
    expect(await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'mail.requeued'))).toHaveLength(
      1,
    );
  });
});
