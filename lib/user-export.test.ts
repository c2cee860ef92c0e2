import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import { auditEvents, users } from '@/db/schema';
import { ManualClock } from '@/lib/clock';
import { logIn } from '@/lib/login';
import {
  EXPORT_COLUMNS,
  exportFilteredUsers,
  exportUserPages,
  exportUsers,
  type ExportOptions,
} from '@/lib/user-export';
import { formatImportReport, importUsers, readUserFile } from '@/lib/user-import';
import { createTestDatabase, setUpTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { FIXTURE_PASSWORDS, phpDashboardCsv } from '@/tests/helpers/user-import-fixture';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';

const t = setUpTestDatabase();
const clock = new ManualClock(new Date('2026-12-04T12:00:00Z'));

async function exportText(db: Db, options: ExportOptions): Promise<string> {
  let text = '';
  for await (const chunk of exportUsers(db, options)) text += chunk;
  return text;
}

beforeEach(async () => {
  await t.db.delete(users);
});

describe('users:export', () => {
  it('CSV without --with-hashes has every documented column and no password column', async () => {
    await createTestUser(t.db, clock, 'alice', { fullName: 'Alice, "the" first', city: 'Paris' });
    await createTestUser(t.db, clock, 'bob', { emailVerifiedAt: null, role: 'admin' });
    const text = await exportText(t.db, { format: 'csv' });

    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...EXPORT_COLUMNS]);
    expect(text).not.toMatch(/password|\$argon2/);
    const byName = new Map(rows.map((r) => [r.username, r]));
    expect(byName.get('alice')).toMatchObject({
      email: 'alice@example.com',
      full_name: 'Alice, "the" first',
      city: 'Paris',
      role: 'user',
      state: 'active',
      email_verified_at: clock.now().toISOString(),
      last_login_at: '',
    });
    expect(byName.get('bob')).toMatchObject({ role: 'admin', state: 'unverified', email_verified_at: '' });
  });

  it('JSON is an array of objects; --with-hashes adds password_hash', async () => {
    await createTestUser(t.db, clock, 'carol');
    const plain = JSON.parse(await exportText(t.db, { format: 'json' })) as Record<string, unknown>[];
    expect(plain).toHaveLength(1);
    expect(plain[0]).not.toHaveProperty('password_hash');
    expect(plain[0]).toMatchObject({ username: 'carol', state: 'active', last_login_at: null });

    const withHashes = JSON.parse(await exportText(t.db, { format: 'json', withHashes: true })) as Record<
      string,
      unknown
    >[];
    expect(withHashes[0]?.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('an empty database exports a header line or an empty array', async () => {
    expect(await exportText(t.db, { format: 'csv' })).toBe(`${EXPORT_COLUMNS.join(',')}\n`);
    expect(JSON.parse(await exportText(t.db, { format: 'json' }))).toEqual([]);
  });

  it('reads in pages keyed by id: every account once, no page larger than asked', async () => {
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) await createTestUser(t.db, clock, name);
    const pages: number[] = [];
    const seen: string[] = [];
    for await (const page of exportUserPages(t.db, { pageSize: 2 })) {
      pages.push(page.length);
      seen.push(...page.map((r) => r.username!));
    }
    expect(pages).toEqual([2, 2, 1]);
    expect(seen.sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    const json = JSON.parse(await exportText(t.db, { format: 'json', pageSize: 2 })) as unknown[];
    expect(json).toHaveLength(5);
  });
});

describe('round trip', () => {
  let empty: TestDatabase;
  beforeAll(async () => {
    empty = await createTestDatabase();
  });
  afterAll(async () => {
    await empty.close();
  });

  it('an export with hashes imports into an empty database, and every account signs in', async () => {
    // Accounts born here (argon2id) and accounts imported from the PHP dashboard (bcrypt $2y$).
    await createTestUser(t.db, clock, 'native', { fullName: 'Native Person', phone: '+33 6 00 00 00 00' });
    const read = readUserFile(phpDashboardCsv(), 'csv');
    if (!read.ok) throw new Error(read.reason);
    await importUsers(t.db, read.records, {}, clock);
    const source = await t.db.select().from(users);

    for (const format of ['csv', 'json'] as const) {
      await empty.db.delete(users);
      const text = await exportText(t.db, { format, withHashes: true });
      const reread = readUserFile(text, format);
      if (!reread.ok) throw new Error(reread.reason);
      const report = await importUsers(empty.db, reread.records, {}, clock);
      expect(formatImportReport(report).at(-1)).toBe(
        `${source.length} of ${source.length} rows imported, 0 refused`,
      );
      // id is the only column the import does not take: the new database gives its own.
      expect(report.ignoredColumns).toEqual(['id']);

      for (const before of source) {
        const [after] = await empty.db.select().from(users).where(eq(users.email, before.email));
        expect(after).toMatchObject({
          username: before.username,
          passwordHash: before.passwordHash,
          fullName: before.fullName,
          phone: before.phone,
          address: before.address,
          city: before.city,
          country: before.country,
          locale: before.locale,
          timezone: before.timezone,
          role: before.role,
          emailVerifiedAt: before.emailVerifiedAt,
          approvedAt: before.approvedAt,
          createdAt: before.createdAt,
          lastLoginAt: before.lastLoginAt,
        });
        expect(after?.lockedAt === null).toBe(before.lockedAt === null);
      }
    }

    const signIns: [string, string][] = [
      ['native', TEST_PASSWORD],
      ['alice', FIXTURE_PASSWORDS.alice],
      ['long@example.com', FIXTURE_PASSWORDS.long],
      ['boss', FIXTURE_PASSWORDS.boss],
    ];
    for (const [identifier, password] of signIns) {
      const result = await logIn(empty.db, { identifier, password }, freshContext(), clock);
      expect(result.ok, identifier).toBe(true);
    }
    // The unconfirmed and the locked accounts keep their state, and so are refused as before.
    const newbie = await logIn(
      empty.db,
      { identifier: 'newbie', password: FIXTURE_PASSWORDS.newbie },
      freshContext(),
      clock,
    );
    expect(newbie).toMatchObject({ ok: false, code: 'unverified' });
  });
});

describe('admin CSV download of a filtered view', () => {
  async function download(query: {
    q: string;
    state?: 'pending' | 'active';
  }): Promise<Record<string, string>[]> {
    const admin = await createTestUser(t.db, clock, 'exportadmin', { role: 'admin' });
    let text = '';
    for await (const chunk of await exportFilteredUsers(
      t.db,
      { adminId: admin.id, query },
      freshContext(),
      clock,
    )) {
      text += chunk;
    }
    expect(text).not.toMatch(/password|\$argon2/);
    return parse(text, { columns: true }) as Record<string, string>[];
  }

  it('holds only the accounts the same search and state filter show, and is audited', async () => {
    await createTestUser(t.db, clock, 'keepme', { email: 'keepme@corp.example' });
    await createTestUser(t.db, clock, 'pendingone', { email: 'pendingone@corp.example', approvedAt: null });
    await createTestUser(t.db, clock, 'elsewhere', { email: 'elsewhere@example.org' });
    const rows = await download({ q: '@corp.example', state: 'active' });
    expect(rows.map((row) => row.username)).toEqual(['keepme']);
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'users.exported'));
    expect(event?.meta).toEqual({ q: '@corp.example', state: 'active' });
  });

  it('cells a spreadsheet would run as formulas are prefixed with an apostrophe', async () => {
    await createTestUser(t.db, clock, 'formula', {
      fullName: '=HYPERLINK("http://evil.example","x")',
      city: '@SUM(1+1)',
      phone: '+33 1 23 45 67 89',
      address: '-2+3',
      country: 'Plain',
    });
    const [row] = await download({ q: 'formula' });
    expect(row).toMatchObject({
      full_name: `'=HYPERLINK("http://evil.example","x")`,
      city: "'@SUM(1+1)",
      phone: "'+33 1 23 45 67 89",
      address: "'-2+3",
      country: 'Plain',
    });
  });
});
