/**
 * Page weight of the auth pages against a bare App Router page, and their Lighthouse scores (issue 15).
 *
 *   npm run bench:pages
 *
 * What it does, in one run (docs/decisions/034-benchmarking-against-better-auth.md says why):
 * 1. installs and builds what is missing: Gatehouse, bench/peers/bare/ (one heading and one link,
 *    its own install of the same next, react and react-dom versions) and Lighthouse in
 *    bench/lighthouse/ (`npm ci` into each folder);
 * 2. starts both with `next start` (Gatehouse on a temporary PGlite with one admin account, signed
 *    in over HTTP for /account and /admin/users) and, for each page, fetches its HTML and sums the
 *    gzip size (zlib, level 6) of every script the HTML loads by src, noModule polyfills left out: the
 *    JS a first visit downloads.
 *    Inline scripts (the RSC payload) are counted apart: they are data, not code;
 * 3. runs Lighthouse 12 (default mobile settings, simulated throttling) with Debian's Chromium,
 *    headless, on /login, /register and the bare page, nothing fetched from the network;
 * 4. prints the table and the goals as MET/MISSED.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { openDatabase } from '@/db/client';
import { users } from '@/db/schema';
import { hashPassword } from '@/lib/password';
import {
  Client,
  ensureBuilt,
  ensureInstalled,
  freePort,
  gatehouseEnv,
  gatehouseSignIn,
  printColumns,
  PASSWORD,
  run,
  startServer,
  stopServer,
} from './bench-http';

const bareDir = path.join(process.cwd(), 'bench/peers/bare');
const lighthouseDir = path.join(process.cwd(), 'bench/lighthouse');
const chromium = process.env.CHROME_PATH || '/usr/bin/chromium';
const ADMIN = 'bench-admin@bench.test';

interface PageWeight {
  scripts: number;
  gzipBytes: number;
  inlineGzipBytes: number;
}

/** The scripts a page's HTML loads, fetched and gzip-compressed one by one. */
async function weigh(client: Client, pathname: string): Promise<PageWeight> {
  const response = await client.request(pathname);
  const html = await response.text();
  if (response.status !== 200) throw new Error(`${pathname} answered ${response.status}`);
  // noModule scripts (polyfills) are for browsers without modules: a current one never downloads them.
  const sources = new Set(
    [...html.matchAll(/<script\b[^>]*>/g)]
      .filter(([tag]) => !/\bnomodule\b/i.test(tag))
      .map(([tag]) => /\bsrc="([^"]+)"/.exec(tag)?.[1])
      .filter((src): src is string => src !== undefined),
  );
  let gzipBytes = 0;
  for (const src of sources) {
    const script = await client.request(new URL(src.replace(/&amp;/g, '&'), client.base).pathname);
    if (script.status !== 200) throw new Error(`${src} answered ${script.status}`);
    gzipBytes += gzipSync(Buffer.from(await script.arrayBuffer())).length;
  }
  const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
    .map(([, body]) => body!)
    .join('');
  return { scripts: sources.size, gzipBytes, inlineGzipBytes: gzipSync(inline).length };
}

interface Scores {
  performance: number;
  accessibility: number;
}

/** BENCH_PAGES_REPORTS=<dir> keeps each Lighthouse report there (login.json, …) to read its audits. */
const reportsDir = process.env.BENCH_PAGES_REPORTS;

