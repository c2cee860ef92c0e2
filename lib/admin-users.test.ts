import { eq, inArray, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, users, type NewUser } from '@/db/schema';
import { accountState, type AccountState } from '@/lib/account-state';
import {
  decideMany,
  escapeLike,
  listPendingUsers,
  MATCH_CAP,
  parseUserQuery,
  searchUsers,
  USER_FILTERS,
  type UserQuery,
} from '@/lib/admin-users';
import { ManualClock, MINUTE } from '@/lib/clock';
import { setUpMailbox } from '@/tests/helpers/mail';
import { setUpTestDatabase } from '@/tests/helpers/test-db';

const t = setUpTestDatabase();
const mailbox = setUpMailbox();
const clock = new ManualClock(new Date('2026-11-21T10:00:00Z'));
const ctx = { ip: '192.0.2.1', userAgent: 'vitest' };
const base: UserQuery = { q: '', sort: 'newest', page: 1 };
let made = 0;

const stateColumns: Record<AccountState, Partial<NewUser>> = {
  unverified: {},
  pending: { emailVerifiedAt: clock.now() },
  active: { emailVerifiedAt: clock.now(), approvedAt: clock.now() },
  locked: { emailVerifiedAt: clock.now(), approvedAt: clock.now(), lockedAt: clock.now() },
  rejected: { emailVerifiedAt: clock.now(), rejectedAt: clock.now() },
};

async function makeUser(username: string, values: Partial<NewUser> = stateColumns.active) {
  made += 1;
  const [user] = await t.db
    .insert(users)
    .values({
      username,
      email: `${username.toLowerCase()}@example.com`,
      fullName: `Someone ${username}`,
      createdAt: new Date(clock.now().getTime() + made * MINUTE),
      ...values,
    })
    .returning();
  return user!;
}

const usernames = async (query: Partial<UserQuery>, pageSize?: number) =>
  (await searchUsers(t.db, { ...base, ...query }, pageSize)).rows.map((r) => r.username);

describe('reading the query string', () => {
  it('forgives anything: unknown state or sort, negative, huge or non-numeric pages, arrays, 10,000 characters', () => {
    expect(parseUserQuery({})).toEqual({
      q: '',
      truncated: false,
      state: undefined,
      sort: 'newest',
      page: 1,
    });
    expect(parseUserQuery({ state: 'superuser', sort: 'password', page: '-3' })).toMatchObject({
      state: undefined,
      sort: 'newest',
      page: 1,
    });
    expect(parseUserQuery({ page: '1e9' }).page).toBe(1);
    expect(parseUserQuery({ page: '99999999999999999999' }).page).toBe(1);
    expect(parseUserQuery({ page: '0' }).page).toBe(1);
    expect(parseUserQuery({ page: '12' }).page).toBe(12);
    expect(parseUserQuery({ q: ['first', 'second'], state: ['locked', 'admin'] })).toMatchObject({
      q: 'first',
      state: 'locked',
    });
    const long = parseUserQuery({ q: 'x'.repeat(10_000) });
    expect(long.q).toHaveLength(254);
    expect(long.truncated).toBe(true);
  });

  it('escapes LIKE wildcards and the escape character itself', () => {
    expect(escapeLike('100%_a\\b')).toBe('100\\%\\_a\\\\b');
  });
});

describe('state filters', () => {
  it('each filter shows exactly the accounts whose state (lib/account-state.ts) it names', async () => {
    // Every combination of the four timestamps, so precedence (rejected > locked > unverified …) is exercised.
    const made: { id: string; state: AccountState }[] = [];
    for (let bits = 0; bits < 16; bits += 1) {
      const values = {
        emailVerifiedAt: bits & 1 ? clock.now() : null,
        approvedAt: bits & 2 ? clock.now() : null,
        lockedAt: bits & 4 ? clock.now() : null,
        rejectedAt: bits & 8 ? clock.now() : null,
      };
      const user = await makeUser(`combo${bits}`, values);
      made.push({ id: user.id, state: accountState(user) });
    }
    for (const filter of USER_FILTERS.filter((f) => f !== 'admin')) {
      const page = await searchUsers(t.db, { ...base, q: 'combo', state: filter });
      const expected = made.filter((m) => m.state === filter).map((m) => m.id);
      expect(page.rows.map((r) => r.id).sort(), filter).toEqual(expected.sort());
      expect(page.total, filter).toBe(expected.length);
    }
  });

  it('"admin" shows administrators whatever their state', async () => {
    await makeUser('boss1', { ...stateColumns.active, role: 'admin' });
    await makeUser('boss2', { ...stateColumns.locked, role: 'admin' });
    expect((await usernames({ q: 'boss', state: 'admin' })).sort()).toEqual(['boss1', 'boss2']);
  });
});

