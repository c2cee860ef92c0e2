/**
 * Sign-in throughput and overload behaviour of a production build, through real HTTP.
 *
 *   npm run build && npm run bench:login
 *   BENCH_SECONDS=5 BENCH_USERS=100 npm run bench:login
 *   BENCH_DATABASE_URL=postgres://… npm run bench:login      # Postgres instead of a temporary PGlite
 *   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:login   # profile the server
 *
 * What it does, in one run:
 * 1. the raw argon2id verify rate of this machine (bench-hash.ts's measure(), all cores busy);
 * 2. seeds BENCH_USERS active accounts through the app's own schema, then starts `next start` on a
 *    free port (a temporary DATA_DIR, or BENCH_DATABASE_URL);
 * 3. p50/p99 of a session-checked page (/account, signed in) with the server idle;
 * 4. closed-loop sign-ins (GET /api/auth/csrf once per client, then POST /api/auth/callback/credentials)
 *    from BENCH_CONCURRENCY clients, each its own address, while the /account probe keeps running:
 *    logins/s against the raw verify rate, and the probe's p99 under that load;
 * 5. open-loop sign-ins offered at 10× the rate just measured: the share answered 503 (busy) and how
 *    fast, the server's peak RSS (VmHWM) and whether it still answers afterwards.
 *
 * It prints figures and asserts nothing: the goals (ratio ≥ 0.9; probe p99 < 2× idle and < 20 ms;
 * bounded memory, no crash under 10×) are for a person to read against. The bench process shares the
 * machine's cores with the server, which lowers every figure a little.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { openDatabase } from '@/db/client';
import { users } from '@/db/schema';
import { hashPassword } from '@/lib/password';
import { argon2Options, measure } from './bench-hash';
import {
  Client,
  closedLoop,
  concurrency,
  cores,
  gatehouseEnv,
  seconds,
  userCount,
  freePort,
  gatehouseSignIn,
  ms,
  PASSWORD,
  peakRssKb,
  percentile,
  probe,
  sortNumbers,
  startServer,
  stopServer,
  type CpuSnapshot,
  type Outcomes,
} from './bench-http';

async function seed(databaseUrl: string | undefined, dataDir: string): Promise<void> {
  const handle = await openDatabase({ databaseUrl, dataDir, migrate: true });
  const hashed = await hashPassword(PASSWORD);
  if (!hashed.ok) throw new Error('hashing busy while seeding');
  const now = new Date();
  const rows = Array.from({ length: userCount + 1 }, (_, i) => ({
    email: `bench${i}@bench.test`,
    username: `bench${i}`,
    fullName: `Bench ${i}`,
    passwordHash: hashed.hash,
    emailVerifiedAt: now,
    approvedAt: now,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await handle.db
      .insert(users)
      .values(rows.slice(i, i + 500))
      .onConflictDoNothing();
  }
  await handle.close();
}

/** Sequential GETs of /account until `until()` says stop; latencies in ms. */
async function probeAccount(client: Client, until: () => boolean, minimum = 0): Promise<number[]> {
  return (await probe(client, ['/account'], until, minimum)).get('/account')!;
}

