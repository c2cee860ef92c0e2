import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';

/**
 * E2E runs against a production build (`next build` first; `npm run test:e2e` does not build).
 * Ports are picked once in the runner and passed to workers through the environment.
 */
function freePort(): string {
  return execFileSync(
    process.execPath,
    [
      '-e',
      "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
    ],
    { encoding: 'utf8' },
  ).trim();
}

process.env.E2E_PORT ??= freePort();
process.env.E2E_SMTP_PORT ??= freePort();
process.env.E2E_DATA_DIR ??= path.join(os.tmpdir(), `gatehouse-e2e-${process.pid}`);

const port = process.env.E2E_PORT;
export const baseURL = `http://localhost:${port}`;

/**
 * Which database the app under test runs on: PGlite in DATA_DIR, or E2E_DATABASE_URL (CI makes a fresh
 * one per run). Named in the JSON report the security gate reads (scripts/security-coverage.ts) and in
 * the output folder, so the second run of CI neither overwrites nor wipes the first's.
 */
const database = process.env.E2E_DATABASE_URL ? 'postgres' : 'pglite';
const results = fileURLToPath(new URL('../test-results/', import.meta.url));

export default defineConfig({
  // The browser suites: e2e/ (journeys) and security/ (the security contract, fuzzing, two instances).
  testDir: '.',
  testMatch: ['e2e/**/*.spec.ts', 'security/**/*.spec.ts'],
  // Playwright empties this folder when it starts: the reports of the other runs live beside it.
  outputDir: path.join(results, `e2e-${database}`),
  // A forgotten test.only would run a fraction of the suite and still pass: refused in CI.
  forbidOnly: !!process.env.CI,
  fullyParallel: false,
  // One worker: the SMTP catcher lives in the worker, and this machine has two cores for the server and the browser.
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [
    ['list'],
    ['json', { outputFile: path.join(results, `playwright-${database}.json`) }],
    ...(process.env.CI ? [] : [['html', { open: 'never', outputFolder: '../playwright-report' }] as const]),
  ],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `npx next start -p ${port}`,
    cwd: '..',
    // Ready, not merely alive: the database is open and migrated before the first test.
    url: `${baseURL}/api/health?ready=1`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      NODE_ENV: 'production',
      APP_URL: baseURL,
      AUTH_SECRET: 'e2e-secret-e2e-secret-e2e-secret-e2e-secret',
      CRON_SECRET: 'e2e-cron-secret-e2e-cron',
      DATA_DIR: process.env.E2E_DATA_DIR,
      ...(process.env.E2E_DATABASE_URL ? { DATABASE_URL: process.env.E2E_DATABASE_URL } : {}),
      MAIL_TRANSPORT: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: process.env.E2E_SMTP_PORT,
      SMTP_ENCRYPTION: 'none',
      MAIL_FROM_ADDRESS: 'accounts@gatehouse.test',
      MAIL_FROM_NAME: 'Gatehouse',
      ADMIN_EMAILS:
        'admin@gatehouse.test,recovery-admin@gatehouse.test,console-admin@gatehouse.test,a11y-admin@gatehouse.test,tokens-admin@gatehouse.test,totp-admin@gatehouse.test',
      // Each browser context plays its own client through X-Forwarded-For (e2e/fixtures.ts), as if one
      // proxy in front appended it; without this the app ignores the header (docs/decisions/011).
      TRUSTED_PROXY_HEADER: 'x-forwarded-for',
      TRUSTED_PROXY_HOPS: '1',
      // A short hashing queue, so that hardening.spec.ts can fill it with one burst and see 503s; the
      // suite itself signs in one person at a time.
      PASSWORD_HASH_QUEUE: '8',
    },
  },
});
