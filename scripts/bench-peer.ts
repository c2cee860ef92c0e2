/**
 * Gatehouse against Better Auth on the same machine, the same Postgres and the same load (issue 15).
 *
 *   npm run bench:peer
 *   BENCH_SECONDS=10 BENCH_USERS=200 BENCH_CONCURRENCY=8 npm run bench:peer
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:peer   # the default
 *
 * What it does, in one run (docs/decisions/034-benchmarking-against-better-auth.md says why):
 * 1. builds what is missing: Gatehouse (`next build`), the peer in bench/peers/better-auth/
 *    (`npm ci` into that folder, then `next build`);
 * 2. the raw argon2id verify rate of this machine, every core busy, before any server starts;
 * 3. for each server in turn, Gatehouse then Better Auth, each on a throwaway database created next
 *    to BENCH_DATABASE_URL's (dropped afterwards) and seeded with the same BENCH_USERS accounts,
 *    all with the same argon2id hash: `next start`, then
 *    - idle p50/p99 of a signed-in probe taking two URLs in turn: the page that reads the session
 *      server-side (Gatehouse /account, Better Auth /dashboard) and the session endpoint
 *      (Gatehouse Auth.js /api/auth/session, Better Auth /api/auth/get-session);
 *    - (a) HTTP sign-in, BENCH_CONCURRENCY clients back to back: Gatehouse POSTs the Auth.js
 *      credentials callback (CSRF token fetched once per client); Better Auth POSTs JSON to
 *      /api/auth/sign-in/email, as its client library does;
 *    - (c) JSON sign-in, the same clients: Gatehouse POSTs JSON to its API, /api/v1/auth/login, which
 *      calls lib/login.ts and renders nothing (no Auth.js callback, no CSRF cookie); Better Auth
 *      POSTs the same JSON sign-in as in (a);
 *    - (b) the page path a browser takes, each attempt a new visitor: Gatehouse GETs /login, posts
 *      its form as a browser without JavaScript does (multipart, the server action's hidden fields)
 *      and follows the 303 to /account; Better Auth GETs /sign-in, POSTs the JSON its sign-in form's
 *      script sends, then fetches /dashboard's RSC payload as router.push('/dashboard') does;
 *    both while the probe keeps running.
 * 4. prints the table (and JSON) and the goals as MET/MISSED.
 *
 * CPU per sign-in outside argon2 = (server process CPU over the run − the probe's requests × their
 * CPU cost measured idle) / sign-ins − one verify's CPU cost (cores / raw verify rate). The bench
 * shares the machine's cores with the servers and Postgres, which lowers every figure a little.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import postgres from 'postgres';
import { users } from '@/db/schema';
import { hashPassword, PASSWORD_HASH_PARAMS } from '@/lib/password';
import { openBenchDatabase } from './bench-db';
import { argon2Options, measure } from './bench-hash';
import {
  Client,
  closedLoop,
  concurrency,
  cores,
  gatehouseEnv,
  printColumns,
  seconds,
  userCount,
  cpuSnapshot,
  ensureBuilt,
  ensureInstalled,
  freePort,
  gatehouseSignIn,
  PASSWORD,
  peakRssKb,
  percentile,
  probe,
  run,
  sortNumbers,
  startServer,
  stopServer,
  type Outcomes,
  type SignInOutcome,
} from './bench-http';

const databaseUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const peerDir = path.join(process.cwd(), 'bench/peers/better-auth');
const IDLE_PROBES = 300;

const email = (account: number) => `bench${account}@bench.test`;

/** How one product signs in and which signed-in URLs the probe reads. */
interface Target {
  name: string;
  dir: string;
  env: Record<string, string>;
  /** Page that reads the session server-side, then the session endpoint. */
  probePaths: [page: string, endpoint: string];
  httpSignIn(client: Client, account: number): Promise<SignInOutcome>;
  /** A sign-in through a JSON API that renders nothing. */
  jsonSignIn(client: Client, account: number): Promise<SignInOutcome>;
  pageSignIn(client: Client, account: number): Promise<SignInOutcome>;
  /** Work once per client before a loop (Gatehouse's CSRF token). */
  prepare?(client: Client): Promise<void>;
}

const statusOutcome = (status: number): SignInOutcome | undefined =>
  status === 503 ? 'busy' : status === 429 ? 'limited' : undefined;

