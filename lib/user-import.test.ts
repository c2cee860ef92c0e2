import { eq, inArray, sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditEvents, users } from '@/db/schema';
import { accountState } from '@/lib/account-state';
import { ManualClock } from '@/lib/clock';
import { logIn } from '@/lib/login';
import { hashPassword } from '@/lib/password';
import { formatImportReport, importUsers, readUserFile, type ImportOptions } from '@/lib/user-import';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import {
  FIXTURE_PASSWORDS,
  FIXTURE_REPORT,
  LONG_USERNAME,
  phpDashboardCsv,
} from '@/tests/helpers/user-import-fixture';
import { createTestUser, freshContext } from '@/tests/helpers/users';

const t = setUpTestDatabase();
const clock = new ManualClock(new Date('2026-12-04T12:00:00Z'));
const CURRENT_ARGON2ID = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;

beforeEach(async () => {
  await t.db.delete(users);
  await t.db.delete(auditEvents);
});

function fixtureRecords(): unknown[] {
  const read = readUserFile(phpDashboardCsv(), 'csv');
  if (!read.ok) throw new Error(read.reason);
  return read.records;
}

async function importFixture(options: ImportOptions = {}) {
  return importUsers(t.db, fixtureRecords(), options, clock);
}

async function userByEmail(email: string) {
  const [user] = await t.db.select().from(users).where(eq(users.email, email));
  return user;
}