describe('search', () => {
  beforeAll(async () => {
    await makeUser('Marguerite', {
      ...stateColumns.active,
      fullName: 'Marguerite Duras',
      email: 'md@lit.example',
    });
    await makeUser('jpsartre', {
      ...stateColumns.active,
      fullName: 'Jean-Paul Sartre',
      email: 'jp@phil.example',
    });
    await makeUser('simone', {
      ...stateColumns.pending,
      fullName: 'Simone de Beauvoir',
      email: 'sdb@phil.example',
    });
    await makeUser('pct_100%', {
      ...stateColumns.active,
      fullName: 'Per Cent',
      email: 'percent@odd.example',
    });
    await makeUser('under_score', {
      ...stateColumns.active,
      fullName: "O'Brien Quote",
      email: 'under@odd.example',
    });
  });

  it('finds by the start of the username (any case), of the email, or of any word of the name', async () => {
    expect(await usernames({ q: 'MARG' })).toEqual(['Marguerite']);
    expect(await usernames({ q: 'jp@' })).toEqual(['jpsartre']);
    expect(await usernames({ q: 'duras' })).toEqual(['Marguerite']);
    expect(await usernames({ q: 'beauv' })).toEqual(['simone']);
    expect(await usernames({ q: 'paul' })).toEqual(['jpsartre']);
    expect(await usernames({ q: 'simone beau' })).toEqual(['simone']);
    expect(await usernames({ q: 'simone sartre' })).toEqual([]);
  });

  it('"@domain" finds every address at that domain, and only there', async () => {
    expect((await usernames({ q: '@phil.example' })).sort()).toEqual(['jpsartre', 'simone']);
    expect(await usernames({ q: '@hil.example' })).toEqual([]);
  });

  it('finds by id', async () => {
    const [row] = await t.db.select({ id: users.id }).from(users).where(eq(users.username, 'simone'));
    expect(await usernames({ q: row!.id })).toEqual(['simone']);
  });

  it('matches %, _, quotes and backslashes literally, never as wildcards, and never fails', async () => {
    expect(await usernames({ q: 'pct_100%' })).toEqual(['pct_100%']);
    expect(await usernames({ q: 'pct_1000' })).toEqual([]);
    expect(await usernames({ q: '%' })).toEqual([]);
    expect(await usernames({ q: '_' })).toEqual([]);
    expect(await usernames({ q: 'under_' })).toEqual(['under_score']);
    expect(await usernames({ q: 'under%' })).toEqual([]);
    expect(await usernames({ q: "o'brien" })).toEqual(['under_score']);
    for (const odd of ["'", '"', '\\', '\\%', "'; drop table users; --", '&|!:*()', '\u00e9\u0301', '😀']) {
      await expect(searchUsers(t.db, { ...base, q: odd })).resolves.toMatchObject({ page: 1 });
    }
    const long = parseUserQuery({ q: 'a'.repeat(10_000) });
    await expect(searchUsers(t.db, { ...base, q: long.q })).resolves.toMatchObject({ total: 0 });
  });

  it('combines search with a state filter', async () => {
    expect(await usernames({ q: '@phil.example', state: 'pending' })).toEqual(['simone']);
    expect(await usernames({ q: '@phil.example', state: 'locked' })).toEqual([]);
  });
});