async function lighthouse(url: string, label: string): Promise<Scores> {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'gatehouse-lighthouse-')), 'report.json');
  try {
    await run(
      process.execPath,
      [
        path.join(lighthouseDir, 'node_modules/lighthouse/cli/index.js'),
        url,
        '--quiet',
        '--output=json',
        `--output-path=${out}`,
        '--only-categories=performance,accessibility',
        '--chrome-flags=--headless=new --no-sandbox',
      ],
      lighthouseDir,
      { CHROME_PATH: chromium },
    );
    if (reportsDir) {
      mkdirSync(reportsDir, { recursive: true });
      copyFileSync(
        out,
        path.join(reportsDir, `${label.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}.json`),
      );
    }
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      categories: Record<keyof Scores, { score: number | null }>;
    };
    const score = (key: keyof Scores) => Math.round(100 * (report.categories[key].score ?? NaN));
    return { performance: score('performance'), accessibility: score('accessibility') };
  } finally {
    rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

async function seedAdmin(dataDir: string): Promise<void> {
  const handle = await openDatabase({ databaseUrl: undefined, dataDir, migrate: true });
  const hashed = await hashPassword(PASSWORD);
  if (!hashed.ok) throw new Error('hashing busy while seeding');
  const now = new Date();
  await handle.db.insert(users).values({
    email: ADMIN,
    username: 'benchadmin',
    fullName: 'Bench Admin',
    passwordHash: hashed.hash,
    role: 'admin',
    emailVerifiedAt: now,
    approvedAt: now,
  });
  await handle.close();
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  const buildEnv = { NEXT_TELEMETRY_DISABLED: '1' };
  await ensureBuilt(process.cwd(), buildEnv);
  await ensureInstalled(bareDir);
  await ensureBuilt(bareDir, buildEnv);
  await ensureInstalled(lighthouseDir);

  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-pages-'));
  const barePort = await freePort();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const bareBase = `http://127.0.0.1:${barePort}`;
  let bare: Awaited<ReturnType<typeof startServer>> | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    await seedAdmin(dataDir);
    bare = await startServer({
      dir: bareDir,
      port: barePort,
      env: { NODE_ENV: 'production' },
      healthPath: '/',
    });
    server = await startServer({
      port,
      env: gatehouseEnv(base, { dataDir }),
    });

    const bareWeight = await weigh(new Client(bareBase, '192.0.2.1'), '/');
    const visitor = new Client(base, '192.0.2.2');
    const admin = new Client(base, '192.0.2.3');
    if ((await gatehouseSignIn(admin, ADMIN)) !== 'ok') throw new Error('admin sign-in failed');
    const weights: [string, PageWeight][] = [
      ['/login', await weigh(visitor, '/login')],
      ['/register', await weigh(visitor, '/register')],
      ['/account', await weigh(admin, '/account')],
      ['/admin/users', await weigh(admin, '/admin/users')],
    ];

    const scores: [string, Scores][] = [];
    for (const [label, url] of [
      ['/login', `${base}/login`],
      ['/register', `${base}/register`],
      ['bare page', `${bareBase}/`],
    ] as const) {
      scores.push([label, await lighthouse(url, label)]);
    }

    console.log('');
    console.log(`JS a first visit downloads (scripts by src, gzip level 6), against the bare page:`);
    const lines = [
      ['page', 'scripts', 'gzip JS', '× bare', 'inline RSC payload (gzip)'],
      [
        'bare page',
        String(bareWeight.scripts),
        kib(bareWeight.gzipBytes),
        '1.00',
        kib(bareWeight.inlineGzipBytes),
      ],
      ...weights.map(([page, w]) => [
        page,
        String(w.scripts),
        kib(w.gzipBytes),
        (w.gzipBytes / bareWeight.gzipBytes).toFixed(2),
        kib(w.inlineGzipBytes),
      ]),
    ];
    printColumns(lines);
    console.log('');
    console.log('Lighthouse 12 (mobile, simulated throttling), Chromium headless:');
    for (const [page, s] of scores) {
      console.log(`  ${page.padEnd(10)} performance ${s.performance}, accessibility ${s.accessibility}`);
    }

    const authPages = weights.filter(([page]) => page === '/login' || page === '/register');
    const goals: [string, boolean][] = [
      ...weights.map(
        ([page, w]) =>
          [`${page} ships ≤ 1.1× the bare page's JS`, w.gzipBytes <= 1.1 * bareWeight.gzipBytes] as [
            string,
            boolean,
          ],
      ),
      ...authPages.flatMap(([page]) => {
        const s = scores.find(([label]) => label === page)![1];
        return [
          [`${page} Lighthouse performance ≥ 95`, s.performance >= 95],
          [`${page} Lighthouse accessibility = 100`, s.accessibility === 100],
        ] as [string, boolean][];
      }),
    ];
    console.log('');
    for (const [goal, met] of goals) console.log(`${met ? 'MET   ' : 'MISSED'}  ${goal}`);
    console.log(
      JSON.stringify({
        bare_gzip_js: bareWeight.gzipBytes,
        pages: Object.fromEntries(weights.map(([page, w]) => [page, w.gzipBytes])),
        lighthouse: Object.fromEntries(scores),
      }),
    );
  } finally {
    await stopServer(server);
    await stopServer(bare);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
