import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import postgres from 'postgres';
import { expect, registerAndConfirm, signInOk, test } from '../e2e/fixtures';
import {
  errorLines,
  freePort,
  repoRoot,
  serverEnv,
  startOwnServer,
  type OwnServer,
} from '../helpers/own-server';
import { startSmtpCatcher, type SmtpCatcher } from '../helpers/smtp-catcher';

/**
 * Two `next start` instances on one real Postgres database, as in production behind a load balancer:
 * nothing that protects an account may live in one process's memory. Sessions, rate limits and the
 * outbox are each exercised across both instances. Needs Postgres (E2E_POSTGRES_URL, CI_POSTGRES_URL
 * or postgres://postgres@127.0.0.1:5432/test): without one the spec is skipped locally, saying why,
 * and fails in CI (CI set), where a skip would drop S14 and S51 across instances without a word.
 */
test.describe.configure({ mode: 'serial' });

const adminUrl =
  process.env.E2E_POSTGRES_URL ?? process.env.CI_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const databaseName = `gatehouse_two_${process.pid}_${randomBytes(4).toString('hex')}`;
const databaseUrl = (() => {
  const url = new URL(adminUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
})();

const person = { username: 'two-sites', email: 'two-sites@gatehouse.test', fullName: 'Two Sites' };
const portA = freePort();
const portB = freePort();
let a: OwnServer | undefined;
let b: OwnServer | undefined;
let catcher: SmtpCatcher;
let reachable = false;
let unreachableBecause = '';

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const probe = postgres(adminUrl, { max: 1, connect_timeout: 3, onnotice: () => undefined });
  try {
    await probe.unsafe(`create database "${databaseName}"`);
    reachable = true;
  } catch (error) {
    unreachableBecause = `no Postgres database could be made at ${adminUrl} (${String(error)}): the two-instance test needs one`;
  } finally {
    await probe.end();
  }
  if (!reachable) {
    if (process.env.CI) throw new Error(unreachableBecause);
    console.log(`two-instances.spec.ts skipped: ${unreachableBecause}`);
    return;
  }
  execFileSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'scripts/db-migrate.ts'],
    {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: 'pipe',
    },
  );
  catcher = await startSmtpCatcher({ port: 0 });
  const env = (port: number) =>
    serverEnv(port, {
      DATABASE_URL: databaseUrl,
      SMTP_PORT: String(catcher.port),
      ADMIN_EMAILS: person.email,
    });
  [a, b] = await Promise.all([startOwnServer(portA, env(portA)), startOwnServer(portB, env(portB))]);
});

test.afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await catcher?.stop();
  if (!reachable) return;
  const cleanup = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await cleanup.unsafe(`drop database if exists "${databaseName}" with (force)`);
  } finally {
    await cleanup.end();
  }
});

test.beforeEach(() => {
  test.skip(!reachable, unreachableBecause);
});

test('S51: a session revoked on instance A is dead on instance B at once', async ({ browser }) => {
  // Cookies are per host, not per port: one browser context is signed in on both instances alike.
  const laptop = await browser.newContext({ baseURL: a!.url });
  const laptopPage = await laptop.newPage();
  await registerAndConfirm(laptopPage, catcher, person);
  await signInOk(laptopPage, person.username);
  const phone = await browser.newContext({ baseURL: a!.url });
  const phonePage = await phone.newPage();
  await signInOk(phonePage, person.username);

  // The laptop's session works on B.
  await laptopPage.goto(`${b!.url}/account`);
  await expect(laptopPage).toHaveURL(`${b!.url}/account`);

  // The phone, on A, signs out every other device.
  await phonePage.goto(`${a!.url}/account/sessions`);
  await phonePage.getByRole('button', { name: 'Sign out all other devices' }).click();
  await expect(phonePage.getByText('No other device is signed in to your account.')).toBeVisible();

  // B refuses the laptop's cookie at once: no cache, no lag.
  await laptopPage.goto(`${b!.url}/account`);
  await expect(laptopPage).toHaveURL(/\/login\?next=%2Faccount$/);
  expect(new URL(laptopPage.url()).port).toBe(String(portB));
  // The phone's own session lives on, on both.
  await phonePage.goto(`${b!.url}/account`);
  await expect(phonePage).toHaveURL(`${b!.url}/account`);
  await Promise.all([laptop.close(), phone.close()]);
});

test('S14: a rate limit counts requests to both instances together', async ({ browser }) => {
  // One client (one address), five reset requests for one address split across A and B: the limit
  // is five an hour, so the sixth is refused wherever it lands, as on a single instance.
  const context = await browser.newContext();
  const page = await context.newPage();
  const ask = async (server: OwnServer) => {
    await page.goto(`${server.url}/forgot-password`);
    await page.getByLabel('Email address').fill('split-limit@example.test');
    await page.getByRole('button', { name: 'Send me a link' }).click();
  };
  for (const server of [a!, b!, a!, b!, a!]) {
    await ask(server);
    await expect(page.getByText('If that address belongs to an account')).toBeVisible();
  }
  await ask(b!);
  await expect(page.getByText(/Too many requests\. Try again in \d+ minutes?\./)).toBeVisible();
  await ask(a!);
  await expect(page.getByText(/Too many requests\. Try again in \d+ minutes?\./)).toBeVisible();
  await context.close();
});

test('outbox: both instances draining the outbox at once deliver every mail exactly once', async () => {
  test.setTimeout(120_000);
  const total = 60;
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    // Queued as a flow queues them (one row each), delivered only by the two drains below.
    await sql`
      insert into email_outbox ("to", template, locale, subject, html, text)
      select 'bulk-' || n || '@example.test', 'test', 'en', 'Bulk ' || n, '<p>Bulk ' || n || '</p>', 'Bulk ' || n
      from generate_series(1, ${total}) as n`;
    const drain = (server: OwnServer) =>
      fetch(`${server.url}/api/cron/outbox`, {
        headers: { Authorization: 'Bearer own-server-cron-secret-0123' },
      }).then((r) => {
        expect(r.status).toBe(200);
      });
    for (let round = 0; round < 10; round += 1) {
      await Promise.all([drain(a!), drain(b!), drain(a!), drain(b!)]);
      const [row] = await sql<{ left: number }[]>`
        select count(*)::int as left from email_outbox where subject like 'Bulk %' and status <> 'sent'`;
      if (row?.left === 0) break;
    }
    const [done] = await sql<{ sent: number }[]>`
      select count(*)::int as sent from email_outbox where subject like 'Bulk %' and status = 'sent'`;
    expect(done?.sent).toBe(total);
  } finally {
    await sql.end();
  }
  const bulk = catcher.messages.filter((m) => m.subject.startsWith('Bulk '));
  const subjects = bulk.map((m) => m.subject);
  expect(new Set(subjects).size, 'every mail arrived').toBe(total);
  expect(subjects.length, 'no mail arrived twice').toBe(total);
  expect(errorLines(a!.log()), 'errors in the log of instance A').toEqual([]);
  expect(errorLines(b!.log()), 'errors in the log of instance B').toEqual([]);
});
