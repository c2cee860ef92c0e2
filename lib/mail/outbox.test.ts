import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { devMailbox, emailOutbox } from '@/db/schema';
import { ManualClock, MINUTE } from '@/lib/clock';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { linksIn, startSmtpCatcher, type SmtpCatcher } from '@/tests/helpers/smtp-catcher';
import { listDevMail } from './dev-mailbox';
import {
  CLAIM_LEASE_MS,
  drainOutbox,
  enqueueMail,
  MAX_ATTEMPTS,
  RETRY_DELAYS_MS,
  requeueFailed,
} from './outbox';
import type { MailTransport } from './transport';
import { createDevTransport } from './transports/dev';
import { createSmtpTransport } from './transports/smtp';

const APP_URL = 'https://accounts.example.test';
const from = { name: 'Gatehouse', address: 'accounts@example.test' };

let t: TestDatabase;
let catcher: SmtpCatcher;
let transport: MailTransport;
const clock = new ManualClock(new Date('2026-03-01T09:00:00Z'));

beforeAll(async () => {
  t = await createTestDatabase();
  catcher = await startSmtpCatcher({ requireAuth: { user: 'mailer', pass: 'secret' } });
  transport = createSmtpTransport({
    host: catcher.host,
    port: catcher.port,
    encryption: 'starttls',
    username: 'mailer',
    password: 'secret',
    rejectUnauthorized: false,
    connectionTimeoutMs: 2000,
  });
});

afterAll(async () => {
  transport?.close?.();
  await catcher?.stop();
  await t?.close();
});

beforeEach(async () => {
  await t.db.delete(emailOutbox);
  catcher.clear();
  // Delivery failures are logged as warnings on purpose; keep the test output readable.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(async () => {
  if (!catcher.isUp) await catcher.up();
});

const verifyMail = (to: string, token = 'tok_abc-123') =>
  enqueueMail(t.db, {
    to,
    template: 'verify-email',
    locale: 'en',
    clock,
    props: { username: 'ada', verifyUrl: `${APP_URL}/verify-email?token=${token}`, expiresInMinutes: 1440 },
  });

const drain = (over: Partial<Parameters<typeof drainOutbox>[1]> = {}) =>
  drainOutbox(t.db, { transport, from, clock, ...over });

async function rowFor(id: string) {
  const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
  return row!;
}

