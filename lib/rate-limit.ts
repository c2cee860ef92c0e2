import { createHash } from 'node:crypto';
import { and, desc, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { rateLimits } from '@/db/schema';
import { addressBucket } from './client-ip';
import { DAY, type Clock } from './clock';
import { limits, type Limit } from './limits';
import { getSetting } from './settings';

export { limits, type Limit };

/**
 * Fixed-window rate limits kept in Postgres, so every app instance sees the same counters. Each hit is
 * one atomic upsert that returns the new count: two instances counting the same key at the same moment
 * get different counts, so a limit of N lets exactly N through however the requests are spread.
 *
 * Subjects (emails, IPs) are stored only as a truncated SHA-256: the table says how often something was
 * tried, not who tried it.
 *
 * A null subject is not counted and never refused: it is a client address we do not know (no trusted
 * proxy header, decision 018). Counting all of those in one shared bucket would let one client's
 * failures refuse everybody (S59); the per-account and per-address limits still apply to them.
 */

export type HitResult = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };
export type CooldownResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** The subject of limits that count everything together, such as the global mail budget. */
export const GLOBAL_SUBJECT = 'global';

/** 128 bits: collisions are out of reach, and the key stays short. */
const HASH_HEX_CHARS = 32;

/**
 * Subjects compare case-insensitively and without surrounding spaces: otherwise "A@x.org" and "a@x.org "
 * would be two fresh budgets for one address.
 */
export function hashSubject(subject: string): string {
  return createHash('sha256')
    .update(subject.trim().toLowerCase(), 'utf8')
    .digest('hex')
    .slice(0, HASH_HEX_CHARS);
}

function keyFor(limit: Limit, subject: string): string {
  return `${limit.name}:${hashSubject(limit.per === 'ip' ? addressBucket(subject) : subject)}`;
}

function assertValidLimit(limit: Limit): void {
  if (!Number.isInteger(limit.max) || limit.max < 1) throw new Error(`limit ${limit.name}: max must be >= 1`);
  if (!Number.isInteger(limit.windowMs) || limit.windowMs < 1000) {
    throw new Error(`limit ${limit.name}: windowMs must be a whole number of at least 1000`);
  }
}

function windowStartOf(limit: Limit, now: Date): Date {
  return new Date(Math.floor(now.getTime() / limit.windowMs) * limit.windowMs);
}

/** Whole seconds until `until`, never below 1: "retry in 0 seconds" would invite an immediate retry loop. */
function secondsUntil(until: number, now: Date): number {
  return Math.max(1, Math.ceil((until - now.getTime()) / 1000));
}

/**
 * The maximums an admin set (the `rate_limits` setting), read at most every few seconds per process:
 * every stranger-facing request counts a limit, and a change may take that long to reach every
 * instance. Saving from /admin/settings forgets this process's copy at once (limitsChanged).
 */
const OVERRIDES_TTL_MS = 5_000;
const overridesByDb = new WeakMap<Db, { at: number; generation: number; value: Record<string, number> }>();
let generation = 0;

export function limitsChanged(): void {
  generation += 1;
}

async function effective(db: Db, limit: Limit): Promise<Limit> {
  let cached = overridesByDb.get(db);
  if (!cached || cached.generation !== generation || Date.now() - cached.at > OVERRIDES_TTL_MS) {
    cached = { at: Date.now(), generation, value: await getSetting(db, 'rate_limits') };
    overridesByDb.set(db, cached);
  }
  const max = cached.value[limit.name];
  return max === undefined ? limit : { ...limit, max };
}

/**
 * Counts one attempt against a limit and says whether it is within it. Refused attempts count too.
 * A null subject (an unknown client address) counts nothing and is allowed.
 */
export async function hit(db: Db, given: Limit, subject: string | null, clock: Clock): Promise<HitResult> {
  const limit = await effective(db, given);
  if (subject === null) return { ok: true, remaining: limit.max };
  assertValidLimit(limit);
  const now = clock.now();
  const windowStart = windowStartOf(limit, now);
  const [row] = await db
    .insert(rateLimits)
    .values({ key: keyFor(limit, subject), windowStart, count: 1 })
    .onConflictDoUpdate({
      target: [rateLimits.key, rateLimits.windowStart],
      set: { count: sql`${rateLimits.count} + 1` },
    })
    .returning({ count: rateLimits.count });
  if (!row) throw new Error('rate limit upsert returned no row');
  if (row.count <= limit.max) return { ok: true, remaining: limit.max - row.count };
  return { ok: false, retryAfterSeconds: secondsUntil(windowStart.getTime() + limit.windowMs, now) };
}

/**
 * Counts one attempt against each limit (say per IP and per target address) and refuses if any is
 * exceeded, with the longest wait among them. Every limit counts even when an earlier one already
 * refused, so hammering one address also uses up the caller's per-IP budget.
 */
