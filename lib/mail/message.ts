/**
 * The one message shape every transport sends, and the checks it must pass first. Every value here
 * can end up in a header line, so the checks are about header injection and abuse as much as about
 * correctness: a transport refuses a message that fails them rather than trusting its library to
 * escape it.
 */

export interface MailMessage {
  from: { name: string; address: string };
  /** One bare address (no display name, no list): each mail goes to exactly one person. */
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers such as List-Unsubscribe; the structural ones (From, To, Subject…) are refused. */
  headers?: Record<string, string>;
}

export type MessageInvalidCode =
  'invalid_recipient' | 'invalid_sender' | 'invalid_subject' | 'invalid_header' | 'body_too_large';

export type MessageValidation = { ok: true } | { ok: false; code: MessageInvalidCode; reason: string };

/** RFC 5321 caps a forward path at 256 octets including the angle brackets. */
export const MAX_ADDRESS_LENGTH = 254;
/** Per part (html and text each): far beyond any account mail, small enough to stop abuse. */
export const MAX_BODY_BYTES = 1024 * 1024;

// C0 controls, DEL and C1 controls: none belongs in a header, and CR/LF would start a new one.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Tab is harmless (and legal) inside a subject, so it alone is let through there.
const CONTROL_EXCEPT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;
// Unicode line and paragraph separators: some clients and libraries treat them as line breaks.
const UNICODE_LINE_BREAK = /[\u2028\u2029]/;

// Dot-atom local part (RFC 5322 atext, plus non-ASCII for RFC 6531 addresses); quoted local parts
// are refused on purpose: nobody signs up with them and they are where parsers disagree.
const LOCAL_PART =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u00a0-\uffff-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u00a0-\uffff-]+)*$/;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// Nodemailer and the Resend API derive these from the message's own fields; letting a caller set
// them too would make two sources of truth, or a way to add recipients.
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'sender',
  'return-path',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

/** True for one bare, syntactically valid address that is safe to put in a header and an envelope. */
export function isValidAddress(address: string): boolean {
  if (address.length === 0 || address.length > MAX_ADDRESS_LENGTH) return false;
  if (CONTROL.test(address) || UNICODE_LINE_BREAK.test(address)) return false;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (Buffer.byteLength(local, 'utf8') > 64 || !LOCAL_PART.test(local)) return false;
  const labels = domain.split('.');
  // A dotless domain is valid SMTP but never a real mailbox on the internet (and z.email agrees).
  if (labels.length < 2) return false;
  if (labels.some((label) => label.length > 63 || !DOMAIN_LABEL.test(label))) return false;
  const tld = labels[labels.length - 1] ?? '';
  return tld.length >= 2 && !/^[0-9]+$/.test(tld);
}

function refuse(code: MessageInvalidCode, reason: string): MessageValidation {
  return { ok: false, code, reason };
}

export function validateMessage(message: MailMessage): MessageValidation {
  if (!isValidAddress(message.to)) {
    return refuse('invalid_recipient', 'the recipient must be one valid address of at most 254 characters');
  }
  if (!isValidAddress(message.from.address)) {
    return refuse('invalid_sender', 'the sender address is not one valid address of at most 254 characters');
  }
  if (CONTROL.test(message.from.name) || UNICODE_LINE_BREAK.test(message.from.name)) {
    return refuse('invalid_sender', 'the sender name contains a line break or another control character');
  }
  if (CONTROL_EXCEPT_TAB.test(message.subject) || UNICODE_LINE_BREAK.test(message.subject)) {
    return refuse('invalid_subject', 'the subject contains a line break or another control character');
  }
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!HEADER_NAME.test(name))
      return refuse('invalid_header', `the header name ${JSON.stringify(name)} is invalid`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      return refuse(
        'invalid_header',
        `the header ${name} is set from the message itself and cannot be overridden`,
      );
    }
    if (CONTROL_EXCEPT_TAB.test(value) || UNICODE_LINE_BREAK.test(value)) {
      return refuse(
        'invalid_header',
        `the header ${name} contains a line break or another control character`,
      );
    }
  }
  if (Buffer.byteLength(message.html, 'utf8') > MAX_BODY_BYTES) {
    return refuse('body_too_large', 'the HTML body is larger than 1 MB');
  }
  if (Buffer.byteLength(message.text, 'utf8') > MAX_BODY_BYTES) {
    return refuse('body_too_large', 'the text body is larger than 1 MB');
  }
  return { ok: true };
}

export type MailErrorCode =
  | MessageInvalidCode
  /** Credentials refused (SMTP 535, Resend 401/403, OAuth2 token refresh). */
  | 'auth_failed'
  /** Nothing listening, DNS failure, connection reset. */
  | 'connection_failed'
  | 'timeout'
  /** TLS handshake failed, or STARTTLS was required and the server does not offer it. */
  | 'tls_failed'
  /** The provider refused this message for good (SMTP 5xx, Resend 4xx validation). */
  | 'rejected'
  /** The provider asked to try later (SMTP 4xx, Resend 5xx). */
  | 'deferred'
  | 'rate_limited'
  /** The transport's own settings are unusable (missing host, unknown option). */
  | 'config'
  | 'unknown';

/**
 * A failed send. `permanent` tells the caller whether retrying the same message can ever succeed:
 * a refused recipient or an invalid message cannot; an outage, a 4xx or a bad password can (auth
 * and config failures are temporary on purpose, so queued mail goes out once the admin fixes the
 * settings). `message` keeps the server's own reply text, since admins see it in the "send a test
 * email" result and it is what they search for.
 */
export class MailError extends Error {
  readonly code: MailErrorCode;
  readonly permanent: boolean;
  /** The SMTP reply code or HTTP status, when the server answered. */
  readonly status: number | undefined;

  constructor(
    code: MailErrorCode,
    message: string,
    options: { permanent: boolean; status?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MailError';
    this.code = code;
    this.permanent = options.permanent;
    this.status = options.status;
  }
}

/**
 * Whether `error` is a MailError. By name as well as by class: a production bundle may hold more
 * than one copy of this module (a server action's chunk and the page's), and then `instanceof`
 * fails for an error made by the other copy.
 */
export function isMailError(error: unknown): error is MailError {
  return (
    error instanceof MailError ||
    (error instanceof Error && error.name === 'MailError' && typeof (error as MailError).code === 'string')
  );
}

/** Throws the permanent MailError for a message that fails validateMessage. */
export function assertValidMessage(message: MailMessage): void {
  const result = validateMessage(message);
  if (!result.ok) throw new MailError(result.code, `Refused to send: ${result.reason}.`, { permanent: true });
}