/** The hidden fields of the page's form that has `field`, as a browser without JavaScript posts them. */
function hiddenFields(html: string, field: string): [string, string][] {
  const decode = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#x27;|&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const form = html.match(/<form\b[\s\S]*?<\/form>/g)?.find((f) => f.includes(`name="${field}"`)) ?? '';
  return [...form.matchAll(/<input\b[^>]*\btype="hidden"[^>]*>/g)].map(([tag]) => [
    decode(/\bname="([^"]*)"/.exec(tag)?.[1] ?? ''),
    decode(/\bvalue="([^"]*)"/.exec(tag)?.[1] ?? ''),
  ]);
}

function gatehouse(base: string, database: string): Target {
  return {
    name: 'Gatehouse',
    dir: process.cwd(),
    env: gatehouseEnv(base, { databaseUrl: database }),
    probePaths: ['/account', '/api/auth/session'],
    httpSignIn: (client, account) => gatehouseSignIn(client, email(account)),
    prepare: (client) => client.fetchCsrfToken(),
    async jsonSignIn(client, account) {
      const response = await client.request('/api/v1/auth/login', {
        method: 'POST',
        json: { identifier: email(account), password: PASSWORD },
        headers: { origin: base },
      });
      await response.arrayBuffer();
      if (response.status === 200) return 'ok';
      return statusOutcome(response.status) ?? (response.status === 401 ? 'refused' : 'error');
    },
    async pageSignIn(client, account) {
      const page = await client.request('/login');
      const html = await page.text();
      if (page.status !== 200) return statusOutcome(page.status) ?? 'error';
      const form = new FormData();
      for (const [name, value] of hiddenFields(html, 'password')) form.append(name, value);
      form.append('identifier', email(account));
      form.append('password', PASSWORD);
      const answer = await client.request('/login', {
        method: 'POST',
        multipart: form,
        headers: { origin: base },
      });
      await answer.arrayBuffer();
      const location = answer.headers.get('location');
      if (answer.status !== 303 || !location) return statusOutcome(answer.status) ?? 'refused';
      const landing = await client.request(new URL(location, base).pathname);
      await landing.arrayBuffer();
      return landing.status === 200 ? 'ok' : 'error';
    },
  };
}

function betterAuth(base: string, database: string): Target {
  const signIn = async (client: Client, account: number) => {
    const response = await client.request('/api/auth/sign-in/email', {
      method: 'POST',
      json: { email: email(account), password: PASSWORD },
      headers: { origin: base },
    });
    await response.arrayBuffer();
    if (response.status === 200) return 'ok';
    return statusOutcome(response.status) ?? (response.status === 401 ? 'refused' : 'error');
  };
  let rscDashboard = '/dashboard';
  return {
    name: 'Better Auth',
    dir: peerDir,
    env: {
      NODE_ENV: 'production',
      BETTER_AUTH_URL: base,
      BETTER_AUTH_SECRET: randomBytes(32).toString('base64'),
      DATABASE_URL: database,
      ARGON2_MEMORY_COST: String(PASSWORD_HASH_PARAMS.memoryCost),
      ARGON2_TIME_COST: String(PASSWORD_HASH_PARAMS.timeCost),
      ARGON2_PARALLELISM: String(PASSWORD_HASH_PARAMS.parallelism),
    },
    probePaths: ['/dashboard', '/api/auth/get-session'],
    httpSignIn: signIn,
    jsonSignIn: signIn,
    async pageSignIn(client, account) {
      const page = await client.request('/sign-in');
      await page.arrayBuffer();
      if (page.status !== 200) return statusOutcome(page.status) ?? 'error';
      const outcome = await signIn(client, account);
      if (outcome !== 'ok') return outcome;
      let landing = await client.request(rscDashboard, { headers: { rsc: '1' } });
      await landing.arrayBuffer();
      const location = landing.headers.get('location');
      if (landing.status === 307 && location?.startsWith('/dashboard?_rsc')) {
        // Next wants the cache-busting _rsc parameter its router computes from the request's
        // headers; learnt from the first answer, then sent straight away as the router does.
        rscDashboard = location;
        landing = await client.request(rscDashboard, { headers: { rsc: '1' } });
        await landing.arrayBuffer();
      }
      return landing.status === 200 ? 'ok' : 'error';
    },
  };
}

interface LoopResult {
  outcomes: Outcomes;
  perSecond: number;
  /** Server CPU per sign-in outside one argon2 verify, ms. */
  nonHashMs: number;
  eventLoopMs: number;
  postgresMs: number;
  /** Probe latencies under this load, sorted, by path. */
  underLoad: number[][];
}