describe('importing the PHP dashboard export', () => {
  it('reports every row, imported or refused with the reason, then the counts', async () => {
    const report = await importFixture();
    expect(formatImportReport(report)).toEqual(FIXTURE_REPORT);
    expect(report).toMatchObject({ imported: 5, refused: 3, dryRun: false });
  });

  it('signs in with the original password, and the bcrypt $2y$ hash becomes argon2id', async () => {
    await importFixture();
    const before = await userByEmail('alice@example.com');
    expect(before?.passwordHash).toMatch(/^\$2y\$04\$/);

    const result = await logIn(
      t.db,
      { identifier: 'alice@example.com', password: FIXTURE_PASSWORDS.alice },
      freshContext(),
      clock,
    );
    expect(result.ok).toBe(true);
    expect((await userByEmail('alice@example.com'))?.passwordHash).toMatch(CURRENT_ARGON2ID);

    // The 50-character username signs in by its name too.
    const long = await logIn(
      t.db,
      { identifier: LONG_USERNAME, password: FIXTURE_PASSWORDS.long },
      freshContext(),
      clock,
    );
    expect(long.ok).toBe(true);
    expect((await userByEmail('long@example.com'))?.passwordHash).toMatch(CURRENT_ARGON2ID);
  });

  it('keeps the profile, the dates and the role; the address is lower-cased', async () => {
    await importFixture();
    const alice = await userByEmail('alice@example.com');
    expect(alice).toMatchObject({
      username: 'alice',
      fullName: 'Alice Martin',
      phone: '+33 1 23 45 67 89',
      address: '12 rue de la Paix, Apt 3',
      city: 'Paris',
      country: 'France',
      role: 'user',
      emailVerifiedAt: new Date('2023-02-01T09:15:00Z'),
      createdAt: new Date('2023-01-31T18:00:00Z'),
      lastLoginAt: new Date('2024-06-01T08:30:00Z'),
    });
    expect(accountState(alice!)).toBe('active');
    expect((await userByEmail('boss@example.com'))?.role).toBe('admin');
    expect((await userByEmail('long@example.com'))?.username).toBe(LONG_USERNAME);
  });

  it('imports an unconfirmed row as unconfirmed and an inactive one locked', async () => {
    await importFixture();
    const newbie = await userByEmail('newbie@example.com');
    expect(accountState(newbie!)).toBe('unverified');
    const attempt = await logIn(
      t.db,
      { identifier: 'newbie', password: FIXTURE_PASSWORDS.newbie },
      freshContext(),
      clock,
    );
    expect(attempt).toMatchObject({ ok: false, code: 'unverified' });
    expect(accountState((await userByEmail('gone@example.com'))!)).toBe('locked');
  });

  it('refused rows leave nothing behind', async () => {
    await importFixture();
    const emails = (await t.db.select({ email: users.email }).from(users)).map((u) => u.email).sort();
    expect(emails).toEqual([
      'alice@example.com',
      'boss@example.com',
      'gone@example.com',
      'long@example.com',
      'newbie@example.com',
    ]);
    // The duplicate (row 4) did not overwrite the first row's profile.
    expect((await userByEmail('alice@example.com'))?.username).toBe('alice');
    const rejected = await t.db
      .select()
      .from(users)
      .where(inArray(users.username, ['alice2', 'broken', 'oldtimer']));
    expect(rejected).toEqual([]);
  });

  it('S55: one audit row per imported account, without the address, and one summary row', async () => {
    const report = await importFixture({ context: { userAgent: 'users:import' } });
    const imported = await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'user.imported'));
    const importedIds = report.rows.flatMap((r) => (r.status === 'imported' ? [r.userId] : []));
    expect(imported.map((e) => e.userId).sort()).toEqual(importedIds.sort());
    for (const event of imported) {
      expect(JSON.stringify(event.meta)).not.toContain('@');
      expect(event.meta).toMatchObject({ via: 'import' });
      expect(event.userAgent).toBe('users:import');
    }
    const boss = await userByEmail('boss@example.com');
    expect(imported.find((e) => e.userId === boss?.id)?.meta).toEqual({
      via: 'import',
      role: 'admin',
      state: 'active',
      signInWith: 'bcrypt',
    });
    const summary = await t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'user.import_completed'));
    expect(summary.map((e) => e.meta)).toEqual([{ via: 'import', rows: 8, imported: 5, refused: 3 }]);
  });

  it('imports the md5 row without a password only when told to; forgot-password is then its way in', async () => {
    const report = await importFixture({ withoutPasswordOk: true });
    expect(formatImportReport(report)).toContain('row 6: imported oldtimer@example.com');
    const oldtimer = await userByEmail('oldtimer@example.com');
    expect(oldtimer?.passwordHash).toBeNull();
    const attempt = await logIn(
      t.db,
      { identifier: 'oldtimer', password: 'password' },
      freshContext(),
      clock,
    );
    expect(attempt).toMatchObject({ ok: false, code: 'invalid_credentials' });
  });

  it('--dry-run checks every row and writes nothing', async () => {
    const report = await importFixture({ dryRun: true });
    const lines = formatImportReport(report);
    expect(lines[0]).toBe('row 1: would import alice@example.com');
    expect(lines.at(-1)).toBe('dry run: 5 of 8 rows would be imported, 3 refused; nothing was written');
    expect(await t.db.select().from(users)).toEqual([]);
    expect(await t.db.select().from(auditEvents)).toEqual([]);
  });

  it('refuses rows whose address or username an existing account has (any case), and imports the rest', async () => {
    await createTestUser(t.db, clock, 'Boss', { email: 'someone@example.com' });
    await createTestUser(t.db, clock, 'existing', { email: 'newbie@example.com' });
    const report = await importFixture();
    const lines = formatImportReport(report);
    expect(lines).toContain('row 3: refused (username already in use by an existing account)');
    expect(lines).toContain('row 7: refused (email already in use by an existing account)');
    expect(report).toMatchObject({ imported: 3, refused: 5 });
    // The existing accounts are untouched.
    expect((await userByEmail('newbie@example.com'))?.username).toBe('existing');
  });

  it('two imports of one file at once: each account is written once, the loser refuses, nothing is half-written', async () => {
    const records = fixtureRecords();
    const [a, b] = await Promise.all([
      importUsers(t.db, records, {}, clock),
      importUsers(t.db, records, {}, clock),
    ]);
    expect(a.imported + b.imported).toBe(5);
    const [counted] = await t.db.select({ count: sql<number>`count(*)::int` }).from(users);
    expect(counted?.count).toBe(5);
    const imported = await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'user.imported'));
    expect(imported).toHaveLength(5);
    for (const user of await t.db.select().from(users)) expect(user.passwordHash).toMatch(/^\$2y\$/);
  });
});

