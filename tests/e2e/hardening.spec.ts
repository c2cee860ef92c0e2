import type { APIRequestContext } from '@playwright/test';
import { PASSWORD, expect, signInAdmin, test } from './fixtures';

/**
 * Abuse resistance end to end (issue 7): the origin allow-list in front of every unsafe request, HTTP
 * refusals with Retry-After, the "busy" answer under overload, and the headers on signed-in pages.
 */

const EVIL = 'https://evil.example';

/** Auth.js's sign-in over HTTP: the CSRF token first, then the credentials callback. */
async function httpSignIn(
  request: APIRequestContext,
  identifier: string,
  headers: Record<string, string> = {},
) {
  const { csrfToken } = (await (await request.get('/api/auth/csrf', { headers })).json()) as {
    csrfToken: string;
  };
  return request.post('/api/auth/callback/credentials', {
    form: { csrfToken, identifier, password: 'not the password at all' },
    headers,
    maxRedirects: 0,
  });
}

test('S25: a form on another site posting to a server action page is refused with 403', async ({
  page,
  baseURL,
}) => {
  await page.route(`${EVIL}/**`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<form method="post" action="${baseURL}/login"><input name="identifier" value="x"><button>Go</button></form>`,
    }),
  );
  await page.goto(`${EVIL}/attack`);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${baseURL}/login` && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Go' }).click(),
  ]);
  expect(response.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Your form was not sent' })).toBeVisible();
});

test('S25: foreign Origin, foreign Referer or no origin at all: every unsafe method on a page is refused', async ({
  request,
}) => {
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    const response = await request.fetch('/register', { method, headers: { origin: EVIL }, data: 'x' });
    expect(response.status(), method).toBe(403);
  }
  const byReferer = await request.post('/forgot-password', {
    headers: { referer: `${EVIL}/page`, 'next-action': '0'.repeat(42) },
    data: '[]',
  });
  expect(byReferer.status()).toBe(403);
  const anonymous = await request.post('/logout', { data: '[]' });
  expect(anonymous.status()).toBe(403);
  expect(anonymous.headers()['cache-control']).toBe('no-store');
});

test('S25: the same origin passes the check (a real form still works)', async ({ request, baseURL }) => {
  const response = await request.post('/login', { headers: { origin: baseURL! }, form: { identifier: 'x' } });
  expect(response.status()).not.toBe(403);
});

test('S25: sign-in over HTTP from a foreign origin is refused; a client naming no origin gets Auth.js', async ({
  request,
}) => {
  const foreign = await httpSignIn(request, 'nobody@example.com', { origin: EVIL });
  expect(foreign.status()).toBe(403);
  // No Origin: a server-to-server client, which Auth.js's CSRF token still holds to its own cookie.
  const plain = await httpSignIn(request, 'nobody@example.com');
  expect(plain.status()).toBe(302);
  expect(plain.headers().location).toContain('error=CredentialsSignin');
});

test('S43: GET changes nothing: visiting /logout leaves the session alive', async ({ page, mailbox }) => {
  await signInAdmin(page, mailbox, {
    username: 'console-admin',
    email: 'console-admin@gatehouse.test',
    fullName: 'Connie Console',
  });
  await page.goto('/logout');
  await page.goto('/account');
  await expect(page).toHaveURL(/\/account$/);
  // S50: signed-in pages, the admin console included, are never stored.
  for (const path of ['/account', '/account/security', '/admin/users', '/admin/settings']) {
    const response = await page.request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(200);
    expect(response.headers()['cache-control'], path).toContain('no-store');
  }
});

test('S14: repeated failed sign-ins from one address get 429 with Retry-After over HTTP, and a friendly message in the form', async ({
  playwright,
  browser,
  baseURL,
}) => {
  const ip = '203.0.113.77';
  const request = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { 'x-forwarded-for': ip },
  });
  // The per-address budget is 50 failures in 15 minutes.
  for (let i = 0; i < 50; i += 1) {
    const response = await httpSignIn(request, `stranger${i}@example.com`);
    expect(response.status()).toBe(302);
  }
  const refused = await httpSignIn(request, 'stranger@example.com');
  expect(refused.status()).toBe(429);
  expect(Number(refused.headers()['retry-after'])).toBeGreaterThan(0);
  expect(await refused.json()).toMatchObject({ error: 'rate_limited' });
  await request.dispose();

  // Another address is not affected; a forged left-hand X-Forwarded-For entry does not help the first.
  const other = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { 'x-forwarded-for': '203.0.113.78' },
  });
  expect((await httpSignIn(other, 'stranger@example.com')).status()).toBe(302);
  await other.dispose();
  const spoofing = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { 'x-forwarded-for': `203.0.113.99, ${ip}` },
  });
  expect((await httpSignIn(spoofing, 'stranger@example.com')).status()).toBe(429);
  await spoofing.dispose();

  const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': ip } });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email or username').fill('stranger@example.com');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(
    page.getByText(/Too many failed attempts from your network\. Try again in \d+ minutes?\./),
  ).toBeVisible();
  await context.close();
});