export async function hitAll(
  db: Db,
  checks: ReadonlyArray<readonly [Limit, string | null]>,
  clock: Clock,
): Promise<HitResult> {
  if (checks.length === 0) throw new Error('hitAll needs at least one limit');
  let remaining = Number.POSITIVE_INFINITY;
  let retryAfterSeconds = 0;
  for (const [limit, subject] of checks) {
    const result = await hit(db, limit, subject, clock);
    if (result.ok) remaining = Math.min(remaining, result.remaining);
    else retryAfterSeconds = Math.max(retryAfterSeconds, result.retryAfterSeconds);
  }
  return retryAfterSeconds > 0 ? { ok: false, retryAfterSeconds } : { ok: true, remaining };
}

/**
 * The current window's count without counting a hit: `remaining` 0 means the next hit is refused.
 * A null subject has no count.
 */
export async function peek(
  db: Db,
  given: Limit,
  subject: string | null,
  clock: Clock,
): Promise<{ count: number; remaining: number }> {
  const limit = await effective(db, given);
  assertValidLimit(limit);
  if (subject === null) return { count: 0, remaining: limit.max };
  const [row] = await db
    .select({ count: rateLimits.count })
    .from(rateLimits)
    .where(
      and(
        eq(rateLimits.key, keyFor(limit, subject)),
        eq(rateLimits.windowStart, windowStartOf(limit, clock.now())),
      ),
    )
    .limit(1);
  const count = row?.count ?? 0;
  return { count, remaining: Math.max(0, limit.max - count) };
}

/**
 * Takes back one hit of the current window, for an attempt that was counted before it could be judged
 * and turned out not to be a failure (a right code, reserved like a wrong one: S61).
 */
export async function unhit(db: Db, limit: Limit, subject: string, clock: Clock): Promise<void> {
  await db
    .update(rateLimits)
    .set({ count: sql`greatest(${rateLimits.count} - 1, 0)` })
    .where(
      and(
        eq(rateLimits.key, keyFor(limit, subject)),
        eq(rateLimits.windowStart, windowStartOf(limit, clock.now())),
      ),
    );
}

/** Forgets a subject's count in every window, e.g. a per-account failure counter after a success. */
export async function reset(db: Db, limit: Limit, subject: string): Promise<void> {
  await db.delete(rateLimits).where(eq(rateLimits.key, keyFor(limit, subject)));
}

/**
 * Housekeeping: deletes windows that started more than `olderThanMs` ago. Keep it longer than the
 * longest window and cooldown in use, or a live window is forgotten and its subject starts afresh.
 */
export async function pruneRateLimits(db: Db, clock: Clock, olderThanMs: number = DAY): Promise<number> {
  const cutoff = new Date(clock.now().getTime() - olderThanMs);
  const deleted = await db
    .delete(rateLimits)
    .where(lt(rateLimits.windowStart, cutoff))
    .returning({ key: rateLimits.key });
  return deleted.length;
}

/**
 * The lock row of a cooldown: its key never changes, so concurrent callers meet on it. Its date, long
 * before any real one, also keeps it apart from the row holding the last allowed time.
 */
const LOCK_WINDOW = new Date(0);

/**
 * Allows an action at most once per `seconds` for a subject (S19: "wait N seconds before resending").
 *
 * The primary key includes window_start, so a row whose date moves cannot be an upsert target; instead
 * a fixed lock row per subject is upserted first, which holds a row lock until the transaction ends.
 * Concurrent callers queue on it and each then sees its predecessor's committed time, so of any burst
 * exactly one is allowed. Pass a transaction as `db` to tie the cooldown to other writes (it becomes
 * a savepoint, and the lock lasts until the outer transaction ends).
 */
export async function cooldown(
  db: Db,
  name: string,
  subject: string,
  seconds: number,
  clock: Clock,
): Promise<CooldownResult> {
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`cooldown ${name}: seconds must be > 0`);
  const key = `cooldown:${name}:${hashSubject(subject)}`;
  const periodMs = seconds * 1000;
  return db.transaction(async (tx) => {
    await tx
      .insert(rateLimits)
      .values({ key, windowStart: LOCK_WINDOW, count: 0 })
      .onConflictDoUpdate({
        target: [rateLimits.key, rateLimits.windowStart],
        // A no-op write: its only purpose is the row lock it takes.
        set: { count: sql`${rateLimits.count}` },
      });
    // Read the clock only once the lock is held, so a caller that waited is judged by when it got in.
    const now = clock.now();
    const [last] = await tx
      .select({ at: rateLimits.windowStart })
      .from(rateLimits)
      .where(and(eq(rateLimits.key, key), gt(rateLimits.windowStart, LOCK_WINDOW)))
      .orderBy(desc(rateLimits.windowStart))
      .limit(1);
    if (last && now.getTime() - last.at.getTime() < periodMs) {
      // Capped at the period: another instance with a clock running ahead must not extend the wait.
      return {
        ok: false,
        retryAfterSeconds: Math.min(Math.ceil(seconds), secondsUntil(last.at.getTime() + periodMs, now)),
      };
    }
    await tx.delete(rateLimits).where(and(eq(rateLimits.key, key), gt(rateLimits.windowStart, LOCK_WINDOW)));
    await tx.insert(rateLimits).values({ key, windowStart: now, count: 1 });
    return { ok: true };
  });
}