interface TargetResult {
  name: string;
  idle: number[][];
  http: LoopResult;
  json: LoopResult;
  page: LoopResult;
  peakRssMiB: number;
}

async function measureTarget(target: Target, port: number, verifyMs: number): Promise<TargetResult> {
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer({ dir: target.dir, port, env: target.env });
  try {
    const pid = server.pid!;
    const prober = new Client(base, '192.0.2.250');
    if ((await target.httpSignIn(prober, userCount)) !== 'ok')
      throw new Error(`${target.name}: probe sign-in failed`);
    // Warm-up: the first requests to each route load its code.
    await probe(prober, target.probePaths, () => true, 20);
    for (let i = 0; i < 3; i += 1) {
      await target.pageSignIn(new Client(base, '192.0.2.251'), i);
      await target.httpSignIn(new Client(base, '192.0.2.252'), i);
      await target.jsonSignIn(new Client(base, '192.0.2.253'), i);
    }
    const idleCpuBefore = cpuSnapshot(pid);
    const idleRaw = await probe(prober, target.probePaths, () => true, IDLE_PROBES);
    const idleCpu = cpuSnapshot(pid);
    const probeCpuMs =
      (1000 *
        (idleCpu.eventLoop + idleCpu.serverThreads - idleCpuBefore.eventLoop - idleCpuBefore.serverThreads)) /
      (IDLE_PROBES * target.probePaths.length);

    const loop = async (
      net: number,
      signIn: (client: Client, account: number) => Promise<SignInOutcome>,
      prepare?: (client: Client) => Promise<void>,
    ): Promise<LoopResult> => {
      const clients = Array.from(
        { length: concurrency },
        (_, i) => new Client(base, `10.${net}.${i >> 8}.${i & 255}`),
      );
      if (prepare) for (const client of clients) await prepare(client);
      const { outcomes, elapsed, cpu, during } = await closedLoop(clients, signIn, {
        seconds,
        userCount,
        pid,
        during: (until) => probe(prober, target.probePaths, until),
      });
      const probes = [...during.values()].reduce((n, xs) => n + xs.length, 0);
      const perSignIn = (cpuSeconds: number) => (1000 * cpuSeconds) / Math.max(1, outcomes.ok);
      const serverMs =
        perSignIn(cpu.eventLoop + cpu.serverThreads) - (probes * probeCpuMs) / Math.max(1, outcomes.ok);
      return {
        outcomes,
        perSecond: outcomes.ok / elapsed,
        nonHashMs: serverMs - verifyMs,
        eventLoopMs: perSignIn(cpu.eventLoop),
        postgresMs: perSignIn(cpu.postgres),
        underLoad: [...during.values()].map(sortNumbers),
      };
    };
    const http = await loop(1, target.httpSignIn, target.prepare);
    const json = await loop(3, target.jsonSignIn);
    // Each attempt of the page path is a new visitor: Gatehouse's /login sends a signed-in one away.
    const page = await loop(2, (client, account) => target.pageSignIn(new Client(base, client.ip), account));
    return {
      name: target.name,
      idle: [...idleRaw.values()].map(sortNumbers),
      http,
      json,
      page,
      peakRssMiB: peakRssKb(pid) / 1024,
    };
  } finally {
    await stopServer(server);
  }
}

/** A throwaway database next to BENCH_DATABASE_URL's, for the peer; dropped by the returned function. */
async function createPeerDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `bench_peer_${process.pid}`;
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

const fixed = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

function printTable(rows: [label: string, gatehouse: number, peer: number, unit: string][]): void {
  const lines = [
    ['', 'Gatehouse', 'Better Auth', 'Gatehouse / Better Auth'],
    ...rows.map(([label, g, b, unit]) => [
      label,
      `${fixed(g)} ${unit}`,
      `${fixed(b)} ${unit}`,
      fixed(g / b, 2),
    ]),
  ];
  printColumns(lines);
}

