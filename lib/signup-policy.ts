import type { Db } from '@/db/client';
import { getSetting } from './settings';

/**
 * The domain rules of sign-up (decision 030). An entry names a domain and every subdomain under it:
 * `example.com` covers `example.com` and `mail.example.com`, never `badexample.com`. A block-list
 * entry wins over an allow-list one, so `example.com` allowed with `guests.example.com` blocked lets
 * staff in and keeps guests out. An empty allow-list allows every domain that is not blocked.
 */

/** The part of an address after its last @, lower-cased, without a trailing dot. */
export function emailDomain(email: string): string {
  return email
    .slice(email.lastIndexOf('@') + 1)
    .toLowerCase()
    .replace(/\.$/, '');
}

/** Whether `domain` is `entry` itself or one of its subdomains. */
export function domainCovers(entry: string, domain: string): boolean {
  return domain === entry || domain.endsWith(`.${entry}`);
}

export function isDomainAccepted(
  email: string,
  rules: { allowed: readonly string[]; blocked: readonly string[] },
): boolean {
  const domain = emailDomain(email);
  if (rules.blocked.some((entry) => domainCovers(entry, domain))) return false;
  return rules.allowed.length === 0 || rules.allowed.some((entry) => domainCovers(entry, domain));
}

/** The stored rules applied to an address: the same answer whether or not it has an account. */
export async function signupDomainAccepted(db: Db, email: string): Promise<boolean> {
  const [allowed, blocked] = await Promise.all([
    getSetting(db, 'signup_allowed_domains'),
    getSetting(db, 'signup_blocked_domains'),
  ]);
  return isDomainAccepted(email, { allowed, blocked });
}
