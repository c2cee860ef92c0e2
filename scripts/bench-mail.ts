/**
 * How fast the mail outbox moves mail: enqueue (render + insert), drain through pooled SMTP to an
 * in-process SMTP catcher, and the time a mail waits between enqueueMail resolving and the SMTP
 * server accepting it while a worker runs the way lib/mail/worker.ts does (kick after each enqueue,
 * one drain at a time, a kick during a drain makes it go round again).
 *
 *   npx tsx scripts/bench-mail.ts                  # in-memory PGlite
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx scripts/bench-mail.ts
 *
 * On Postgres a throwaway database gatehouse_bench_<pid> is created next to the one in the URL (the
 * URL's user must be allowed to create databases) and dropped at the end.
 *
 * Knobs: BENCH_MAILS (throughput mails, 2000), BENCH_LATENCY_MAILS (300), BENCH_RATE (offered
 * enqueues/s in the latency run, 100), BENCH_ENQUEUE_CONCURRENCY (enqueueMail calls in flight in the
 * throughput run, 4), BENCH_SMTP_ENCRYPTION (none | starttls, default none; starttls runs with
 * certificate checks off against the catcher's self-signed certificate), The SMTP transport turns
 * Nagle's algorithm off (it once capped a pooled connection at ~20 mails/s).
 *
 * Goals: drain >= 200 mails/s, enqueue-to-accept p95 < 1 s. The last line is JSON.
 *
 * The catcher runs in this process and parses every mail (postal-mime) before answering 250, so its
 * CPU competes with the outbox's: the figures are a lower bound for a separate SMTP relay. The "smtp
 * only" row (the same transport and catcher, pre-rendered mail, no database) is the ceiling the
 * drain can reach here.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { emailOutbox } from '@/db/schema';
import { renderEmail, type TemplateProps } from '@/emails';
import { systemClock } from '@/lib/clock';
import type { MailFrom } from '@/lib/mail/config';
import { drainOutbox, enqueueMail, type DrainSummary } from '@/lib/mail/outbox';
import type { MailTransport } from '@/lib/mail/transport';
import { createSmtpTransport, type SmtpEncryption } from '@/lib/mail/transports/smtp';
import { startSmtpCatcher, type SmtpCatcher } from '@/tests/helpers/smtp-catcher';
import { openBenchDatabase } from './bench-db';

const GOAL_DELIVER_PER_S = 200;
const GOAL_LATENCY_P95_MS = 1000;
/** As in lib/mail/worker.ts. */
const BATCH_SIZE = 50;
const MAX_ROUNDS = 40;
const RENDER_SAMPLE = 200;

function intEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

const mails = intEnv('BENCH_MAILS', 2000);
const latencyMails = intEnv('BENCH_LATENCY_MAILS', 300);
const offeredRate = intEnv('BENCH_RATE', 100);
const enqueueConcurrency = intEnv('BENCH_ENQUEUE_CONCURRENCY', 4);
const encryption: SmtpEncryption = process.env.BENCH_SMTP_ENCRYPTION === 'starttls' ? 'starttls' : 'none';
const databaseUrl = process.env.BENCH_DATABASE_URL || undefined;
const smtpOnlyMails = Math.min(mails, 500);

const APP_URL = 'https://accounts.example.test';
const from: MailFrom = { name: 'Gatehouse', address: 'accounts@example.test' };

/** Props as the sign-up flow passes them: a fresh 32-byte token in the link, a one-day lifetime. */
function verifyProps(i: number): TemplateProps['verify-email'] {
  return {
    username: `bench_user_${i}`,
    verifyUrl: `${APP_URL}/verify-email?token=${randomBytes(32).toString('base64url')}`,
    expiresInMinutes: 1440,
  };
}

const address = (phase: string, i: number) => `bench-${phase}-${i}@example.test`;

async function enqueueOne(db: Db, to: string, i: number): Promise<void> {
  const result = await enqueueMail(db, {
    to,
    template: 'verify-email',
    props: verifyProps(i),
    locale: 'en',
    clock: systemClock,
  });
  if (!result.ok) throw new Error(`enqueueMail refused ${to}: ${result.code}`);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

async function outboxCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: emailOutbox.status, n: sql<number>`count(*)::int` })
    .from(emailOutbox)
    .groupBy(emailOutbox.status);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

