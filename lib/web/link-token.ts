import 'server-only';
import { cookies } from 'next/headers';

/**
 * Pages opened from a link in mail. The proxy moves the token from the URL into a cookie scoped to the
 * page and redirects to the bare path, so the page that shows a form never has the token in its
 * address: nothing can leak it through a Referer header, history or logs, and the page can keep a
 * referrer policy under which a form posted without JavaScript still carries its Origin (S25, S35).
 */
export const LINK_TOKEN_COOKIE = 'gatehouse-link-token';

export const TOKEN_PAGES = [
  // Invitations (decision 030): the page without a token is the ordinary sign-up form.
  '/register',
  '/verify-email',
  '/set-password',
  '/reset-password',
  '/email-change/confirm',
  '/email-change/not-me',
] as const;

export async function linkToken(): Promise<string | undefined> {
  return (await cookies()).get(LINK_TOKEN_COOKIE)?.value;
}
