import { parse as parseCsv } from 'csv-parse/sync';
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { accountState } from './account-state';
import { recordAudit, type AuditContext } from './audit';
import type { Clock } from './clock';
import { storedHashFormat } from './password';
import { isUniqueViolation } from './registration';
import {
  importRowSchema,
  importSourceFields,
  type ImportRow,
  type ImportSourceField,
} from './validation/user-import';

/**
 * Accounts brought from another system (issue 13; decision 021): `npm run users:import` reads a CSV
 * or JSON file, this flow judges every row first, then writes each valid row in its own
 * transaction, so a refused or failing row leaves nothing behind and never stops the others.
 * Hashes stay as they were (argon2 or bcrypt); sign-in upgrades them to argon2id (lib/login.ts).
 */

/**
 * Column names as PHP user dashboards and our own export write them, compared after lower-casing and
 * turning spaces and dashes into underscores. A column that is none of these is ignored and listed
 * once in the report.
 */
const ALIASES: Record<ImportSourceField, readonly string[]> = {
  email: ['email', 'email_address', 'e_mail', 'mail', 'user_email'],
  username: ['username', 'user_name', 'login', 'user_login', 'handle', 'nickname'],
  passwordHash: ['password_hash', 'password', 'hash', 'passwordhash', 'pass', 'user_pass', 'pwd'],
  fullName: ['full_name', 'fullname', 'name', 'display_name'],
  firstName: ['first_name', 'firstname', 'given_name', 'fname'],
  lastName: ['last_name', 'lastname', 'surname', 'family_name', 'lname'],
  phone: ['phone', 'phone_number', 'telephone', 'tel', 'mobile'],
  address: ['address', 'street', 'street_address', 'address1', 'address_line1'],
  city: ['city', 'town'],
  country: ['country', 'country_name'],
  locale: ['locale', 'language', 'lang'],
  timezone: ['timezone', 'time_zone', 'tz'],
  role: ['role', 'user_role', 'user_type', 'type', 'level'],
  isAdmin: ['is_admin', 'admin', 'isadmin', 'is_superuser'],
  emailVerified: [
    'email_verified_at',
    'email_verified',
    'verified_at',
    'verified',
    'is_verified',
    'confirmed_at',
    'confirmed',
    'is_confirmed',
  ],
  approved: ['approved_at', 'approved', 'is_approved'],
  status: ['status', 'state', 'account_status'],
  isActive: ['is_active', 'active', 'enabled'],
  createdAt: ['created_at', 'created', 'registered_at', 'date_created', 'signup_date', 'joined_at'],
  lastLoginAt: ['last_login_at', 'last_login', 'last_seen', 'last_signin', 'last_sign_in_at'],
};

const FIELD_BY_COLUMN: ReadonlyMap<string, ImportSourceField> = new Map(
  importSourceFields.flatMap((field) => ALIASES[field].map((alias) => [alias, field] as const)),
);

function normaliseColumn(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

export type SourceRecord = Record<string, unknown>;

export interface ColumnMapping {
  /** Source column -> field, for the columns that mean something here. */
  fields: Map<string, ImportSourceField>;
  /** Source columns that mean nothing here, in the order first seen. */
  ignored: string[];
}

export function mapColumns(columns: Iterable<string>): ColumnMapping {
  const fields = new Map<string, ImportSourceField>();
  const ignored: string[] = [];
  for (const column of columns) {
    if (fields.has(column) || ignored.includes(column)) continue;
    const field = FIELD_BY_COLUMN.get(normaliseColumn(column));
    if (field) fields.set(column, field);
    else ignored.push(column);
  }
  return { fields, ignored };
}

const EMPTY_VALUES = new Set(['', '0', 'false', 'no', 'null', 'none']);
const isEmptyValue = (value: unknown) =>
  value === null ||
  value === undefined ||
  value === false ||
  value === 0 ||
  (typeof value === 'string' &&
    (EMPTY_VALUES.has(value.trim().toLowerCase()) || value.startsWith('0000-00-00')));

/**
 * One record's values under the field names. When two columns mean the same field (`verified` and
 * `email_verified_at`), the first one that says something wins over an empty or false one.
 */
function fieldsOf(record: SourceRecord, mapping: ColumnMapping): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(record)) {
    const field = mapping.fields.get(column);
    if (!field) continue;
    if (!(field in out) || (isEmptyValue(out[field]) && !isEmptyValue(value))) out[field] = value;
  }
  return out;
}

export type ReadResult = { ok: true; records: unknown[] } | { ok: false; reason: string };

/**
 * A file's text as records. CSV: the first line names the columns; the delimiter (comma, semicolon
 * or tab, as spreadsheet exports vary) is the one the header line uses most. JSON: an array of
 * objects, or `{ "users": [...] }`. An unreadable file yields nothing at all, so nothing is written.
 */
