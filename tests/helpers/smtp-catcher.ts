import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import PostalMime from 'postal-mime';
import {
  SMTPServer,
  type SMTPServerAuthentication,
  type SMTPServerAuthenticationResponse,
  type SMTPServerSession,
} from 'smtp-server';

/**
 * A real SMTP server in the test process, for unit tests of the mail transports and for Playwright,
 * where the test process runs it and a separate `next start` sends to it (point SMTP_HOST at
 * 127.0.0.1, not localhost, which may resolve to ::1 first).
 *
 * Mail is parsed with postal-mime before the server answers 250, so by the time the client's send()
 * resolves the message is already in `messages`.
 *
 * TLS (implicit and STARTTLS) uses the committed self-signed certificate in ./tls, made for
 * localhost, 127.0.0.1 and ::1 and valid for 100 years. Its key is public: test use only. In-process
 * clients trust CATCHER_CERT or turn off certificate checks; a separate process such as `next start`
 * trusts it with NODE_EXTRA_CA_CERTS=tests/helpers/tls/localhost.crt, so the app's own certificate
 * check stays on.
 */

const tlsDir = new URL('./tls/', import.meta.url);
export const CATCHER_CERT = readFileSync(new URL('localhost.crt', tlsDir), 'utf8');
const CATCHER_KEY = readFileSync(new URL('localhost.key', tlsDir), 'utf8');

export interface CaughtMail {
  from: { name: string; address: string };
  /** The To header's addresses. */
  to: string[];
  subject: string;
  html: string;
  text: string;
  /** Lower-case header names; a repeated header keeps its first (topmost) value, see headerLines. */
  headers: Record<string, string>;
  headerLines: { key: string; value: string }[];
  messageId: string | undefined;
  /** What the client said in MAIL FROM / RCPT TO: who the mail really went to (Bcc included). */
  envelope: { from: string; to: string[] };
  /** Whether the session was encrypted (implicit TLS or STARTTLS) and who logged in, if anyone. */
  session: { secure: boolean; user: string | undefined };
  raw: string;
  receivedAt: Date;
}

export type CatcherAuthMethod = 'PLAIN' | 'LOGIN' | 'XOAUTH2';

export interface SmtpCatcherOptions {
  /** 0 (default) picks a free port; up() after down() reuses whichever port was bound. */
  port?: number;
  /** Implicit TLS from the first byte, like port 465. */
  secure?: boolean;
  /** Offer STARTTLS (default true). false removes it entirely: the command is refused, not just hidden. */
  starttls?: boolean;
  /**
   * Refuse mail until the client logs in with these. Cleartext AUTH is allowed (a test asserting that
   * a client never sends credentials in clear can check stats().authAttempts). For XOAUTH2 the
   * client's access token must equal accessToken.
   */
  requireAuth?: { user: string; pass: string; accessToken?: string };
  /** Methods offered (default PLAIN and LOGIN). */
  authMethods?: readonly CatcherAuthMethod[];
  /** Fail this many deliveries from the start, as failNext(n) would. */
  failNext?: number;
}

export interface FailureReply {
  /** SMTP reply code (default 451: a temporary failure). */
  code?: number;
  /** Reply text, without codes (the enhanced status code is added by the server). */
  message?: string;
  /** Where to refuse: the recipient (RCPT TO) or the message (end of DATA, default). */
  at?: 'rcpt' | 'data';
}

export interface WaitForMailOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  predicate?: (mail: CaughtMail) => boolean;
}

export interface CatcherStats {
  connections: number;
  authAttempts: number;
  authFailures: number;
  /** Deliveries refused by failNext. */
  failures: number;
}

export interface SmtpCatcher {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Delivered mail, oldest first. */
  readonly messages: CaughtMail[];
  /**
   * The oldest mail to `to` (an envelope recipient, case-insensitive) that no earlier waitForMail
   * call returned, waiting for it if need be. Each call consumes what it returns, so a flow that
   * sends two mails to one address can simply wait twice. Rejects after the timeout with the
   * recipients that did get mail.
   */
  waitForMail(to: string, options?: WaitForMailOptions): Promise<CaughtMail>;
  /** Number of delivered messages (failed deliveries are not counted). */
  count(): number;
  /** Forgets delivered mail (and which mail waitForMail returned); stats are kept. */
  clear(): void;
  stats(): CatcherStats;
  /** Refuse the next `count` deliveries (default reply: 451 at the end of DATA). */
  failNext(count: number, reply?: FailureReply): void;
  /** While on, connections are accepted but never greeted, so clients hit their greeting timeout. */
  hang(on?: boolean): void;
  /** Stop listening (connecting then gets ECONNREFUSED) and end open sessions with 421. */
  down(): Promise<void>;
  /** Listen again on the same port after down(). */
  up(): Promise<void>;
  readonly isUp: boolean;
  /** down() for good, rejecting any pending waitForMail. */
  stop(): Promise<void>;
}

