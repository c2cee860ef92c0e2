/**
 * Server CPU per sign-in and per signed-in page view, without a concurrent probe: for comparing two
 * builds back to back (issue 15, decision 036), where bench:login's figures move with the machine's
 * load more than with the code.
 *
 *   npx tsx scripts/bench-signin-cpu.ts [build dir, default .] [label]
 *   HTTP_COMPRESSION=off npx tsx scripts/bench-signin-cpu.ts      # the server without gzip
 *   BENCH_DATABASE_URL=postgres://…/db npx tsx scripts/bench-signin-cpu.ts   # Postgres (the db is reused: give a fresh one)
 *
 * It seeds BENCH_USERS accounts, starts `next start` in the build dir, warms every path up, then in
 * turn: BENCH_VIEWS sequential GETs of /account signed in; BENCH_SIGNINS sign-ins through Auth.js's
 * credentials callback (HTTP path) and as many through POST /api/v1/auth/login (JSON path), from
 * BENCH_CONCURRENCY clients. For each: the server's main-thread (event loop) CPU and Postgres's CPU
 * per operation, read from /proc (10 ms ticks). argon2 runs on libuv's pool, not the event loop: the
 * event-loop figure is a sign-in's CPU outside the hash, less the pool threads' own bookkeeping.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '@/db/client';
import { users } from '@/db/schema';
import { hashPassword } from '@/lib/password';
import {
  Client,
  cpuSnapshot,
  freePort,
  gatehouseEnv,
  gatehouseSignIn,
  PASSWORD,
  startServer,
  stopServer,
  type CpuSnapshot,
  type SignInOutcome,
} from './bench-http';

const positive = (name: string, fallback: number) =>
  Number(process.env[name]) > 0 ? Number(process.env[name]) : fallback;
const userCount = positive('BENCH_USERS', 200);
const views = positive('BENCH_VIEWS', 400);
const signIns = positive('BENCH_SIGNINS', 200);
const concurrency = positive('BENCH_CONCURRENCY', 4);

const email = (i: number) => `bench${i}@bench.test`;

async function jsonSignIn(client: Client, base: string, account: number): Promise<SignInOutcome> {
  const response = await client.request('/api/v1/auth/login', {
    method: 'POST',
    json: { identifier: email(account), password: PASSWORD },
    headers: { origin: base },
  });
  await response.arrayBuffer();
  if (response.status === 200) return 'ok';
  return response.status === 503 ? 'busy' : response.status === 429 ? 'limited' : 'error';
}

/** CPU per operation of `count` operations run by `concurrency` workers. */
async function measure(pid: number, count: number, workers: number, op: (i: number) => Promise<boolean>) {
  let next = 0;
  let ok = 0;
  const before = cpuSnapshot(pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) {
        const i = next++;
        if (await op(i)) ok += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const after = cpuSnapshot(pid);
  const per = (key: keyof CpuSnapshot) => (1000 * (after[key] - before[key])) / Math.max(1, ok);
  return {
    ok,
    perSecond: ok / seconds,
    eventLoopMs: per('eventLoop'),
    serverThreadsMs: per('serverThreads'),
    postgresMs: per('postgres'),
  };
}

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? '.');
  const label = process.argv[3] ?? path.basename(dir);
  const databaseUrl = process.env.BENCH_DATABASE_URL || undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-cpu-'));
  const handle = await openDatabase({ databaseUrl, dataDir, migrate: true });
  const hashed = await hashPassword(PASSWORD);
  if (!hashed.ok) throw new Error('hashing busy while seeding');
  const now = new Date();
  const rows = Array.from({ length: userCount + 1 }, (_, i) => ({
    email: email(i),
    username: `bench${i}`,
    fullName: `Bench ${i}`,
    passwordHash: hashed.hash,
    emailVerifiedAt: now,
    approvedAt: now,
  }));
  for (let i = 0; i < rows.length; i += 500)
    await handle.db
      .insert(users)
      .values(rows.slice(i, i + 500))
      .onConflictDoNothing();
  await handle.close();

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    server = await startServer({ dir, port, env: gatehouseEnv(base, { databaseUrl, dataDir }) });
    const pid = server.pid!;
    const reader = new Client(base, '192.0.2.250');
    if ((await gatehouseSignIn(reader, email(userCount))) !== 'ok') throw new Error('sign-in failed');
    // Warm-up: every route's code loaded, the limits' settings read.
    for (let i = 0; i < 20; i += 1) await (await reader.request('/account')).arrayBuffer();
    for (let i = 0; i < 4; i += 1) {
      await gatehouseSignIn(new Client(base, '192.0.2.251'), email(i));
      await jsonSignIn(new Client(base, '192.0.2.252'), base, i);
    }

    const page = await measure(pid, views, 1, async () => {
      const response = await reader.request('/account');
      await response.arrayBuffer();
      return response.status === 200;
    });
    const clients = Array.from({ length: concurrency }, (_, i) => new Client(base, `10.1.0.${i + 1}`));
    for (const client of clients) await client.fetchCsrfToken();
    const http = await measure(
      pid,
      signIns,
      concurrency,
      async (i) => (await gatehouseSignIn(clients[i % concurrency]!, email(i % userCount))) === 'ok',
    );
    const jsonClients = Array.from({ length: concurrency }, (_, i) => new Client(base, `10.2.0.${i + 1}`));
    const json = await measure(
      pid,
      signIns,
      concurrency,
      async (i) => (await jsonSignIn(jsonClients[i % concurrency]!, base, i % userCount)) === 'ok',
    );
    const round = (x: number) => Math.round(x * 100) / 100;
    const line = (r: Awaited<ReturnType<typeof measure>>) => ({
      ok: r.ok,
      per_s: round(r.perSecond),
      event_loop_ms: round(r.eventLoopMs),
      other_threads_ms: round(r.serverThreadsMs),
      postgres_ms: round(r.postgresMs),
    });
    console.log(
      JSON.stringify({
        label,
        compression: process.env.HTTP_COMPRESSION !== 'off',
        database: databaseUrl ? 'postgres' : 'pglite',
        account_view: line(page),
        http_sign_in: line(http),
        json_sign_in: line(json),
      }),
    );
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
