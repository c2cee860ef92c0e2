import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import {
  linksIn,
  startSmtpCatcher,
  type SmtpCatcher,
  type SmtpCatcherOptions,
} from '@/tests/helpers/smtp-catcher';
import { MailError, type MailMessage } from '../message';
import type { MailTransport } from '../transport';
import { createSmtpTransport, type SmtpConfig } from './smtp';

const LINK = 'https://accounts.example.test/verify-email?token=abc_-123';
// Long enough that quoted-printable has to wrap the line it sits on, and with an & to entity-encode.
const LONG_LINK = `${LINK}&next=%2Fsettings%2Fsecurity%3Ftab%3Dpasskeys&lang=en-GB&utm=${'x'.repeat(40)}`;
const AUTH = { user: 'mailer@example.test', pass: 'correct horse battery staple' };

function mail(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    from: { name: 'Gatehouse Accounts', address: 'accounts@example.test' },
    to: 'ada@example.test',
    subject: 'Verify your email address',
    html: `<p>Welcome!</p><p><a href="${LONG_LINK.replace(/&/g, '&amp;')}">Verify</a> or open ${LINK}</p>`,
    text: `Welcome!\n\nVerify your email: ${LONG_LINK}\n\nOr open ${LINK}.`,
    ...overrides,
  };
}

const open: { catchers: SmtpCatcher[]; transports: MailTransport[]; servers: Server[] } = {
  catchers: [],
  transports: [],
  servers: [],
};

afterEach(async () => {
  for (const transport of open.transports.splice(0)) transport.close?.();
  await Promise.all(open.catchers.splice(0).map((c) => c.stop()));
  await Promise.all(
    open.servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  );
});

async function catcher(options?: SmtpCatcherOptions): Promise<SmtpCatcher> {
  const started = await startSmtpCatcher(options);
  open.catchers.push(started);
  return started;
}

function transport(target: SmtpCatcher, config: Partial<SmtpConfig> = {}): MailTransport {
  const created = createSmtpTransport({
    host: target.host,
    port: target.port,
    encryption: 'starttls',
    rejectUnauthorized: false,
    connectionTimeoutMs: 2_000,
    ...config,
  });
  open.transports.push(created);
  return created;
}

async function sendError(t: MailTransport, message: MailMessage = mail()): Promise<MailError> {
  const error = await t.send(message).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MailError);
  return error as MailError;
}