async function main(): Promise<void> {
  if (!existsSync(path.join(process.cwd(), '.next/BUILD_ID'))) {
    throw new Error('No production build: run `npm run build` first.');
  }

  // 1. The raw verify rate, with every core busy, before the server exists.
  const stored = await argon2Hash(PASSWORD, argon2Options);
  for (let i = 0; i < 3; i += 1) await argon2Verify(stored, PASSWORD);
  const raw = await measure('raw', cores, () => argon2Verify(stored, PASSWORD), Math.min(seconds, 5));
  console.log(`raw argon2id verify: ${raw.perSecond.toFixed(1)}/s with ${cores} in flight (${cores} cores)`);

  // 2. Seed, then start the server.
  const databaseUrl = process.env.BENCH_DATABASE_URL || undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-login-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    await seed(databaseUrl, dataDir);
    server = await startServer({
      port,
      env: gatehouseEnv(base, { databaseUrl, dataDir }),
    });
    const pid = server.pid!;
    console.log(
      `server: next start on ${base}, ${databaseUrl ? 'Postgres' : 'PGlite'}, ${userCount} users, pid ${pid}`,
    );

    // 3. The probe signs in once, then reads /account with the server idle.
    const prober = new Client(base, '192.0.2.250');
    if ((await gatehouseSignIn(prober, `bench${userCount}@bench.test`)) !== 'ok')
      throw new Error('probe sign-in failed');
    await probeAccount(prober, () => true, 20);
    const idle = sortNumbers(await probeAccount(prober, () => true, 300));

    // 4. Closed loop: `concurrency` clients sign in back to back.
    const clients = Array.from(
      { length: concurrency },
      (_, i) => new Client(base, `10.1.${i >> 8}.${i & 255}`),
    );
    for (const client of clients) await client.fetchCsrfToken();
    const {
      outcomes,
      elapsed,
      cpu,
      during: underLoadRaw,
    } = await closedLoop(clients, (client, i) => gatehouseSignIn(client, `bench${i}@bench.test`), {
      seconds,
      userCount,
      pid,
      during: (until) => probeAccount(prober, until),
    });
    const loginsPerSecond = outcomes.ok / elapsed;
    const perLoginMs = (key: keyof CpuSnapshot) => (1000 * cpu[key]) / Math.max(1, outcomes.ok);
    const underLoad = sortNumbers(underLoadRaw);
    const rssAfterLoad = peakRssKb(pid);

    // 5. Open loop at 10× the sustained rate: arrivals do not wait for answers.
    const offeredPerSecond = Math.max(10, 10 * loginsPerSecond);
    const pool = Array.from({ length: 500 }, (_, i) => new Client(base, `10.2.${i >> 8}.${i & 255}`));
    for (const client of pool) await client.fetchCsrfToken();
    const over: Outcomes = { ok: 0, busy: 0, limited: 0, refused: 0, error: 0 };
    const busyMs: number[] = [];
    const okMs: number[] = [];
    const pending: Promise<void>[] = [];
    const interval = 1000 / offeredPerSecond;
    const overStart = performance.now();
    let sent = 0;
    let failedRequests = 0;
    while (performance.now() - overStart < seconds * 1000) {
      const due = Math.floor((performance.now() - overStart) / interval);
      for (; sent < due; sent += 1) {
        const client = pool[sent % pool.length]!;
        const t0 = performance.now();
        pending.push(
          gatehouseSignIn(client, `bench${sent % userCount}@bench.test`)
            .then((outcome) => {
              over[outcome] += 1;
              (outcome === 'busy' ? busyMs : outcome === 'ok' ? okMs : []).push(performance.now() - t0);
            })
            .catch(() => {
              failedRequests += 1;
            }),
        );
      }
      await new Promise((r) => setTimeout(r, Math.max(1, interval)));
    }
    await Promise.all(pending);
    const overElapsed = (performance.now() - overStart) / 1000;
    const rssAfterOverload = peakRssKb(pid);
    const stillUp =
      server.exitCode === null &&
      (await fetch(`${base}/api/health`).then(
        (r) => r.ok,
        () => false,
      ));
    const answered = Object.values(over).reduce((a, b) => a + b, 0);

    const busySorted = sortNumbers(busyMs);
    const okSorted = sortNumbers(okMs);
    const ratio = loginsPerSecond / raw.perSecond;
    console.log('');
    console.log(
      `sign-ins (closed loop, ${concurrency} clients, ${elapsed.toFixed(1)} s): ${JSON.stringify(outcomes)}`,
    );
    console.log(
      `  logins/s ${loginsPerSecond.toFixed(1)} vs raw verify/s ${raw.perSecond.toFixed(1)}: ratio ${ratio.toFixed(2)} (goal ≥ 0.9)`,
    );
    // Where a sign-in's CPU goes. One raw verify costs cores/raw-rate core-seconds; the rest is what
    // the ratio pays for. The event loop is one thread: it alone caps the rate at 1000/ms per sign-in.
    const verifyMs = (1000 * cores) / raw.perSecond;
    const totalMs =
      perLoginMs('eventLoop') + perLoginMs('serverThreads') + perLoginMs('postgres') + perLoginMs('bench');
    console.log(
      `  CPU per sign-in: event loop ${perLoginMs('eventLoop').toFixed(1)} ms, other server threads (argon2, GC) ${perLoginMs('serverThreads').toFixed(1)} ms, ` +
        `Postgres ${perLoginMs('postgres').toFixed(1)} ms, bench client ${perLoginMs('bench').toFixed(1)} ms; one raw verify ${verifyMs.toFixed(1)} ms. ` +
        `Ceiling on ${cores} cores: ratio ${Math.min(1, verifyMs / totalMs).toFixed(2)} (all CPU), event loop alone ${(1000 / perLoginMs('eventLoop')).toFixed(0)} sign-ins/s`,
    );
    console.log(
      `/account p50/p99 idle ${ms(percentile(idle, 50))} / ${ms(percentile(idle, 99))}; ` +
        `under load ${ms(percentile(underLoad, 50))} / ${ms(percentile(underLoad, 99))} ` +
        `(${underLoad.length} requests; goal p99 < 2× idle and < 20 ms): ${(percentile(underLoad, 99) / percentile(idle, 99)).toFixed(2)}×`,
    );
    console.log(
      `10× offered (${offeredPerSecond.toFixed(0)}/s for ${overElapsed.toFixed(1)} s, ${sent} sent): ${JSON.stringify(over)}, transport errors ${failedRequests}`,
    );
    console.log(
      `  busy share ${((100 * over.busy) / Math.max(1, answered)).toFixed(1)}%, busy answer p50/p99 ${ms(percentile(busySorted, 50))} / ${ms(percentile(busySorted, 99))}; ` +
        `ok p50/p99 ${ms(percentile(okSorted, 50))} / ${ms(percentile(okSorted, 99))}`,
    );
    console.log(
      `  server peak RSS (VmHWM): ${(rssAfterLoad / 1024).toFixed(0)} MiB after the closed loop, ${(rssAfterOverload / 1024).toFixed(0)} MiB after 10×; still answering: ${stillUp}`,
    );
    console.log(
      JSON.stringify({
        raw_verify_per_s: Math.round(raw.perSecond * 10) / 10,
        logins_per_s: Math.round(loginsPerSecond * 10) / 10,
        ratio: Math.round(ratio * 100) / 100,
        event_loop_ms_per_login: Math.round(perLoginMs('eventLoop') * 10) / 10,
        account_p99_idle_ms: Math.round(percentile(idle, 99) * 10) / 10,
        account_p99_load_ms: Math.round(percentile(underLoad, 99) * 10) / 10,
        overload_busy_share: Math.round((1000 * over.busy) / Math.max(1, answered)) / 1000,
        overload_busy_p99_ms: Math.round(percentile(busySorted, 99) * 10) / 10,
        peak_rss_mib: Math.round(rssAfterOverload / 1024),
        survived: stillUp,
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
