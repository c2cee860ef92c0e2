import { expect, test } from '@playwright/test';
import { HttpClient, startOnOwnPostgres, type OwnPostgresServer } from '../helpers/own-postgres';

/**
 * Production behind a TLS-terminating proxy: APP_URL is https://…, the proxy reaches the app over
 * plain http and says `X-Forwarded-Proto: https`. Cookies and headers must follow APP_URL, not the
 * scheme the request arrived with (S27, S35, S49), and the development tools must not exist.
 */
test.describe.configure({ mode: 'serial' });

let app: OwnPostgresServer;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  app = await startOnOwnPostgres('production', (port) => ({ APP_URL: `https://localhost:${port}` }));
  await app.createUser('prod-user');
});

test.afterAll(async () => {
  await app?.stop();
});

/**
 * Through the proxy: with `X-Forwarded-Proto: https`, or from a proxy that does not send it. No
 * Origin header: a link followed from mail has none.
 */
const client = (forwardedProto = true) =>
  new HttpClient(app.server.url, forwardedProto ? { 'x-forwarded-proto': 'https' } : {});

function attributes(setCookie: string): string[] {
  return setCookie
    .split(';')
    .slice(1)
    .map((a) => a.trim().toLowerCase());
}

for (const forwardedProto of [true, false]) {
  const how = forwardedProto ? 'with X-Forwarded-Proto' : 'without X-Forwarded-Proto';
  test(`S49: the session cookie is __Secure-, Secure, HttpOnly, SameSite=Lax, Path=/ (${how})`, async () => {
    const person = client(forwardedProto);
    expect((await person.signIn('prod-user')).status).toBe(302);
    const cookie = person.setCookies.find((c) => /^__Secure-authjs\.session-token=/.test(c));
    expect(cookie, person.setCookies.join('\n')).toBeTruthy();
    const attrs = attributes(cookie!);
    expect(attrs).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']));
    // No cookie of Auth.js's goes out without Secure over https.
    for (const c of person.setCookies.filter((c) => c.includes('authjs.'))) {
      expect(attributes(c), c).toContain('secure');
    }
    // It works behind the proxy.
    const account = await person.fetch('/account');
    expect(account.status).toBe(200);
    expect(await account.text()).toContain('prod-user@example.test');
  });

  test(`S27: HSTS of at least a year on pages and API answers (${how})`, async () => {
    for (const pathname of ['/', '/login', '/api/health']) {
      const response = await client(forwardedProto).fetch(pathname);
      const hsts = response.headers.get('strict-transport-security') ?? '';
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0), pathname).toBeGreaterThanOrEqual(31_536_000);
    }
  });

  test(`S35: the link-token cookie is Secure when the request reached the app as http (${how})`, async () => {
    const response = await client(forwardedProto).fetch(
      '/verify-email?token=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    );
    expect(response.status).toBe(303);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('gatehouse-link-token='));
    expect(attributes(cookie!)).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax']));
  });
}

test('S26: the development mailbox does not exist in production', async () => {
  const person = client();
  expect((await person.fetch('/dev/mailbox')).status).toBe(404);
  expect((await person.fetch('/dev/mailbox/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  const [row] = await app.sql<{ n: number }[]>`select count(*)::int as n from dev_mailbox`;
  expect(row!.n).toBe(0);
});
