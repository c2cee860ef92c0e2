import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '@/db/schema';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import {
  AUDIT_ACTIONS,
  listAudit,
  MAX_META_BYTES,
  recordAudit,
  sanitizeMeta,
  type AuditAction,
  type AuditContext,
} from './audit';
import { ManualClock, MINUTE } from './clock';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t?.close();
});

const byId = async (id: number) => {
  const [row] = await t.db.select().from(auditEvents).where(eq(auditEvents.id, id));
  return row!;
};

describe(`audit log on ${process.env.TEST_DATABASE_URL ? 'Postgres' : 'PGlite'}`, () => {
  it('S55: records action, actor, target, IP, user agent and time', async () => {
    const clock = new ManualClock(new Date('2026-02-03T04:05:06.789Z'));
    const actorId = randomUUID();
    const userId = randomUUID();
    const context: AuditContext = { actorId, ip: '2001:db8::1', userAgent: 'Mozilla/5.0 (X11)' };
    const { id } = await recordAudit(
      t.db,
      { ...context, action: 'user.locked', userId, meta: { reason: 'abuse' } },
      clock,
    );
    expect(await byId(id)).toEqual({
      id,
      at: new Date('2026-02-03T04:05:06.789Z'),
      actorId,
      userId,
      action: 'user.locked',
      ip: '2001:db8::1',
      userAgent: 'Mozilla/5.0 (X11)',
      meta: { reason: 'abuse' },
    });
  });

  it('without a clock the time is the database now, and absent fields are null', async () => {
    const before = Date.now();
    const { id } = await recordAudit(t.db, { action: 'mail.test_sent' });
    const row = await byId(id);
    expect(Math.abs(row.at.getTime() - before)).toBeLessThan(MINUTE);
    expect(row).toMatchObject({ actorId: null, userId: null, ip: null, userAgent: null, meta: {} });
  });

  it('never stores a password, token, code, secret or phrase, at any depth', async () => {
    const { id } = await recordAudit(t.db, {
      action: 'password.changed',
      meta: { password: 'x', nested: { token: 'y' }, ok: 1 },
    });
    expect((await byId(id)).meta).toEqual({ ok: 1 });

    const meta = sanitizeMeta({
      newPassword: 'hunter2',
      PASSWORD: 'hunter2',
      passwd: 'hunter2',
      resetToken: 't',
      verification_code: '123456',
      recoveryPhrase: 'a b c',
      clientSecret: 's',
      apiKey: 'k',
      api_key: 'k',
      Authorization: 'Bearer z',
      cookie: 'sid=1',
      passwordHash: '$argon2id$',
      list: [{ token: 't', kept: 1 }, { code: '1' }, 'plain'],
      deep: { deeper: { secretValue: 's', email: 'a@example.com' } },
      email: 'a@example.com',
    });
    expect(meta).toEqual({
      list: [{ kept: 1 }, null, 'plain'],
      deep: { deeper: { email: 'a@example.com' } },
      email: 'a@example.com',
    });
    expect(JSON.stringify(meta)).not.toMatch(/hunter2|Bearer|argon2|123456|sid=1/);
  });

  it('truncates long IPs, user agents and meta strings to sane lengths', async () => {
    const { id } = await recordAudit(t.db, {
      action: 'login.failed',
      ip: '1'.repeat(100),
      userAgent: 'U'.repeat(5000),
      meta: { note: 'n'.repeat(10_000), count: 3 },
    });
    const row = await byId(id);
    expect(row.ip!.length).toBeLessThanOrEqual(45);
    expect(row.userAgent!.length).toBeLessThanOrEqual(512);
    expect(row.userAgent!.startsWith('UUUU')).toBe(true);
    expect((row.meta.note as string).length).toBeLessThanOrEqual(256);
    expect(row.meta.count).toBe(3);
  });

  it('caps meta at 4 KB, keeping what fits and marking the loss', async () => {
    const big = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'.repeat(200)]));
    const { id } = await recordAudit(t.db, { action: 'settings.changed', meta: { first: 1, ...big } });
    const { meta } = await byId(id);
    expect(Buffer.byteLength(JSON.stringify(meta))).toBeLessThanOrEqual(MAX_META_BYTES);
    expect(meta).toMatchObject({ truncated: true, first: 1, k0: 'v'.repeat(200) });
    expect(Object.keys(meta).length).toBeLessThan(42);
  });

  it('survives hostile input: NUL bytes, lone surrogates, cycles, odd values', async () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const { id } = await recordAudit(t.db, {
      action: 'login.failed',
      ip: '192.0.2.1\u0000',
      userAgent: 'agent\u0000\uD800x',
      meta: {
        nul: 'a\u0000b',
        surrogate: 'x\uDC00y',
        emoji: '🙂',
        cyclic,
        when: new Date('2026-01-01T00:00:00Z'),
        big: 10n,
        nan: Number.NaN,
        fn: () => 1,
        missing: undefined,
        error: new TypeError('contains hunter2'),
      },
    });
    const row = await byId(id);
    expect(row.ip).toBe('192.0.2.1');
    expect(row.userAgent).toBe('agent\uFFFDx');
    expect(row.meta).toMatchObject({
      nul: 'ab',
      surrogate: 'x\uFFFDy',
      emoji: '🙂',
      when: '2026-01-01T00:00:00.000Z',
      big: '10',
      nan: 'NaN',
      error: 'TypeError',
    });
    expect(row.meta).not.toHaveProperty('fn');
    expect(row.meta).not.toHaveProperty('missing');
    expect(JSON.stringify(row.meta)).not.toContain('hunter2');
  });

  it('cuts long strings without splitting a surrogate pair', () => {
    // The cut falls between the two halves of the emoji: it goes whole.
    expect(sanitizeMeta({ s: 'a'.repeat(254) + '🙂🙂🙂' }).s).toBe(`${'a'.repeat(254)}…`);
    // The cut falls after the emoji: it stays whole.
    expect(sanitizeMeta({ s: 'a'.repeat(253) + '🙂🙂🙂' }).s).toBe(`${'a'.repeat(253)}🙂…`);
  });

  it('refuses an action outside the list', async () => {
    await expect(recordAudit(t.db, { action: 'user.hacked' as AuditAction })).rejects.toThrow(/unknown/);
  });

  it('records atomically with the change when given a transaction', async () => {
    const userId = randomUUID();
    await expect(
      t.db.transaction(async (tx) => {
        await recordAudit(tx, { action: 'user.deleted', userId });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await listAudit(t.db, { userId, limit: 10 })).events).toHaveLength(0);
  });

  it('listAudit filters by target, actor, action and time', async () => {
    const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    const alice = randomUUID();
    const bob = randomUUID();
    const admin = randomUUID();
    await recordAudit(t.db, { action: 'login.succeeded', userId: alice, actorId: alice }, clock);
    clock.advance(MINUTE);
    await recordAudit(t.db, { action: 'user.locked', userId: alice, actorId: admin }, clock);
    clock.advance(MINUTE);
    await recordAudit(t.db, { action: 'user.approved', userId: bob, actorId: admin }, clock);
    clock.advance(MINUTE);
    await recordAudit(t.db, { action: 'login.failed', userId: bob }, clock);

    const actions = (page: { events: { action: string }[] }) => page.events.map((e) => e.action);
    expect(actions(await listAudit(t.db, { userId: alice, limit: 10 }))).toEqual([
      'user.locked',
      'login.succeeded',
    ]);
    expect(actions(await listAudit(t.db, { actorId: admin, limit: 10 }))).toEqual([
      'user.approved',
      'user.locked',
    ]);
    expect(actions(await listAudit(t.db, { userId: bob, action: 'login.failed', limit: 10 }))).toEqual([
      'login.failed',
    ]);
    expect(
      actions(await listAudit(t.db, { actorId: admin, action: ['user.locked', 'user.rejected'], limit: 10 })),
    ).toEqual(['user.locked']);
    expect(await listAudit(t.db, { userId: alice, action: [], limit: 10 })).toEqual({
      events: [],
      nextBefore: null,
    });
    // `from` is inclusive and `to` exclusive.
    expect(
      actions(
        await listAudit(t.db, {
          from: new Date('2026-03-01T10:01:00Z'),
          to: new Date('2026-03-01T10:03:00Z'),
          limit: 10,
        }),
      ),
    ).toEqual(['user.approved', 'user.locked']);
  });

  it('listAudit pages newest first by id until the last page', async () => {
    const userId = randomUUID();
    const ids: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      ids.push((await recordAudit(t.db, { action: 'session.revoked', userId, meta: { i } })).id);
    }
    const newestFirst = [...ids].reverse();

    const seen: number[] = [];
    let before: number | undefined;
    let pages = 0;
    for (;;) {
      const page = await listAudit(t.db, { userId, limit: 3, before });
      pages += 1;
      seen.push(...page.events.map((e) => e.id));
      if (page.nextBefore === null) break;
      before = page.nextBefore;
    }
    expect(seen).toEqual(newestFirst);
    expect(pages).toBe(3);

    // A page that ends exactly at the last event says so, with no empty page after it.
    const exact = await listAudit(t.db, { userId, limit: 7 });
    expect(exact.events).toHaveLength(7);
    expect(exact.nextBefore).toBeNull();

    // Out-of-range page sizes are clamped rather than trusted.
    expect((await listAudit(t.db, { userId, limit: 0 })).events).toHaveLength(1);
  });

  it('the action list has no duplicates and covers the S55 events', () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    for (const action of [
      'login.succeeded',
      'login.failed',
      'user.locked',
      'password.reset_requested',
      'password.reset_completed',
      'email.changed',
      'password.changed',
      'user.approved',
      'user.role_changed',
    ]) {
      expect(AUDIT_ACTIONS).toContain(action);
    }
  });
});