describe('the outbox', () => {
  it('delivers a queued mail over SMTP (STARTTLS, AUTH) with both parts and a working link', async () => {
    const queued = await verifyMail('ada@example.com');
    expect(queued.ok).toBe(true);
    const summary = await drain();
    expect(summary).toMatchObject({ claimed: 1, sent: 1, retrying: 0, failed: 0 });

    const mail = await catcher.waitForMail('ada@example.com');
    expect(mail.from).toEqual(from);
    expect(mail.to).toEqual(['ada@example.com']);
    expect(mail.subject).toMatch(/confirm/i);
    expect(mail.html).toContain('<html');
    expect(mail.text.length).toBeGreaterThan(20);
    expect(mail.session).toEqual({ secure: true, user: 'mailer' });
    const links = linksIn(mail);
    expect(links).toContain(`${APP_URL}/verify-email?token=tok_abc-123`);
    expect(links.every((link) => link.startsWith(APP_URL))).toBe(true);
  });

  it('S54: once delivered, a body that carried a link is scrubbed and the metadata stays', async () => {
    const queued = await verifyMail('grace@example.com', 'secret-token-value');
    await drain();
    const row = await rowFor(queued.ok ? queued.id : '');
    expect(row.status).toBe('sent');
    expect(row.html).toBeNull();
    expect(row.text).toBeNull();
    expect(row.scrubbedAt).not.toBeNull();
    expect(row.to).toBe('grace@example.com');
    expect(row.template).toBe('verify-email');
    expect(row.providerMessageId).toBeTruthy();
    const dump = await t.db.execute(sql`select * from email_outbox`);
    expect(JSON.stringify(dump)).not.toContain('secret-token-value');
  });

  it('keeps the body of a delivered mail without secrets', async () => {
    const queued = await enqueueMail(t.db, {
      to: 'linus@example.com',
      template: 'account-deleted',
      locale: 'en',
      clock,
      props: { username: 'linus', appUrl: APP_URL } as never,
    });
    expect(queued.ok).toBe(true);
    await drain();
    const row = await rowFor(queued.ok ? queued.id : '');
    expect(row.status).toBe('sent');
    expect(row.html).not.toBeNull();
  });

  it('SMTP down for the first attempts: retried with backoff, then delivered exactly once', async () => {
    const queued = await verifyMail('outage@example.com');
    const id = queued.ok ? queued.id : '';
    await catcher.down();

    expect(await drain()).toMatchObject({ claimed: 1, retrying: 1 });
    let row = await rowFor(id);
    expect(row.status).toBe('queued');
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/connection/i);
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(RETRY_DELAYS_MS[0]);

    // Not due yet: nothing is claimed.
    expect((await drain()).claimed).toBe(0);
    clock.advance(RETRY_DELAYS_MS[0]);
    expect(await drain()).toMatchObject({ claimed: 1, retrying: 1 });
    row = await rowFor(id);
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(RETRY_DELAYS_MS[1]);

    await catcher.up();
    clock.advance(RETRY_DELAYS_MS[1]);
    expect(await drain()).toMatchObject({ claimed: 1, sent: 1 });
    await catcher.waitForMail('outage@example.com');
    expect((await drain()).claimed).toBe(0);
    expect(catcher.count()).toBe(1);
    expect((await rowFor(id)).attempts).toBe(3);
  });

  it(`parks a mail as failed after ${MAX_ATTEMPTS} temporary failures, and an admin can re-send it`, async () => {
    const queued = await verifyMail('parked@example.com');
    const id = queued.ok ? queued.id : '';
    await catcher.down();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      expect((await drain()).claimed).toBe(1);
      clock.advance(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length) - 1]!);
    }
    const row = await rowFor(id);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(MAX_ATTEMPTS);
    expect(row.lastError).toBeTruthy();
    expect(row.html).not.toBeNull();
    expect((await drain()).claimed).toBe(0);

    await catcher.up();
    expect(await requeueFailed(t.db, id, clock)).toBe(true);
    expect(await drain()).toMatchObject({ sent: 1 });
    await catcher.waitForMail('parked@example.com');
    expect(await requeueFailed(t.db, id, clock)).toBe(false);
  });

  it('a permanent refusal (550) parks the mail at once with the server’s words', async () => {
    const queued = await verifyMail('nobody@example.com');
    catcher.failNext(1, { code: 550, message: 'No such user here', at: 'rcpt' });
    expect(await drain()).toMatchObject({ failed: 1 });
    const row = await rowFor(queued.ok ? queued.id : '');
    expect(row.status).toBe('failed');
    expect(row.lastError).toMatch(/No such user here/);
  });

  it('a worker that died holding a row loses it after the lease', async () => {
    const queued = await verifyMail('lease@example.com');
    const id = queued.ok ? queued.id : '';
    await t.db
      .update(emailOutbox)
      .set({ status: 'sending', claimedAt: clock.now(), attempts: 1 })
      .where(eq(emailOutbox.id, id));
    expect((await drain()).claimed).toBe(0);
    clock.advance(CLAIM_LEASE_MS + 1);
    expect(await drain()).toMatchObject({ claimed: 1, sent: 1 });
  });

  it('two workers draining 1,000 queued mails at once deliver each exactly once', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      to: `bulk-${i}@example.com`,
      template: 'welcome',
      locale: 'en',
      subject: `Bulk ${i}`,
      html: `<p>Hello ${i}</p>`,
      text: `Hello ${i}`,
      nextAttemptAt: clock.now(),
    }));
    for (let i = 0; i < rows.length; i += 250) await t.db.insert(emailOutbox).values(rows.slice(i, i + 250));
    const second = createSmtpTransport({
      host: catcher.host,
      port: catcher.port,
      encryption: 'starttls',
      username: 'mailer',
      password: 'secret',
      rejectUnauthorized: false,
    });
    const worker = async (via: MailTransport) => {
      let sent = 0;
      for (;;) {
        const summary = await drain({ transport: via, batchSize: 50 });
        sent += summary.sent;
        if (summary.claimed === 0) return sent;
      }
    };
    try {
      const [a, b] = await Promise.all([worker(transport), worker(second)]);
      expect(a + b).toBe(1000);
      // Both took part: neither drained the lot alone.
      expect(Math.min(a, b)).toBeGreaterThan(0);
    } finally {
      second.close?.();
    }
    expect(catcher.count()).toBe(1000);
    const recipients = new Set(catcher.messages.map((m) => m.envelope.to[0]));
    expect(recipients.size).toBe(1000);
    const [{ count }] = (await t.db
      .select({ count: sql<number>`count(*)::int` })
      .from(emailOutbox)
      .where(eq(emailOutbox.status, 'sent'))) as [{ count: number }];
    expect(count).toBe(1000);
  });
});

