import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { hash as argon2Hash, verify as argon2Verify, type Options as Argon2Options } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { HASH_LIMITER_KEY } from './overload';
import { randomToken } from './random';

/**
 * OWASP's minimum recommended argon2id configuration. Changing any of these makes every existing
 * hash report needsRehash, so users migrate silently on their next successful login.
 */
export const PASSWORD_HASH_PARAMS = Object.freeze({
  algorithm: 'argon2id',
  version: 19,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const);

// @node-rs/argon2 ships its enums as ambient `const enum`s, which isolatedModules cannot inline.
const ARGON2ID = 2 as Argon2Options['algorithm'];
const ARGON2_VERSION_0x13 = 1 as Argon2Options['version'];

const ARGON2_OPTIONS: Argon2Options = {
  algorithm: ARGON2ID,
  version: ARGON2_VERSION_0x13,
  memoryCost: PASSWORD_HASH_PARAMS.memoryCost,
  timeCost: PASSWORD_HASH_PARAMS.timeCost,
  parallelism: PASSWORD_HASH_PARAMS.parallelism,
};

export type PasswordBusy = { ok: false; code: 'busy'; retryAfterSeconds: number };
export type HashPasswordResult = { ok: true; hash: string } | PasswordBusy;
export type VerifyPasswordResult = { ok: true; valid: boolean; needsRehash: boolean } | PasswordBusy;
export type LimitedResult<T> = { ok: true; value: T } | PasswordBusy;

export interface HashLimiterOptions {
  maxConcurrent?: number;
  queueCapacity?: number;
}

export interface HashLimiterStats {
  active: number;
  queued: number;
  maxActiveSeen: number;
  rejected: number;
}

export interface PasswordOptions {
  /** Which limiter gates the work; defaults to the process-wide one. */
  limiter?: HashLimiter;
}

interface Waiter {
  start: () => void;
  next: Waiter | undefined;
}

/**
 * Each argon2 operation pins ~19 MiB and a CPU core for tens of milliseconds, so an unbounded burst
 * of logins would exhaust memory or starve the event loop's thread pool. The limiter caps work in
 * flight, lets a bounded number of callers wait in FIFO order, and turns everyone else away at once
 * with a busy result (an HTTP 503 + Retry-After upstream) instead of letting latency grow without
 * bound.
 */
export class HashLimiter {
  readonly maxConcurrent: number;
  readonly queueCapacity: number;

  #active = 0;
  #queued = 0;
  #admitted = 0;
  #maxActiveSeen = 0;
  #rejected = 0;
  // A linked list rather than an array: memory tracks the real queue length (never above
  // queueCapacity) and dequeue is O(1) without shift() copying.
  #head: Waiter | undefined;
  #tail: Waiter | undefined;
  // Smoothed duration of one operation, only used to suggest a Retry-After.
  #avgMs = 50;

  constructor(options: HashLimiterOptions = {}) {
    const maxConcurrent = options.maxConcurrent ?? availableParallelism();
    const queueCapacity = options.queueCapacity ?? 32 * maxConcurrent;
    if (!Number.isSafeInteger(maxConcurrent) || maxConcurrent < 1) {
      throw new RangeError(`maxConcurrent must be a positive integer, got ${maxConcurrent}`);
    }
    if (!Number.isSafeInteger(queueCapacity) || queueCapacity < 0) {
      throw new RangeError(`queueCapacity must be a non-negative integer, got ${queueCapacity}`);
    }
    this.maxConcurrent = maxConcurrent;
    this.queueCapacity = queueCapacity;
  }

  get stats(): HashLimiterStats {
    return {
      active: this.#active,
      queued: this.#queued,
      maxActiveSeen: this.#maxActiveSeen,
      rejected: this.#rejected,
    };
  }

  /** Whole operations that will hash (sign-ins, registrations) admitted and not yet finished. */
  get admitted(): number {
    return this.#admitted;
  }

  /** True when a new sign-in could only wait in line behind a full queue (proxy.ts refuses it early). */
  get full(): boolean {
    return this.#admitted >= this.maxConcurrent + this.queueCapacity;
  }

  /**
   * Admits a whole operation built around hashing (a sign-in: its queries, the hash, the session),
   * or answers busy at once when as many are under way as the limiter could ever serve. The queries
   * before the hash can be the bottleneck (the embedded database runs on the event loop), and without
   * this, requests would pile up ahead of run()'s queue without bound. Call the returned release once.
   */
  admit(): { ok: true; release: () => void } | PasswordBusy {
    if (this.full) {
      this.#rejected += 1;
      return this.busy();
    }
    this.#admitted += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#admitted -= 1;
      },
    };
  }

  /** Runs task when a slot is free; a rejection from task is a bug and propagates after the slot is freed. */
  async run<T>(task: () => Promise<T>): Promise<LimitedResult<T>> {
    if (this.#active < this.maxConcurrent) {
      this.#active += 1;
    } else if (this.#queued < this.queueCapacity) {
      // The slot is handed over by #release without decrementing #active, so nobody can overtake.
      await new Promise<void>((resolve) => this.#enqueue(resolve));
    } else {
      this.#rejected += 1;
      return this.busy();
    }
    if (this.#active > this.#maxActiveSeen) this.#maxActiveSeen = this.#active;

    const startedAt = performance.now();
    try {
      return { ok: true, value: await task() };
    } finally {
      this.#avgMs = 0.8 * this.#avgMs + 0.2 * (performance.now() - startedAt);
      this.#release();
    }
  }

  /** The busy answer, with roughly how long until the current backlog has drained (at least 1 s). */
  busy(): PasswordBusy {
    const backlog = Math.max(this.#queued + this.#active, this.#admitted);
    const backlogMs = (backlog / this.maxConcurrent) * this.#avgMs;
    return { ok: false, code: 'busy', retryAfterSeconds: Math.max(1, Math.ceil(backlogMs / 1000)) };
  }

  #enqueue(start: () => void): void {
    const waiter: Waiter = { start, next: undefined };
    if (this.#tail) this.#tail.next = waiter;
    else this.#head = waiter;
    this.#tail = waiter;
    this.#queued += 1;
  }

  #release(): void {
    const waiter = this.#head;
    if (!waiter) {
      this.#active -= 1;
      return;
    }
    this.#head = waiter.next;
    if (!this.#head) this.#tail = undefined;
    this.#queued -= 1;
    waiter.start();
  }
}

function positiveIntFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * Limits are an operator's concern (core count, memory budget), so they come from the environment;
 * anything that isn't a positive integer falls back to the defaults rather than disabling the limit.
 */
export function hashLimiterOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): Required<HashLimiterOptions> {
  const maxConcurrent = positiveIntFromEnv(env.PASSWORD_HASH_CONCURRENCY) ?? availableParallelism();
  const queueCapacity = positiveIntFromEnv(env.PASSWORD_HASH_QUEUE) ?? 32 * maxConcurrent;
  return { maxConcurrent, queueCapacity };
}

/** Created on first use so the environment is read at run time, not when the module is imported. */
// On globalThis: proxy.ts is bundled apart from the app and must see the same one (lib/overload.ts).
export function getDefaultHashLimiter(): HashLimiter {
  const shared = globalThis as { [HASH_LIMITER_KEY]?: HashLimiter };
  shared[HASH_LIMITER_KEY] ??= new HashLimiter(hashLimiterOptionsFromEnv());
  return shared[HASH_LIMITER_KEY];
}

/**
 * NFKC so that the same password typed on different keyboards/IMEs (ligatures, full-width forms,
 * composed vs decomposed accents) hashes identically.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

interface Argon2Params {
  algorithm: string;
  version: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

// PHC string: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>; v= is absent in pre-1.3 hashes.
const ARGON2_PHC =
  /^\$(argon2id|argon2i|argon2d)\$(?:v=(\d+)\$)?m=(\d+),t=(\d+),p=(\d+)(?:,[^$]*)?\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
// Modular crypt format: $2b$<cost>$<22 chars salt><31 chars hash>.
const BCRYPT_MCF = /^\$2([aby])\$(\d{2})\$[./A-Za-z0-9]{53}$/;

function parseArgon2(storedHash: string): Argon2Params | undefined {
  const m = ARGON2_PHC.exec(storedHash);
  if (!m) return undefined;
  return {
    algorithm: m[1] ?? '',
    version: m[2] === undefined ? 16 : Number(m[2]),
    memoryCost: Number(m[3]),
    timeCost: Number(m[4]),
    parallelism: Number(m[5]),
  };
}

function isCurrentArgon2(params: Argon2Params): boolean {
  return (
    params.algorithm === PASSWORD_HASH_PARAMS.algorithm &&
    params.version === PASSWORD_HASH_PARAMS.version &&
    params.memoryCost === PASSWORD_HASH_PARAMS.memoryCost &&
    params.timeCost === PASSWORD_HASH_PARAMS.timeCost &&
    params.parallelism === PASSWORD_HASH_PARAMS.parallelism
  );
}

/**
 * Which stored-hash format a value is, for accounts brought from another system (lib/user-import.ts):
 * argon2id / argon2i PHC strings and bcrypt $2a$/$2b$/$2y$ are kept as they are (verifyPassword
 * checks them and login rehashes to argon2id); anything else (md5, sha1, plain text) is not a hash
 * Gatehouse can check.
 */
export function storedHashFormat(value: string): 'argon2' | 'bcrypt' | undefined {
  const argon2 = parseArgon2(value);
  if (argon2) return argon2.algorithm === 'argon2d' ? undefined : 'argon2';
  return BCRYPT_MCF.test(value) ? 'bcrypt' : undefined;
}

/** True for anything that isn't an argon2id hash with today's parameters, including legacy bcrypt. */
export function needsRehash(storedHash: string): boolean {
  const params = parseArgon2(storedHash);
  return params === undefined || !isCurrentArgon2(params);
}

// A stored string that claims to be argon2 but is corrupt makes the library throw; for the caller
// that is simply "not this password".
async function argon2Matches(storedHash: string, password: string): Promise<boolean> {
  try {
    return await argon2Verify(storedHash, password);
  } catch {
    return false;
  }
}

async function bcryptMatches(storedHash: string, password: string): Promise<boolean> {
  try {
    return await bcrypt.compare(password, storedHash);
  } catch {
    return false;
  }
}

export async function hashPassword(
  password: string,
  opts: PasswordOptions = {},
): Promise<HashPasswordResult> {
  const limiter = opts.limiter ?? getDefaultHashLimiter();
  const result = await limiter.run(() => argon2Hash(normalizePassword(password), ARGON2_OPTIONS));
  return result.ok ? { ok: true, hash: result.value } : result;
}

/**
 * needsRehash is only ever true together with valid: a caller that rehashes on needsRehash can
 * therefore never be tricked into storing a hash of a wrong password.
 */
export async function verifyPassword(
  password: string,
  storedHash: string,
  opts: PasswordOptions = {},
): Promise<VerifyPasswordResult> {
  const limiter = opts.limiter ?? getDefaultHashLimiter();
  const normalized = normalizePassword(password);

  const argon2Params = parseArgon2(storedHash);
  if (argon2Params) {
    const result = await limiter.run(() => argon2Matches(storedHash, normalized));
    if (!result.ok) return result;
    return { ok: true, valid: result.value, needsRehash: result.value && !isCurrentArgon2(argon2Params) };
  }

  const bcryptMatch = BCRYPT_MCF.exec(storedHash);
  if (bcryptMatch) {
    // $2y$ (PHP) is the same algorithm as $2b$; rewrite so any bcrypt implementation accepts it.
    const hash = bcryptMatch[1] === 'y' ? `$2b$${storedHash.slice(4)}` : storedHash;
    const result = await limiter.run(async () => {
      if (await bcryptMatches(hash, normalized)) return true;
      // Legacy systems hashed whatever bytes the user typed, without normalising.
      return normalized !== password && (await bcryptMatches(hash, password));
    });
    if (!result.ok) return result;
    return { ok: true, valid: result.value, needsRehash: result.value };
  }

  // Unusable stored value (e.g. an account that never had a password): spend the same time as a
  // real check so response latency doesn't reveal which accounts have one.
  return dummyVerify(password, opts);
}

let dummyHash: Promise<string> | undefined;

function getDummyHash(): Promise<string> {
  dummyHash ??= argon2Hash(randomToken(), ARGON2_OPTIONS).catch((error: unknown) => {
    dummyHash = undefined;
    throw error;
  });
  return dummyHash;
}

/**
 * For unknown users: a real argon2id verify with production parameters through the same limiter,
 * so "no such account" costs the same time (and the same queue slot) as "wrong password".
 */
export async function dummyVerify(
  password: string,
  opts: PasswordOptions = {},
): Promise<VerifyPasswordResult> {
  const limiter = opts.limiter ?? getDefaultHashLimiter();
  const normalized = normalizePassword(password);
  const result = await limiter.run(async () => {
    await argon2Matches(await getDummyHash(), normalized);
    return false;
  });
  return result.ok ? { ok: true, valid: false, needsRehash: false } : result;
}
