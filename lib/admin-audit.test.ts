import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { users } from '@/db/schema';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { AUDIT_PAGE_SIZE, searchAudit, startOfDay } from './admin-audit';
import { AUDIT_ACTIONS, recordAudit } from './audit';
import { ManualClock } from './clock';

const t = setUpTestDatabase();
let adaId: string;
let bossId: string;
const GONE_ID = '00000000-0000-4000-8000-00000000dead';
const clock = new ManualClock(new Date('2026-03-10T12:00:00Z'));

async function event(
  action: (typeof AUDIT_ACTIONS)[number],
  at: string,
  who: { actorId?: string; userId?: string },
) {
  clock.set(new Date(at));
  await recordAudit(t.db, { action, ...who, ip: '203.0.113.1' }, clock);
}

beforeAll(async () => {
  const [ada, boss] = await t.db
    .insert(users)
    .values([
      { email: 'ada@example.com', username: 'Ada' },
      { email: 'boss@example.com', username: 'boss', role: 'admin' },
    ])
    .returning({ id: users.id });
  adaId = ada!.id;
  bossId = boss!.id;
  await event('user.registered', '2026-03-01T10:00:00Z', { userId: adaId });
  await event('user.approved', '2026-03-02T10:00:00Z', { actorId: bossId, userId: adaId });
  // 23:30 in UTC is already 3 March in Paris.
  await event('login.succeeded', '2026-03-02T23:30:00Z', { actorId: adaId, userId: adaId });
  await event('settings.changed', '2026-03-03T10:00:00Z', { actorId: bossId });
  await event('user.deleted', '2026-03-04T10:00:00Z', { actorId: bossId, userId: GONE_ID });
});

const actions = async (params: Record<string, string>, zone = 'UTC') =>
  (await searchAudit(t.db, params, zone)).events.map((e) => e.action);