describe('bad input never reaches a header or crashes the worker', () => {
  it.each([
    ['a CR/LF in the address', 'victim@example.com\r\nBcc: evil@example.com', 'invalid_recipient'],
    ['an address over 254 characters', `${'a'.repeat(250)}@example.com`, 'invalid_recipient'],
    ['not an address', 'not-an-address', 'invalid_recipient'],
  ])('%s is refused with a typed error', async (_label, to, code) => {
    expect(await verifyMail(to)).toEqual({ ok: false, code });
    expect(await t.db.select().from(emailOutbox)).toHaveLength(0);
  });

  it('an unknown template is refused with a typed error', async () => {
    const result = await enqueueMail(t.db, {
      to: 'a@example.com',
      template: 'no-such-template' as never,
      locale: 'en',
      clock,
      props: {} as never,
    });
    expect(result).toEqual({ ok: false, code: 'unknown_template' });
  });

  it('a 5 MB body is refused', async () => {
    const result = await enqueueMail(t.db, {
      to: 'admin@example.com',
      template: 'admin-new-signup',
      locale: 'en',
      clock,
      props: {
        username: 'big',
        fullName: 'Big Comment',
        email: 'big@example.com',
        comment: 'x'.repeat(5 * 1024 * 1024),
        approvalRequired: true,
        adminUserUrl: `${APP_URL}/admin/users/1`,
      } as never,
    });
    expect(result).toEqual({ ok: false, code: 'body_too_large' });
  });

  it('a bad row that slipped into the table is parked and the rest still goes out', async () => {
    await t.db.insert(emailOutbox).values([
      {
        to: 'x@example.com\r\nBcc: evil@example.com',
        template: 'welcome',
        locale: 'en',
        subject: 'A',
        html: 'a',
        text: 'a',
        nextAttemptAt: clock.now(),
      },
      {
        to: 'fine@example.com',
        template: 'welcome',
        locale: 'en',
        subject: 'B',
        html: 'b',
        text: 'b',
        nextAttemptAt: clock.now(),
      },
    ]);
    expect(await drain()).toMatchObject({ claimed: 2, sent: 1, failed: 1 });
    await catcher.waitForMail('fine@example.com');
    expect(catcher.messages.flatMap((m) => m.envelope.to)).not.toContain('evil@example.com');
  });
});

describe('the development transport', () => {
  it('stores mail in the development mailbox, links intact', async () => {
    await t.db.delete(devMailbox);
    await verifyMail('dev@example.com', 'dev-token');
    expect(await drain({ transport: createDevTransport(t.db) })).toMatchObject({ sent: 1 });
    const [listed] = await listDevMail(t.db);
    expect(listed).toMatchObject({ to: 'dev@example.com' });
    const [stored] = await t.db.select().from(devMailbox);
    expect(stored!.html).toContain(`${APP_URL}/verify-email?token=dev-token`);
    expect(stored!.from).toBe('Gatehouse <accounts@example.test>');
  });
});

it('RETRY_DELAYS_MS is about 1 min, 5 min, 30 min, 2 h, 12 h', () => {
  expect(RETRY_DELAYS_MS.map((ms) => ms / MINUTE)).toEqual([1, 5, 30, 120, 720]);
});
