import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { PASSWORD, startOnOwnPostgres, type OwnPostgresServer } from '../helpers/own-postgres';
import { enrolAuthenticator, freshCode } from '../helpers/totp';

/**
 * Issue 14: between the right password and the second factor the browser holds no session, only a
 * pending sign-in's random id; that id works once, expires, and is worth nothing copied into another
 * browser afterwards. On a server of its own, so the spec can read and age the rows.
 */
test.describe.configure({ mode: 'serial', timeout: 120_000 });

let app: OwnPostgresServer;
let userId: string;
let secret = '';
let lastStep = 0;
const EMAIL = 'pending-owner@example.test';

const isSessionCookie = (name: string) => /authjs\.session-token/.test(name);
const isPendingCookie = (name: string) => /gatehouse-pending-sign-in/.test(name);

async function passwordStep(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: app.server.url });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email or username').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/login\/two-factor$/);
  return { context, page };
}

async function enterFreshCode(page: Page) {
  const fresh = await freshCode(secret, lastStep);
  lastStep = fresh.step;
  await page.getByLabel('Code from the app').fill(fresh.code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Another browser, holding only a copy of the pending sign-in cookie. */
async function browserWithCopiedCookie(browser: Browser, from: BrowserContext) {
  const pending = (await from.cookies()).filter((c) => isPendingCookie(c.name));
  expect(pending).toHaveLength(1);
  const context = await browser.newContext({ baseURL: app.server.url });
  await context.addCookies(pending);
  return context;
}

const sessionCount = async () => {
  const [row] = await app.sql<
    { n: number }[]
  >`select count(*)::int as n from sessions where user_id = ${userId}`;
  return row!.n;
};

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  app = await startOnOwnPostgres('two_factor');
  userId = await app.createUser('pending-owner');
  const context = await browser.newContext({ baseURL: app.server.url });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email or username').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account$/);
  const enrolled = await enrolAuthenticator(page, PASSWORD);
  secret = enrolled.secret;
  lastStep = enrolled.step;
  await context.close();
});

test.afterAll(async () => {
  await app?.stop();
});

test('S44/S57: after the right password no session cookie and no session row exist, only an HttpOnly pending id', async ({
  browser,
}) => {
  const before = await sessionCount();
  const { context, page } = await passwordStep(browser);
  const cookies = await context.cookies();
  expect(cookies.filter((c) => isSessionCookie(c.name))).toEqual([]);
  const [pending] = cookies.filter((c) => isPendingCookie(c.name));
  expect(pending).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  // Short-lived in the browser as on the server: five minutes.
  expect(pending!.expires * 1000).toBeLessThanOrEqual(Date.now() + 5 * 60_000 + 5_000);
  expect(await sessionCount()).toBe(before);
  // The account area treats the browser as signed out, and so does Auth.js's own endpoint.
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
  const session = await page.request.get('/api/auth/session');
  expect(await session.json()).toBeNull();
  await context.close();
});

test('S51: a pending sign-in works once: its cookie copied to another browser after use gives nothing', async ({
  browser,
}) => {
  const { context, page } = await passwordStep(browser);
  const before = await sessionCount();
  await enterFreshCode(page);
  await expect(page).toHaveURL(/\/account$/);
  expect(await sessionCount()).toBe(before + 1);
  // The first browser's pending cookie is gone; a copy taken before is dead.
  expect((await context.cookies()).filter((c) => isPendingCookie(c.name))).toEqual([]);
  const [used] = await app.sql<{ used_at: Date | null }[]>`
    select used_at from pending_sign_ins where user_id = ${userId} order by created_at desc limit 1`;
  expect(used!.used_at).not.toBeNull();
  await context.close();
});

test('S51: a pending sign-in copied to another browser and used there after it expired gives nothing', async ({
  browser,
}) => {
  const { context, page } = await passwordStep(browser);
  const copy = await browserWithCopiedCookie(browser, context);
  // Five minutes pass.
  await app.sql`update pending_sign_ins set expires_at = now() - interval '1 second'
    where user_id = ${userId} and used_at is null`;
  const before = await sessionCount();

  const other = await copy.newPage();
  await other.goto('/login/two-factor');
  await expect(other.getByText('This sign-in has expired. Sign in again with your password.')).toBeVisible();
  await expect(other.getByLabel('Code from the app')).toHaveCount(0);

  // The browser that typed the password cannot finish either, not even with a right code.
  await enterFreshCode(page);
  // The answer, or with JavaScript the page it refreshes to once the dead cookie is cleared.
  await expect(page.getByText(/This sign-in has expired/).first()).toBeVisible();
  expect(await sessionCount()).toBe(before);
  expect((await copy.cookies()).filter((c) => isSessionCookie(c.name))).toEqual([]);
  await copy.close();
  await context.close();
});

test('S51: a pending sign-in copied to another browser after it was used there is refused', async ({
  browser,
}) => {
  const { context, page } = await passwordStep(browser);
  const copy = await browserWithCopiedCookie(browser, context);
  await enterFreshCode(page);
  await expect(page).toHaveURL(/\/account$/);
  const before = await sessionCount();

  const other = await copy.newPage();
  await other.goto('/login/two-factor');
  await expect(other.getByText('This sign-in has expired. Sign in again with your password.')).toBeVisible();
  await other.goto('/account');
  await expect(other).toHaveURL(/\/login/);
  expect(await sessionCount()).toBe(before);
  await copy.close();
  await context.close();
});
