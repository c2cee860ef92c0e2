import { env } from './env';

/**
 * Absolute links for mail and redirects, always from APP_URL and never from the request's Host
 * header (S34): a forged Host must not turn a reset mail into a link to someone else's site.
 */
export function appUrl(
  path: string,
  params: Record<string, string> = {},
  base: string = env().APP_URL,
): string {
  const url = new URL(path, `${base}/`);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

/**
 * A same-site path to return to after sign-in, or undefined: refuses absolute URLs, protocol-relative
 * `//host` and backslash tricks, so `?next=` can never send a user to another site.
 */
export function safeReturnPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 512) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return undefined;
  if (/[\u0000-\u001f]/.test(value)) return undefined;
  return value;
}