describe('sorting and pages', () => {
  beforeAll(async () => {
    for (const [i, name] of ['pg_c', 'pg_a', 'pg_e', 'pg_b', 'pg_d'].entries()) {
      await makeUser(name, {
        ...stateColumns.active,
        lastLoginAt: i === 2 ? null : new Date(clock.now().getTime() + i * MINUTE),
      });
    }
  });

  it('sorts by creation either way, username, email and last sign-in (never-signed-in last)', async () => {
    expect(await usernames({ q: 'pg_' })).toEqual(['pg_d', 'pg_b', 'pg_e', 'pg_a', 'pg_c']);
    expect(await usernames({ q: 'pg_', sort: 'oldest' })).toEqual(['pg_c', 'pg_a', 'pg_e', 'pg_b', 'pg_d']);
    expect(await usernames({ q: 'pg_', sort: 'username' })).toEqual(['pg_a', 'pg_b', 'pg_c', 'pg_d', 'pg_e']);
    expect(await usernames({ q: 'pg_', sort: 'email' })).toEqual(['pg_a', 'pg_b', 'pg_c', 'pg_d', 'pg_e']);
    expect(await usernames({ q: 'pg_', sort: 'last_login' })).toEqual([
      'pg_d',
      'pg_b',
      'pg_a',
      'pg_c',
      'pg_e',
    ]);
  });

  it('pages with the total; a page past the end shows the last page', async () => {
    const page2 = await searchUsers(t.db, { ...base, q: 'pg_', sort: 'username', page: 2 }, 2);
    expect(page2).toMatchObject({ total: 5, capped: false, page: 2, pageCount: 3 });
    expect(page2.rows.map((r) => r.username)).toEqual(['pg_c', 'pg_d']);
    const beyond = await searchUsers(t.db, { ...base, q: 'pg_', sort: 'username', page: 1_000_000_000 }, 2);
    expect(beyond.page).toBe(3);
    expect(beyond.rows.map((r) => r.username)).toEqual(['pg_e']);
    const none = await searchUsers(t.db, { ...base, q: 'nobody-at-all', page: 7 });
    expect(none).toMatchObject({ total: 0, page: 1, pageCount: 1, rows: [] });
  });

  it(`counts and pages through at most ${MATCH_CAP.toLocaleString('en')} matches, and says there are more`, async () => {
    await t.db.execute(sql`
      insert into users (email, username, email_verified_at, approved_at)
      select 'bulk' || i || '@many.example', 'bulk_' || i, now(), now()
      from generate_series(1, ${MATCH_CAP + 5}) as i`);
    const page = await searchUsers(t.db, { ...base, q: '@many.example', page: 1_000_000 });
    expect(page).toMatchObject({
      total: MATCH_CAP,
      capped: true,
      pageCount: MATCH_CAP / 50,
      page: MATCH_CAP / 50,
    });
    expect(page.rows).toHaveLength(50);
    await t.db.delete(users).where(sql`${users.email} like '%@many.example'`);
  });
});

describe('the approval queue', () => {
  it('lists confirmed, undecided accounts oldest first with their comment; locked ones are not waiting', async () => {
    const older = await makeUser('queue1', {
      ...stateColumns.pending,
      signupComment: 'From the Lyon office',
    });
    const newer = await makeUser('queue2', stateColumns.pending);
    await makeUser('queue3', { ...stateColumns.pending, lockedAt: clock.now() });
    await makeUser('queue4', stateColumns.unverified);
    const { rows, total } = await listPendingUsers(t.db);
    const queued = rows.filter((r) => r.username.startsWith('queue'));
    expect(queued.map((r) => r.id)).toEqual([older.id, newer.id]);
    expect(queued[0]!.signupComment).toBe('From the Lyon office');
    expect(total).toBe(rows.length);
  });

  it('bulk approval approves each waiting account with its welcome mail and audit event, and skips the rest', async () => {
    const a = await makeUser('bulka', stateColumns.pending);
    const b = await makeUser('bulkb', stateColumns.pending);
    const active = await makeUser('bulkc', stateColumns.active);
    const admin = await makeUser('bulkadmin', { ...stateColumns.active, role: 'admin' });
    const result = await decideMany(
      t.db,
      { adminId: admin.id, userIds: [a.id, b.id, active.id, a.id, 'not-a-uuid'], decision: 'approve' },
      ctx,
      clock,
    );
    expect(result).toEqual({ done: 2, skipped: 2 });
    const rows = await t.db
      .select()
      .from(users)
      .where(inArray(users.id, [a.id, b.id]));
    expect(rows.every((r) => accountState(r) === 'active')).toBe(true);
    await mailbox.deliver(t.db, clock);
    const welcome = await mailbox.catcher.waitForMail('bulka@example.com');
    expect(welcome.subject).toMatch(/welcome/i);
    await mailbox.catcher.waitForMail('bulkb@example.com');
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'user.approved'));
    expect(
      audit
        .filter((e) => e.actorId === admin.id)
        .map((e) => e.userId)
        .sort(),
    ).toEqual([a.id, b.id].sort());
  });

  it('bulk rejection rejects and mails each waiting account', async () => {
    const a = await makeUser('rejecta', stateColumns.pending);
    const admin = await makeUser('rejectadmin', { ...stateColumns.active, role: 'admin' });
    expect(
      await decideMany(t.db, { adminId: admin.id, userIds: [a.id], decision: 'reject' }, ctx, clock),
    ).toEqual({
      done: 1,
      skipped: 0,
    });
    const [row] = await t.db.select().from(users).where(eq(users.id, a.id));
    expect(accountState(row!)).toBe('rejected');
    await mailbox.deliver(t.db, clock);
    await mailbox.catcher.waitForMail('rejecta@example.com');
  });
});