interface Waiter {
  to: string;
  predicate: ((mail: CaughtMail) => boolean) | undefined;
  resolve: (mail: CaughtMail) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export async function startSmtpCatcher(options: SmtpCatcherOptions = {}): Promise<SmtpCatcher> {
  const messages: CaughtMail[] = [];
  const claimed = new Set<CaughtMail>();
  const waiters = new Set<Waiter>();
  const stats: CatcherStats = { connections: 0, authAttempts: 0, authFailures: 0, failures: 0 };
  let failures: { remaining: number; reply: Required<FailureReply> } = {
    remaining: options.failNext ?? 0,
    reply: defaultFailure(),
  };
  let hanging = false;
  const hungCallbacks = new Set<() => void>();
  let server: SMTPServer | undefined;
  let port = options.port ?? 0;
  let stopped = false;

  const matches = (waiter: Pick<Waiter, 'to' | 'predicate'>, mail: CaughtMail) =>
    !claimed.has(mail) &&
    mail.envelope.to.some((rcpt) => rcpt.toLowerCase() === waiter.to.toLowerCase()) &&
    (waiter.predicate ? waiter.predicate(mail) : true);

  const deliver = (mail: CaughtMail) => {
    messages.push(mail);
    for (const waiter of waiters) {
      if (!matches(waiter, mail)) continue;
      claimed.add(mail);
      waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(mail);
      return;
    }
  };

  const takeFailure = (at: 'rcpt' | 'data'): Error | undefined => {
    if (failures.remaining <= 0 || failures.reply.at !== at) return undefined;
    failures.remaining -= 1;
    stats.failures += 1;
    return Object.assign(new Error(failures.reply.message), { responseCode: failures.reply.code });
  };

  const onAuth = (
    auth: SMTPServerAuthentication,
    _session: SMTPServerSession,
    callback: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void,
  ) => {
    stats.authAttempts += 1;
    const expected = options.requireAuth;
    if (!expected) return callback(null, { user: auth.username });
    if (auth.method === 'XOAUTH2') {
      if (
        auth.username === expected.user &&
        expected.accessToken &&
        auth.accessToken === expected.accessToken
      ) {
        return callback(null, { user: auth.username });
      }
      stats.authFailures += 1;
      // XOAUTH2 failures are a JSON challenge the client must acknowledge, not an error reply.
      return callback(null, {
        data: { status: '401', schemes: 'bearer', scope: 'https://mail.google.com/' },
      });
    }
    if (auth.username === expected.user && auth.password === expected.pass) {
      return callback(null, { user: auth.username });
    }
    stats.authFailures += 1;
    callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
  };

  const createServer = () => {
    const starttls = options.starttls ?? true;
    const created = new SMTPServer({
      secure: options.secure ?? false,
      key: CATCHER_KEY,
      cert: CATCHER_CERT,
      name: 'smtp-catcher.test',
      logger: false,
      disableReverseLookup: true,
      hideENHANCEDSTATUSCODES: false,
      disabledCommands: starttls ? [] : ['STARTTLS'],
      authMethods: [...(options.authMethods ?? ['PLAIN', 'LOGIN'])],
      authOptional: !options.requireAuth,
      allowInsecureAuth: true,
      // End sessions almost at once on down()/stop(); a real outage does not wait 30 s either.
      closeTimeout: 50,
      onConnect(_session, callback) {
        stats.connections += 1;
        if (!hanging) return callback();
        hungCallbacks.add(() => callback());
      },
      onAuth,
      onRcptTo(_address, _session, callback) {
        callback(takeFailure('rcpt'));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', (error) => callback(error));
        stream.on('end', () => {
          const failure = takeFailure('data');
          if (failure) return callback(failure);
          const raw = Buffer.concat(chunks);
          parseMail(raw, session).then(
            (mail) => {
              deliver(mail);
              callback();
            },
            (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
          );
        });
      },
    });
    // Clients dropping mid-session (e.g. a test closing its pool) surface here; without a listener
    // the EventEmitter would throw them.
    created.on('error', () => undefined);
    return created;
  };

  const listen = async () => {
    const created = createServer();
    await new Promise<void>((resolve, reject) => {
      created.server.once('error', reject);
      created.listen(port, '127.0.0.1', () => {
        created.server.off('error', reject);
        resolve();
      });
    });
    port = (created.server.address() as AddressInfo).port;
    server = created;
  };

  const down = async () => {
    const current = server;
    if (!current) return;
    server = undefined;
    // Hung sessions still hold a callback; release them so close() can say 421 and end them.
    for (const release of hungCallbacks) release();
    hungCallbacks.clear();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();

  const catcher: SmtpCatcher = {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    messages,
    get isUp() {
      return server !== undefined;
    },
    waitForMail(to, waitOptions = {}) {
      const timeoutMs = waitOptions.timeoutMs ?? 10_000;
      const predicate = waitOptions.predicate;
      const found = messages.find((mail) => matches({ to, predicate }, mail));
      if (found) {
        claimed.add(found);
        return Promise.resolve(found);
      }
      if (stopped)
        return Promise.reject(new Error(`The SMTP catcher is stopped; no mail to ${to} will come.`));
      return new Promise<CaughtMail>((resolve, reject) => {
        const waiter: Waiter = {
          to,
          predicate,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(describeTimeout(to, timeoutMs, predicate !== undefined, messages, claimed)));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    count: () => messages.length,
    clear() {
      messages.length = 0;
      claimed.clear();
    },
    stats: () => ({ ...stats }),
    failNext(count, reply) {
      failures = { remaining: count, reply: { ...defaultFailure(), ...reply } };
    },
    hang(on = true) {
      hanging = on;
      if (on) return;
      for (const release of hungCallbacks) release();
      hungCallbacks.clear();
    },
    down,
    async up() {
      if (stopped) throw new Error('The SMTP catcher is stopped; start a new one.');
      if (server) return;
      await listen();
    },
    async stop() {
      stopped = true;
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`The SMTP catcher stopped while waiting for mail to ${waiter.to}.`));
      }
      waiters.clear();
      await down();
    },
  };
  return catcher;
}

function defaultFailure(): Required<FailureReply> {
  return { code: 451, message: 'Temporary local problem, try again later', at: 'data' };
}

async function parseMail(raw: Buffer, session: SMTPServerSession): Promise<CaughtMail> {
  const parsed = await PostalMime.parse(raw);
  const headers: Record<string, string> = {};
  for (const header of parsed.headers) headers[header.key] ??= header.value;
  const from =
    parsed.from && 'address' in parsed.from && parsed.from.address !== undefined ? parsed.from : undefined;
  return {
    from: { name: from?.name ?? '', address: from?.address ?? '' },
    to: (parsed.to ?? []).flatMap((a) =>
      a.group ? a.group.map((m) => m.address) : a.address ? [a.address] : [],
    ),
    subject: parsed.subject ?? '',
    html: parsed.html ?? '',
    text: parsed.text ?? '',
    headers,
    headerLines: parsed.headers.map((h) => ({ key: h.key, value: h.value })),
    messageId: parsed.messageId,
    envelope: {
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      to: session.envelope.rcptTo.map((r) => r.address),
    },
    session: { secure: session.secure, user: typeof session.user === 'string' ? session.user : undefined },
    raw: raw.toString('utf8'),
    receivedAt: new Date(),
  };
}

function describeTimeout(
  to: string,
  timeoutMs: number,
  withPredicate: boolean,
  messages: CaughtMail[],
  claimed: Set<CaughtMail>,
): string {
  const wanted = `${withPredicate ? 'matching mail' : 'mail'} to ${to}`;
  if (messages.length === 0) return `No ${wanted} within ${timeoutMs} ms; no mail arrived at all.`;
  const seen = new Map<string, number>();
  for (const mail of messages) for (const rcpt of mail.envelope.to) seen.set(rcpt, (seen.get(rcpt) ?? 0) + 1);
  const recipients = [...seen].map(([rcpt, n]) => `${rcpt} (${n})`).join(', ');
  const sameRecipient = messages.filter((m) =>
    m.envelope.to.some((r) => r.toLowerCase() === to.toLowerCase()),
  );
  const already = sameRecipient.map(
    (m) =>
      `"${m.subject}"${claimed.has(m) ? ' (already returned)' : withPredicate ? ' (did not match)' : ''}`,
  );
  return (
    `No ${wanted} within ${timeoutMs} ms. Mail arrived for: ${recipients}.` +
    (already.length > 0 ? ` Mail to ${to} seen: ${already.join(', ')}.` : '')
  );
}

/**
 * The http(s) URLs a reader can follow in a mail's text and HTML parts, in order and without duplicates. HTML entities
 * are decoded (href="...?a=1&amp;b=2" gives ...?a=1&b=2) and trailing sentence punctuation dropped.
 */
export function linksIn(mail: Pick<CaughtMail, 'text' | 'html'>): string[] {
  const links = new Set<string>();
  const pattern = /https?:\/\/[^\s<>"'`[\]]+/gi;
  // The DOCTYPE's DTD address and XML namespaces are identifiers, not links anyone can follow.
  const html = mail.html.replace(/<!DOCTYPE[^>]*>/gi, '').replace(/\sxmlns(:\w+)?="[^"]*"/gi, '');
  for (const source of [mail.text, html]) {
    for (const match of source.matchAll(pattern)) {
      const url = decodeEntities(match[0]).replace(/[.,;:!?)]+$/, '');
      links.add(url);
    }
  }
  return [...links];
}

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|quot|apos|lt|gt);/gi, (entity, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    const named: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
    return named[lower] ?? entity;
  });
}