function addSummary(total: DrainSummary, summary: DrainSummary): void {
  total.claimed += summary.claimed;
  total.sent += summary.sent;
  total.retrying += summary.retrying;
  total.failed += summary.failed;
}

// ---------------------------------------------------------------------------------------------
// A worker like lib/mail/worker.ts kickOutbox/runOutboxOnce, without its process globals and
// without resolveMailConfig (one settings read per pass in production, not measured here).

function createWorker(db: Db, transport: MailTransport) {
  let running: Promise<void> | undefined;
  let again = false;
  const stats = { passes: 0, rounds: 0, errors: 0, total: { claimed: 0, sent: 0, retrying: 0, failed: 0 } };

  const runOnce = async () => {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const summary = await drainOutbox(db, { transport, from, clock: systemClock, batchSize: BATCH_SIZE });
      stats.rounds += 1;
      addSummary(stats.total, summary);
      if (summary.claimed < BATCH_SIZE) break;
    }
  };

  return {
    stats,
    kick(): Promise<void> {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        try {
          do {
            again = false;
            stats.passes += 1;
            await runOnce();
          } while (again);
        } catch (error) {
          stats.errors += 1;
          console.warn('bench worker: drain failed:', error instanceof Error ? error.message : error);
        } finally {
          running = undefined;
        }
      })();
      return running;
    },
    idle: (): Promise<void> => running ?? Promise.resolve(),
  };
}

// ---------------------------------------------------------------------------------------------

interface RenderResult {
  perSecond: number;
  avgMs: number;
  htmlBytes: number;
}

/** renderEmail alone (what enqueueMail does before its INSERT), which also warms up React. */
async function measureRender(): Promise<RenderResult> {
  for (let i = 0; i < 50; i += 1) await renderEmail('verify-email', verifyProps(i), 'en');
  let htmlBytes = 0;
  const start = performance.now();
  for (let i = 0; i < RENDER_SAMPLE; i += 1) {
    const r = await renderEmail('verify-email', verifyProps(i), 'en');
    htmlBytes = Buffer.byteLength(r.html) + Buffer.byteLength(r.text);
  }
  const ms = performance.now() - start;
  return { perSecond: (RENDER_SAMPLE / ms) * 1000, avgMs: ms / RENDER_SAMPLE, htmlBytes };
}

interface SmtpOnlyResult {
  perSecond: number;
  seconds: number;
}

/** The transport and catcher alone: one pre-rendered mail sent smtpOnlyMails times, 8 in flight. */
async function measureSmtpOnly(transport: MailTransport, catcher: SmtpCatcher): Promise<SmtpOnlyResult> {
  const rendered = await renderEmail('verify-email', verifyProps(0), 'en');
  catcher.clear();
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < smtpOnlyMails; i = next++) {
        await transport.send({
          from,
          to: address('s', i),
          subject: rendered.subject,
          html: rendered.html,
          text: rendered.text,
        });
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  if (catcher.count() !== smtpOnlyMails) throw new Error(`smtp only: ${catcher.count()} caught`);
  catcher.clear();
  return { perSecond: smtpOnlyMails / seconds, seconds };
}

interface ThroughputResult {
  enqueueSeconds: number;
  enqueuePerSecond: number;
  drainSeconds: number;
  deliverPerSecond: number;
  rounds: number;
  summary: DrainSummary;
  caught: number;
  distinctRecipients: number;
  statusCounts: Record<string, number>;
  exactlyOnce: boolean;
}

async function measureThroughput(db: Db, transport: MailTransport, catcher: SmtpCatcher) {
  catcher.clear();
  let next = 0;
  const enqueueStart = performance.now();
  await Promise.all(
    Array.from({ length: enqueueConcurrency }, async () => {
      for (let i = next++; i < mails; i = next++) await enqueueOne(db, address('t', i), i);
    }),
  );
  const enqueueSeconds = (performance.now() - enqueueStart) / 1000;

  const summary: DrainSummary = { claimed: 0, sent: 0, retrying: 0, failed: 0 };
  let rounds = 0;
  const drainStart = performance.now();
  for (;;) {
    const round = await drainOutbox(db, { transport, from, clock: systemClock, batchSize: BATCH_SIZE });
    rounds += 1;
    addSummary(summary, round);
    if (round.claimed === 0) break;
  }
  const drainSeconds = (performance.now() - drainStart) / 1000;

  // send() resolves only after the catcher said 250, and the catcher stores a mail before that.
  const caught = catcher.count();
  const recipients = new Set(catcher.messages.flatMap((m) => m.envelope.to));
  const expected = Array.from({ length: mails }, (_, i) => address('t', i));
  const statusCounts = await outboxCounts(db);
  const exactlyOnce =
    caught === mails &&
    recipients.size === mails &&
    expected.every((a) => recipients.has(a)) &&
    summary.sent === mails &&
    statusCounts.sent === mails;
  return {
    enqueueSeconds,
    enqueuePerSecond: mails / enqueueSeconds,
    drainSeconds,
    deliverPerSecond: summary.sent / drainSeconds,
    rounds,
    summary,
    caught,
    distinctRecipients: recipients.size,
    statusCounts,
    exactlyOnce,
  } satisfies ThroughputResult;
}

