import { getTableColumns, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import * as schema from '@/db/schema';
import { ManualClock, DAY } from '@/lib/clock';
import { logIn } from '@/lib/login';
import { hashPassword } from '@/lib/password';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext } from '@/tests/helpers/users';

/**
 * Password items of the security contract that no other test names: each against a real database
 * and the real argon2 hash, through the same login flow the sign-in form uses.
 */
const t = setUpTestDatabase();
const clock = new ManualClock(new Date());
const ctx = () => freshContext();

/** An active account whose password is `password` rather than the helpers' default. */
async function makeUser(username: string, password: string) {
  const hashed = await hashPassword(password);
  if (!hashed.ok) throw new Error('busy');
  return createTestUser(t.db, clock, username, { fullName: username, passwordHash: hashed.hash });
}

describe('passwords', () => {
  it('S3: no truncation, no case folding: an 80-character password fails with its first 72, or case-flipped', async () => {
    const password = 'the quick brown fox jumps over the lazy dog and then Naps In The Warm Sun 42 ok!';
    expect([...password]).toHaveLength(80);
    await makeUser('longpass', password);
    const attempt = (p: string) => logIn(t.db, { identifier: 'longpass', password: p }, ctx(), clock);

    expect(await attempt(password.slice(0, 72))).toEqual({ ok: false, code: 'invalid_credentials' });
    // Only the part a 72-byte limit would cut off differs.
    expect(await attempt(`${password.slice(0, 79)}?`)).toEqual({ ok: false, code: 'invalid_credentials' });
    const flipped = [...password]
      .map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))
      .join('');
    expect(await attempt(flipped)).toEqual({ ok: false, code: 'invalid_credentials' });
    expect(await attempt(password.toLowerCase())).toEqual({ ok: false, code: 'invalid_credentials' });
    expect((await attempt(password)).ok).toBe(true);
  });

  it('S10: no password hints and no security questions anywhere in the stored account', () => {
    const tables = Object.entries(schema)
      .filter(([, value]) => is(value, PgTable))
      .map(([name, value]) => [name, Object.keys(getTableColumns(value as PgTable))] as const);
    expect(tables.map(([name]) => name)).toEqual(expect.arrayContaining(['users', 'tokens', 'sessions']));
    for (const [table, columns] of tables) {
      for (const column of columns) {
        expect(column, `${table}.${column}`).not.toMatch(/hint|question|answer|secret_?q|mother|maiden|pet/i);
      }
    }
    expect(Object.keys(getTableColumns(schema.users))).toContain('passwordHash');
  });

  it('S11: no forced periodic expiry: a password set years ago still signs in, with nothing asked of it', async () => {
    const password = 'an old passphrase that nobody has changed';
    await makeUser('oldtimer', password);
    clock.advance(5 * 365 * DAY);
    const result = await logIn(t.db, { identifier: 'oldtimer', password }, ctx(), clock);
    expect(result.ok).toBe(true);
    // A sign-in answers with the user and a session, nothing like "change your password first".
    expect(Object.keys(result).sort()).toEqual(['mailQueued', 'ok', 'sessionId', 'user']);
    for (const column of Object.keys(getTableColumns(schema.users))) {
      expect(column).not.toMatch(/password.*(expir|max_?age|valid_?until)|must_?change/i);
    }
  });
});
