import fs from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcryptjs';

const FIXTURE = path.join(process.cwd(), 'tests/fixtures/php-dashboard-users.csv');

/**
 * The PHP dashboard's `users` table as exported to CSV (tests/fixtures/php-dashboard-users.csv), with
 * each `<bcrypt:password>` placeholder replaced by a real bcrypt hash of that password at cost 4,
 * written as PHP's password_hash() writes it ($2y$).
 */
export function phpDashboardCsv(): string {
  return fs
    .readFileSync(FIXTURE, 'utf8')
    .replace(/<bcrypt:([^>]*)>/g, (_, password: string) => `$2y$${bcrypt.hashSync(password, 4).slice(4)}`);
}

export const FIXTURE_PASSWORDS = {
  alice: "alice's old passphrase",
  long: 'long name pass phrase',
  boss: 'the boss old passphrase',
  newbie: 'newbie never confirmed',
} as const;

export const LONG_USERNAME = 'a_very_long_username_the_old_dashboard_allowed_050';

/** The report of importing the fixture as is, line by line. */
export const FIXTURE_REPORT = [
  'row 1: imported alice@example.com',
  `row 2: imported long@example.com`,
  'row 3: imported boss@example.com',
  'row 4: refused (duplicate email, same as row 1)',
  'row 5: refused (email is missing or not a valid address)',
  'row 6: refused (the password is not an argon2 or bcrypt hash; add --without-password-ok to import it without a password)',
  'row 7: imported newbie@example.com',
  'row 8: imported gone@example.com',
  'ignored columns: id, updated_at, avatar',
  '5 of 8 rows imported, 3 refused',
];
