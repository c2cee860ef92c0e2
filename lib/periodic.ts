import { getDatabase } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { log } from '@/lib/log';
import { kickOutbox } from '@/lib/mail/worker';
import type { DrainSummary } from '@/lib/mail/outbox';
import { MaintenanceError, runMaintenance, type MaintenanceSummary } from '@/lib/maintenance';

/**
 * Everything the server does on a clock rather than for a request: delivering due mail (retries come
 * due with nobody making requests) and the maintenance of lib/maintenance.ts (lapsed email changes,
 * old rows). A long-running server runs it on a timer (startPeriodicWork, from lib/startup.ts); a
 * serverless host, whose process is frozen between requests, from the cron route (runPeriodicWork).
 * Both run the same two functions.
 */

export const OUTBOX_INTERVAL_MS = 15_000;
export const MAINTENANCE_INTERVAL_MS = 60_000;

interface PeriodicState {
  timer?: NodeJS.Timeout;
  maintaining?: Promise<MaintenanceSummary | undefined>;
}

const slot = Symbol.for('gatehouse.periodic');
function state(): PeriodicState {
  const holder = globalThis as { [slot]?: PeriodicState };
  holder[slot] ??= {};
  return holder[slot];
}

/**
 * Runs the maintenance once; never throws (each failed step is logged and retried next time). A call
 * while a run is under way in this process joins it instead of starting a second one.
 */
export function maintainNow(): Promise<MaintenanceSummary | undefined> {
  const s = state();
  s.maintaining ??= (async () => {
    try {
      const { db } = await getDatabase();
      const summary = await runMaintenance(db, systemClock);
      if (Object.values(summary).some((count) => count > 0)) log.info('maintenance.done', { ...summary });
      return summary;
    } catch (error) {
      if (error instanceof MaintenanceError) {
        for (const failure of error.failures) {
          log.warn('maintenance.failed', { step: failure.step, error: messageOf(failure.error) });
        }
      } else {
        log.warn('maintenance.failed', { error: messageOf(error) });
      }
      return undefined;
    } finally {
      s.maintaining = undefined;
    }
  })();
  return s.maintaining;
}

/** One round of the periodic work, for the cron route: the maintenance, then due mail. */
export async function runPeriodicWork(): Promise<DrainSummary> {
  await maintainNow();
  return kickOutbox();
}

/**
 * In a long-running server: mail every OUTBOX_INTERVAL_MS, the maintenance every
 * MAINTENANCE_INTERVAL_MS, and both once at start. Started once per process; the timer does not keep
 * the process alive.
 */
export function startPeriodicWork(): void {
  const s = state();
  if (s.timer) return;
  const maintainEvery = Math.max(1, Math.round(MAINTENANCE_INTERVAL_MS / OUTBOX_INTERVAL_MS));
  let ticks = 0;
  s.timer = setInterval(() => {
    ticks += 1;
    if (ticks % maintainEvery === 0) void maintainNow();
    void kickOutbox();
  }, OUTBOX_INTERVAL_MS);
  s.timer.unref();
  void runPeriodicWork();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