async function main(): Promise<void> {
  const buildEnv = { NEXT_TELEMETRY_DISABLED: '1' };
  await ensureBuilt(process.cwd(), buildEnv);
  await ensureInstalled(peerDir);
  // Its auth module loads while pages are prerendered, and refuses to without a secret.
  await ensureBuilt(peerDir, {
    ...buildEnv,
    BETTER_AUTH_SECRET: randomBytes(32).toString('base64'),
    BETTER_AUTH_URL: 'http://127.0.0.1',
  });

  // The raw verify rate, with every core busy, before any server exists.
  const stored = await argon2Hash(PASSWORD, argon2Options);
  for (let i = 0; i < 3; i += 1) await argon2Verify(stored, PASSWORD);
  // One verify's CPU cost is this process's CPU time (its thread pool included) per verify, not
  // cores / rate: on a shared machine the cores are not all ours.
  const cpuBefore = process.cpuUsage();
  const raw = await measure('raw', cores, () => argon2Verify(stored, PASSWORD), Math.min(seconds, 5));
  const cpuUsed = process.cpuUsage(cpuBefore);
  const verifyMs = (cpuUsed.user + cpuUsed.system) / 1000 / raw.ops;
  console.log(
    `raw argon2id verify: ${raw.perSecond.toFixed(1)}/s with ${cores} in flight (${cores} cores), ${verifyMs.toFixed(1)} CPU ms each`,
  );
  const hashed = await hashPassword(PASSWORD);
  if (!hashed.ok) throw new Error('hashing busy while seeding');

  // Gatehouse, on its own throwaway database, seeded through its schema.
  const gatehouseDb = await openBenchDatabase(databaseUrl);
  let gatehouseResult: TargetResult;
  try {
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
      await gatehouseDb.handle.db.insert(users).values(rows.slice(i, i + 500));
    console.log(
      `Gatehouse: ${userCount} users on ${gatehouseDb.url}, ${concurrency} clients, ${seconds} s per path`,
    );
    const port = await freePort();
    gatehouseResult = await measureTarget(
      gatehouse(`http://127.0.0.1:${port}`, gatehouseDb.url!),
      port,
      verifyMs,
    );
  } finally {
    await gatehouseDb.close();
  }

  // Better Auth, on its own throwaway database, tables from its migrator, the same accounts and hash.
  const peerDb = await createPeerDatabase();
  let peerResult: TargetResult;
  try {
    const port = await freePort();
    const target = betterAuth(`http://127.0.0.1:${port}`, peerDb.url);
    await run(process.execPath, ['setup.mjs'], peerDir, {
      ...target.env,
      USERS: String(userCount),
      PASSWORD_HASH: hashed.hash,
    });
    console.log(`Better Auth: ${userCount} users on ${peerDb.url}`);
    peerResult = await measureTarget(target, port, verifyMs);
  } finally {
    await peerDb.drop();
  }

  const g = gatehouseResult;
  const b = peerResult;
  const p = (xs: number[], q: number) => percentile(xs, q);
  console.log('');
  console.log(
    `argon2id m=${PASSWORD_HASH_PARAMS.memoryCost} t=${PASSWORD_HASH_PARAMS.timeCost} p=${PASSWORD_HASH_PARAMS.parallelism}; ` +
      `raw verify ${raw.perSecond.toFixed(1)}/s on ${cores} cores; ${concurrency} clients; ${seconds} s per path; ${userCount} accounts`,
  );
  console.log(
    `outcomes HTTP: Gatehouse ${JSON.stringify(g.http.outcomes)}, Better Auth ${JSON.stringify(b.http.outcomes)}`,
  );
  console.log(
    `outcomes JSON: Gatehouse ${JSON.stringify(g.json.outcomes)}, Better Auth ${JSON.stringify(b.json.outcomes)}`,
  );
  console.log(
    `outcomes page: Gatehouse ${JSON.stringify(g.page.outcomes)}, Better Auth ${JSON.stringify(b.page.outcomes)}`,
  );
  console.log('');
  printTable([
    ['sign-ins/s, HTTP', g.http.perSecond, b.http.perSecond, '/s'],
    ['sign-ins/s, page', g.page.perSecond, b.page.perSecond, '/s'],
    ['sign-ins/s, JSON', g.json.perSecond, b.json.perSecond, '/s'],
    ['CPU per sign-in outside argon2, HTTP', g.http.nonHashMs, b.http.nonHashMs, 'ms'],
    ['CPU per sign-in outside argon2, JSON', g.json.nonHashMs, b.json.nonHashMs, 'ms'],
    ['CPU per sign-in outside argon2, page', g.page.nonHashMs, b.page.nonHashMs, 'ms'],
    ['event-loop CPU per sign-in (probe included), HTTP', g.http.eventLoopMs, b.http.eventLoopMs, 'ms'],
    ['Postgres CPU per sign-in, HTTP', g.http.postgresMs, b.http.postgresMs, 'ms'],
    ['event-loop CPU per sign-in (probe included), JSON', g.json.eventLoopMs, b.json.eventLoopMs, 'ms'],
    ['Postgres CPU per sign-in, JSON', g.json.postgresMs, b.json.postgresMs, 'ms'],
    ['signed-in page p50 idle', p(g.idle[0]!, 50), p(b.idle[0]!, 50), 'ms'],
    ['signed-in page p99 idle', p(g.idle[0]!, 99), p(b.idle[0]!, 99), 'ms'],
    [
      'signed-in page p50 under HTTP sign-ins',
      p(g.http.underLoad[0]!, 50),
      p(b.http.underLoad[0]!, 50),
      'ms',
    ],
    [
      'signed-in page p99 under HTTP sign-ins',
      p(g.http.underLoad[0]!, 99),
      p(b.http.underLoad[0]!, 99),
      'ms',
    ],
    [
      'signed-in page p99 under page sign-ins',
      p(g.page.underLoad[0]!, 99),
      p(b.page.underLoad[0]!, 99),
      'ms',
    ],
    ['session endpoint p50 idle', p(g.idle[1]!, 50), p(b.idle[1]!, 50), 'ms'],
    ['session endpoint p99 idle', p(g.idle[1]!, 99), p(b.idle[1]!, 99), 'ms'],
    [
      'session endpoint p99 under HTTP sign-ins',
      p(g.http.underLoad[1]!, 99),
      p(b.http.underLoad[1]!, 99),
      'ms',
    ],
    ['server peak RSS', g.peakRssMiB, b.peakRssMiB, 'MiB'],
  ]);
  console.log(
    '(signed-in page: Gatehouse /account, Better Auth /dashboard; session endpoint: /api/auth/session, /api/auth/get-session)',
  );

  const accountP99Load = p(g.http.underLoad[0]!, 99);
  const goals: [string, boolean][] = [
    [
      'sign-ins/s ≥ 1.2× Better Auth, HTTP path',
      g.http.perSecond > 0 && g.http.perSecond >= 1.2 * b.http.perSecond,
    ],
    [
      'sign-ins/s ≥ 1.2× Better Auth, page path',
      g.page.perSecond > 0 && g.page.perSecond >= 1.2 * b.page.perSecond,
    ],
    ['CPU per sign-in outside argon2 ≤ 4 ms, HTTP path', g.http.nonHashMs <= 4],
    ['CPU per sign-in outside argon2 ≤ 4 ms, page path', g.page.nonHashMs <= 4],
    ['sign-ins/s ≥ 0.6 × raw argon2 verify rate, HTTP path', g.http.perSecond >= 0.6 * raw.perSecond],
    [
      "/account p99 under sign-in load ≤ Better Auth's get-session p99 under the same load",
      accountP99Load <= p(b.http.underLoad[1]!, 99),
    ],
    ['/account p99 under sign-in load < 2× its idle p99', accountP99Load < 2 * p(g.idle[0]!, 99)],
  ];
  console.log('');
  for (const [goal, met] of goals) console.log(`${met ? 'MET   ' : 'MISSED'}  ${goal}`);
  console.log('(the 10× overload goal is measured by npm run bench:login)');

  const round = (x: number) => Math.round(x * 10) / 10;
  const summary = (r: TargetResult) => ({
    http_per_s: round(r.http.perSecond),
    page_per_s: round(r.page.perSecond),
    http_non_hash_cpu_ms: round(r.http.nonHashMs),
    json_per_s: round(r.json.perSecond),
    json_non_hash_cpu_ms: round(r.json.nonHashMs),
    page_non_hash_cpu_ms: round(r.page.nonHashMs),
    page_p99_idle_ms: round(p(r.idle[0]!, 99)),
    page_p99_load_ms: round(p(r.http.underLoad[0]!, 99)),
    session_p99_idle_ms: round(p(r.idle[1]!, 99)),
    session_p99_load_ms: round(p(r.http.underLoad[1]!, 99)),
    peak_rss_mib: Math.round(r.peakRssMiB),
  });
  console.log(
    JSON.stringify({
      raw_verify_per_s: round(raw.perSecond),
      gatehouse: summary(g),
      better_auth: summary(b),
      goals_met: goals.filter(([, met]) => met).length,
      goals: goals.length,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
