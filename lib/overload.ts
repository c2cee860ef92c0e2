import { performance } from 'node:perf_hooks';

/**
 * Shedding sign-ins before they cost anything (issue 7; docs/decisions/014).
 *
 * A sign-in spends most of its time outside argon2: routing, Auth.js, the queries (on the event loop
 * itself with the embedded database). Under a flood, requests wait for the event loop long before
 * lib/login.ts can count them, so refusing there comes too late. proxy.ts asks `shouldShed()` first:
 * it reads the process's hash limiter (lib/password.ts keeps it on globalThis under this key, since
 * the proxy is bundled apart from the app) and the event loop's recent utilisation.
 */
export const HASH_LIMITER_KEY = Symbol.for('gatehouse.hashLimiter');

/** What the proxy reads of lib/password.ts's HashLimiter, without importing argon2 into its bundle. */
interface HashLoad {
  readonly maxConcurrent: number;
  readonly admitted: number;
  readonly full: boolean;
  busy(): { retryAfterSeconds: number };
}

/** Above this share of a window spent running JavaScript, the event loop has no room for more. */
const SATURATED = 0.9;
const WINDOW_MS = 250;

let windowStart = performance.eventLoopUtilization();
let windowStartedAt = performance.now();
let lastUtilization = 0;

/** The event loop's utilisation over the last complete window of about WINDOW_MS. */
export function recentEventLoopUtilization(): number {
  const now = performance.now();
  if (now - windowStartedAt >= WINDOW_MS) {
    const current = performance.eventLoopUtilization();
    lastUtilization = performance.eventLoopUtilization(current, windowStart).utilization;
    windowStart = current;
    windowStartedAt = now;
  }
  return lastUtilization;
}

/**
 * Busy (with a Retry-After) when a new sign-in could only wait: as many admitted as the limiter can
 * ever serve, or every hashing slot taken while the event loop is saturated. Undefined: go ahead.
 */
export function shouldShed(): { retryAfterSeconds: number } | undefined {
  const load = (globalThis as { [HASH_LIMITER_KEY]?: HashLoad })[HASH_LIMITER_KEY];
  if (!load) return undefined; // no sign-in yet in this process
  const saturated = load.admitted >= load.maxConcurrent && recentEventLoopUtilization() > SATURATED;
  return load.full || saturated ? load.busy() : undefined;
}
