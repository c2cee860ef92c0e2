import 'server-only';
import { cookies } from 'next/headers';
import { env } from '@/lib/env';
import { PENDING_SIGN_IN_TTL_MS } from '@/lib/pending-sign-in';

/**
 * The browser's half of a pending sign-in (lib/pending-sign-in.ts): a random id in an HttpOnly
 * cookie, `__Host-` over https so no subdomain can plant one (S49). It is not a session: nothing but
 * /login/two-factor reads it.
 */
function cookieName(): string {
  return env().APP_URL.startsWith('https://')
    ? '__Host-gatehouse-pending-sign-in'
    : 'gatehouse-pending-sign-in';
}

export async function setPendingSignInCookie(token: string): Promise<void> {
  (await cookies()).set(cookieName(), token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: env().APP_URL.startsWith('https://'),
    maxAge: PENDING_SIGN_IN_TTL_MS / 1000,
  });
}

export async function pendingSignInToken(): Promise<string | undefined> {
  return (await cookies()).get(cookieName())?.value;
}

export async function clearPendingSignInCookie(): Promise<void> {
  (await cookies()).delete(cookieName());
}
