import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokens, users } from '@/db/schema';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { HOUR, ManualClock, MINUTE } from './clock';
import { consumeCode, consumeToken, findLiveToken, hashToken, issueToken, MAX_CODE_ATTEMPTS } from './tokens';

let t: TestDatabase;
let userId: string;
const clock = new ManualClock(new Date('2026-01-01T12:00:00Z'));

beforeAll(async () => {
  t = await createTestDatabase();
  const [user] = await t.db
    .insert(users)
    .values({ email: 'token-owner@example.com', username: 'token-owner' })
    .returning();
  userId = user!.id;
});

afterAll(async () => {
  await t?.close();
});

const issue = (over: Partial<Parameters<typeof issueToken>[1]> = {}) =>
  issueToken(t.db, { userId, purpose: 'verify_email', ttlMs: HOUR, clock, ...over });

describe(`tokens on ${process.env.TEST_DATABASE_URL ? 'Postgres' : 'PGlite'}`, () => {
  it('S33: tokens are 256 random bits in base64url and only their SHA-256 is stored', async () => {
    const issued = await issue();
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [row] = await t.db.select().from(tokens).where(eq(tokens.id, issued.id));
    expect(row!.tokenHash).toBe(hashToken(issued.token));
    expect(row!.tokenHash).not.toContain(issued.token);
    expect(JSON.stringify(row)).not.toContain(issued.token);
  });

  it('S30: a token is single use', async () => {
    const { token } = await issue();
    const first = await consumeToken(t.db, { token, purpose: 'verify_email', clock });
    expect(first.ok).toBe(true);
    const second = await consumeToken(t.db, { token, purpose: 'verify_email', clock });
    expect(second).toEqual({ ok: false, code: 'invalid_or_expired' });
  });

  it('20 concurrent consumptions of one token: exactly one succeeds', async () => {
    const { token } = await issue();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => consumeToken(t.db, { token, purpose: 'verify_email', clock })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toHaveLength(19);
  });

  it('S15/S31: a token works within its lifetime and not one millisecond after', async () => {
    const live = await issue({ ttlMs: HOUR });
    clock.advance(HOUR - 1);
    expect((await consumeToken(t.db, { token: live.token, purpose: 'verify_email', clock })).ok).toBe(true);

    const late = await issue({ ttlMs: HOUR });
    clock.advance(HOUR);
    expect(await consumeToken(t.db, { token: late.token, purpose: 'verify_email', clock })).toEqual({
      ok: false,
      code: 'invalid_or_expired',
    });
  });

  it('S17: a token is bound to its purpose', async () => {
    const { token } = await issue({ purpose: 'verify_email' });
    const atReset = await consumeToken(t.db, { token, purpose: 'reset_password', clock });
    expect(atReset).toEqual({ ok: false, code: 'invalid_or_expired' });
    // The failed attempt at the wrong purpose did not burn it.
    expect((await consumeToken(t.db, { token, purpose: 'verify_email', clock })).ok).toBe(true);
  });

  it('S16: tampered, truncated, padded and garbage tokens give the one indistinguishable answer', async () => {
    const { token } = await issue();
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const variants: unknown[] = [
      flip(token, 0),
      flip(token, 42),
      token.slice(0, -1),
      `${token}A`,
      `${token}=`,
      token.toUpperCase(),
      '',
      'not a token',
      '../../etc/passwd',
      "' or 1=1 --",
      'é'.repeat(43),
      'x'.repeat(10_000),
      null,
      undefined,
      42,
      ['array'],
    ];
    for (const candidate of variants) {
      expect(await consumeToken(t.db, { token: candidate, purpose: 'verify_email', clock })).toEqual({
        ok: false,
        code: 'invalid_or_expired',
      });
    }
    // None of those attempts used up the real token.
    expect((await consumeToken(t.db, { token, purpose: 'verify_email', clock })).ok).toBe(true);
  });

  it('S32: issuing with voidPrevious voids the earlier unused tokens of that purpose', async () => {
    const older = await issue({ purpose: 'reset_password', voidPrevious: true });
    const newer = await issue({ purpose: 'reset_password', voidPrevious: true });
    expect((await consumeToken(t.db, { token: older.token, purpose: 'reset_password', clock })).ok).toBe(
      false,
    );
    expect((await consumeToken(t.db, { token: newer.token, purpose: 'reset_password', clock })).ok).toBe(
      true,
    );
  });

  it('findLiveToken checks a token without using it', async () => {
    const { token } = await issue();
    expect((await findLiveToken(t.db, { token, purpose: 'verify_email', clock })).ok).toBe(true);
    expect((await findLiveToken(t.db, { token, purpose: 'verify_email', clock })).ok).toBe(true);
    expect((await consumeToken(t.db, { token, purpose: 'verify_email', clock })).ok).toBe(true);
    expect((await findLiveToken(t.db, { token, purpose: 'verify_email', clock })).ok).toBe(false);
  });

  it('S30: a 6-digit code is single use and stored hashed', async () => {
    const issued = await issue({ purpose: 'reset_password', withCode: true, voidPrevious: true });
    expect(issued.code).toMatch(/^[0-9]{6}$/);
    const [row] = await t.db.select().from(tokens).where(eq(tokens.id, issued.id));
    expect(row!.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.codeHash).not.toContain(issued.code);

    const used = await consumeCode(t.db, { userId, code: issued.code, purpose: 'reset_password', clock });
    expect(used.ok).toBe(true);
    const again = await consumeCode(t.db, { userId, code: issued.code, purpose: 'reset_password', clock });
    expect(again.ok).toBe(false);
    // Using the code also used the link it came with.
    expect((await consumeToken(t.db, { token: issued.token, purpose: 'reset_password', clock })).ok).toBe(
      false,
    );
  });

  it(`S20: ${MAX_CODE_ATTEMPTS} wrong codes void the code and its link`, async () => {
    const issued = await issue({ purpose: 'reset_password', withCode: true, voidPrevious: true });
    const wrong = issued.code === '000000' ? '111111' : '000000';
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i += 1) {
      const r = await consumeCode(t.db, { userId, code: wrong, purpose: 'reset_password', clock });
      expect(r.ok).toBe(false);
    }
    const right = await consumeCode(t.db, { userId, code: issued.code, purpose: 'reset_password', clock });
    expect(right).toMatchObject({ ok: false, code: 'invalid_or_expired' });
    expect((await consumeToken(t.db, { token: issued.token, purpose: 'reset_password', clock })).ok).toBe(
      false,
    );
  });

  it('a malformed code counts as a wrong one and never throws', async () => {
    const issued = await issue({ purpose: 'reset_password', withCode: true, voidPrevious: true });
    for (const code of ['12345', '1234567', 'abcdef', '', null, 123456, ' 12345']) {
      expect((await consumeCode(t.db, { userId, code, purpose: 'reset_password', clock })).ok).toBe(false);
    }
    const [row] = await t.db.select().from(tokens).where(eq(tokens.id, issued.id));
    expect(row!.usedAt).not.toBeNull();
  });

  it('a code expires with its token', async () => {
    const issued = await issue({
      purpose: 'reset_password',
      withCode: true,
      voidPrevious: true,
      ttlMs: 10 * MINUTE,
    });
    clock.advance(10 * MINUTE);
    expect(
      (await consumeCode(t.db, { userId, code: issued.code, purpose: 'reset_password', clock })).ok,
    ).toBe(false);
  });

  it('1,000 generated tokens have no collision', async () => {
    const { randomToken } = await import('./random');
    const seen = new Set(Array.from({ length: 1000 }, () => randomToken()));
    expect(seen.size).toBe(1000);
  });
});
