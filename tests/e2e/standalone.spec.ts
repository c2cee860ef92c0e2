import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import {
  errorLines,
  freePort,
  repoRoot,
  serverEnv,
  startOwnServer,
  type OwnServer,
} from '../helpers/own-server';
import { startSmtpCatcher, type SmtpCatcher } from '../helpers/smtp-catcher';
import { expect, registerAndConfirm, signInOk, test } from './fixtures';

/**
 * The container's server, outside a container (decision 028): the standalone output laid out as the
 * Dockerfile lays it out (the server, .next/static beside it, the migrations and the compiled
 * migration script), copied away from the repository so that nothing resolves from its node_modules.
 * A fresh Postgres database is migrated with the image's own script, then `node server.js` must be
 * ready and carry a person from sign-up to sign-in. Needs `npm run build` and Postgres
 * (E2E_POSTGRES_URL, CI_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test); in CI a missing one
 * fails rather than skips.
 */
test.describe.configure({ mode: 'serial' });

const adminUrl =
  process.env.E2E_POSTGRES_URL ?? process.env.CI_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const databaseName = `gatehouse_standalone_${process.pid}_${randomBytes(4).toString('hex')}`;
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${databaseName}` }).toString();
const standalone = path.join(repoRoot, '.next/standalone');
const image = path.join(os.tmpdir(), `gatehouse-image-${process.pid}`);

const person = { username: 'boxed-ada', email: 'boxed-ada@gatehouse.test', fullName: 'Ada In A Box' };
let server: OwnServer | undefined;
let catcher: SmtpCatcher | undefined;
let skipBecause = '';

/** The runtime stage of the Dockerfile: `COPY .next/standalone ./` then `COPY .next/static ./.next/static`. */
function layOutImage() {
  fs.rmSync(image, { recursive: true, force: true });
  fs.cpSync(standalone, image, { recursive: true, verbatimSymlinks: true });
  fs.cpSync(path.join(repoRoot, '.next/static'), path.join(image, '.next/static'), { recursive: true });
}

test.beforeAll(async () => {
  test.setTimeout(240_000);
  if (!fs.existsSync(path.join(standalone, 'scripts/db-migrate.mjs'))) {
    skipBecause = 'no .next/standalone with scripts/db-migrate.mjs: run `npm run build` first';
  } else {
    const probe = postgres(adminUrl, { max: 1, connect_timeout: 3, onnotice: () => undefined });
    try {
      await probe.unsafe(`create database "${databaseName}"`);
    } catch (error) {
      skipBecause = `no Postgres database could be made at ${adminUrl} (${String(error)})`;
    } finally {
      await probe.end();
    }
  }
  if (skipBecause) {
    if (process.env.CI) throw new Error(`standalone.spec.ts: ${skipBecause}`);
    return;
  }
  layOutImage();
  const port = freePort();
  catcher = await startSmtpCatcher({ port: 0 });
  const env = serverEnv(port, {
    DATABASE_URL: databaseUrl,
    SMTP_PORT: String(catcher.port),
    PORT: String(port),
    HOSTNAME: '127.0.0.1',
    // Nowhere to write in the image but /data; the app must not need it when DATABASE_URL is set.
    DATA_DIR: path.join(image, 'no-embedded-database'),
  });
  // compose.yaml's `migrate` service: the image's own compiled script, no tsx, no drizzle-kit.
  const migrated = execFileSync(process.execPath, ['scripts/db-migrate.mjs'], {
    cwd: image,
    env,
    encoding: 'utf8',
  });
  expect(migrated).toContain(`Migrations applied to the Postgres at`);
  // No approval step: the journey is sign-up, mail, confirmation, sign-in.
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    await sql`insert into settings (key, value) values ('signup_mode', '"open"'::jsonb)`;
  } finally {
    await sql.end();
  }
  server = await startOwnServer(port, env, { name: 'node server.js', args: ['server.js'], cwd: image });
});

test.afterAll(async () => {
  await server?.stop();
  await catcher?.stop();
  fs.rmSync(image, { recursive: true, force: true });
  if (skipBecause) return;
  const cleanup = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await cleanup.unsafe(`drop database if exists "${databaseName}" with (force)`);
  } finally {
    await cleanup.end();
  }
});

test.beforeEach(() => {
  test.skip(Boolean(skipBecause), skipBecause);
});

test('the standalone server is ready on a freshly migrated Postgres database', async ({ request }) => {
  const ready = await request.get(`${server!.url}/api/health?ready=1`);
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready' });
  // Its pages come with their scripts and styles: .next/static is where the image puts it.
  const home = await request.get(`${server!.url}/`);
  const asset = /\/_next\/static\/[^"']+\.(?:css|js)/.exec(await home.text())?.[0];
  expect(asset).toBeTruthy();
  expect((await request.get(`${server!.url}${asset}`)).status()).toBe(200);
});

test('the standalone server carries a person from sign-up to sign-in', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server!.url });
  const page = await context.newPage();
  await registerAndConfirm(page, catcher!, person);
  await signInOk(page, person.username);
  await expect(page.getByText(person.email, { exact: true })).toBeVisible();
  await context.close();
  expect(errorLines(server!.log())).toEqual([]);
});
