/**
 * How many password checks per second this machine can afford with the production argon2id
 * parameters: the number that sizes PASSWORD_HASH_CONCURRENCY and login rate limits. Measures the
 * raw library and the same work through HashLimiter (to show the limiter costs nothing measurable).
 *
 *   npx tsx scripts/bench-hash.ts            # ~3 s per row
 *   BENCH_SECONDS=1 npx tsx scripts/bench-hash.ts
 *
 * The last line is JSON for other benchmarks to read.
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { hash as argon2Hash, verify as argon2Verify, type Options as Argon2Options } from '@node-rs/argon2';
import { HashLimiter, PASSWORD_HASH_PARAMS, verifyPassword } from '../lib/password';

const seconds = Number(process.env.BENCH_SECONDS) > 0 ? Number(process.env.BENCH_SECONDS) : 3;
const n = availableParallelism();
const password = 'correct horse battery staple';

export const argon2Options: Argon2Options = {
  algorithm: 2 as Argon2Options['algorithm'], // Argon2id; the const enum can't be used under isolatedModules
  memoryCost: PASSWORD_HASH_PARAMS.memoryCost,
  timeCost: PASSWORD_HASH_PARAMS.timeCost,
  parallelism: PASSWORD_HASH_PARAMS.parallelism,
};

export interface Row {
  mode: string;
  inFlight: number;
  ops: number;
  seconds: number;
  perSecond: number;
  avgMs: number;
}

/** Keeps `inFlight` operations running back to back until the time budget is spent. */
export async function measure(
  mode: string,
  inFlight: number,
  op: () => Promise<boolean>,
  durationSeconds = seconds,
): Promise<Row> {
  const deadline = performance.now() + durationSeconds * 1000;
  let ops = 0;
  let totalMs = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        if (!(await op())) throw new Error(`${mode}: verification unexpectedly failed`);
        totalMs += performance.now() - t0;
        ops += 1;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  return { mode, inFlight, ops, seconds: elapsed, perSecond: ops / elapsed, avgMs: totalMs / ops };
}

async function main(): Promise<void> {
  const stored = await argon2Hash(password, argon2Options);
  // Warm-up: first calls pay for thread-pool start-up and page faults on the 19 MiB arena.
  for (let i = 0; i < 3; i += 1) await argon2Verify(stored, password);

  const limiter = new HashLimiter(); // production defaults: maxConcurrent = availableParallelism()
  const raw = () => argon2Verify(stored, password);
  const limited = async () => {
    const r = await verifyPassword(password, stored, { limiter });
    if (!r.ok) throw new Error('limiter unexpectedly busy');
    return r.valid;
  };

  const rows: Row[] = [];
  rows.push(await measure('raw', 1, raw));
  rows.push(await measure('raw', n, raw));
  rows.push(await measure('limiter', 1, limited));
  rows.push(await measure('limiter', n, limited));
  // More callers than slots: the excess waits in the queue, throughput should match the row above.
  rows.push(await measure('limiter', 4 * n, limited));

  const table = [
    ['mode', 'in flight', 'ops', 'seconds', 'verify/s', 'avg ms'],
    ...rows.map((r) => [
      r.mode,
      String(r.inFlight),
      String(r.ops),
      r.seconds.toFixed(2),
      r.perSecond.toFixed(1),
      r.avgMs.toFixed(1),
    ]),
  ];
  const widths = table[0]!.map((_, col) => Math.max(...table.map((line) => line[col]!.length)));
  const { memoryCost, timeCost, parallelism } = PASSWORD_HASH_PARAMS;
  console.log(
    `argon2id m=${memoryCost} t=${timeCost} p=${parallelism}, availableParallelism=${n}, ` +
      `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, limiter peak=${limiter.stats.maxActiveSeen}`,
  );
  for (const line of table) {
    console.log(
      line
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
        .join('  '),
    );
  }

  const round = (x: number) => Math.round(x * 10) / 10;
  const [raw1, rawN, lim1, limN] = rows;
  console.log(
    JSON.stringify({
      verify_per_s_1: round(raw1!.perSecond),
      verify_per_s_n: round(rawN!.perSecond),
      n,
      limiter_verify_per_s_1: round(lim1!.perSecond),
      limiter_verify_per_s_n: round(limN!.perSecond),
    }),
  );
}

// Also imported by bench-login.ts, which reuses measure() for the raw rate in the same run.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
