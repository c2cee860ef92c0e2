import 'server-only';
import { forbidden, redirect } from 'next/navigation';
import { cache } from 'react';
import { auth, type AppSession } from './auth';

/** The signed-in person for this request, checked against the sessions table once per request. */
export const currentSession = cache(async (): Promise<AppSession | null> => {
  const session = (await auth()) as unknown as Partial<AppSession> | null;
  return session?.sid && session.user ? (session as AppSession) : null;
});

/** For pages and actions that need a signed-in user: others go to the login page. */
export async function requireUser(returnTo?: string): Promise<AppSession> {
  const session = await currentSession();
  if (!session) redirect(returnTo ? `/login?next=${encodeURIComponent(returnTo)}` : '/login');
  return session;
}

/**
 * Every admin page, action and route calls this itself (S45): a layout does not protect a server
 * action. Signed-out visitors go to the login page; signed-in non-admins get 403.
 */
export async function requireAdmin(returnTo?: string): Promise<AppSession> {
  const session = await requireUser(returnTo);
  if (session.user.role !== 'admin') forbidden();
  return session;
}