describe('createSmtpTransport against a real SMTP server', () => {
  it.each([
    ['STARTTLS and AUTH PLAIN', { authMethods: ['PLAIN'] }, 'starttls'],
    ['STARTTLS and AUTH LOGIN', { authMethods: ['LOGIN'] }, 'starttls'],
    ['implicit TLS', { secure: true }, 'implicit'],
  ] as const)(
    'delivers over %s with From, To, Subject, both parts and intact links',
    async (_, extra, encryption) => {
      const server = await catcher({ requireAuth: AUTH, ...extra });
      const smtp = transport(server, { encryption, username: AUTH.user, password: AUTH.pass });

      const { messageId } = await smtp.send(mail({ headers: { 'X-Gatehouse-Purpose': 'verify-email' } }));
      const caught = await server.waitForMail('ada@example.test', { timeoutMs: 2_000 });

      expect(messageId).toMatch(/^<.+@.+>$/);
      expect(caught.messageId).toBe(messageId);
      expect(caught.from).toEqual({ name: 'Gatehouse Accounts', address: 'accounts@example.test' });
      expect(caught.to).toEqual(['ada@example.test']);
      expect(caught.envelope).toEqual({ from: 'accounts@example.test', to: ['ada@example.test'] });
      expect(caught.subject).toBe('Verify your email address');
      expect(caught.headers['x-gatehouse-purpose']).toBe('verify-email');
      expect(caught.text).toContain(`Verify your email: ${LONG_LINK}`);
      expect(caught.html).toContain(`href="${LONG_LINK.replace(/&/g, '&amp;')}"`);
      expect(linksIn(caught)).toEqual([LONG_LINK, LINK]);
      expect(caught.session).toEqual({ secure: true, user: AUTH.user });
    },
  );

  it('keeps non-ASCII names and subjects intact', async () => {
    const server = await catcher();
    const smtp = transport(server);
    await smtp.send(
      mail({
        from: { name: 'Gâtehouse, “Konten”', address: 'accounts@example.test' },
        subject: 'Bestätige – 🔐',
      }),
    );
    const caught = await server.waitForMail('ada@example.test', { timeoutMs: 2_000 });
    expect(caught.from.name).toBe('Gâtehouse, “Konten”');
    expect(caught.subject).toBe('Bestätige – 🔐');
  });

  it('reports a wrong password with the server’s own 535 reply, as a temporary failure', async () => {
    const server = await catcher({ requireAuth: AUTH });
    const smtp = transport(server, { username: AUTH.user, password: 'wrong' });

    const error = await sendError(smtp);
    expect(error.code).toBe('auth_failed');
    expect(error.permanent).toBe(false);
    expect(error.status).toBe(535);
    expect(error.message).toContain('535 5.7.8 Authentication credentials invalid');
    expect(server.stats().authFailures).toBe(1);
    expect(server.count()).toBe(0);

    await expect(smtp.verify?.()).rejects.toThrow('535 5.7.8 Authentication credentials invalid');
  });

  it('verify() succeeds with good credentials and sends nothing', async () => {
    const server = await catcher({ requireAuth: AUTH });
    await transport(server, { username: AUTH.user, password: AUTH.pass }).verify?.();
    expect(server.stats().authAttempts).toBe(1);
    expect(server.count()).toBe(0);
  });

  it('refuses to go on without STARTTLS when it is required, never sending the password in clear', async () => {
    const server = await catcher({ starttls: false, requireAuth: AUTH });
    const smtp = transport(server, { username: AUTH.user, password: AUTH.pass });

    const error = await sendError(smtp);
    expect(error.code).toBe('tls_failed');
    expect(error.permanent).toBe(false);
    expect(error.message).toMatch(/STARTTLS/);
    expect(server.stats().authAttempts).toBe(0);
    expect(server.count()).toBe(0);
  });

  it('checks the server certificate by default', async () => {
    const server = await catcher({ secure: true });
    const smtp = transport(server, { encryption: 'implicit', rejectUnauthorized: undefined });

    const error = await sendError(smtp);
    expect(error.code).toBe('tls_failed');
    expect(error.permanent).toBe(false);
    expect(error.message).toMatch(/certificate/i);
    expect(server.count()).toBe(0);
  });

  it('sends in clear with encryption none even when STARTTLS is offered', async () => {
    const server = await catcher();
    await transport(server, { encryption: 'none' }).send(mail());
    expect((await server.waitForMail('ada@example.test')).session.secure).toBe(false);
  });

  it('fails temporarily while the server is down and recovers on the same port once it is back', async () => {
    const server = await catcher();
    const smtp = transport(server);
    await smtp.send(mail()); // leaves a pooled connection open that the outage must break
    await server.down();

    const error = await sendError(smtp);
    expect(error.code).toBe('connection_failed');
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('ECONNREFUSED');

    await server.up();
    await smtp.send(mail({ subject: 'Second try' }));
    expect(server.count()).toBe(2);
    expect(
      (await server.waitForMail('ada@example.test', { predicate: (m) => m.subject === 'Second try' }))
        .subject,
    ).toBe('Second try');
  });

  it('recovers when a new catcher is started on the port of a stopped one', async () => {
    const first = await catcher();
    const port = first.port;
    await first.stop();
    const smtp = transport(first);

    expect((await sendError(smtp)).code).toBe('connection_failed');
    const second = await catcher({ port });
    await smtp.send(mail());
    expect(second.count()).toBe(1);
  });

  it('times out, temporarily, on a server that accepts but never greets', async () => {
    const server = await catcher();
    server.hang();
    const smtp = transport(server, { connectionTimeoutMs: 200 });

    const error = await sendError(smtp);
    expect(error.code).toBe('timeout');
    expect(error.permanent).toBe(false);
  });

  it('treats a 4xx reply as temporary and a 5xx refusal of the recipient as permanent', async () => {
    const server = await catcher();
    const smtp = transport(server);

    server.failNext(1);
    const deferred = await sendError(smtp);
    expect(deferred).toMatchObject({ code: 'deferred', permanent: false, status: 451 });
    expect(deferred.message).toContain('451 4.3.0 Temporary local problem, try again later');

    server.failNext(1, { at: 'rcpt', code: 550, message: 'No such user here' });
    const rejected = await sendError(smtp);
    expect(rejected).toMatchObject({ code: 'rejected', permanent: true, status: 550 });
    expect(rejected.message).toContain('550 5.1.1 No such user here');

    await smtp.send(mail());
    expect(server.count()).toBe(1);
    expect(server.stats().failures).toBe(2);
  });

  it('pools connections under a burst of mail', async () => {
    const server = await catcher();
    const smtp = transport(server);
    const recipients = Array.from({ length: 30 }, (_, i) => `user${i}@example.test`);

    await Promise.all(recipients.map((to) => smtp.send(mail({ to }))));
    expect(server.count()).toBe(30);
    expect(server.stats().connections).toBeLessThanOrEqual(5);
    expect(new Set(server.messages.map((m) => m.envelope.to[0]))).toEqual(new Set(recipients));
  });

  it('logs in with OAuth2 (XOAUTH2), fetching an access token with the refresh token', async () => {
    const tokenRequests: URLSearchParams[] = [];
    const tokenServer = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        tokenRequests.push(new URLSearchParams(body));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'ya29.test-token', expires_in: 3599, token_type: 'Bearer' }));
      });
    });
    open.servers.push(tokenServer);
    await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
    const tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;

    const server = await catcher({
      requireAuth: { user: 'sender@gmail.test', pass: '', accessToken: 'ya29.test-token' },
      authMethods: ['XOAUTH2'],
    });
    const smtp = transport(server, {
      oauth2: {
        user: 'sender@gmail.test',
        clientId: 'client-id',
        clientSecret: 'client-secret',
        refreshToken: 'refresh-token',
        tokenUrl,
      },
    });

    await smtp.send(mail());
    expect((await server.waitForMail('ada@example.test')).session.user).toBe('sender@gmail.test');
    expect(Object.fromEntries(tokenRequests[0] ?? [])).toMatchObject({
      grant_type: 'refresh_token',
      client_id: 'client-id',
      client_secret: 'client-secret',
      refresh_token: 'refresh-token',
    });
  });

  it('refuses an invalid message before connecting', async () => {
    const server = await catcher();
    const error = await sendError(transport(server), mail({ subject: 'Hi\r\nBcc: evil@example.com' }));
    expect(error).toMatchObject({ code: 'invalid_subject', permanent: true });
    expect(server.stats().connections).toBe(0);
  });

  it('needs a host unless OAuth2 (Gmail) is configured', () => {
    expect(() => createSmtpTransport({ encryption: 'starttls' })).toThrow(MailError);
    const gmail = createSmtpTransport({
      encryption: 'implicit',
      oauth2: { user: 'a@gmail.com', clientId: 'id', clientSecret: 'secret', refreshToken: 'token' },
    });
    gmail.close?.();
  });
});

