import 'server-only';
import { forbidden, redirect } from 'next/navigation';
import { cache } from 'react';
import { auth, type AppSession } from './auth';

/**
 * The signed-in person for this request, checked against the sessions table once per request: one SQL
 * statement for the session, its user and whether two-factor enrolment is due (validateSession).
 */
export const currentSession = cache(async (): Promise<AppSession | null> => {
  const session = (await auth()) as unknown as Partial<AppSession> | null;
  return session?.sid && session.user ? (session as AppSession) : null;
});

/** For pages and actions that need a signed-in user: others go to the login page. */
export async function requireUser(returnTo?: string): Promise<AppSession> {
  const session = await currentSession();
  if (!session) redirect(returnTo ? `/login?next=${encodeURIComponent(returnTo)}` : '/login');
  // Every account and admin page and action passes here: once the platform requires two-factor
  // sign-in and the grace is over, they all lead to enrolment, and /admin stays out of reach. Adding a
  // passkey is enrolment too (decision 035), so its page stays open. Whether enrolment is due was read
  // with the session itself: no query here (issue 15).
  if (!ENROLMENT_PAGES.has(returnTo ?? '') && session.twoFactorEnrolmentDue)
    redirect(`${TWO_FACTOR_PAGE}?required=1`);
  return session;
}

export const TWO_FACTOR_PAGE = '/account/two-factor';
export const PASSKEYS_PAGE = '/account/passkeys';
const ENROLMENT_PAGES = new Set([TWO_FACTOR_PAGE, PASSKEYS_PAGE]);

/**
 * Every admin page, action and route calls this itself (S45): a layout does not protect a server
 * action. Signed-out visitors go to the login page; signed-in non-admins get 403.
 */
export async function requireAdmin(returnTo?: string): Promise<AppSession> {
  const session = await requireUser(returnTo);
  if (session.user.role !== 'admin') forbidden();
  return session;
}
