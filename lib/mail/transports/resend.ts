import { Resend, type ErrorResponse } from 'resend';
import { assertValidMessage, MailError, type MailMessage } from '../message';
import type { MailTransport } from '../transport';

export interface ResendConfig {
  apiKey: string;
  /**
   * The API origin. Unset, the SDK reads RESEND_BASE_URL from process.env when the transport is
   * created (not per request), falling back to https://api.resend.com.
   */
  baseUrl?: string;
  /** Give up on a request after this long (default 30 s); the SDK itself never times out. */
  timeoutMs?: number;
}

/** Mail through the Resend HTTP API. */
export function createResendTransport(config: ResendConfig): MailTransport {
  if (!config.apiKey) {
    throw new MailError('config', 'Resend is not configured: set RESEND_API_KEY.', { permanent: false });
  }
  const resend = new Resend(config.apiKey, config.baseUrl ? { baseUrl: config.baseUrl } : undefined);
  const timeoutMs = config.timeoutMs ?? 30_000;

  return {
    name: 'resend',
    async send(message: MailMessage) {
      assertValidMessage(message);
      const signal = AbortSignal.timeout(timeoutMs);
      const { data, error } = await resend.emails.send(
        {
          from: formatMailbox(message.from.name, message.from.address),
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          headers: message.headers,
        },
        { signal },
      );
      // The SDK reports an abort like any network failure; name it, so admins see a timeout.
      if (error && error.statusCode === null && signal.aborted) {
        throw new MailError('timeout', `The Resend API did not answer within ${timeoutMs} ms.`, {
          permanent: false,
          cause: error,
        });
      }
      if (error) throw resendError(error);
      if (!data?.id) {
        throw new MailError('unknown', 'Resend accepted the request but returned no email id.', {
          permanent: false,
        });
      }
      return { messageId: data.id };
    },
  };
}

/** "Name" <address>, quoted so a comma or an @ in the name cannot turn into a second mailbox. */
export function formatMailbox(name: string, address: string): string {
  if (name === '') return address;
  return `"${name.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

/** Maps the SDK's { error } to a MailError, keeping the API's message word for word. */
export function resendError(error: ErrorResponse): MailError {
  const status = error.statusCode ?? undefined;
  const detail = `${error.message} (${error.name}${status === undefined ? '' : `, HTTP ${status}`})`;
  const options = (permanent: boolean) => ({ permanent, status, cause: error });

  // The SDK reports network failures, timeouts and unparseable answers with no status code.
  if (status === undefined) {
    return new MailError('connection_failed', `Could not reach the Resend API: ${detail}`, options(false));
  }
  // A bad key (and an unverified sending domain, also a 403) is the admin's to fix; keep the mail.
  if (status === 401 || status === 403) {
    return new MailError('auth_failed', `Resend refused the API key or sender: ${detail}`, options(false));
  }
  if (status === 429) {
    return new MailError('rate_limited', `Resend asked to slow down: ${detail}`, options(false));
  }
  // 409: the same idempotency key is still being processed; trying again later is exactly right.
  if (status >= 500 || status === 409) {
    return new MailError('deferred', `Resend could not take the message now: ${detail}`, options(false));
  }
  return new MailError('rejected', `Resend refused the message: ${detail}`, options(true));
}
