import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  errorLines,
  freePort,
  repoRoot,
  serverEnv,
  startOwnServer,
  type OwnServer,
} from '../helpers/own-server';
import { startOnOwnPostgres } from '../helpers/own-postgres';
import { linksIn, startSmtpCatcher, type SmtpCatcher } from '../helpers/smtp-catcher';
import { enrolAuthenticator, freshCode, totpCode } from '../helpers/totp';
import { linkIn, signInOk as signInPage } from './fixtures';
import { ApiContract, Caller, type Document, type Operation } from '../helpers/api-contract';

/**
 * The JSON API over real HTTP, against `next start` of the production build: every route file is in the OpenAPI document, every answer seen here matches the document
 * (status and body, tests/helpers/api-contract.ts), journeys a client that never loads a page can make,
 * a fuzz pass that gets 4xx and never 5xx, and CORS closed except for ALLOWED_ORIGINS.
 */

const PARTNER = 'https://partner.example';
const ADMIN = { username: 'api-admin', email: 'api-admin@example.test' };
const PASSWORD = 'violet tractor orbit 4471';
const NEW_PASSWORD = 'amber glacier lantern 9082';
const RESET_PASSWORD = 'copper meadow falcon 3316';

let server: OwnServer;
let smtp: SmtpCatcher;
let contract: ApiContract;
let stopDatabase: (() => Promise<void>) | undefined;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  smtp = await startSmtpCatcher();
  const overrides = { SMTP_PORT: String(smtp.port), ADMIN_EMAILS: ADMIN.email, ALLOWED_ORIGINS: PARTNER };
  // On Postgres when the e2e run is there (E2E_DATABASE_URL), else on the embedded database.
  if (process.env.E2E_DATABASE_URL) {
    const own = await startOnOwnPostgres('api', () => overrides);
    server = own.server;
    stopDatabase = () => own.stop();
  } else {
    const port = freePort();
    server = await startOwnServer(
      port,
      serverEnv(port, { DATA_DIR: `/tmp/gatehouse-api-${process.pid}`, ...overrides }),
    );
    stopDatabase = () => server.stop();
  }
  const document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as Document;
  contract = new ApiContract(server.url, document);
});

test.afterAll(async () => {
  await stopDatabase?.();
  await smtp?.stop();
});

function person(name: string) {
  return {
    username: name,
    email: `${name}@example.test`,
    password: PASSWORD,
    confirmPassword: PASSWORD,
    fullName: `Person ${name}`,
    locale: 'en',
    timezone: 'Europe/Paris',
  };
}

/** Signs up and confirms from the mail, over HTTP only; returns the confirmed state. */
async function signUp(name: string): Promise<string> {
  const stranger = new Caller(contract);
  expect((await stranger.call('POST', '/auth/register', person(name))).status).toBe(202);
  const mail = await smtp.waitForMail(`${name}@example.test`);
  const token = tokenIn(linkIn(mail, '/verify-email'));
  const confirmed = await stranger.call('POST', '/auth/verify-email', { token, password: PASSWORD });
  expect(confirmed.status).toBe(200);
  return confirmed.body.state!;
}

async function signIn(identifier: string, password = PASSWORD): Promise<Caller> {
  const caller = new Caller(contract);
  const answer = await caller.call('POST', '/auth/login', { identifier, password });
  expect(answer.status).toBe(200);
  return caller;
}

