import { stringify } from 'csv-stringify/sync';
import { and, asc, gt, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users, type User } from '@/db/schema';
import { accountState } from './account-state';
import { searchWhere, stateWhere, type UserQuery } from './admin-users';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import type { RequestContext } from './request-context';

/**
 * `npm run users:export` (issue 13; decision 021): every account as CSV or JSON, read in pages keyed
 * by id so a hundred thousand users never sit in memory at once. Password hashes only on request:
 * the file then holds what an attacker would crack offline, and the CLI says so.
 */

export const EXPORT_COLUMNS = [
  'id',
  'email',
  'username',
  'full_name',
  'phone',
  'address',
  'city',
  'country',
  'locale',
  'timezone',
  'role',
  'state',
  'email_verified_at',
  'approved_at',
  'created_at',
  'last_login_at',
] as const;

export type ExportFormat = 'csv' | 'json';

export interface ExportOptions {
  format: ExportFormat;
  withHashes?: boolean;
  /** Rows read per query; the default keeps memory small and queries few. */
  pageSize?: number;
}

export type ExportRow = Record<string, string | null>;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function exportRow(user: User, withHashes: boolean): ExportRow {
  const row: ExportRow = {
    id: user.id,
    email: user.email,
    username: user.username,
    full_name: user.fullName,
    phone: user.phone,
    address: user.address,
    city: user.city,
    country: user.country,
    locale: user.locale,
    timezone: user.timezone,
    role: user.role,
    state: accountState(user),
    email_verified_at: iso(user.emailVerifiedAt),
    approved_at: iso(user.approvedAt),
    created_at: iso(user.createdAt),
    last_login_at: iso(user.lastLoginAt),
  };
  if (withHashes) row.password_hash = user.passwordHash;
  return row;
}

/** The accounts page by page, in id order: each query starts after the last id of the one before. */
export async function* exportUserPages(
  db: Db,
  options: { withHashes?: boolean; pageSize?: number; where?: SQL },
): AsyncGenerator<ExportRow[]> {
  const pageSize = options.pageSize ?? 1000;
  let after: string | undefined;
  for (;;) {
    const page = await db
      .select()
      .from(users)
      .where(and(options.where, after === undefined ? undefined : gt(users.id, after)))
      .orderBy(asc(users.id))
      .limit(pageSize);
    if (page.length === 0) return;
    yield page.map((user) => exportRow(user, options.withHashes ?? false));
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.id;
  }
}

/**
 * The export as text chunks, for the caller to write wherever it likes (a file, stdout). CSV starts
 * with the header line; JSON is one array, one object per line.
 */
export async function* exportUsers(db: Db, options: ExportOptions): AsyncGenerator<string> {
  const columns: string[] = [...EXPORT_COLUMNS];
  if (options.withHashes) columns.push('password_hash');
  let first = true;
  if (options.format === 'csv') yield stringify([columns]);
  else yield '[';
  for await (const page of exportUserPages(db, options)) {
    if (options.format === 'csv') {
      yield stringify(page, { columns });
    } else {
      yield page.map((row, i) => `${first && i === 0 ? '' : ','}\n${JSON.stringify(row)}`).join('');
      first = false;
    }
  }
  if (options.format === 'json') yield first ? ']\n' : '\n]\n';
}

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, or a tab or carriage return before one)
 * gets a leading apostrophe: an admin opening the file must not run what a user typed as their name
 * (OWASP "CSV injection"). Only the admin's download does this; the CLI export stays exact for import.
 */
export function spreadsheetSafe(value: string | null): string | null {
  return value !== null && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * /admin/users "Download as CSV" (decision 031): the accounts matching the page's search and state
 * filter, never a hash, every cell spreadsheet-safe. The download is audited with its filters before
 * the first row goes out.
 */
export async function exportFilteredUsers(
  db: Db,
  input: { adminId: string; query: Pick<UserQuery, 'q' | 'state'> },
  context: RequestContext,
  clock: Clock,
): Promise<AsyncGenerator<string>> {
  const { q, state } = input.query;
  await recordAudit(
    db,
    { action: 'users.exported', actorId: input.adminId, meta: { q, state: state ?? null }, ...context },
    clock,
  );
  const where = and(state ? stateWhere(state) : undefined, searchWhere(q));
  return (async function* () {
    const columns: string[] = [...EXPORT_COLUMNS];
    yield stringify([columns]);
    for await (const page of exportUserPages(db, { where })) {
      const safe = page.map((row) =>
        Object.fromEntries(Object.entries(row).map(([key, value]) => [key, spreadsheetSafe(value)])),
      );
      yield stringify(safe, { columns });
    }
  })();
}