export function readUserFile(content: string, format: 'csv' | 'json'): ReadResult {
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content.replace(/^\uFEFF/, ''));
    } catch {
      return { ok: false, reason: 'the file is not valid JSON' };
    }
    const list = Array.isArray(parsed)
      ? parsed
      : parsed && typeof parsed === 'object' && Array.isArray((parsed as { users?: unknown }).users)
        ? (parsed as { users: unknown[] }).users
        : undefined;
    if (!list) return { ok: false, reason: 'the JSON is neither an array of users nor { "users": [...] }' };
    return { ok: true, records: list };
  }
  const header = content.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [',', ';', '\t'].reduce((best, d) =>
    header.split(d).length > header.split(best).length ? d : best,
  );
  try {
    const records = parseCsv(content, {
      columns: true,
      bom: true,
      delimiter,
      skip_empty_lines: true,
    }) as SourceRecord[];
    return { ok: true, records };
  } catch (error) {
    // The parser's own message can quote the offending cell (a hash); its code and line cannot.
    const e = error as { code?: string; lines?: number };
    return {
      ok: false,
      reason: `the CSV cannot be read (${e.code ?? 'parse error'}${e.lines ? ` near line ${e.lines}` : ''})`,
    };
  }
}

export interface ImportOptions {
  /** Check every row and report, write nothing. */
  dryRun?: boolean;
  /**
   * Import rows whose password is missing or in a format Gatehouse cannot check (md5, sha1, plain
   * text) without any password; the person then uses forgot-password. Without it such rows are refused.
   */
  withoutPasswordOk?: boolean;
  /** Who runs the import, for the audit rows. */
  context?: AuditContext;
}

export type RowOutcome =
  | { row: number; status: 'imported'; email: string; userId: string }
  | { row: number; status: 'valid'; email: string }
  | { row: number; status: 'refused'; reason: string };

export interface ImportReport {
  dryRun: boolean;
  /** One per source row, in file order; row 1 is the first user (after a CSV's header line). */
  rows: RowOutcome[];
  imported: number;
  refused: number;
  ignoredColumns: string[];
}

interface CheckedRow {
  row: number;
  data: ImportRow;
  passwordHash: string | null;
  signInWith: 'argon2' | 'bcrypt' | 'none';
}

const LOOKUP_CHUNK = 500;

const FIELD_WORDS: Partial<Record<string, string>> = {
  passwordHash: 'password',
  fullName: 'full name',
  firstName: 'first name',
  lastName: 'last name',
  isAdmin: 'is_admin',
  emailVerified: 'email_verified_at',
  isActive: 'is_active',
  createdAt: 'created_at',
  lastLoginAt: 'last_login_at',
};

function describeIssue(issue: { code: string; path: PropertyKey[]; message: string }): string {
  // The shared email field speaks in catalogue keys; the operator reads plain words.
  if (issue.path[0] === 'email') return 'email is missing or not a valid address';
  if (issue.code === 'custom') return issue.message;
  // A JSON value that is no cell (an object, an array): zod's own words would not say which field.
  const field = String(issue.path[0] ?? 'a field');
  return `${FIELD_WORDS[field] ?? field} is not text, a number or true/false`;
}

export async function importUsers(
  db: Db,
  records: readonly unknown[],
  options: ImportOptions,
  clock: Clock,
): Promise<ImportReport> {
  const columns = new Set<string>();
  for (const record of records) {
    if (record && typeof record === 'object' && !Array.isArray(record)) {
      for (const key of Object.keys(record)) columns.add(key);
    }
  }
  const mapping = mapColumns(columns);
  const outcomes = new Map<number, RowOutcome>();
  const refuse = (row: number, reason: string) => outcomes.set(row, { row, status: 'refused', reason });

  // First pass: every row judged on its own and against the rows before it in the file.
  const checked: CheckedRow[] = [];
  const emailRow = new Map<string, number>();
  const usernameRow = new Map<string, number>();
  records.forEach((record, index) => {
    const row = index + 1;
    if (!record || typeof record !== 'object' || Array.isArray(record)) {
      refuse(row, 'not an object with named fields');
      return;
    }
    const parsed = importRowSchema.safeParse(fieldsOf(record as SourceRecord, mapping));
    if (!parsed.success) {
      refuse(row, describeIssue(parsed.error.issues[0]!));
      return;
    }
    const data = parsed.data;
    const format = data.passwordHash === '' ? undefined : storedHashFormat(data.passwordHash);
    if (!format && !options.withoutPasswordOk) {
      refuse(
        row,
        data.passwordHash === ''
          ? 'no password hash; add --without-password-ok to import it without a password'
          : 'the password is not an argon2 or bcrypt hash; add --without-password-ok to import it without a password',
      );
      return;
    }
    const username = data.username.toLowerCase();
    const sameEmail = emailRow.get(data.email);
    if (sameEmail !== undefined) {
      refuse(row, `duplicate email, same as row ${sameEmail}`);
      return;
    }
    const sameUsername = usernameRow.get(username);
    if (sameUsername !== undefined) {
      refuse(row, `duplicate username, same as row ${sameUsername}`);
      return;
    }
    emailRow.set(data.email, row);
    usernameRow.set(username, row);
    checked.push({
      row,
      data,
      passwordHash: format ? data.passwordHash : null,
      signInWith: format ?? 'none',
    });
  });

  // Second pass: against the accounts already here, so the report can say which clashes.
  const takenEmails = new Set<string>();
  const takenUsernames = new Set<string>();
  for (let i = 0; i < checked.length; i += LOOKUP_CHUNK) {
    const chunk = checked.slice(i, i + LOOKUP_CHUNK);
    const lowerUsername = sql<string>`lower(${users.username})`;
    const [byEmail, byUsername] = await Promise.all([
      db
        .select({ email: users.email })
        .from(users)
        .where(
          inArray(
            users.email,
            chunk.map((c) => c.data.email),
          ),
        ),
      db
        .select({ username: lowerUsername })
        .from(users)
        .where(
          inArray(
            lowerUsername,
            chunk.map((c) => c.data.username.toLowerCase()),
          ),
        ),
    ]);
    for (const r of byEmail) takenEmails.add(r.email);
    for (const r of byUsername) takenUsernames.add(r.username);
  }
  const writable = checked.filter((c) => {
    if (takenEmails.has(c.data.email)) refuse(c.row, 'email already in use by an existing account');
    else if (takenUsernames.has(c.data.username.toLowerCase()))
      refuse(c.row, 'username already in use by an existing account');
    else return true;
    return false;
  });

  if (options.dryRun) {
    for (const c of writable) outcomes.set(c.row, { row: c.row, status: 'valid', email: c.data.email });
  } else {
    for (const c of writable) outcomes.set(c.row, await writeRow(db, c, options.context ?? {}, clock));
  }

  const rows = records.map((_, index) => outcomes.get(index + 1)!);
  const imported = rows.filter((r) => r.status === 'imported').length;
  const refused = rows.filter((r) => r.status === 'refused').length;
  if (!options.dryRun) {
    await recordAudit(
      db,
      {
        action: 'user.import_completed',
        meta: { via: 'import', rows: rows.length, imported, refused },
        ...options.context,
      },
      clock,
    );
  }
  return { dryRun: options.dryRun ?? false, rows, imported, refused, ignoredColumns: mapping.ignored };
}

