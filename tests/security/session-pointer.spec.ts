import { expect, test } from '@playwright/test';
import {
  accountOwner,
  HttpClient,
  startOnOwnPostgres,
  type OwnPostgresServer,
} from '../helpers/own-postgres';

/**
 * S57: the session id is the bearer secret inside the cookie. It must never reach anything a script
 * can read, and no request may choose which session row its cookie points at: Auth.js's own
 * `POST /api/auth/session` (`update`) signed a cookie for whatever `sid` its caller sent. The attacks
 * run against the production build through the framework's own endpoints, on a Postgres database of
 * the spec's own so the victim's session id can be read where only the server should see it.
 */
test.describe.configure({ mode: 'serial' });

let app: OwnPostgresServer;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  app = await startOnOwnPostgres('pointer');
  await Promise.all([app.createUser('pointer-victim'), app.createUser('pointer-attacker')]);
});

test.afterAll(async () => {
  await app?.stop();
});

async function liveSessionIds(username: string): Promise<string[]> {
  const rows = await app.sql<{ id: string }[]>`
    select s.id from sessions s join users u on u.id = s.user_id
    where u.username = ${username} and s.revoked_at is null`;
  return rows.map((r) => r.id);
}

test('S57: the session JSON and every script-readable cookie hold no session id', async () => {
  const victim = new HttpClient(app.server.url);
  expect((await victim.signIn('pointer-victim')).status).toBe(302);
  const [sid] = await liveSessionIds('pointer-victim');
  expect(sid).toBeTruthy();

  const response = await victim.fetch('/api/auth/session');
  expect(response.status).toBe(200);
  const json = await response.text();
  expect(json).not.toContain(sid!);
  expect(JSON.parse(json)).not.toHaveProperty('sid');
  // The signed-in pages do not carry it either.
  expect(await (await victim.fetch('/account')).text()).not.toContain(sid!);
  // The only cookie that holds it (encrypted) is out of reach of scripts.
  const sessionCookie = victim.setCookies.find((c) => c.startsWith('authjs.session-token='));
  expect(sessionCookie).toMatch(/;\s*HttpOnly/i);
  expect(sessionCookie).not.toContain(sid!);
});

test("S57: POST /api/auth/session with a victim's session id does not point the attacker's cookie at it", async () => {
  const victim = new HttpClient(app.server.url);
  expect((await victim.signIn('pointer-victim')).status).toBe(302);
  const victimSids = await liveSessionIds('pointer-victim');

  const variants: {
    label: string;
    revoked: boolean;
    send: (c: HttpClient, csrf: string, sid: string) => Promise<Response>;
  }[] = [];
  for (const revoked of [false, true]) {
    variants.push(
      {
        label: 'JSON body with csrfToken',
        revoked,
        send: (c, csrfToken, sid) =>
          c.fetch('/api/auth/session', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ csrfToken, data: { sid } }),
          }),
      },
      {
        label: 'form body with csrfToken',
        revoked,
        send: (c, csrfToken, sid) =>
          c.fetch('/api/auth/session', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ csrfToken, data: JSON.stringify({ sid }), sid }).toString(),
          }),
      },
      {
        label: 'JSON body, same-origin Origin header',
        revoked,
        send: (c, csrfToken, sid) =>
          c.fetch('/api/auth/session', {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: app.server.url },
            body: JSON.stringify({ csrfToken, data: { sid, user: { id: sid } } }),
          }),
      },
    );
  }

  for (const variant of variants) {
    const attacker = new HttpClient(app.server.url);
    expect((await attacker.signIn('pointer-attacker')).status).toBe(302);
    if (variant.revoked) {
      // The attacker's own session already ended ("sign out other devices", an admin lock…).
      await app.sql`update sessions set revoked_at = now()
        where user_id = (select id from users where username = 'pointer-attacker')`;
    }
    const csrf = await attacker.csrfToken();
    for (const sid of victimSids) {
      const response = await variant.send(attacker, csrf, sid);
      expect(response.status, variant.label).toBeLessThan(500);
      const label = `${variant.label}${variant.revoked ? ', from a revoked cookie' : ''}`;
      expect(await accountOwner(attacker, 'pointer-victim'), label).not.toBe('owner');
      const body = await response.text();
      expect(body, label).not.toContain(sid);
    }
  }
  // The victim's session is untouched.
  expect(await accountOwner(victim, 'pointer-victim')).toBe('owner');
});