describe('the import rules', () => {
  const base = { email: 'row@example.com', username: 'row', password: '' };
  const run = (records: unknown[], options: ImportOptions = {}) =>
    importUsers(t.db, records, { withoutPasswordOk: true, ...options }, clock);

  it('takes usernames of 1 to 50 characters, trimmed, unique regardless of case, never with "@"', async () => {
    const report = await run([
      { ...base, email: 'one@example.com', username: ' x ' },
      { ...base, email: 'two@example.com', username: 'y'.repeat(51) },
      { ...base, email: 'three@example.com', username: 'X' },
      { ...base, email: 'four@example.com', username: 'me@home' },
      { ...base, email: 'five@example.com', username: '   ' },
    ]);
    expect(formatImportReport(report).slice(0, 5)).toEqual([
      'row 1: imported one@example.com',
      'row 2: refused (username is longer than 50 characters)',
      'row 3: refused (duplicate username, same as row 1)',
      'row 4: refused (username contains "@")',
      'row 5: refused (username is missing)',
    ]);
    expect((await userByEmail('one@example.com'))?.username).toBe('x');
  });

  it('accepts argon2id and bcrypt $2a$/$2b$ hashes as they are; anything else needs --without-password-ok', async () => {
    const argon2 = await hashPassword('an argon2 passphrase here');
    if (!argon2.ok) throw new Error('busy');
    const report = await importUsers(
      t.db,
      [
        { email: 'argon@example.com', username: 'argon', password_hash: argon2.hash, verified: '1' },
        { email: 'sha@example.com', username: 'sha', hash: 'a'.repeat(40), verified: 'yes' },
        { email: 'plain@example.com', username: 'plain', password: 'hunter2', verified: true },
        { email: 'empty@example.com', username: 'empty', password: '', verified: 1 },
      ],
      {},
      clock,
    );
    const lines = formatImportReport(report);
    expect(lines.slice(0, 4)).toEqual([
      'row 1: imported argon@example.com',
      'row 2: refused (the password is not an argon2 or bcrypt hash; add --without-password-ok to import it without a password)',
      'row 3: refused (the password is not an argon2 or bcrypt hash; add --without-password-ok to import it without a password)',
      'row 4: refused (no password hash; add --without-password-ok to import it without a password)',
    ]);
    // Never the hash or the plain-text password in the report.
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(lines.join('\n')).not.toContain('a'.repeat(40));
    const result = await logIn(
      t.db,
      { identifier: 'argon', password: 'an argon2 passphrase here' },
      freshContext(),
      clock,
    );
    expect(result.ok).toBe(true);
  });

  it('maps the usual column spellings, case-insensitively, and lists the unknown ones once', async () => {
    const report = await run([
      {
        'E-Mail': 'Mapped@Example.com',
        UserName: 'mapped',
        'Full Name': 'Mapped Person',
        Is_Admin: '1',
        Verified: 'true',
        Approved: '0',
        Favourite_Colour: 'blue',
      },
      { 'E-Mail': 'second@example.com', UserName: 'second', Favourite_Colour: 'red', role: 'Administrator' },
    ]);
    expect(report.ignoredColumns).toEqual(['Favourite_Colour']);
    const mapped = await userByEmail('mapped@example.com');
    expect(mapped).toMatchObject({ fullName: 'Mapped Person', role: 'admin' });
    expect(accountState(mapped!)).toBe('pending');
    const second = await userByEmail('second@example.com');
    expect(second?.role).toBe('admin');
    expect(accountState(second!)).toBe('unverified');
  });

  it('reads JSON as an array or as { "users": [...] }, and CSV with semicolons', () => {
    const json = JSON.stringify({ users: [{ email: 'j@example.com', username: 'j' }] });
    expect(readUserFile(json, 'json')).toEqual({
      ok: true,
      records: [{ email: 'j@example.com', username: 'j' }],
    });
    expect(readUserFile('[{"email":"k@example.com"}]', 'json')).toMatchObject({ ok: true });
    expect(readUserFile('{"people":[]}', 'json')).toMatchObject({ ok: false });
    expect(readUserFile('not json', 'json')).toMatchObject({ ok: false });
    expect(readUserFile('email;username\nsemi@example.com;semi\n', 'csv')).toEqual({
      ok: true,
      records: [{ email: 'semi@example.com', username: 'semi' }],
    });
  });

  it('an unreadable CSV yields no rows at all, and its reason quotes no cell', () => {
    const secret = '$2y$04$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY';
    const read = readUserFile(`email,username,password\na@example.com,a,${secret},extra\n`, 'csv');
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.reason).not.toContain(secret);
  });

  it('refuses a row that is not an object, a date that is not a date and a cell that is not a value', async () => {
    const report = await run([
      'just a string',
      { ...base, created_at: 'last tuesday' },
      { ...base, first_name: { nested: true } },
    ]);
    expect(formatImportReport(report).slice(0, 3)).toEqual([
      'row 1: refused (not an object with named fields)',
      'row 2: refused (created_at is not a date)',
      'row 3: refused (first name is not text, a number or true/false)',
    ]);
  });
});
