/**
 * Refusals that an HTTP client should see as a status, not as a page: 429 for a rate limit and 503
 * for a full hashing queue, each with Retry-After (S14, S23; docs/decisions/012). Browsers using the
 * forms get the same refusal as a message beside the form instead.
 */
export type RefusalCode = 'rate_limited' | 'busy';

export function refusalResponse(code: RefusalCode, retryAfterSeconds: number): Response {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return Response.json(
    { error: code, retryAfterSeconds: seconds },
    {
      status: code === 'busy' ? 503 : 429,
      headers: { 'Retry-After': String(seconds), 'Cache-Control': 'no-store' },
    },
  );
}

/**
 * Auth.js reports a refused sign-in by redirecting to the error page with `code` in the query
 * (lib/web/auth.ts throws LoginRefused('busy:3')). The refusals worth a status are read back from it.
 */
export function refusalInAuthRedirect(
  location: string | null,
): { code: RefusalCode; seconds: number } | null {
  if (!location) return null;
  let code: string | null;
  try {
    code = new URL(location, 'http://localhost').searchParams.get('code');
  } catch {
    return null;
  }
  const match = /^(rate_limited|busy):(\d+)$/.exec(code ?? '');
  if (!match) return null;
  return { code: match[1] as RefusalCode, seconds: Number(match[2]) };
}

/**
 * What proxy.ts refuses before any action runs (S25, S52, S63; docs/decisions/014 and 017): a foreign
 * origin (403), a body Next.js could not decode (400, 413, 415), overload (503).
 */
export type ProxyRefusal = 'origin' | 'tooLarge' | 'unreadable' | 'busy';

export function proxyRefusalFor(status: number): ProxyRefusal {
  if (status === 403) return 'origin';
  if (status === 413) return 'tooLarge';
  if (status === 503) return 'busy';
  return 'unreadable';
}

/**
 * A form posted by React (a fetch with `Next-Action`) gets its refusal as plain text: Next.js throws
 * it to the caller as an Error whose message is the body, but only when the status is 400 or more and
 * the content type exactly `text/plain`. The body starts with the status so the form can say why.
 */
export const ACTION_REFUSAL_CONTENT_TYPE = 'text/plain';

export function actionRefusalBody(status: number, text: string): string {
  return `${status} ${text}`;
}

/** The refusal behind an error thrown by a server action call, or null when it is something else. */
export function actionRefusalOf(error: unknown): ProxyRefusal | null {
  if (!(error instanceof Error)) return null;
  const match = /^(400|403|413|415|503) /.exec(error.message);
  return match ? proxyRefusalFor(Number(match[1])) : null;
}
