import type { MailMessage } from './message';

/**
 * What the rest of Gatehouse sends mail through. send() resolves once the provider has accepted the
 * message, or rejects with a MailError whose `permanent` flag tells the caller whether to retry.
 */
export interface MailTransport {
  readonly name: 'smtp' | 'resend' | 'dev';
  send(message: MailMessage): Promise<{ messageId: string }>;
  /** Checks the connection and credentials without sending anything (the admin "test settings" button). */
  verify?(): Promise<void>;
  /** Releases pooled connections; the transport must not be used afterwards. */
  close?(): void;
}
