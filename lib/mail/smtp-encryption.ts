/**
 * The words SMTP_ENCRYPTION and the admin settings accept, and the one mode each resolves to.
 * The words follow PHPMailer (and so the PHP dashboard's .env): `tls` is STARTTLS, `ssl` is TLS from
 * the first byte. `tls` on port 465 is read as implicit TLS, because nothing on port 465 speaks
 * STARTTLS: PHPMailer would fail there, and the Gmail example (465 + tls) has always meant implicit
 * TLS here. Decision 022. Only the resolved mode is stored and handed to the transport.
 */

export const SMTP_ENCRYPTION_WORDS = ['starttls', 'tls', 'ssl', 'none'] as const;
export type SmtpEncryptionWord = (typeof SMTP_ENCRYPTION_WORDS)[number];

/** What the transport does: STARTTLS (required), TLS from the first byte, or never encrypt. */
export type SmtpSecurityMode = 'starttls' | 'implicit' | 'none';

export const IMPLICIT_TLS_PORT = 465;

/** The usual port per mode, used when none is given. */
export const DEFAULT_SMTP_PORTS: Record<SmtpSecurityMode, number> = {
  starttls: 587,
  implicit: 465,
  none: 25,
};

export interface ResolvedSmtpEncryption {
  mode: SmtpSecurityMode;
  port: number;
  /** `tls` was written, but on port 465 it means implicit TLS (said on /admin/settings). */
  tlsReadAsImplicit: boolean;
}

/** Trimmed and case-insensitive: `TLS`, ` ssl ` and `StartTLS` are words a copied .env may carry. */
export function normaliseEncryptionWord(raw: string): string {
  return raw.trim().toLowerCase();
}

export function resolveSmtpEncryption(word: SmtpEncryptionWord, port?: number): ResolvedSmtpEncryption {
  switch (word) {
    case 'ssl':
      return { mode: 'implicit', port: port ?? DEFAULT_SMTP_PORTS.implicit, tlsReadAsImplicit: false };
    case 'starttls':
      return { mode: 'starttls', port: port ?? DEFAULT_SMTP_PORTS.starttls, tlsReadAsImplicit: false };
    case 'none':
      return { mode: 'none', port: port ?? DEFAULT_SMTP_PORTS.none, tlsReadAsImplicit: false };
    case 'tls':
      return port === IMPLICIT_TLS_PORT
        ? { mode: 'implicit', port, tlsReadAsImplicit: true }
        : { mode: 'starttls', port: port ?? DEFAULT_SMTP_PORTS.starttls, tlsReadAsImplicit: false };
  }
}

/** The word the admin form shows for a stored mode: the one that means it on any port. */
export function encryptionWordFor(mode: SmtpSecurityMode): SmtpEncryptionWord {
  return mode === 'implicit' ? 'ssl' : mode;
}
