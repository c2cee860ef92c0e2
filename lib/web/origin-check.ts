/**
 * The explicit same-origin check on every state-changing request (S25, S43; docs/decisions/011).
 *
 * Next.js already compares a server action's Origin with its Host header, but the Host is whatever
 * the client (or a misconfigured proxy) says; here the reference is APP_URL, the one origin the app
 * is served from, plus ALLOWED_ORIGINS. Browsers send Origin on every POST (also same-origin ones); the
 * Referer stands in where a browser left Origin out.
 */

// Named by what is safe: any other method (PROPFIND, MKCOL… that Node.js also lets through) is checked.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type OriginVerdict = 'allowed' | 'foreign' | 'missing';

export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** 'missing' when the request names no origin at all: no browser sends such a POST. */
export function checkOrigin(headers: Headers, allowedOrigins: readonly string[]): OriginVerdict {
  const origin = headers.get('origin');
  if (origin !== null) return allowedOrigins.includes(origin) ? 'allowed' : 'foreign';
  const referer = headers.get('referer');
  if (!referer) return 'missing';
  try {
    return allowedOrigins.includes(new URL(referer).origin) ? 'allowed' : 'foreign';
  } catch {
    return 'foreign';
  }
}
