import { connect, type Socket } from 'node:net';
import nodemailer from 'nodemailer';
import { assertValidMessage, isMailError, MailError, type MailMessage } from '../message';
import { DEFAULT_SMTP_PORTS, type SmtpSecurityMode } from '../smtp-encryption';
import type { MailTransport } from '../transport';

/** The resolved mode, never a word from a .env (lib/mail/smtp-encryption.ts maps those). */
export type SmtpEncryption = SmtpSecurityMode;

export interface SmtpOAuth2Config {
  /** The mailbox the token belongs to, e.g. accounts@example.com. */
  user: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** The token endpoint; Google's unless set. Only tests point it elsewhere. */
  tokenUrl?: string;
}

export interface SmtpConfig {
  /** Required unless oauth2 is set, in which case it defaults to smtp.gmail.com. */
  host?: string;
  /** Defaults to the usual port for the encryption: 465 for implicit, 587 for starttls, 25 for none. */
  port?: number;
  username?: string;
  password?: string;
  /**
   * implicit: TLS from the first byte (port 465). starttls: plain connect, then STARTTLS, and refuse to go
   * on if the server does not offer it, so credentials never cross the network in clear. none: never
   * encrypt, even if offered (a local relay only).
   */
  encryption: SmtpEncryption;
  /** Gmail (or any XOAUTH2 server) with a refresh token instead of a password; wins over username/password. */
  oauth2?: SmtpOAuth2Config;
  /** Check the server's certificate (default true). Tests turn it off for their self-signed one. */
  rejectUnauthorized?: boolean;
  /** How long to wait for the TCP connection and for the greeting (default 10 s). */
  connectionTimeoutMs?: number;
  /** Pooled connections kept open to the server (default 5). */
  maxConnections?: number;
}

const GMAIL_HOST = 'smtp.gmail.com';

/** The fields nodemailer adds to the errors it raises. */
interface NodemailerError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
  command?: string;
}

/**
 * Mail over SMTP with nodemailer, pooled so a burst of sign-ups reuses a few connections instead of
 * paying a TCP + TLS + AUTH handshake per message.
 */
export function createSmtpTransport(config: SmtpConfig): MailTransport {
  const host = config.host ?? (config.oauth2 ? GMAIL_HOST : undefined);
  if (!host) {
    throw new MailError('config', 'SMTP is not configured: set the SMTP host.', { permanent: false });
  }
  const port = config.port ?? DEFAULT_SMTP_PORTS[config.encryption];
  const where = `${host}:${port}`;
  const connectionTimeout = config.connectionTimeoutMs ?? 10_000;

  const auth = config.oauth2
    ? {
        type: 'OAuth2' as const,
        user: config.oauth2.user,
        clientId: config.oauth2.clientId,
        clientSecret: config.oauth2.clientSecret,
        refreshToken: config.oauth2.refreshToken,
        ...(config.oauth2.tokenUrl ? { accessUrl: config.oauth2.tokenUrl } : {}),
      }
    : config.username
      ? { user: config.username, pass: config.password ?? '' }
      : undefined;

  const transporter = nodemailer.createTransport({
    pool: true,
    maxConnections: config.maxConnections ?? 5,
    host,
    port,
    secure: config.encryption === 'implicit',
    requireTLS: config.encryption === 'starttls',
    ignoreTLS: config.encryption === 'none',
    auth,
    tls: { rejectUnauthorized: config.rejectUnauthorized ?? true },
    connectionTimeout,
    greetingTimeout: connectionTimeout,
    // Long enough for a slow DATA on a big message, short enough that a stuck server frees the pool.
    socketTimeout: 60_000,
    disableFileAccess: true,
    disableUrlAccess: true,
    // Implicit TLS keeps nodemailer's own socket: it must be TLS from the first byte.
    ...(config.encryption === 'implicit'
      ? {}
      : { getSocket: connectWithoutDelay(host, port, connectionTimeout / 2) }),
  });

  return {
    name: 'smtp',
    async send(message: MailMessage) {
      assertValidMessage(message);
      try {
        const info = await transporter.sendMail({
          from: { name: message.from.name, address: message.from.address },
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          headers: message.headers,
        });
        return { messageId: info.messageId };
      } catch (error) {
        throw smtpError(error, where);
      }
    },
    async verify() {
      try {
        await transporter.verify();
      } catch (error) {
        throw smtpError(error, where);
      }
    },
    close() {
      transporter.close();
    },
  };
}

