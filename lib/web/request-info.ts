import 'server-only';
import { headers } from 'next/headers';
import { env } from '@/lib/env';
import type { RequestContext } from '@/lib/request-context';
import { clientIpFrom, type TrustedProxy } from '@/lib/client-ip';

function trustedProxy(): TrustedProxy {
  const { TRUSTED_PROXY_HEADER, TRUSTED_PROXY_HOPS } = env();
  return { header: TRUSTED_PROXY_HEADER, hops: TRUSTED_PROXY_HOPS };
}

export function contextFromHeaders(h: Headers): RequestContext {
  return { ip: clientIpFrom(h, trustedProxy()), userAgent: h.get('user-agent')?.slice(0, 512) ?? null };
}

/** The request context of the current server action, page or route handler. */
export async function requestContext(): Promise<RequestContext> {
  return contextFromHeaders(await headers());
}
