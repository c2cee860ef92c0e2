import type { NextRequest } from 'next/server';
import { handlers } from '@/lib/web/auth';
import { refusalInAuthRedirect, refusalResponse } from '@/lib/web/http-refusal';

export const { GET } = handlers;

/**
 * Sign-in over HTTP (GET /api/auth/csrf, then POST /api/auth/callback/credentials): a rate limit or a
 * full hashing queue answers 429 or 503 with Retry-After at once, instead of Auth.js's redirect to the
 * login page, so a client can back off. Every other answer is Auth.js's own.
 */
export async function POST(request: NextRequest): Promise<Response> {
  const response = await handlers.POST(request);
  let location = response.headers.get('location');
  if (!location && response.headers.get('content-type')?.includes('application/json')) {
    // With X-Auth-Return-Redirect, Auth.js puts the redirect in a JSON body instead.
    const body = (await response
      .clone()
      .json()
      .catch(() => null)) as { url?: unknown } | null;
    location = typeof body?.url === 'string' ? body.url : null;
  }
  const refusal = refusalInAuthRedirect(location);
  return refusal ? refusalResponse(refusal.code, refusal.seconds) : response;
}
