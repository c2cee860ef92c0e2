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
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { openDatabase } from '@/db/client';
import { users } from '@/db/schema';
import { hashPassword } from '@/lib/password';
import { argon2Options, measure } from './bench-hash';

const seconds = Number(process.env.BENCH_SECONDS) > 0 ? Number(process.env.BENCH_SECONDS) : 10;
const userCount = Number(process.env.BENCH_USERS) > 0 ? Number(process.env.BENCH_USERS) : 200;
const cores = availableParallelism();
const concurrency =
  Number(process.env.BENCH_CONCURRENCY) > 0 ? Number(process.env.BENCH_CONCURRENCY) : 4 * cores;
const PASSWORD = 'correct horse battery staple bench';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const sortNumbers = (xs: number[]) => [...xs].sort((a, b) => a - b);
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** One browser-like client: its own cookie jar and its own address (as one proxy in front would add). */
class Client {
  readonly #cookies = new Map<string, string>();
  csrfToken: string | undefined;

  constructor(
    readonly base: string,
    readonly ip: string,
  ) {}

  async request(pathname: string, init: { method?: string; body?: URLSearchParams } = {}): Promise<Response> {
    const headers: Record<string, string> = { 'x-forwarded-for': this.ip };
    if (this.#cookies.size > 0) headers.cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (init.body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(this.base + pathname, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';', 1)[0]!;
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /max-age=0\b/i.test(cookie)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return response;
  }

  /** Auth.js's HTTP sign-in. 'ok' is a redirect that is not to the error page. */
  async signIn(identifier: string): Promise<'ok' | 'busy' | 'limited' | 'refused' | 'error'> {
    if (!this.csrfToken) {
      const csrf = await this.request('/api/auth/csrf');
      this.csrfToken = ((await csrf.json()) as { csrfToken: string }).csrfToken;
    }
    const response = await this.request('/api/auth/callback/credentials', {
      method: 'POST',
      body: new URLSearchParams({ csrfToken: this.csrfToken, identifier, password: PASSWORD }),
    });
    await response.arrayBuffer();
    if (response.status === 503) return 'busy';
    if (response.status === 429) return 'limited';
    if (response.status !== 302) return 'error';
    return response.headers.get('location')?.includes('error=') ? 'refused' : 'ok';
  }
}

/** CPU seconds used so far, from /proc: the server's event loop (its main thread), its other threads
 * (argon2 runs on libuv's pool; V8's helpers), Postgres's processes and this bench process. */
interface CpuSnapshot {
  eventLoop: number;
  serverThreads: number;
  postgres: number;
  bench: number;
}

const TICKS = 100; // USER_HZ on Linux

function ticksOf(statPath: string): number {
  // Fields after the parenthesised name: utime and stime are the 12th and 13th.
  const stat = readFileSync(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function cpuSnapshot(pid: number): CpuSnapshot {
  let serverTicks = 0;
  let mainTicks = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ticks = ticksOf(`/proc/${pid}/task/${tid}/stat`);
      serverTicks += ticks;
      if (Number(tid) === pid) mainTicks = ticks;
    } catch {
      // The thread ended between listing and reading.
    }
  }
  let postgresTicks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('postgres')) {
        postgresTicks += ticksOf(`/proc/${entry}/stat`);
      }
    } catch {
      // Gone already.
    }
  }
  const own = process.cpuUsage();
  return {
    eventLoop: mainTicks / TICKS,
    serverThreads: (serverTicks - mainTicks) / TICKS,
    postgres: postgresTicks / TICKS,
    bench: (own.user + own.system) / 1e6,
  };
}

/** Peak resident memory (VmHWM, kB) of the server process and everything it started. */
function peakRssKb(pid: number): number {
  let peak = 0;
  const visit = (p: number) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm) peak = Math.max(peak, Number(hwm[1]));
      const children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      for (const child of children ? children.split(/\s+/) : []) visit(Number(child));
    } catch {
      // The process ended between listing and reading.
    }
  };
  visit(pid);
  return peak;
}

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

