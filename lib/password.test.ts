import { availableParallelism } from 'node:os';
import { hash as argon2Hash, type Options as Argon2Options } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import {
  dummyVerify,
  HashLimiter,
  hashLimiterOptionsFromEnv,
  hashPassword,
  needsRehash,
  normalizePassword,
  PASSWORD_HASH_PARAMS,
  verifyPassword,
  type HashPasswordResult,
  type VerifyPasswordResult,
  getDefaultHashLimiter,
} from './password';
import { HASH_LIMITER_KEY, recentEventLoopLagMs, shouldShed } from './overload';

// Every test gets its own limiter so stats are its own and the module default stays untouched.
const limiter = () => new HashLimiter({ maxConcurrent: 2, queueCapacity: 200 });

async function mustHash(password: string, l = limiter()): Promise<string> {
  const result = await hashPassword(password, { limiter: l });
  if (!result.ok) throw new Error('unexpected busy');
  return result.hash;
}

async function mustVerify(password: string, stored: string, l = limiter()) {
  const result = await verifyPassword(password, stored, { limiter: l });
  if (!result.ok) throw new Error('unexpected busy');
  return result;
}

// bcryptjs always emits $2b$; older systems produced $2a$ and PHP produces $2y$.
function withBcryptPrefix(hash: string, minor: 'a' | 'b' | 'y'): string {
  return `$2${minor}$${hash.slice(4)}`;
}

describe('hashPassword', () => {
  it('stores argon2id m=19456 t=2 p=1 with a random salt, and both hashes verify', async () => {
    expect(PASSWORD_HASH_PARAMS).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const [a, b] = await Promise.all([mustHash('correct horse'), mustHash('correct horse')]);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(b).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await mustVerify('correct horse', a)).toEqual({ ok: true, valid: true, needsRehash: false });
    expect(await mustVerify('correct horse', b)).toEqual({ ok: true, valid: true, needsRehash: false });
    expect(needsRehash(a)).toBe(false);
  });
});

describe('HashLimiter', () => {
  it('100 concurrent verifications with maxConcurrent=2 never run more than 2 at once, and all succeed', async () => {
    const l = new HashLimiter({ maxConcurrent: 2, queueCapacity: 100 });
    const stored = await mustHash('pw', l);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        verifyPassword(i % 2 === 0 ? 'pw' : 'nope', stored, { limiter: l }),
      ),
    );
    expect(l.stats.maxActiveSeen).toBe(2);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter((r) => r.ok && r.valid)).toHaveLength(50);
    expect(l.stats).toEqual({ active: 0, queued: 0, maxActiveSeen: 2, rejected: 0 });
  });

  it('past the queue capacity calls get busy at once: 1 running + 2 queued succeed, 7 busy', async () => {
    const l = new HashLimiter({ maxConcurrent: 1, queueCapacity: 2 });
    const settled: string[] = [];
    const calls = Array.from({ length: 10 }, () =>
      hashPassword('pw', { limiter: l }).then((r: HashPasswordResult) => {
        settled.push(r.ok ? 'ok' : r.code);
        return r;
      }),
    );
    // Admission is decided synchronously, before any hash has had a chance to run.
    expect(l.stats).toEqual({ active: 1, queued: 2, maxActiveSeen: 1, rejected: 7 });

    const results = await Promise.all(calls);
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    const busy = results.filter((r) => !r.ok);
    expect(busy).toHaveLength(7);
    for (const r of busy)
      expect(r).toEqual({ ok: false, code: 'busy', retryAfterSeconds: expect.any(Number) });
    for (const r of busy) expect(!r.ok && r.retryAfterSeconds >= 1).toBe(true);
    // Every busy answer arrived before the first real hash finished.
    expect(settled.slice(0, 7)).toEqual(Array(7).fill('busy'));
    expect(l.stats).toMatchObject({ active: 0, queued: 0, rejected: 7 });
  });

  it('serves waiters in FIFO order and frees the slot when a task throws', async () => {
    const l = new HashLimiter({ maxConcurrent: 1, queueCapacity: 3 });
    const order: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = l.run(async () => {
      await gate;
      throw new Error('bug');
    });
    const rest = [1, 2, 3].map((n) => l.run(async () => order.push(n)));
    release();
    await expect(first).rejects.toThrow('bug');
    await Promise.all(rest);
    expect(order).toEqual([1, 2, 3]);
    expect(l.stats).toEqual({ active: 0, queued: 0, maxActiveSeen: 1, rejected: 0 });
  });

  it('reads limits from env only when they are positive integers, else falls back to defaults', () => {
    const cores = availableParallelism();
    expect(hashLimiterOptionsFromEnv({})).toEqual({ maxConcurrent: cores, queueCapacity: 32 * cores });
    expect(hashLimiterOptionsFromEnv({ PASSWORD_HASH_CONCURRENCY: '3', PASSWORD_HASH_QUEUE: '7' })).toEqual({
      maxConcurrent: 3,
      queueCapacity: 7,
    });
    expect(hashLimiterOptionsFromEnv({ PASSWORD_HASH_CONCURRENCY: '3' })).toEqual({
      maxConcurrent: 3,
      queueCapacity: 96,
    });
    for (const bad of ['0', '-2', '1.5', 'abc', '', '1e3', '99999999999999999999']) {
      expect(hashLimiterOptionsFromEnv({ PASSWORD_HASH_CONCURRENCY: bad, PASSWORD_HASH_QUEUE: bad })).toEqual(
        {
          maxConcurrent: cores,
          queueCapacity: 32 * cores,
        },
      );
    }
  });
});

