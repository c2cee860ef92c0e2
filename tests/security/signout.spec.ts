import { expect, test } from '@playwright/test';
import {
  accountOwner,
  HttpClient,
  startOnOwnPostgres,
  type OwnPostgresServer,
} from '../helpers/own-postgres';

/**
 * S58: every sign-out path ends the session row, Auth.js's own POST /api/auth/signout included, so a
 * copy of the cookie taken before is dead afterwards; GET /api/auth/signout changes nothing (S43).
 */
test.describe.configure({ mode: 'serial' });

let app: OwnPostgresServer;
let userId: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  app = await startOnOwnPostgres('signout');
  userId = await app.createUser('signout-user');
});

test.afterAll(async () => {
  await app?.stop();
});

async function sessionRows() {
  return app.sql<{ id: string; revoked_at: Date | null }[]>`
    select id, revoked_at from sessions where user_id = ${userId} order by created_at`;
}

async function logoutEvents(): Promise<number> {
  const [row] = await app.sql<{ n: number }[]>`
    select count(*)::int as n from audit_events where user_id = ${userId} and action = 'logout'`;
  return row!.n;
}

test("S58: signing out through Auth.js's POST /api/auth/signout revokes the row; a copied cookie is dead", async () => {
  const owner = new HttpClient(app.server.url);
  expect((await owner.signIn('signout-user')).status).toBe(302);
  const stolen = owner.copy();
  expect(await accountOwner(stolen, 'signout-user')).toBe('owner');
  const [before] = (await sessionRows()).filter((r) => r.revoked_at === null);
  const events = await logoutEvents();

  const csrfToken = await owner.csrfToken();
  const response = await owner.fetch('/api/auth/signout', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrfToken, callbackUrl: '/login' }).toString(),
  });
  expect(response.status).toBe(302);

  const [after] = await app.sql<{ revoked_at: Date | null }[]>`
    select revoked_at from sessions where id = ${before!.id}`;
  expect(after!.revoked_at).not.toBeNull();
  expect(await accountOwner(stolen, 'signout-user')).toBe('signed-out');
  expect(await accountOwner(owner, 'signout-user')).toBe('signed-out');
  // One audit row per sign-out (S55), with where it came from.
  expect(await logoutEvents()).toBe(events + 1);
});

test('S58: GET /api/auth/signout changes nothing', async () => {
  const owner = new HttpClient(app.server.url);
  expect((await owner.signIn('signout-user')).status).toBe(302);
  const live = (await sessionRows()).filter((r) => r.revoked_at === null).map((r) => r.id);
  const events = await logoutEvents();

  const response = await owner.fetch('/api/auth/signout');
  expect(response.status).toBeLessThan(500);

  expect((await sessionRows()).filter((r) => r.revoked_at === null).map((r) => r.id)).toEqual(live);
  expect(await accountOwner(owner, 'signout-user')).toBe('owner');
  expect(await logoutEvents()).toBe(events);
});

test('S58: the /logout button ends the row through the same path; a copied cookie is dead', async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: app.server.url });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email or username').fill('signout-user');
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account$/);
  const stolen = new HttpClient(app.server.url);
  for (const cookie of await context.cookies()) stolen.cookies.set(cookie.name, cookie.value);
  expect(await accountOwner(stolen, 'signout-user')).toBe('owner');
  const events = await logoutEvents();

  await page.goto('/logout');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?signedOut=1$/);

  expect(await accountOwner(stolen, 'signout-user')).toBe('signed-out');
  expect(await logoutEvents()).toBe(events + 1);
  await context.close();
});
