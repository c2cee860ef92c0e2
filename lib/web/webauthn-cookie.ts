import 'server-only';
import { cookies } from 'next/headers';
import { systemClock } from '@/lib/clock';
import { env } from '@/lib/env';
import { CHALLENGE_TTL_MS } from '@/lib/passkeys';

/**
 * The handle of this browser's pending WebAuthn challenge (lib/passkeys.ts): HttpOnly, so no script
 * can read it, and `__Host-` over https, so no other site on the domain can set it. A ceremony that
 * begins in one browser cannot be finished from another.
 */
export function webauthnCookieName(): string {
  return env().APP_URL.startsWith('https://') ? '__Host-gatehouse.webauthn' : 'gatehouse.webauthn';
}

export async function setWebauthnHandle(handle: string): Promise<void> {
  (await cookies()).set(webauthnCookieName(), handle, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: env().APP_URL.startsWith('https://'),
    expires: new Date(systemClock.now().getTime() + CHALLENGE_TTL_MS),
  });
}

/** Reads and forgets the handle: whatever the answer, a challenge is only ever tried once. */
export async function takeWebauthnHandle(): Promise<string | undefined> {
  const jar = await cookies();
  const handle = jar.get(webauthnCookieName())?.value;
  if (handle !== undefined) jar.delete(webauthnCookieName());
  return handle;
}

/** The handle as Auth.js's sign-in request carries it, in the Cookie header it forwards. */
export function webauthnHandleFromHeaders(headers: Headers): string | undefined {
  const name = webauthnCookieName();
  for (const part of (headers.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
