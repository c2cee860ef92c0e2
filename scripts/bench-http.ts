/**
 * What the HTTP benchmarks share: a browser-like client, the Gatehouse sign-in it performs, a
 * server started with `next start`, latency probes, closed-loop load, and the CPU and memory of a
 * server read from /proc. Used by bench-login.ts (Gatehouse alone), bench-peer.ts (Gatehouse
 * against Better Auth) and bench-pages.ts (page weight).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export const PASSWORD = 'correct horse battery staple bench';

const positive = (name: string, fallback: number) =>
  Number(process.env[name]) > 0 ? Number(process.env[name]) : fallback;

/** The load knobs every sign-in bench reads the same way. */
export const cores = availableParallelism();
export const seconds = positive('BENCH_SECONDS', 10);
export const userCount = positive('BENCH_USERS', 200);
export const concurrency = positive('BENCH_CONCURRENCY', 4 * cores);

/** Gatehouse's environment for `next start` on `base`: a fresh secret, the client address from X-Forwarded-For. */
export function gatehouseEnv(
  base: string,
  database: { databaseUrl?: string; dataDir?: string },
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    APP_URL: base,
    AUTH_SECRET: randomBytes(32).toString('base64'),
    ...(database.dataDir ? { DATA_DIR: database.dataDir } : {}),
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    TRUSTED_PROXY_HEADER: 'x-forwarded-for',
    TRUSTED_PROXY_HOPS: '1',
  };
}

