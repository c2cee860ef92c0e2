import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Shedding sign-ins before they cost anything (issue 7; docs/decisions/014).
 *
 * A sign-in spends most of its time outside argon2: routing, Auth.js, the queries (on the event loop
 * itself with the embedded database). Under a flood, requests wait for the event loop long before
 * lib/login.ts can count them, so refusing there comes too late. proxy.ts asks `shouldShed()` first:
 * it reads the process's hash limiter (lib/password.ts keeps it on globalThis under this key, since
 * the proxy is bundled apart from the app) and how far the event loop has recently fallen behind.
 */
export const HASH_LIMITER_KEY = Symbol.for('gatehouse.hashLimiter');

/** What the proxy reads of lib/password.ts's HashLimiter, without importing argon2 into its bundle. */
interface HashLoad {
  readonly maxConcurrent: number;
  readonly admitted: number;
  readonly full: boolean;
  busy(): { retryAfterSeconds: number };
}

/**
 * Above this mean lag of the event loop over a window, requests are waiting in line behind others:
 * the loop is not only busy (a steady stream of sign-ins keeps it busy too) but falling behind.
 */
const FALLING_BEHIND_MS = 40;
const WINDOW_MS = 250;
/** The histogram samples every RESOLUTION_MS and records the whole interval, lag included. */
const RESOLUTION_MS = 10;

let delay: IntervalHistogram | undefined;
let windowStartedAt = 0;
let lastLagMs = 0;

/** How late the event loop ran its timers, on average, over the last window of about WINDOW_MS. */
export function recentEventLoopLagMs(): number {
  if (!delay) {
    delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    delay.enable();
    windowStartedAt = performance.now();
  }
  const now = performance.now();
  if (now - windowStartedAt >= WINDOW_MS) {
    lastLagMs = Number.isNaN(delay.mean) ? 0 : Math.max(0, delay.mean / 1e6 - RESOLUTION_MS);
    delay.reset();
    windowStartedAt = now;
  }
  return lastLagMs;
}

/**
 * Busy (with a Retry-After) when a new sign-in could only wait: as many admitted as the limiter can
 * ever serve, or every hashing slot taken while the event loop falls behind. Undefined: go ahead.
 */
export function shouldShed(): { retryAfterSeconds: number } | undefined {
  const load = (globalThis as { [HASH_LIMITER_KEY]?: HashLoad })[HASH_LIMITER_KEY];
  if (!load) return undefined; // no sign-in yet in this process
  const behind = load.admitted >= load.maxConcurrent && recentEventLoopLagMs() > FALLING_BEHIND_MS;
  return load.full || behind ? load.busy() : undefined;
}