async function startServer(port: number, env: Record<string, string>): Promise<ChildProcess> {
  const nextBin = path.join(process.cwd(), 'node_modules/next/dist/bin/next');
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server itself.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return child;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  throw new Error(`next start did not answer /api/health within 60 s:\n${stderr}`);
}

/** Sequential GETs of a signed-in page until `until()` says stop; latencies in ms. */
async function probe(client: Client, until: () => boolean, minimum = 0): Promise<number[]> {
  const latencies: number[] = [];
  while (!until() || latencies.length < minimum) {
    const t0 = performance.now();
    const response = await client.request('/account');
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`/account answered ${response.status}: not signed in?`);
    latencies.push(performance.now() - t0);
  }
  return latencies;
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
  let server: ChildProcess | undefined;
  try {
    await seed(databaseUrl, dataDir);
    server = await startServer(port, {
      NODE_ENV: 'production',
      APP_URL: base,
      AUTH_SECRET: randomBytes(32).toString('base64'),
      DATA_DIR: dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      TRUSTED_PROXY_HEADER: 'x-forwarded-for',
      TRUSTED_PROXY_HOPS: '1',
    });
    const pid = server.pid!;
    console.log(
      `server: next start on ${base}, ${databaseUrl ? 'Postgres' : 'PGlite'}, ${userCount} users, pid ${pid}`,
    );

    // 3. The probe signs in once, then reads /account with the server idle.
    const prober = new Client(base, '192.0.2.250');
    if ((await prober.signIn(`bench${userCount}@bench.test`)) !== 'ok')
      throw new Error('probe sign-in failed');
    await probe(prober, () => true, 20);
    const idle = sortNumbers(await probe(prober, () => true, 300));

    // 4. Closed loop: `concurrency` clients sign in back to back.
    const clients = Array.from(
      { length: concurrency },
      (_, i) => new Client(base, `10.1.${i >> 8}.${i & 255}`),
    );
    for (const client of clients)
      await client.request('/api/auth/csrf').then(async (r) => {
        client.csrfToken = ((await r.json()) as { csrfToken: string }).csrfToken;
      });
    const outcomes = { ok: 0, busy: 0, limited: 0, refused: 0, error: 0 };
    let next = 0;
    const loadEnd = performance.now() + seconds * 1000;
    const started = performance.now();
    const cpuBefore = cpuSnapshot(pid);
    const [, underLoadRaw] = await Promise.all([
      Promise.all(
        clients.map(async (client) => {
          while (performance.now() < loadEnd) {
            outcomes[await client.signIn(`bench${(next += 1) % userCount}@bench.test`)] += 1;
          }
        }),
      ),
      probe(prober, () => performance.now() >= loadEnd),
    ]);
    const elapsed = (performance.now() - started) / 1000;
    const loginsPerSecond = outcomes.ok / elapsed;
    const cpuAfter = cpuSnapshot(pid);
    const perLoginMs = (key: keyof CpuSnapshot) =>
      (1000 * (cpuAfter[key] - cpuBefore[key])) / Math.max(1, outcomes.ok);
    const underLoad = sortNumbers(underLoadRaw);
    const rssAfterLoad = peakRssKb(pid);

    // 5. Open loop at 10× the sustained rate: arrivals do not wait for answers.
    const offeredPerSecond = Math.max(10, 10 * loginsPerSecond);
    const pool = Array.from({ length: 500 }, (_, i) => new Client(base, `10.2.${i >> 8}.${i & 255}`));
    for (const client of pool) {
      const r = await client.request('/api/auth/csrf');
      client.csrfToken = ((await r.json()) as { csrfToken: string }).csrfToken;
    }
    const over = { ok: 0, busy: 0, limited: 0, refused: 0, error: 0 };
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
          client
            .signIn(`bench${sent % userCount}@bench.test`)
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
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
