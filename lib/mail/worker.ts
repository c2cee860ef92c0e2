import { getDatabase, type Db } from '@/db/client';
import { systemClock, type Clock } from '@/lib/clock';
import { log } from '@/lib/log';
import { resolveMailConfig, type MailConfig } from './config';
import { drainOutbox, type DrainSummary } from './outbox';
import type { MailTransport } from './transport';
import { createDevTransport } from './transports/dev';
import { createResendTransport } from './transports/resend';
import { createSmtpTransport } from './transports/smtp';

/**
 * Delivers the outbox in this process: after a response (next/server after()), and from the periodic
 * work of lib/periodic.ts (a timer in a long-running server, the cron route elsewhere). Mail only:
 * nothing else runs here. One drain at a time per process; a kick during a drain makes it go round
 * once more instead of starting a second one.
 */

const MAX_ROUNDS = 40;

interface WorkerState {
  running?: Promise<DrainSummary>;
  again: boolean;
  transport?: { key: string; transport: MailTransport };
  warnedNoTransport: boolean;
}

const slot = Symbol.for('gatehouse.outbox-worker');
function state(): WorkerState {
  const holder = globalThis as { [slot]?: WorkerState };
  holder[slot] ??= { again: false, warnedNoTransport: false };
  return holder[slot];
}

/** The transport for a configuration, reused while the configuration stays the same (pooled SMTP). */
export function transportFor(db: Db, config: Exclude<MailConfig, { transport: 'none' }>): MailTransport {
  const s = state();
  const key = JSON.stringify(config);
  if (s.transport?.key === key) return s.transport.transport;
  s.transport?.transport.close?.();
  const transport =
    config.transport === 'smtp'
      ? createSmtpTransport(config.smtp)
      : config.transport === 'resend'
        ? createResendTransport({ apiKey: config.apiKey })
        : createDevTransport(db);
  s.transport = { key, transport };
  return transport;
}

export async function runOutboxOnce(db: Db, clock: Clock = systemClock): Promise<DrainSummary> {
  const total: DrainSummary = { claimed: 0, sent: 0, retrying: 0, failed: 0 };
  const config = await resolveMailConfig(db);
  if (config.transport === 'none') {
    const s = state();
    if (!s.warnedNoTransport) {
      s.warnedNoTransport = true;
      log.warn('mail.not_configured', { reason: config.reason });
    }
    return total;
  }
  const transport = transportFor(db, config);
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const batchSize = 50;
    const summary = await drainOutbox(db, { transport, from: config.from, clock, batchSize });
    total.claimed += summary.claimed;
    total.sent += summary.sent;
    total.retrying += summary.retrying;
    total.failed += summary.failed;
    if (summary.claimed < batchSize) break;
  }
  return total;
}

/** Drains the outbox of this process's database; never throws (failures are logged and retried later). */
export function kickOutbox(): Promise<DrainSummary> {
  const s = state();
  if (s.running) {
    s.again = true;
    return s.running;
  }
  s.running = (async () => {
    const total: DrainSummary = { claimed: 0, sent: 0, retrying: 0, failed: 0 };
    try {
      const { db } = await getDatabase();
      do {
        s.again = false;
        const summary = await runOutboxOnce(db);
        total.claimed += summary.claimed;
        total.sent += summary.sent;
        total.retrying += summary.retrying;
        total.failed += summary.failed;
      } while (s.again);
    } catch (error) {
      log.warn('outbox.drain_failed', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      s.running = undefined;
    }
    return total;
  })();
  return s.running;
}