test.describe('the document', () => {
  test('lists every route file under app/api/v1', () => {
    const root = path.join(repoRoot, 'app/api/v1');
    const routes = (readdirSync(root, { recursive: true }) as string[])
      .filter((file) => file.endsWith('route.ts') && !file.startsWith('openapi.json'))
      .map((file) => `/${path.dirname(file)}`.replace(/\[(\w+)\]/g, '{$1}'));
    expect(routes.length).toBeGreaterThan(20);
    for (const route of routes) expect(Object.keys(contract.document.paths)).toContain(route);
  });

  test('is served with the reference page rendered from it, under the page CSP', async () => {
    const response = await fetch(`${server.url}/api/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self' 'nonce-");
    const html = await response.text();
    expect(html).toContain('POST /api/v1/auth/register');
    expect(html).toContain('id="problem-insufficient_scope"');
  });
});

test.describe('journeys over HTTP only', () => {
  let admin: Caller;
  let userId: string;

  test('an admin named in ADMIN_EMAILS signs up, confirms from the mail and signs in', async () => {
    expect(await signUp(ADMIN.username)).toBe('active');
    admin = await signIn(ADMIN.email);
    const me = await admin.call('GET', '/users/me');
    expect(me.body).toMatchObject({ email: ADMIN.email, role: 'admin', state: 'active' });
  });

  test('a person signs up, confirms, waits for approval, and the admin approves them via the API', async () => {
    expect(await signUp('api-user')).toBe('pending');
    const refused = await new Caller(contract).call('POST', '/auth/login', {
      identifier: 'api-user',
      password: PASSWORD,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('pending');

    const pending = await admin.call('GET', '/admin/users?state=pending&limit=10');
    const row = pending.body.items!.find((item) => item.username === 'api-user')!;
    expect(row.state).toBe('pending');
    userId = row.id;
    expect((await admin.call('GET', `/admin/users/${userId}`)).body.user!.email).toBe(
      'api-user@example.test',
    );
    expect((await admin.call('POST', `/admin/users/${userId}/approve`)).status).toBe(204);
    await smtp.waitForMail('api-user@example.test');
    expect((await admin.call('POST', `/admin/users/${userId}/approve`)).body.code).toBe('not_pending');
  });

  test('a personal access token made on /account/tokens works within its scopes, and stops at once when revoked or its owner is locked', async ({
    browser,
  }) => {
    const context = await browser.newContext({ baseURL: server.url, javaScriptEnabled: false });
    const page = await context.newPage();
    await signInPage(page, 'api-user', PASSWORD);
    const makeToken = async (name: string, write: boolean) => {
      await page.goto('/account/tokens');
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Expires after').selectOption('7');
      if (write) await page.getByLabel('Change your profile and settings (profile:write)').check();
      await page.getByLabel('Your current password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create token' }).click();
      const token = (await page.locator('#new-access-token').textContent()) ?? '';
      expect(token).toMatch(/^gth_/);
      return new Caller(contract, { authorization: `Bearer ${token}` });
    };

    const reader = await makeToken('Reader', false);
    expect((await reader.call('GET', '/users/me')).body.username).toBe('api-user');
    // profile:read only: a write is refused, and nothing changes.
    const write = await reader.call('PATCH', '/users/me', {
      username: 'api-user',
      fullName: 'Changed by a reader',
    });
    expect(write.status).toBe(403);
    expect((await reader.call('GET', '/users/me')).body.fullName).toBe('Person api-user');
    // No admin scope for a person who is not an admin.
    expect((await reader.call('GET', '/admin/users')).status).toBe(403);

    const writer = await makeToken('Writer', true);
    expect(
      (await writer.call('PATCH', '/users/me', { username: 'api-user', fullName: 'Written by a token' }))
        .status,
    ).toBe(200);
    expect((await reader.call('GET', '/users/me')).body.fullName).toBe('Written by a token');

    // Revoked by its owner: refused at the next call.
    await page.goto('/account/tokens');
    await page.getByRole('button', { name: 'Revoke Reader' }).click();
    await expect(page.getByText('The token has been revoked.')).toBeVisible();
    expect((await reader.call('GET', '/users/me')).status).toBe(401);

    // The owner locked: every token stops at once, and stays stopped after the unlock.
    expect((await admin.call('POST', `/admin/users/${userId}/lock`, { reason: 'Token check' })).status).toBe(
      204,
    );
    expect((await writer.call('GET', '/users/me')).status).toBe(401);
    expect((await admin.call('POST', `/admin/users/${userId}/unlock`)).status).toBe(204);
    expect((await writer.call('GET', '/users/me')).status).toBe(401);
    await context.close();
  });

  test("an admin's token with the admin scopes approves, locks and unlocks over HTTP", async ({
    browser,
  }) => {
    const context = await browser.newContext({ baseURL: server.url, javaScriptEnabled: false });
    const page = await context.newPage();
    await signInPage(page, ADMIN.email, PASSWORD);
    await page.goto('/account/tokens');
    await page.getByLabel('Name').fill('Console script');
    await page.getByLabel('Expires after').selectOption('7');
    await page.getByLabel(/\(admin:read\)/).check();
    await page.getByLabel(/\(admin:write\)/).check();
    await page.getByLabel('Your current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.locator('#new-access-token').textContent()) ?? '';
    await context.close();
    const script = new Caller(contract, { authorization: `Bearer ${token}` });

    expect(await signUp('api-tokened')).toBe('pending');
    const pending = await script.call('GET', '/admin/users?state=pending&limit=10');
    expect(pending.status).toBe(200);
    const id = pending.body.items!.find((item) => item.username === 'api-tokened')!.id;
    expect((await script.call('POST', `/admin/users/${id}/approve`)).status).toBe(204);
    expect((await script.call('POST', `/admin/users/${id}/lock`, { reason: 'Scripted check' })).status).toBe(
      204,
    );
    expect((await script.call('GET', `/admin/users/${id}`)).body.user).toMatchObject({ state: 'locked' });
    expect((await script.call('POST', `/admin/users/${id}/unlock`)).status).toBe(204);
    await signIn('api-tokened');
  });

  test('login -> /users/me -> profile, settings, sessions -> change password -> logout', async () => {
    const user = await signIn('api-user');
    const other = await signIn('api-user@example.test');
    const me = await user.call('GET', '/users/me');
    expect(me.body).toMatchObject({ username: 'api-user', state: 'active', role: 'user' });

    const profile = { username: 'api-user', fullName: 'Api User', city: 'Lyon' };
    expect((await user.call('PATCH', '/users/me', profile)).body).toMatchObject({ city: 'Lyon' });
    expect((await user.call('GET', '/users/me/settings')).body.timezone).toBe('Europe/Paris');
    const settings = await user.call('PATCH', '/users/me/settings', {
      theme: 'dark',
      emailNotifications: false,
    });
    expect(settings.body).toMatchObject({
      theme: 'dark',
      emailNotifications: false,
      timezone: 'Europe/Paris',
    });

    const sessions = await user.call('GET', '/users/me/sessions');
    expect(sessions.body.items).toHaveLength(2);
    const elsewhere = sessions.body.items!.find((item) => !item.current)!;
    expect((await user.call('DELETE', `/users/me/sessions/${elsewhere.id}`)).status).toBe(204);
    expect((await other.call('GET', '/users/me')).status).toBe(401);
    const current = sessions.body.items!.find((item) => item.current)!;
    expect((await user.call('DELETE', `/users/me/sessions/${current.id}`)).body.code).toBe('current_session');

    // Admins only: a user's session has no admin scope.
    expect((await user.call('GET', '/admin/users')).body.code).toBe('insufficient_scope');

    const wrong = await user.call('POST', '/users/me/password', {
      currentPassword: 'not the password at all',
      password: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(wrong.body).toMatchObject({ code: 'wrong_password', errors: [{ pointer: '/currentPassword' }] });
    const cookieBefore = [...user.cookies.values()].join();
    const changed = await user.call('POST', '/users/me/password', {
      currentPassword: PASSWORD,
      password: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(changed.status).toBe(204);
    expect([...user.cookies.values()].join()).not.toBe(cookieBefore);
    await smtp.waitForMail('api-user@example.test');
    expect((await user.call('GET', '/users/me')).status).toBe(200);

    expect(
      (
        await user.call('POST', '/users/me/email', {
          newEmail: 'api-moved@example.test',
          currentPassword: NEW_PASSWORD,
        })
      ).status,
    ).toBe(202);
    await smtp.waitForMail('api-moved@example.test');

    expect((await user.call('POST', '/auth/logout')).status).toBe(204);
    expect((await user.call('GET', '/users/me')).status).toBe(401);
  });

  test('email change both ways and a recovery phrase, over HTTP only: "this wasn\'t me" stops one, the new address confirms the next, the phrase resets the password', async () => {
    expect(await signUp('api-mover')).toBe('pending');
    const pending = await admin.call('GET', '/admin/users?state=pending&limit=10');
    const moverId = pending.body.items!.find((item) => item.username === 'api-mover')!.id;
    expect((await admin.call('POST', `/admin/users/${moverId}/approve`)).status).toBe(204);
    await smtp.waitForMail('api-mover@example.test');
    const linkTo = async (to: string, path: string) => {
      const mail = await smtp.waitForMail(to, { predicate: (m) => linksIn(m).some((l) => l.includes(path)) });
      return tokenIn(linkIn(mail, path));
    };

    // Someone in the session asks to move the account; the owner stops it from the old address.
    let user = await signIn('api-mover');
    const ask = (newEmail: string) =>
      user.call('POST', '/users/me/email', { newEmail, currentPassword: PASSWORD });
    expect((await ask('api-thief@example.test')).status).toBe(202);
    const stop = await linkTo('api-mover@example.test', '/email-change/not-me');
    const stranger = new Caller(contract);
    expect((await stranger.call('POST', '/email-change/not-me', { token: stop })).status).toBe(204);
    expect((await user.call('GET', '/users/me')).status).toBe(401);
    const stale = await linkTo('api-thief@example.test', '/email-change/confirm');
    expect((await stranger.call('POST', '/email-change/confirm', { token: stale })).body.code).toBe(
      'invalid_or_expired',
    );

    // The owner moves it for real: the new address confirms, and signs in from then on.
    user = await signIn('api-mover');
    expect((await ask('api-moved-here@example.test')).status).toBe(202);
    const confirm = await linkTo('api-moved-here@example.test', '/email-change/confirm');
    const moved = await stranger.call('POST', '/email-change/confirm', { token: confirm });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ email: 'api-moved-here@example.test' });
    user = await signIn('api-moved-here@example.test');

    // A recovery phrase in two steps, then a new password with it and no mail.
    expect(
      (await user.call('POST', '/users/me/recovery-phrase', { currentPassword: 'not the password' })).body
        .code,
    ).toBe('wrong_password');
    const made = await user.call('POST', '/users/me/recovery-phrase', { currentPassword: PASSWORD });
    expect(made.status).toBe(200);
    const { phrase, confirmation } = made.body as unknown as { phrase: string; confirmation: string };
    expect(phrase.split(' ')).toHaveLength(12);
    expect(
      (await user.call('POST', '/users/me/recovery-phrase/confirm', { phrase, confirmation })).status,
    ).toBe(204);
    const created = await smtp.waitForMail('api-moved-here@example.test', {
      predicate: (m) => /recovery phrase/i.test(m.subject),
    });
    expect(created.text).not.toContain(phrase);
    const reset = await stranger.call('POST', '/recovery/reset', {
      email: 'api-moved-here@example.test',
      phrase,
      password: RESET_PASSWORD,
      confirmPassword: RESET_PASSWORD,
    });
    expect(reset.status).toBe(204);
    await signIn('api-moved-here@example.test', RESET_PASSWORD);
  });

  test('S28: the reset request answers the same for a known and an unknown address; then reset by code from the mail', async () => {
    const stranger = new Caller(contract);
    const known = await stranger.call('POST', '/password-reset/request', { email: 'api-user@example.test' });
    const unknown = await stranger.call('POST', '/password-reset/request', {
      email: 'nobody-here@example.test',
    });
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);

    const mail = await smtp.waitForMail('api-user@example.test', {
      predicate: (m) => linksIn(m).some((link) => new URL(link).pathname === '/reset-password'),
    });
    const token = tokenIn(linkIn(mail, '/reset-password'));
    expect((await stranger.call('POST', '/password-reset/verify', { token })).body).toEqual({ valid: true });
    expect((await stranger.call('POST', '/password-reset/verify', { token: 'x'.repeat(43) })).body.code).toBe(
      'invalid_or_expired',
    );
    const code = /\b(\d{6})\b/.exec(mail.text)![1];
    const reset = await stranger.call('POST', '/password-reset/reset', {
      email: 'api-user@example.test',
      code,
      password: RESET_PASSWORD,
      confirmPassword: RESET_PASSWORD,
    });
    expect(reset.status).toBe(204);
    const again = await stranger.call('POST', '/password-reset/reset', {
      email: 'api-user@example.test',
      code,
      password: RESET_PASSWORD,
      confirmPassword: RESET_PASSWORD,
    });
    expect(again.body.code).toBe('invalid_or_expired');
    await signIn('api-user', RESET_PASSWORD);

    const phrase = await stranger.call('POST', '/recovery/reset', {
      email: 'api-user@example.test',
      phrase: Array.from({ length: 12 }, () => 'abandon').join(' '),
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    expect(phrase.status).toBe(422);
  });

  test("the admin console's actions, as calls", async () => {
    expect(
      (await admin.call('POST', `/admin/users/${userId}/lock`, { reason: 'Checking the API' })).status,
    ).toBe(204);
    const locked = await new Caller(contract).call('POST', '/auth/login', {
      identifier: 'api-user',
      password: RESET_PASSWORD,
    });
    expect(locked.status).toBe(401);
    expect((await admin.call('POST', `/admin/users/${userId}/lock`, { reason: 'Again' })).body.code).toBe(
      'already_locked',
    );
    expect((await admin.call('POST', `/admin/users/${userId}/unlock`)).status).toBe(204);
    expect((await admin.call('POST', `/admin/users/${userId}/role`, { role: 'admin' })).status).toBe(204);
    expect((await admin.call('POST', `/admin/users/${userId}/role`, { role: 'user' })).status).toBe(204);
    expect((await admin.call('POST', `/admin/users/${userId}/revoke-sessions`)).status).toBe(204);
    const resetMail = await admin.call('POST', `/admin/users/${userId}/send-reset`);
    expect([204, 429]).toContain(resetMail.status);
    const edit = { username: 'api-user', fullName: 'Api User Edited' };
    expect((await admin.call('PATCH', `/admin/users/${userId}`, edit)).status).toBe(204);

    const created = await admin.call('POST', '/admin/users', {
      email: 'api-made@example.test',
      username: 'api-made',
      fullName: 'Made By Api',
      locale: 'fr',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/admin/users/${created.body.id}`);
    expect((await admin.call('DELETE', `/admin/users/${created.body.id}`)).status).toBe(204);
    expect((await admin.call('GET', `/admin/users/${created.body.id}`)).status).toBe(404);

    expect(await signUp('api-refused')).toBe('pending');
    const queue = await admin.call('GET', '/admin/users?state=pending&q=api-refused');
    expect((await admin.call('POST', `/admin/users/${queue.body.items![0]!.id}/reject`)).status).toBe(204);

    const first = await admin.call('GET', '/admin/audit?limit=5');
    expect(first.body.items).toHaveLength(5);
    const next = await admin.call('GET', `/admin/audit?limit=5&cursor=${first.body.next}`);
    expect(Number(next.body.items![0]!.id)).toBeLessThan(Number(first.body.items![4]!.id));
    expect(
      (await admin.call('GET', `/admin/audit?user=${userId}&action=user.approved`)).body.items,
    ).toHaveLength(1);

    const page1 = await admin.call('GET', '/admin/users?limit=1&sort=oldest');
    const page2 = await admin.call('GET', `/admin/users?limit=1&sort=oldest&cursor=${page1.body.next}`);
    expect(page2.body.items![0]!.id).not.toBe(page1.body.items![0]!.id);
  });

  test('a person resends the confirmation and deletes their own account with the password', async () => {
    expect(
      (await new Caller(contract).call('POST', '/auth/verify-email/resend', { email: 'fresh@example.test' }))
        .status,
    ).toBe(202);
    const user = await signIn('api-user', RESET_PASSWORD);
    expect(
      (await user.call('DELETE', '/users/me', { currentPassword: 'wrong password here' })).body.code,
    ).toBe('wrong_password');
    expect((await user.call('DELETE', '/users/me', { currentPassword: RESET_PASSWORD })).status).toBe(204);
    expect((await user.call('GET', '/users/me')).status).toBe(401);
  });

  test('a two-factor account signs in over HTTP in two steps: the pending token, then a code or a recovery code', async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    expect(await signUp('api-totp')).toBe('pending');
    const pending = await admin.call('GET', '/admin/users?state=pending&limit=10');
    const row = pending.body.items!.find((item) => item.username === 'api-totp')!;
    expect((await admin.call('POST', `/admin/users/${row.id}/approve`)).status).toBe(204);
    // Enrolment is a page: the app's key is read from its text form, as a person types it in.
    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    await signInPage(page, 'api-totp', PASSWORD);
    const { secret, recoveryCodes, step } = await enrolAuthenticator(page, PASSWORD);
    await context.close();

    // The right password: no session, a pending token, and what the account can answer with.
    const client = new Caller(contract);
    const first = await client.call('POST', '/auth/login', { identifier: 'api-totp', password: PASSWORD });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      status: 'second_factor_required',
      methods: ['totp', 'recovery_code'],
    });
    const pendingToken = first.body.pendingToken as string;
    expect(client.cookies.size).toBe(0);
    expect((await client.call('GET', '/users/me')).status).toBe(401);

    // A wrong code takes a try; the right one signs in and sets the cookie.
    const wrong = await client.call('POST', '/auth/login/second-factor', {
      pendingToken: pendingToken,
      code: totpCode(secret, step + 1000),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('wrong_code');
    const fresh = await freshCode(secret, step);
    const done = await client.call('POST', '/auth/login/second-factor', {
      pendingToken: pendingToken,
      code: fresh.code,
    });
    expect(done.status).toBe(200);
    expect(done.body.username).toBe('api-totp');
    expect((await client.call('GET', '/users/me')).body.username).toBe('api-totp');
    // Used once: the same token does not make a second session.
    const replay = await new Caller(contract).call('POST', '/auth/login/second-factor', {
      pendingToken: pendingToken,
      code: (await freshCode(secret, fresh.step)).code,
    });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('expired');

    // A recovery code works once, and its use is mailed to the owner.
    const lost = new Caller(contract);
    const again = await lost.call('POST', '/auth/login', { identifier: 'api-totp', password: PASSWORD });
    const recovered = await lost.call('POST', '/auth/login/second-factor', {
      pendingToken: again.body.pendingToken,
      code: recoveryCodes[0],
    });
    expect(recovered.status).toBe(200);
    const mail = await smtp.waitForMail('api-totp@example.test', {
      predicate: (m) => /recovery code was used/.test(m.subject),
    });
    expect(mail.text).toContain('9 recovery codes are left');
  });

  test('every operation answered as documented with a success', () => {
    const operations = Object.values(contract.document.paths).flatMap((methods) =>
      Object.values(methods).map((operation) => operation.operationId),
    );
    const succeeded = operations.filter((id) =>
      [...(contract.seen.get(id) ?? [])].some((status) => status < 300),
    );
    expect(operations.filter((id) => !succeeded.includes(id))).toEqual([]);
  });
});

