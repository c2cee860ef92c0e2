import 'server-only';
import { headers } from 'next/headers';
import type { RequestContext } from '@/lib/request-context';

/**
 * The client's address as the nearest proxy saw it: the last X-Forwarded-For entry, which a proxy in
 * front appends. Next.js fills the header from the socket only when a request arrives without one, so
 * an app exposed with no proxy in front can be sent a made-up address: per-IP limits then count what
 * the client claims. A trusted-proxy setting that closes this is part of the hardening work (issue 7).
 */
export function clientIp(forwardedFor: string | null): string | null {
  const last = forwardedFor?.split(',').pop()?.trim();
  return last ? last.slice(0, 45) : null;
}

export function contextFromHeaders(h: Headers): RequestContext {
  return { ip: clientIp(h.get('x-forwarded-for')), userAgent: h.get('user-agent')?.slice(0, 512) ?? null };
}

/** The request context of the current server action, page or route handler. */
export async function requestContext(): Promise<RequestContext> {
  return contextFromHeaders(await headers());
}