test('S23: when the hashing queue is full, sign-in answers 503 with Retry-After at once, and recovers', async ({
  request,
}) => {
  const { csrfToken } = (await (await request.get('/api/auth/csrf')).json()) as { csrfToken: string };
  const burst = await Promise.all(
    Array.from({ length: 160 }, async (_, i) => {
      const started = Date.now();
      const response = await request.post('/api/auth/callback/credentials', {
        form: { csrfToken, identifier: `burst${i}@example.com`, password: 'not the password at all' },
        // Each from its own address, so the per-address limit is not what answers.
        headers: { 'x-forwarded-for': `192.0.2.${i % 250}` },
        maxRedirects: 0,
      });
      return {
        status: response.status(),
        retryAfter: response.headers()['retry-after'],
        ms: Date.now() - started,
      };
    }),
  );
  const busy = burst.filter((r) => r.status === 503);
  expect(busy.length).toBeGreaterThan(0);
  expect(burst.every((r) => r.status === 302 || r.status === 503)).toBe(true);
  expect(busy.every((r) => Number(r.retryAfter) >= 1)).toBe(true);
  // Once the burst has drained, sign-in works as before.
  const after = await httpSignIn(request, 'after-burst@example.com', { 'x-forwarded-for': '192.0.2.251' });
  expect(after.status()).toBe(302);
});

test('S23: under overload a sign-in form posted without JavaScript gets a 503 page in its language at once', async ({
  request,
  baseURL,
}) => {
  // The login form as a browser without JavaScript posts it: the action id in a hidden field.
  const html = await (await request.get('/login')).text();
  const actionField = /name="(\$ACTION_ID_[0-9a-f]+)"/.exec(html)?.[1];
  expect(actionField).toBeTruthy();
  const { csrfToken } = (await (await request.get('/api/auth/csrf')).json()) as { csrfToken: string };
  const postForm = (i: number) =>
    request.post('/login', {
      multipart: { [actionField!]: '', identifier: `form-burst${i}@example.com`, password: 'not it at all' },
      headers: {
        origin: baseURL!,
        'accept-language': 'fr-FR,fr;q=0.9',
        'x-forwarded-for': `198.51.100.${i}`,
      },
      maxRedirects: 0,
    });
  let page: { status: number; retryAfter?: string; body: string } | undefined;
  // Fill the hashing queue over HTTP; as soon as it says busy, the forms arrive behind it.
  for (let round = 0; round < 5 && !page; round += 1) {
    const burst = Array.from({ length: 60 }, (_, i) =>
      request.post('/api/auth/callback/credentials', {
        form: {
          csrfToken,
          identifier: `fill${round}-${i}@example.com`,
          password: 'not the password at all',
        },
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
        maxRedirects: 0,
      }),
    );
    // Forms go out while the burst is in flight, staggered over its first half second, so that some
    // meet the full queue whatever the machine's speed (one wave after the first busy answer raced
    // the queue draining in CI).
    const forms = await Promise.all(
      Array.from({ length: 25 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 20));
        const r = await postForm((round * 25 + i) % 250);
        return { status: r.status(), retryAfter: r.headers()['retry-after'], body: await r.text() };
      }),
    );
    page = forms.find((f) => f.status === 503);
    await Promise.all(burst);
  }
  expect(page, 'a form refused by proxy.ts while the queue was full').toBeDefined();
  expect(Number(page!.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(page!.body).toContain('<html lang="fr"');
  expect(page!.body).toContain('Le serveur est occupé');
});

test('S27: route handlers carry nosniff and no framing too', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.headers()['x-content-type-options']).toBe('nosniff');
  expect(response.headers()['x-frame-options']).toBe('DENY');
});