describe('startOfDay', () => {
  it('takes the day in the admin’s time zone, daylight saving included', () => {
    expect(startOfDay('2026-03-02', 'UTC')?.toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(startOfDay('2026-03-02', 'Europe/Paris')?.toISOString()).toBe('2026-03-01T23:00:00.000Z');
    expect(startOfDay('2026-07-02', 'Europe/Paris')?.toISOString()).toBe('2026-07-01T22:00:00.000Z');
    expect(startOfDay('2026-03-29', 'Europe/Paris', 1)?.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(startOfDay('2026-03-08', 'America/New_York')?.toISOString()).toBe('2026-03-08T05:00:00.000Z');
  });

  it.each(['yesterday', '2026-02-30', '2026-13-01', '26-03-01', '1969-12-31', ''])(
    '%j is no date',
    (text) => {
      expect(startOfDay(text, 'UTC')).toBeUndefined();
    },
  );
});

describe('searchAudit', () => {
  it('lists everything newest first, with the people it mentions', async () => {
    const result = await searchAudit(t.db, {}, 'UTC');
    expect(result.events.map((e) => e.action)).toEqual([
      'user.deleted',
      'settings.changed',
      'login.succeeded',
      'user.approved',
      'user.registered',
    ]);
    expect(result.people[adaId]).toEqual({ username: 'Ada', email: 'ada@example.com' });
    expect(result.people[GONE_ID]).toBeUndefined();
    expect(result.problems).toEqual({});
  });

  it('takes the actor or the user as email, username (any case) or id', async () => {
    expect(await actions({ actor: 'boss@example.com' })).toEqual([
      'user.deleted',
      'settings.changed',
      'user.approved',
    ]);
    expect(await actions({ actor: 'BOSS' })).toEqual(['user.deleted', 'settings.changed', 'user.approved']);
    expect(await actions({ user: 'ada' })).toEqual(['login.succeeded', 'user.approved', 'user.registered']);
    expect(await actions({ user: ' Ada@Example.com ' })).toHaveLength(3);
    expect(await actions({ user: adaId.toUpperCase(), actor: bossId })).toEqual(['user.approved']);
    // A deleted account is still found by its id.
    expect(await actions({ user: GONE_ID })).toEqual(['user.deleted']);
  });

  it('filters by action and by a date range in the admin’s time zone (both ends inclusive)', async () => {
    expect(await actions({ action: 'settings.changed' })).toEqual(['settings.changed']);
    expect(await actions({ from: '2026-03-02', to: '2026-03-02' })).toEqual([
      'login.succeeded',
      'user.approved',
    ]);
    expect(await actions({ from: '2026-03-02', to: '2026-03-02' }, 'Europe/Paris')).toEqual([
      'user.approved',
    ]);
    expect(await actions({ from: '2026-03-04' })).toEqual(['user.deleted']);
    expect(await actions({ to: '2026-03-01' })).toEqual(['user.registered']);
  });

  it.each([
    [{ actor: 'nobody@example.com' }, 'actor', 'adminAudit.errors.noAccount'],
    [{ user: 'x'.repeat(10_000) }, 'user', 'adminAudit.errors.noAccount'],
    [{ action: 'user.exploded' }, 'action', 'adminAudit.errors.action'],
    [{ action: "'; drop table audit_events; --" }, 'action', 'adminAudit.errors.action'],
    [{ from: 'yesterday' }, 'from', 'adminAudit.errors.date'],
    [{ to: '2026-02-30' }, 'to', 'adminAudit.errors.date'],
    [{ from: '9'.repeat(10_000) }, 'from', 'adminAudit.errors.date'],
    [{ from: '2026-03-05', to: '2026-03-01' }, 'to', 'adminAudit.errors.range'],
  ])('%j is reported on its field and lists nothing', async (params, field, key) => {
    const result = await searchAudit(t.db, params, 'UTC');
    expect(result.problems).toEqual({ [field]: key });
    expect(result.events).toEqual([]);
    for (const value of Object.values(result.form)) expect(value.length).toBeLessThanOrEqual(254);
  });

  it('pages by cursor; a garbage cursor is the first page', async () => {
    const firstPage = await searchAudit(t.db, {}, 'UTC');
    const last = firstPage.events.at(-1)!;
    expect(firstPage.nextBefore).toBeNull();
    for (const before of ['abc', '-1', '1e9', '9'.repeat(10_000)]) {
      expect((await searchAudit(t.db, { before }, 'UTC')).events).toHaveLength(firstPage.events.length);
    }
    expect((await searchAudit(t.db, { before: String(last.id) }, 'UTC')).events).toEqual([]);

    for (let i = 0; i < AUDIT_PAGE_SIZE; i += 1) {
      await event('login.failed', '2026-03-05T10:00:00Z', { userId: adaId });
    }
    const one = await searchAudit(t.db, {}, 'UTC');
    expect(one.events).toHaveLength(AUDIT_PAGE_SIZE);
    expect(one.nextBefore).not.toBeNull();
    const two = await searchAudit(t.db, { before: String(one.nextBefore) }, 'UTC');
    expect(two.paged).toBe(true);
    expect(two.events.map((e) => e.action)).toEqual([
      'user.deleted',
      'settings.changed',
      'login.succeeded',
      'user.approved',
      'user.registered',
    ]);
  });
});

describe('catalogue', () => {
  const load = (locale: string) =>
    JSON.parse(
      readFileSync(new URL(`./i18n/messages/${locale}/admin-platform.json`, import.meta.url), 'utf8'),
    ) as { adminAudit: { actions: Record<string, string> } };

  it('every audit action has a label, under a key of its own', () => {
    const keys = AUDIT_ACTIONS.map((action) => action.replaceAll('.', '_'));
    expect(new Set(keys).size).toBe(AUDIT_ACTIONS.length);
    const labels = load('en').adminAudit.actions;
    expect(keys.filter((key) => !labels[key])).toEqual([]);
    expect(Object.keys(labels).filter((key) => !keys.includes(key))).toEqual([]);
  });
});
