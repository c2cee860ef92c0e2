'use server';

import { signOut } from '@/lib/web/auth';

/**
 * Auth.js's sign-out ends the session row first (events.signOut in lib/web/auth.ts, lib/logout.ts),
 * the path POST /api/auth/signout takes too, so a copy of the cookie is dead as well (S51, S58).
 */
export async function logout(): Promise<void> {
  await signOut({ redirectTo: '/login?signedOut=1' });
}