/** SQLSTATE classes 22 (data exception) and 23 (constraint violation): the row's fault, not an outage. */
function rowRefusalCode(error: unknown): string | undefined {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) return code;
  }
  return undefined;
}

async function writeRow(db: Db, c: CheckedRow, context: AuditContext, clock: Clock): Promise<RowOutcome> {
  const now = clock.now();
  const { data } = c;
  const emailVerifiedAt = data.confirmed.set ? (data.confirmed.at ?? now) : null;
  // Without an approval column the old system had no such step: the account is approved, and an
  // unconfirmed one becomes active as soon as its owner confirms the address.
  const approvedAt = data.approved === undefined ? now : data.approved.set ? (data.approved.at ?? now) : null;
  try {
    const userId = await db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({
          email: data.email,
          username: data.username,
          passwordHash: c.passwordHash,
          fullName: data.fullName,
          phone: data.phone,
          address: data.address,
          city: data.city,
          country: data.country,
          locale: data.locale,
          timezone: data.timezone,
          role: data.role,
          emailVerifiedAt,
          approvedAt,
          lockedAt: data.disabled === 'locked' ? now : null,
          lockReason: data.disabled === 'locked' ? 'Inactive in the system it was imported from' : null,
          rejectedAt: data.disabled === 'rejected' ? now : null,
          lastLoginAt: data.lastLoginAt,
          createdAt: data.createdAt ?? now,
          updatedAt: now,
        })
        .returning();
      if (!user) throw new Error('user insert returned no row');
      await recordAudit(
        tx,
        {
          action: 'user.imported',
          userId: user.id,
          // No email here (the audit trail outlives the account); the id ties the row to it.
          meta: { via: 'import', role: user.role, state: accountState(user), signInWith: c.signInWith },
          ...context,
        },
        clock,
      );
      return user.id;
    });
    return { row: c.row, status: 'imported', email: data.email, userId };
  } catch (error) {
    // Another writer took the address or the name since the check: this row only is refused.
    if (isUniqueViolation(error)) {
      return {
        row: c.row,
        status: 'refused',
        reason: 'email or username already in use by an existing account',
      };
    }
    const code = rowRefusalCode(error);
    if (code)
      return { row: c.row, status: 'refused', reason: `the database refused the row (SQLSTATE ${code})` };
    throw error;
  }
}

/** The report as the CLI prints it: one line per row, the ignored columns once, then the counts. */
export function formatImportReport(report: ImportReport): string[] {
  const lines = report.rows.map((r) =>
    r.status === 'refused'
      ? `row ${r.row}: refused (${r.reason})`
      : r.status === 'valid'
        ? `row ${r.row}: would import ${r.email}`
        : `row ${r.row}: imported ${r.email}`,
  );
  if (report.ignoredColumns.length > 0) lines.push(`ignored columns: ${report.ignoredColumns.join(', ')}`);
  const total = report.rows.length;
  lines.push(
    report.dryRun
      ? `dry run: ${total - report.refused} of ${total} rows would be imported, ${report.refused} refused; nothing was written`
      : `${report.imported} of ${total} rows imported, ${report.refused} refused`,
  );
  return lines;
}
