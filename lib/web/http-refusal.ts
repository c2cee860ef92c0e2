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