describe('HashLimiter admission (whole sign-ins)', () => {
  it('admits as many as it could ever serve, then answers busy at once until one is released', () => {
    const small = new HashLimiter({ maxConcurrent: 1, queueCapacity: 2 });
    const admitted = [small.admit(), small.admit(), small.admit()];
    expect(admitted.every((a) => a.ok)).toBe(true);
    expect(small.full).toBe(true);
    const refused = small.admit();
    expect(refused).toMatchObject({ ok: false, code: 'busy' });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(small.stats.rejected).toBe(1);
    const first = admitted[0]!;
    if (!first.ok) throw new Error('unreachable');
    first.release();
    first.release(); // a second release frees nothing more
    expect(small.admitted).toBe(2);
    expect(small.admit().ok).toBe(true);
    expect(small.full).toBe(true);
  });

  it('is one limiter per process, where proxy.ts looks for it, and the proxy sheds when it is full', () => {
    const shared = getDefaultHashLimiter();
    expect((globalThis as Record<symbol, unknown>)[HASH_LIMITER_KEY]).toBe(shared);
    expect(shouldShed()).toBeUndefined();
    const held = [];
    while (!shared.full) held.push(shared.admit());
    expect(shouldShed()?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    for (const a of held) if (a.ok) a.release();
    expect(shared.admitted).toBe(0);
  });

  it('the proxy also sheds when every hashing slot is taken and the event loop falls behind', async () => {
    const shared = getDefaultHashLimiter();
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await wait(300);
    recentEventLoopLagMs(); // a fresh measuring window starts here
    await wait(30);
    const held = Array.from({ length: shared.maxConcurrent }, () => shared.admit());
    const until = performance.now() + 600;
    while (performance.now() < until); // the event loop is stuck: every timer waits
    await wait(30);
    expect(shouldShed()?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // The loop fell behind just the same, but a hashing slot is free: nothing to shed.
    for (const a of held) if (a.ok) a.release();
    expect(shouldShed()).toBeUndefined();
  });
});

describe('verifyPassword with legacy bcrypt hashes', () => {
  it.each(['a', 'b', 'y'] as const)(
    '$2%s$ verifies, reports needsRehash, and rejects a wrong password',
    async (minor) => {
      const stored = withBcryptPrefix(await bcrypt.hash('hunter2', 4), minor);
      expect(stored.startsWith(`$2${minor}$04$`)).toBe(true);
      expect(await mustVerify('hunter2', stored)).toEqual({ ok: true, valid: true, needsRehash: true });
      expect(await mustVerify('hunter3', stored)).toEqual({ ok: true, valid: false, needsRehash: false });
      expect(needsRehash(stored)).toBe(true);
    },
  );

  it('falls back to the raw input for hashes made by systems that did not normalise', async () => {
    const stored = await bcrypt.hash('ﬁsh', 4); // ligature stored as typed
    expect(await mustVerify('ﬁsh', stored)).toEqual({ ok: true, valid: true, needsRehash: true });
  });
});

describe('verifyPassword with argon2 hashes made with other parameters', () => {
  it('a t=3 hash verifies and needs a rehash; a current one does not', async () => {
    const old = await argon2Hash('pw', {
      algorithm: 2 as Argon2Options['algorithm'],
      memoryCost: 19456,
      timeCost: 3,
    });
    expect(old).toMatch(/^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
    expect(await mustVerify('pw', old)).toEqual({ ok: true, valid: true, needsRehash: true });
    expect(await mustVerify('wrong', old)).toEqual({ ok: true, valid: false, needsRehash: false });
    expect(needsRehash(old)).toBe(true);

    const current = await mustHash('pw');
    expect(await mustVerify('pw', current)).toEqual({ ok: true, valid: true, needsRehash: false });
  });

  it('needsRehash flags other algorithms, versions and costs from the PHC string alone', () => {
    const tail = '$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA';
    expect(needsRehash(`$argon2id$v=19$m=19456,t=2,p=1${tail}`)).toBe(false);
    expect(needsRehash(`$argon2i$v=19$m=19456,t=2,p=1${tail}`)).toBe(true);
    expect(needsRehash(`$argon2id$v=16$m=19456,t=2,p=1${tail}`)).toBe(true);
    expect(needsRehash(`$argon2id$m=19456,t=2,p=1${tail}`)).toBe(true);
    expect(needsRehash(`$argon2id$v=19$m=65536,t=2,p=1${tail}`)).toBe(true);
    expect(needsRehash(`$argon2id$v=19$m=19456,t=2,p=4${tail}`)).toBe(true);
    expect(needsRehash('')).toBe(true);
  });
});

describe('password contents', () => {
  it('a 128-character password and a Cyrillic + CJK + emoji password round-trip', async () => {
    const long = 'aB3$'.repeat(32);
    expect(long).toHaveLength(128);
    const unicode = 'Пароль密码🔐🦄';
    const [longHash, unicodeHash] = await Promise.all([mustHash(long), mustHash(unicode)]);
    const results = await Promise.all([mustVerify(long, longHash), mustVerify(unicode, unicodeHash)]);
    expect(results.map((r) => r.valid)).toEqual([true, true]);
  });

  it("NFKC: a password typed with the 'ﬁ' ligature verifies against one hashed with 'fi'", async () => {
    expect(normalizePassword('ﬁne')).toBe('fine');
    const stored = await mustHash('fine print');
    expect((await mustVerify('ﬁne print', stored)).valid).toBe(true);
  });

  it('does not truncate: an 80-character password does not verify with its first 72 characters', async () => {
    const password = 'x'.repeat(72) + 'yyyyyyyy';
    const stored = await mustHash(password);
    const results = await Promise.all([
      mustVerify(password, stored),
      mustVerify(password.slice(0, 72), stored),
    ]);
    expect(results.map((r) => r.valid)).toEqual([true, false]);
  });

  it('is case-sensitive', async () => {
    const stored = await mustHash('Secret');
    const results = await Promise.all(['Secret', 'secret', 'SECRET'].map((p) => mustVerify(p, stored)));
    expect(results.map((r) => r.valid)).toEqual([true, false, false]);
  });
});

describe('malformed hashes and unknown users', () => {
  it('malformed stored hashes return valid:false without throwing', async () => {
    const malformed = [
      '',
      'plaintext',
      '$argon2id$',
      '$argon2id$v=19$m=19456,t=2,p=1$!!!$???',
      '$argon2id$v=19$m=0,t=0,p=0$c2FsdA$aGFzaA',
      '$2b$10$tooshort',
      '$2x$10$' + 'a'.repeat(53),
      '$1$abc$def',
    ];
    const l = limiter();
    const results = await Promise.all(malformed.map((h) => verifyPassword('pw', h, { limiter: l })));
    for (const r of results) expect(r).toEqual({ ok: true, valid: false, needsRehash: false });
  });

  it('dummyVerify runs a real verify through the limiter and returns valid:false', async () => {
    const l = limiter();
    const results: VerifyPasswordResult[] = await Promise.all([
      dummyVerify('pw', { limiter: l }),
      dummyVerify('', { limiter: l }),
    ]);
    for (const r of results) expect(r).toEqual({ ok: true, valid: false, needsRehash: false });
    expect(l.stats.maxActiveSeen).toBe(2);
  });
});