/**
 * Opens the connection with Nagle's algorithm off and hands it to nodemailer, which then speaks SMTP
 * and STARTTLS over it. Left on (nodemailer's default), the last packet of every message waits for
 * the server's delayed ACK, about 40 ms on Linux: that alone capped a pooled connection at ~20
 * mails/s (scripts/bench-mail.ts). When this connection cannot be made, nodemailer is told to connect
 * by itself, so refusals and timeouts surface through its own error handling exactly as before.
 */
function connectWithoutDelay(host: string, port: number, timeoutMs: number) {
  return (_options: unknown, callback: (error: Error | null, socket?: { connection?: Socket }) => void) => {
    const socket = connect({ host, port });
    let settled = false;
    const settle = (connected: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('error');
      if (connected) {
        socket.setNoDelay(true);
        callback(null, { connection: socket });
      } else {
        socket.destroy();
        callback(null, {});
      }
    };
    const timer = setTimeout(() => settle(false), timeoutMs);
    socket.once('error', () => settle(false));
    socket.once('connect', () => settle(true));
  };
}

/** Maps a nodemailer failure to a MailError, keeping the server's reply text word for word. */
export function smtpError(error: unknown, where: string): MailError {
  if (isMailError(error)) return error;
  const err: NodemailerError = error instanceof Error ? error : new Error(String(error));
  const status = err.responseCode;
  const reply = err.response ?? err.message;
  const options = (permanent: boolean) => ({ permanent, status, cause: error });

  switch (err.code) {
    case 'EAUTH':
    case 'ENOAUTH':
    case 'EOAUTH2':
      return new MailError(
        'auth_failed',
        `The SMTP server at ${where} refused the login: ${reply}`,
        options(false),
      );
    case 'ETLS':
    case 'EREQUIRETLS':
      return new MailError(
        'tls_failed',
        `Could not secure the connection to the SMTP server at ${where} (STARTTLS): ${reply}`,
        options(false),
      );
    case 'ETIMEDOUT':
      return new MailError(
        'timeout',
        `The SMTP server at ${where} did not answer in time: ${err.message}`,
        options(false),
      );
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EDNS':
      if (isCertificateError(err)) {
        return new MailError(
          'tls_failed',
          `The SMTP server at ${where} presented a certificate that could not be verified: ${err.message}`,
          options(false),
        );
      }
      return new MailError(
        'connection_failed',
        `Could not reach the SMTP server at ${where}: ${err.message}`,
        options(false),
      );
    case 'ECONFIG':
      return new MailError('config', `The SMTP settings are not usable: ${err.message}`, options(false));
  }

  if (status !== undefined) {
    const command = err.command ? ` (${err.command})` : '';
    // 530/534/535/538 at MAIL FROM mean the server wants (other) credentials: a settings problem.
    if (status === 530 || status === 534 || status === 535 || status === 538) {
      return new MailError(
        'auth_failed',
        `The SMTP server at ${where} refused the login${command}: ${reply}`,
        options(false),
      );
    }
    if (status >= 500) {
      return new MailError(
        'rejected',
        `The SMTP server at ${where} refused the message${command}: ${reply}`,
        options(true),
      );
    }
    if (status >= 400) {
      return new MailError(
        'deferred',
        `The SMTP server at ${where} asked to try again later${command}: ${reply}`,
        options(false),
      );
    }
  }
  // Refused before anything was sent (e.g. an address nodemailer will not put in an envelope).
  if (err.code === 'EENVELOPE' || err.code === 'EMESSAGE') {
    return new MailError(
      'rejected',
      `The message could not be sent to ${where}: ${err.message}`,
      options(true),
    );
  }
  return new MailError(
    'unknown',
    `Sending through the SMTP server at ${where} failed: ${err.message}`,
    options(false),
  );
}

function isCertificateError(err: NodemailerError): boolean {
  // Node's TLS errors lose their own code to nodemailer's ESOCKET, but keep their wording.
  return /certificate|self[- ]signed|unable to verify|CERT_|altnames/i.test(err.message);
}