describe('nodemailer without our validation', () => {
  it('still does not turn a CR/LF in the subject into a Bcc header or recipient', async () => {
    const server = await catcher();
    const raw = nodemailer.createTransport({ host: server.host, port: server.port, ignoreTLS: true });
    await raw.sendMail({
      from: 'accounts@example.test',
      to: 'ada@example.test',
      subject: 'Hello\r\nBcc: evil@example.com',
      text: 'hi',
    });
    raw.close();

    const caught = await server.waitForMail('ada@example.test');
    expect(caught.envelope.to).toEqual(['ada@example.test']);
    expect(caught.headers.bcc).toBeUndefined();
    expect(caught.headerLines.filter((h) => h.key === 'bcc')).toEqual([]);
    expect(caught.raw).not.toMatch(/^Bcc:/im);
  });
});

describe('smtp catcher', () => {
  it('waitForMail returns each mail once and waits for the next', async () => {
    const server = await catcher();
    const smtp = transport(server);
    await smtp.send(mail({ subject: 'First' }));

    expect((await server.waitForMail('ADA@example.test')).subject).toBe('First');
    const second = server.waitForMail('ada@example.test', { timeoutMs: 2_000 });
    await smtp.send(mail({ subject: 'Second' }));
    expect((await second).subject).toBe('Second');
    expect(server.count()).toBe(2);

    server.clear();
    expect(server.count()).toBe(0);
  });

  it('waitForMail times out with the recipients it did see', async () => {
    const server = await catcher();
    const smtp = transport(server);
    await smtp.send(mail({ to: 'bob@example.test' }));
    await smtp.send(mail({ to: 'bob@example.test' }));
    await smtp.send(mail({ to: 'cy@example.test', subject: 'For Cy' }));

    await expect(server.waitForMail('ada@example.test', { timeoutMs: 50 })).rejects.toThrow(
      'No mail to ada@example.test within 50 ms. Mail arrived for: bob@example.test (2), cy@example.test (1).',
    );
    await expect(
      server.waitForMail('cy@example.test', { timeoutMs: 50, predicate: (m) => m.subject === 'Other' }),
    ).rejects.toThrow('Mail to cy@example.test seen: "For Cy" (did not match).');
  });

  it('stop() rejects pending waits', async () => {
    const server = await startSmtpCatcher();
    const pending = server.waitForMail('ada@example.test');
    await server.stop();
    await expect(pending).rejects.toThrow('stopped');
  });

  it('linksIn decodes entities, drops trailing punctuation and duplicates', () => {
    expect(
      linksIn({
        text: 'Open https://a.example.test/x?y=1. Or (https://b.example.test/z)!',
        html: '<a href="https://a.example.test/x?y=1&amp;z=2">a</a> <a href=\'http://c.example.test/\'>c</a> https://a.example.test/x?y=1',
      }),
    ).toEqual([
      'https://a.example.test/x?y=1',
      'https://b.example.test/z',
      'https://a.example.test/x?y=1&z=2',
      'http://c.example.test/',
    ]);
  });
});