test.describe('refusals', () => {
  const BAD_VALUES: unknown[] = [null, 42, true, [], {}, 'x'.repeat(5000), '\u0000', -1];

  test('S52: a fuzz pass over every operation with schema-derived bad input gets 4xx, never 5xx', async () => {
    test.setTimeout(300_000);
    const admin = await signIn(ADMIN.email);
    const stranger = new Caller(contract);
    for (const [template, methods] of Object.entries(contract.document.paths)) {
      for (const [method, operation] of Object.entries(methods) as [string, Operation][]) {
        const caller = operation.security.length === 0 ? stranger : admin;
        const verb = method.toUpperCase();
        const pathOf = (id: string) => template.replace(/\{[^}]+\}/g, id);
        const answers: number[] = [];
        if (template.includes('{')) {
          for (const id of ['nope', '0'.repeat(40)]) {
            answers.push(
              (await caller.call(verb, pathOf(id), operation.requestBody ? {} : undefined)).status,
            );
          }
        }
        const concrete = pathOf('00000000-0000-4000-8000-000000000000');
        for (const parameter of (operation.parameters ?? []).filter(
          (p: { in: string }) => p.in === 'query',
        )) {
          for (const value of ['-1', '1000', 'x'.repeat(300)].filter((v) =>
            contract.refuses(parameter.schema, v),
          )) {
            answers.push((await caller.call(verb, `${concrete}?${parameter.name}=${value}`)).status);
          }
        }
        const schema = operation.requestBody?.content['application/json'].schema;
        if (schema) {
          for (const body of [null, [], 'text', 7])
            answers.push((await caller.call(verb, concrete, body)).status);
          const properties = Object.entries(schema.properties ?? schema.anyOf?.[0]?.properties ?? {});
          for (const [name, property] of properties) {
            for (const value of BAD_VALUES.filter((v) => contract.refuses(property, v))) {
              answers.push((await caller.call(verb, concrete, { [name]: value })).status);
            }
          }
          const raw = await fetch(`${server.url}/api/v1${concrete}`, {
            method: verb,
            headers: { 'content-type': 'application/json', origin: server.url, cookie: cookieOf(admin) },
            body: '{"unclosed": ',
          });
          await contract.check(verb, concrete, raw);
          answers.push(raw.status);
        }
        for (const status of answers) {
          expect(status, `${verb} ${template}`).toBeGreaterThanOrEqual(400);
          expect(status, `${verb} ${template}`).toBeLessThan(500);
        }
      }
    }
    expect(errorLines(server.log())).toEqual([]);
  });

  test('S25, S43: a foreign origin is refused with a problem; a bad token or none gets 401 with WWW-Authenticate', async () => {
    const bearer = new Caller(contract, { authorization: 'Bearer not-a-real-token' });
    const answer = await bearer.call('GET', '/users/me');
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('invalid_token');
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect((await new Caller(contract).call('GET', '/users/me')).body.code).toBe('unauthenticated');
    const foreign = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: ADMIN.email, password: PASSWORD }),
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('content-type')).toBe('application/problem+json');
    expect((await foreign.json()).code).toBe('origin_refused');
  });

  test('S43: an unsafe call with the session cookie and no Origin is refused', async () => {
    const admin = await signIn(ADMIN.email);
    const response = await fetch(`${server.url}/api/v1/users/me/settings`, {
      method: 'PATCH',
      headers: { cookie: cookieOf(admin), 'content-type': 'application/json' },
      body: JSON.stringify({ theme: 'light' }),
    });
    expect(response.status).toBe(403);
    expect((await response.json()).code).toBe('origin_refused');
  });
  test('S45: every admin operation answers 403 to a signed-in non-admin, before reading its input', async () => {
    const admin = await signIn(ADMIN.email);
    expect(await signUp('api-plain')).toBe('pending');
    const queue = await admin.call('GET', '/admin/users?state=pending&q=api-plain');
    expect((await admin.call('POST', `/admin/users/${queue.body.items![0]!.id}/approve`)).status).toBe(204);
    const plain = await signIn('api-plain');
    for (const [template, methods] of Object.entries(contract.document.paths)) {
      if (!template.startsWith('/admin/')) continue;
      for (const method of Object.keys(methods)) {
        const target = template.replace(/\{[^}]+\}/g, queue.body.items![0]!.id);
        const answer = await plain.call(method.toUpperCase(), target, method === 'get' ? undefined : {});
        expect(answer.status, `${method} ${template}`).toBe(403);
        expect(answer.body.code).toBe('insufficient_scope');
      }
    }
  });
});

test.describe('CORS', () => {
  test('a foreign Origin gets no Access-Control-Allow-Origin unless listed in ALLOWED_ORIGINS', async () => {
    for (const method of ['OPTIONS', 'GET']) {
      const evil = await fetch(`${server.url}/api/v1/users/me`, {
        method,
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      });
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
      const partner = await fetch(`${server.url}/api/v1/users/me`, {
        method,
        headers: { origin: PARTNER, 'access-control-request-method': 'GET' },
      });
      expect(partner.headers.get('access-control-allow-origin')).toBe(PARTNER);
      expect(partner.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  test('a listed origin is never served with the cookie: bearer only', async () => {
    const admin = await signIn(ADMIN.email);
    const response = await fetch(`${server.url}/api/v1/users/me`, {
      headers: { origin: PARTNER, cookie: cookieOf(admin) },
    });
    expect(response.status).toBe(401);
  });
});

function tokenIn(link: string): string | null {
  return new URL(link, server.url).searchParams.get('token');
}

function cookieOf(caller: Caller): string {
  return [...caller.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}