interface LatencyResult {
  offered: number;
  achievedRate: number;
  delivered: number;
  missing: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  enqueueCallP95: number;
  passes: number;
  /** From the first offer to the last mail accepted. */
  spanSeconds: number;
  rounds: number;
}

async function measureLatency(db: Db, transport: MailTransport, catcher: SmtpCatcher) {
  catcher.clear();
  const worker = createWorker(db, transport);
  const enqueuedAt = new Map<string, number>();
  const enqueueCallMs: number[] = [];
  const interval = 1000 / offeredRate;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const startedAt = Date.now();
  // Open loop: mail i is offered at start + i * interval whether or not earlier enqueues finished.
  for (let i = 0; i < latencyMails; i += 1) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const to = address('l', i);
    pending.push(
      (async () => {
        const t0 = performance.now();
        await enqueueOne(db, to, i);
        enqueuedAt.set(to, Date.now());
        enqueueCallMs.push(performance.now() - t0);
        void worker.kick();
      })(),
    );
  }
  await Promise.all(pending);
  const offerSeconds = (performance.now() - start) / 1000;
  await waitFor(() => catcher.count() >= latencyMails, 30_000);
  await worker.idle();

  const latencies: number[] = [];
  for (const mail of catcher.messages) {
    for (const rcpt of mail.envelope.to) {
      const t = enqueuedAt.get(rcpt);
      if (t !== undefined) latencies.push(mail.receivedAt.getTime() - t);
    }
  }
  latencies.sort((a, b) => a - b);
  const lastReceipt = Math.max(...catcher.messages.map((m) => m.receivedAt.getTime()));
  enqueueCallMs.sort((a, b) => a - b);
  return {
    offered: latencyMails,
    achievedRate: latencyMails / offerSeconds,
    delivered: latencies.length,
    missing: latencyMails - latencies.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    enqueueCallP95: percentile(enqueueCallMs, 95),
    passes: worker.stats.passes,
    spanSeconds: (lastReceipt - startedAt) / 1000,
    rounds: worker.stats.rounds,
  } satisfies LatencyResult;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const loadAtStart = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const database = await openBenchDatabase(databaseUrl);
  let catcher: SmtpCatcher | undefined;
  let transport: MailTransport | undefined;
  try {
    catcher = await startSmtpCatcher();
    transport = createSmtpTransport({
      host: catcher.host,
      port: catcher.port,
      encryption,
      rejectUnauthorized: false,
      connectionTimeoutMs: 5000,
    });
    const db = database.handle.db;

    const render = await measureRender();
    const smtpOnly = await measureSmtpOnly(transport, catcher);
    const tp = await measureThroughput(db, transport, catcher);
    const lat = await measureLatency(db, transport, catcher);
    const finalCounts = await outboxCounts(db);

    const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
    const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : 'n/a');
    const ok = (met: boolean) => (met ? 'ok' : 'MISSED');
    const deliverMet = tp.deliverPerSecond >= GOAL_DELIVER_PER_S;
    const latencyMet = lat.missing === 0 && lat.p95 < GOAL_LATENCY_P95_MS;

    console.log(
      `mail outbox bench: ${database.where}, SMTP catcher 127.0.0.1 (in-process), encryption=${encryption}` +
        `${encryption === 'starttls' ? ' (rejectUnauthorized=false)' : ''}, ` +
        `TCP_NODELAY on (lib/mail/transports/smtp.ts), pool maxConnections=5, ` +
        `batchSize=${BATCH_SIZE}, drain concurrency=8 (default), template verify-email ` +
        `(${(render.htmlBytes / 1024).toFixed(1)} KiB html+text), availableParallelism=${availableParallelism()}, ` +
        `NODE_ENV=${process.env.NODE_ENV ?? '(unset)'}, load average at start ${loadAtStart}`,
    );
    const table: string[][] = [
      ['measure', 'figure', 'goal', ''],
      ['render only (renderEmail)', `${f1(render.perSecond)} /s, ${render.avgMs.toFixed(2)} ms each`, '', ''],
      [
        `smtp only ${smtpOnlyMails} (no db, 8 in flight)`,
        `${f1(smtpOnly.perSecond)} /s in ${smtpOnly.seconds.toFixed(2)} s`,
        '',
        '',
      ],
      [
        `enqueue ${mails} (render+insert, ${enqueueConcurrency} in flight)`,
        `${f1(tp.enqueuePerSecond)} /s in ${tp.enqueueSeconds.toFixed(2)} s`,
        '',
        '',
      ],
      [
        `drain ${mails} (${tp.rounds} rounds)`,
        `${f1(tp.deliverPerSecond)} /s in ${tp.drainSeconds.toFixed(2)} s`,
        `>= ${GOAL_DELIVER_PER_S} /s`,
        ok(deliverMet),
      ],
      [
        'caught == enqueued, once each',
        `${tp.caught} caught, ${tp.distinctRecipients} distinct, sent=${tp.summary.sent} ` +
          `retry=${tp.summary.retrying} failed=${tp.summary.failed}`,
        `== ${mails}`,
        ok(tp.exactlyOnce),
      ],
      [
        `latency run: ${lat.offered} mails offered at ${offeredRate}/s`,
        `${f1(lat.achievedRate)} /s achieved, ${lat.delivered} delivered in ${lat.spanSeconds.toFixed(2)} s, ` +
          `${lat.passes} passes / ${lat.rounds} rounds`,
        '',
        lat.missing === 0 ? '' : `${lat.missing} MISSING`,
      ],
      ['  enqueueMail call p95', ms(lat.enqueueCallP95), '', ''],
      ['  enqueue->accept p50', ms(lat.p50), '', ''],
      ['  enqueue->accept p95', ms(lat.p95), `< ${GOAL_LATENCY_P95_MS} ms`, ok(latencyMet)],
      ['  enqueue->accept p99', ms(lat.p99), '', ''],
      ['  enqueue->accept max', ms(lat.max), '', ''],
    ];
    const widths = table[0]!.map((_, col) => Math.max(...table.map((line) => line[col]!.length)));
    for (const line of table) {
      console.log(
        line
          .map((cell, col) => cell.padEnd(widths[col]!))
          .join('  ')
          .trimEnd(),
      );
    }
    if (!tp.exactlyOnce) {
      console.log(`outbox after the throughput run: ${JSON.stringify(tp.statusCounts)}`);
      process.exitCode = 1;
    }
    if (lat.missing > 0) {
      console.log(`outbox after the latency run: ${JSON.stringify(finalCounts)}`);
      process.exitCode = 1;
    }

    const r1 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : null);
    console.log(
      JSON.stringify({
        driver: database.handle.driver,
        smtp_encryption: encryption,
        mails,
        render_per_s: r1(render.perSecond),
        smtp_only_per_s: r1(smtpOnly.perSecond),
        enqueue_per_s: r1(tp.enqueuePerSecond),
        enqueue_concurrency: enqueueConcurrency,
        deliver_per_s: r1(tp.deliverPerSecond),
        drain_s: r1(tp.drainSeconds),
        caught: tp.caught,
        exactly_once: tp.exactlyOnce,
        latency_mails: lat.offered,
        latency_offered_per_s: offeredRate,
        latency_achieved_per_s: r1(lat.achievedRate),
        latency_delivered: lat.delivered,
        latency_span_s: r1(lat.spanSeconds),
        enqueue_call_p95_ms: r1(lat.enqueueCallP95),
        latency_p50_ms: r1(lat.p50),
        latency_p95_ms: r1(lat.p95),
        latency_p99_ms: r1(lat.p99),
        latency_max_ms: r1(lat.max),
        goal_deliver_per_s: GOAL_DELIVER_PER_S,
        goal_latency_p95_ms: GOAL_LATENCY_P95_MS,
        deliver_goal_met: deliverMet,
        latency_goal_met: latencyMet,
      }),
    );
  } finally {
    transport?.close?.();
    await catcher?.stop();
    await database.close();
  }
}

await main();