/** Prints rows as columns: the first left-aligned, the others right-aligned. */
export function printColumns(lines: string[][]): void {
  const widths = lines[0]!.map((_, col) => Math.max(...lines.map((line) => line[col]!.length)));
  for (const line of lines) {
    console.log(
      line
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
        .join('  '),
    );
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
export const sortNumbers = (xs: number[]) => [...xs].sort((a, b) => a - b);
export const ms = (x: number) => `${x.toFixed(1)} ms`;

export type SignInOutcome = 'ok' | 'busy' | 'limited' | 'refused' | 'error';

export interface RequestInit {
  method?: string;
  /** Sent as application/x-www-form-urlencoded. */
  form?: URLSearchParams;
  /** Sent as multipart/form-data, as a browser posts a server action's form. */
  multipart?: FormData;
  /** Sent as application/json, as a fetch() from a page's script does. */
  json?: unknown;
  headers?: Record<string, string>;
}

/** One browser-like client: its own cookie jar and its own address (as one proxy in front would add). */
export class Client {
  readonly #cookies = new Map<string, string>();
  csrfToken: string | undefined;

  constructor(
    readonly base: string,
    readonly ip: string,
  ) {}

  async request(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers: Record<string, string> = { 'x-forwarded-for': this.ip, ...init.headers };
    if (this.#cookies.size > 0) headers.cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: BodyInit | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = init.form;
    } else if (init.multipart) {
      body = init.multipart;
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const response = await fetch(this.base + pathname, {
      method: init.method,
      body,
      headers,
      redirect: 'manual',
    });
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

  async fetchCsrfToken(): Promise<void> {
    const response = await this.request('/api/auth/csrf');
    this.csrfToken = ((await response.json()) as { csrfToken: string }).csrfToken;
  }
}

/** Gatehouse's HTTP sign-in, Auth.js's credentials callback. 'ok' is a redirect that is not to the error page. */
export async function gatehouseSignIn(client: Client, identifier: string): Promise<SignInOutcome> {
  if (!client.csrfToken) await client.fetchCsrfToken();
  const response = await client.request('/api/auth/callback/credentials', {
    method: 'POST',
    form: new URLSearchParams({ csrfToken: client.csrfToken!, identifier, password: PASSWORD }),
  });
  await response.arrayBuffer();
  if (response.status === 503) return 'busy';
  if (response.status === 429) return 'limited';
  if (response.status !== 302) return 'error';
  return response.headers.get('location')?.includes('error=') ? 'refused' : 'ok';
}

/** CPU seconds used so far, from /proc: the server's event loop (its main thread), its other threads
 * (argon2 runs on libuv's pool; V8's helpers), Postgres's processes and this bench process. */
export interface CpuSnapshot {
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

/** The process and every process it started, children first listed by the kernel. */
function processTree(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i += 1) {
    const p = pids[i]!;
    try {
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim();
        for (const child of children ? children.split(/\s+/) : []) pids.push(Number(child));
      }
    } catch {
      // The process ended between listing and reading.
    }
  }
  return pids;
}

export function cpuSnapshot(pid: number): CpuSnapshot {
  let serverTicks = 0;
  let mainTicks = 0;
  for (const p of processTree(pid)) {
    try {
      // A process's own stat counts all its threads; the main thread's task stat is the event loop.
      serverTicks += ticksOf(`/proc/${p}/stat`);
      if (p === pid) mainTicks = ticksOf(`/proc/${pid}/task/${pid}/stat`);
    } catch {
      // Gone already.
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
export function peakRssKb(pid: number): number {
  let peak = 0;
  for (const p of processTree(pid)) {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (hwm) peak = Math.max(peak, Number(hwm[1]));
    } catch {
      // The process ended between listing and reading.
    }
  }
  return peak;
}

/** Runs `next build` in `dir` when it has no production build yet (a fresh clone). */
export async function ensureBuilt(dir: string, env: Record<string, string> = {}): Promise<void> {
  if (existsSync(path.join(dir, '.next/BUILD_ID'))) return;
  console.log(`building ${path.relative(process.cwd(), dir) || '.'} (no production build yet)…`);
  await run(process.execPath, [nextBin(dir), 'build'], dir, env);
}

/** `npm ci` in a bench folder with its own package.json and lockfile, when it has no node_modules yet. */
export async function ensureInstalled(dir: string): Promise<void> {
  if (existsSync(path.join(dir, 'node_modules/.package-lock.json'))) return;
  console.log(`installing ${path.relative(process.cwd(), dir)} (npm ci)…`);
  await run('npm', ['ci', '--no-audit', '--no-fund'], dir);
}

/** Runs a command to completion, its output passed through; rejects on a non-zero exit. */
export function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

/** The Next.js CLI of an app directory, from its own node_modules. */
function nextBin(dir: string): string {
  return path.join(dir, 'node_modules/next/dist/bin/next');
}

export interface ServerOptions {
  dir?: string;
  port: number;
  env: Record<string, string>;
  healthPath?: string;
}

/** `next start` of the production build in `dir`, once `healthPath` answers 200. */
export async function startServer({
  dir = process.cwd(),
  port,
  env,
  healthPath = '/api/health',
}: ServerOptions): Promise<ChildProcess> {
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server itself.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, nextBin(dir), 'start', '-p', String(port), '-H', '127.0.0.1'],
    { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // The last of its output, for the error when it does not come up.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}${healthPath}`)).ok) return child;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  throw new Error(`next start did not answer ${healthPath} within 60 s:\n${output}`);
}

export async function stopServer(server: ChildProcess | undefined): Promise<void> {
  if (!server || server.exitCode !== null) return;
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
}

/**
 * Sequential GETs of signed-in pages, taking `paths` in turn, until `until()` says stop; latencies
 * in ms by path.
 */
export async function probe(
  client: Client,
  paths: string[],
  until: () => boolean,
  minimum = 0,
): Promise<Map<string, number[]>> {
  const latencies = new Map(paths.map((p) => [p, [] as number[]]));
  for (let i = 0; !until() || i < minimum * paths.length; i += 1) {
    const pathname = paths[i % paths.length]!;
    const t0 = performance.now();
    const response = await client.request(pathname);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${pathname} answered ${response.status}: not signed in?`);
    latencies.get(pathname)!.push(performance.now() - t0);
  }
  return latencies;
}

export type Outcomes = Record<SignInOutcome, number>;

/**
 * Closed loop: every client signs in back to back (account `i` of `userCount` in turn) for
 * `seconds`, while `during` runs (a probe). Returns the outcomes, the elapsed seconds, the server's
 * CPU over exactly that time, and what `during` returned.
 */
export async function closedLoop<T>(
  clients: Client[],
  signIn: (client: Client, account: number) => Promise<SignInOutcome>,
  options: { seconds: number; userCount: number; pid: number; during: (until: () => boolean) => Promise<T> },
): Promise<{ outcomes: Outcomes; elapsed: number; cpu: CpuSnapshot; during: T }> {
  const outcomes: Outcomes = { ok: 0, busy: 0, limited: 0, refused: 0, error: 0 };
  let next = 0;
  const loadEnd = performance.now() + options.seconds * 1000;
  const finished = () => performance.now() >= loadEnd;
  const started = performance.now();
  const cpuBefore = cpuSnapshot(options.pid);
  const [, during] = await Promise.all([
    Promise.all(
      clients.map(async (client) => {
        while (!finished()) outcomes[await signIn(client, (next += 1) % options.userCount)] += 1;
      }),
    ),
    options.during(finished),
  ]);
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = cpuSnapshot(options.pid);
  const cpu = Object.fromEntries(
    (Object.keys(cpuAfter) as (keyof CpuSnapshot)[]).map((key) => [key, cpuAfter[key] - cpuBefore[key]]),
  ) as unknown as CpuSnapshot;
  return { outcomes, elapsed, cpu, during };
}
