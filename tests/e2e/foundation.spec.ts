import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

test('the home page renders with its landmarks and a skip link', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account, in one safe place');
  await expect(page.getByRole('main')).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
});

test('the theme is chosen on the server: the first HTML already carries it', async ({ page, request }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'system');
  await page.getByRole('button', { name: 'Dark' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByRole('button', { name: 'Dark' })).toHaveAttribute('aria-pressed', 'true');

  // A fresh request with the cookie gets dark HTML before any script could run: no flash.
  const cookies = await page.context().cookies();
  const theme = cookies.find((c) => c.name === 'gatehouse-theme');
  expect(theme?.value).toBe('dark');
  expect(theme?.httpOnly).toBe(true);
  const html = await (
    await request.get('/', { headers: { cookie: `gatehouse-theme=${theme?.value}` } })
  ).text();
  expect(html).toMatch(/<html[^>]*data-theme="dark"/);

  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe('rgb(15, 17, 21)');
});

test.describe('with JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  test('the theme switcher still works as a plain form', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Light' }).click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  });
});

test('an unknown page answers 404 with a way back', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Go to the start page' })).toBeVisible();
});

test('the health check reports the database', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.status()).toBe(200);
  expect(response.headers()['cache-control']).toBe('no-store');
  expect(await response.json()).toMatchObject({ status: 'ok' });
});

test('a production start with a malformed DATABASE_URL stops with a readable message', () => {
  const run = spawnSync('npx', ['next', 'start', '-p', '0'], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      APP_URL: 'http://localhost:1',
      AUTH_SECRET: 'x'.repeat(40),
      DATABASE_URL: 'mysql://root@localhost/app',
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status).not.toBe(0);
  expect(run.stderr + run.stdout).toMatch(/DATABASE_URL must be a URL like postgres:\/\//);
});

test('the outbox cron route needs CRON_SECRET as a Bearer token, and delivers due mail', async ({
  request,
}) => {
  const anonymous = await request.get('/api/cron/outbox');
  expect(anonymous.status()).toBe(401);
  const wrong = await request.get('/api/cron/outbox', {
    headers: { authorization: 'Bearer not-the-secret-at-all' },
  });
  expect(wrong.status()).toBe(401);
  const right = await request.get('/api/cron/outbox', {
    headers: { authorization: 'Bearer e2e-cron-secret-e2e-cron' },
  });
  expect(right.status()).toBe(200);
  expect(right.headers()['cache-control']).toBe('no-store');
  expect(await right.json()).toMatchObject({ ok: true, failed: 0 });
});

test('S27: pages carry a CSP with a fresh nonce, no framing, nosniff and a referrer policy', async ({
  page,
  request,
}) => {
  const first = await request.get('/login');
  const second = await request.get('/login');
  const csp = first.headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain("'unsafe-inline' 'unsafe-eval'");
  expect(second.headers()['content-security-policy']).not.toBe(csp);
  expect(first.headers()['x-content-type-options']).toBe('nosniff');
  expect(first.headers()['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(first.headers()['x-frame-options']).toBe('DENY');
  expect(first.headers()['permissions-policy']).toContain('camera=()');
  // HSTS only where the app is served over https; this run is plain http.
  expect(first.headers()['strict-transport-security']).toBeUndefined();

  // The nonce reaches Next's own scripts: the page runs (the strength hint is client code).
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
      errors.push(message.text());
  });
  await page.goto('/register');
  await page.getByLabel('Password', { exact: true }).fill('password');
  await expect(page.getByText('Strength: very weak')).toBeVisible();
  expect(errors).toEqual([]);
});
