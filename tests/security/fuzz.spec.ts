import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { APIRequestContext, BrowserContext } from '@playwright/test';
import { approvalQueue, expect, registerAndConfirm, signInAdmin, signInOk, test } from '../e2e/fixtures';
import {
  errorLines,
  freePort,
  repoRoot,
  serverEnv,
  startOwnServer,
  type OwnServer,
} from '../helpers/own-server';

/**
 * S52: bad input of every shape, posted to every server action of the build and every API route,
 * signed out, as a plain user and as an administrator (so the validation behind the session and role
 * checks is reached). Not one answer may be a 500, and the server's log must hold no error: an
 * error there is a bug or an outage, and bad input is neither. The spec starts its own `next start`
 * (own port, own embedded database, the worker's SMTP catcher) so it can read the server's log.
 */
test.describe.configure({ mode: 'serial' });

const port = freePort();
const baseURL = `http://localhost:${port}`;
test.use({ baseURL });

const admin = { username: 'fuzz-admin', email: 'fuzz-admin@gatehouse.test', fullName: 'Fuzz Admin' };
const user = { username: 'fuzz-user', email: 'fuzz-user@example.test', fullName: 'Fuzz User' };
const victim = { username: 'fuzz-victim', email: 'fuzz-victim@example.test', fullName: 'Fuzz Victim' };

const MEGABYTE = 1024 * 1024;
// 1 MB of text in one field: the whole body stays under Next's 1 MiB limit for server actions, so
// the value reaches our validation.
const ONE_MB = 1_000_000;

/** Every field name our forms use, read from the source, so a new form's fields are fuzzed too. */
function fieldNames(): string[] {
  const names = new Set<string>(['newPassword', 'sessionId', 'role', 'single', 'userId']);
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
    );
  for (const file of [...walk(path.join(repoRoot, 'app')), ...walk(path.join(repoRoot, 'components'))]) {
    if (!/\.tsx?$/.test(file)) continue;
    for (const [, name] of readFileSync(file, 'utf8').matchAll(/\bname="([A-Za-z_]+)"/g)) names.add(name!);
  }
  return [...names].sort();
}

interface Action {
  id: string;
  name: string;
  url: string;
}

/** Every server action in the build, with a page that serves it (Next.js answers an action only there). */
function builtActions(userId: string): Action[] {
  const manifest = JSON.parse(
    readFileSync(path.join(repoRoot, '.next/server/server-reference-manifest.json'), 'utf8'),
  ) as { node: Record<string, { filename: string; exportedName: string; workers: Record<string, unknown> }> };
  return Object.entries(manifest.node)
    .map(([id, action]) => {
      // Actions of the root layout are served by every page, the 404 page too: post them to a real one.
      const worker =
        Object.keys(action.workers)
          .filter((w) => w.endsWith('/page') && !w.includes('_not-found'))
          .sort((x, y) => x.length - y.length)[0] ?? 'app/page';
      const route = worker
        .replace(/^app/, '')
        .replace(/\/page$/, '')
        .replace(/\/\([^)]*\)/g, '')
        .replace(/\[[^\]]+\]/g, userId);
      return { id, name: `${action.filename}#${action.exportedName}`, url: route || '/' };
    })
    .sort((a, b) => {
      // Signing out ends the session the rest of the run needs: last.
      const last = (x: Action) => (x.name.startsWith('app/logout/') ? 1 : 0);
      return last(a) - last(b) || a.name.localeCompare(b.name);
    });
}

/** Every route handler under app/, as URLs to call (dynamic segments filled with odd values). */
function apiUrls(): string[] {
  const urls: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name === 'route.ts') {
        const route = `/${path.relative(path.join(repoRoot, 'app'), dir).split(path.sep).join('/')}`.replace(
          /\/\([^)]*\)/g,
          '',
        );
        if (route.includes('[...nextauth]')) {
          for (const tail of [
            'signin',
            'signout',
            'session',
            'csrf',
            'providers',
            'callback/credentials',
            'signin/credentials',
            'error',
            'a/b/c',
            '%00',
            '..%2f..%2fetc',
          ])
            urls.push(route.replace('[...nextauth]', tail));
        } else {
          urls.push(route.replace(/\[\.\.\.[^\]]+\]/g, 'a/b').replace(/\[[^\]]+\]/g, '%ff'));
        }
      }
    }
  };
  walk(path.join(repoRoot, 'app'));
  return urls.sort();
}

type Part = [name: string, value: string | Buffer];

function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----fuzz${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`));
    chunks.push(typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function encoded(value: unknown): Promise<Part[]> {
  const require = createRequire(import.meta.url);
  const { encodeReply } = require('next/dist/compiled/react-server-dom-turbopack/client.edge') as {
    encodeReply: (value: unknown) => Promise<FormData | string>;
  };
  const reply = await encodeReply(value);
  if (typeof reply === 'string') return [['0', reply]];
  return [...reply.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : '']);
}

interface Case {
  label: string;
  contentType: string;
  body: Buffer | string;
  /** false: posted as a form without JavaScript (the action id in a field, no Next-Action header). */
  header?: boolean;
  /**
   * A body Next.js itself cannot decode: it would fail in the framework's action handler before any
   * of our code runs; proxy.ts refuses it first (the S52 test below).
   */
  framework?: boolean;
}

const invalidUtf8 = Buffer.from([0x61, 0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80]);
const controls =
  Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\u007f\u2028\u202e\ufeff';

function form(fields: string[], value: (name: string) => string | string[]): FormData {
  const f = new FormData();
  for (const name of fields) {
    const v = value(name);
    for (const item of Array.isArray(v) ? v : [v]) f.append(name, item);
  }
  return f;
}

async function cases(actionId: string, fields: string[], bigField: string): Promise<Case[]> {
  const idle = { status: 'idle' };
  const asReply = async (label: string, value: unknown): Promise<Case> => {
    const { body, contentType } = multipart(await encoded(value));
    return { label, contentType, body };
  };
  const huge = 'x'.repeat(ONE_MB);
  // The encodeReply wire format, with raw invalid UTF-8 bytes in every field.
  const badBytes = (await encoded([idle, form(fields, () => 'placeholder')])).map(([k, v]): Part => [
    k,
    k === '0' ? v : invalidUtf8,
  ]);
  const list: Case[] = [
    await asReply(`1 MB in ${bigField}`, [idle, form(fields, (f) => (f === bigField ? huge : 'x'))]),
    await asReply('control characters and lone surrogates', [
      idle,
      form(fields, () => `${controls}\ud800x\udfff`),
    ]),
    { label: 'invalid UTF-8 bytes', ...multipart(badBytes) },
    await asReply('missing fields', [idle, new FormData()]),
    await asReply('arrays where strings are expected', [idle, form(fields, () => ['a', 'b', 'c'])]),
    await asReply('objects instead of form data', [
      idle,
      Object.fromEntries(fields.map((f) => [f, ['x', { y: 1 }]])),
    ]),
    await asReply('form data only, no previous state', [form(fields, () => 'a@b.c')]),
    await asReply('no arguments', []),
    await asReply('wrong primitive types', [null, 42, true, 'string', -0]),
    await asReply('SQL and HTML', [idle, form(fields, () => `' OR 1=1;-- <script>alert(1)</script>`)]),
    {
      label: 'JSON body',
      contentType: 'application/json',
      body: JSON.stringify({ email: 'a@b.c', password: 1 }),
    },
    {
      label: 'JSON array body',
      contentType: 'application/json',
      body: '[{"status":"idle"},{"email":["x"]}]',
    },
    { label: 'no content type, JSON', contentType: '', body: '[{"status":"idle"},{}]' },
    // What Next.js cannot decode (framework: true).
    { label: 'broken JSON body', contentType: 'application/json', body: '[{"status":', framework: true },
    { label: 'text/plain body', contentType: 'text/plain', body: 'email=a@b.c', framework: true },
    { label: 'no content type', contentType: '', body: huge, framework: true },
    {
      label: 'multipart with a broken boundary',
      contentType: 'multipart/form-data; boundary=zzz',
      body: '--yyy\r\n',
      framework: true,
    },
    { label: 'multipart, root not JSON', ...multipart([['0', '[{']]), framework: true },
    {
      label: 'multipart, dangling references',
      ...multipart([['0', '["$K9","$@8","$Q7","$T","$n1e999","$D"]']]),
      framework: true,
    },
    {
      label: 'deeply nested root',
      ...multipart([['0', `${'['.repeat(5000)}${']'.repeat(5000)}`]]),
      framework: true,
    },
    {
      label: 'body over the 1 MiB action limit',
      ...multipart([['0', JSON.stringify([idle, 'x'.repeat(MEGABYTE + 1)])]]),
      framework: true,
    },
  ];
  // Posted the way a browser without JavaScript posts a form.
  const noJs = multipart([[`$ACTION_ID_${actionId}`, ''], ...fields.map((f): Part => [f, invalidUtf8])]);
  list.push({ label: 'no-JS form with invalid UTF-8', ...noJs, header: false });
  const noJsHuge = multipart([
    [`$ACTION_ID_${actionId}`, ''],
    ...fields.map((f): Part => [f, f === bigField ? huge : 'x']),
  ]);
  list.push({ label: `no-JS form with 1 MB in ${bigField}`, ...noJsHuge, header: false });
  return list;
}

const garbageIds = ['x', '0'.repeat(42), 'f'.repeat(4096), '../../etc/passwd', '%00', '%ff', '$ACTION_ID_'];

// Next.js itself reports the garbage action ids (and answers them without a 500): not ours to log.
const nextRefusals = /Failed to find Server Action|Server Reference ID did not match the expected format/;

let server: OwnServer;
let dataDir: string;
let victimId = '';
const problems: string[] = [];

async function post(
  request: APIRequestContext,
  who: string,
  url: string,
  actionId: string,
  c: Case,
): Promise<number | undefined> {
  const headers: Record<string, string> = { Origin: baseURL, Accept: 'text/x-component' };
  if (c.header !== false) headers['Next-Action'] = actionId;
  if (c.contentType) headers['Content-Type'] = c.contentType;
  const data = typeof c.body === 'string' ? Buffer.from(c.body) : c.body;
  const response = await request
    .post(`${baseURL}${url}`, { headers, data, maxRedirects: 0, failOnStatusCode: false, timeout: 30_000 })
    .catch((error: Error) => {
      // A server may hang up on an oversized body before reading it all: a refusal, not a failure.
      if (data.length > MEGABYTE && /EPIPE|ECONNRESET|socket hang up/.test(error.message)) return undefined;
      problems.push(`${who} ${url} ${actionId.slice(0, 12)} "${c.label}": ${error.message.split('\n')[0]}`);
      return undefined;
    });
  if (!response) return undefined;
  if (response.status() >= 500 && response.status() !== 503) {
    problems.push(`${who} ${url} ${actionId.slice(0, 12)} "${c.label}": ${response.status()}`);
  }
  return response.status();
}

test.beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-fuzz-'));
  server = await startOwnServer(
    port,
    serverEnv(port, {
      DATA_DIR: dataDir,
      SMTP_PORT: process.env.E2E_SMTP_PORT!,
      ADMIN_EMAILS: admin.email,
    }),
  );
});

test.afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;
let adminState: StorageState;
let userState: StorageState;

test('set-up: an administrator, a signed-in user and a pending account for [id] routes', async ({
  browser,
  mailbox,
}) => {
  const adminContext = await browser.newContext({ baseURL });
  const adminPage = await adminContext.newPage();
  await signInAdmin(adminPage, mailbox, admin);

  const userContext = await browser.newContext({ baseURL });
  const userPage = await userContext.newPage();
  await registerAndConfirm(userPage, mailbox, user);
  const victimContext = await browser.newContext({ baseURL });
  const victimPage = await victimContext.newPage();
  await registerAndConfirm(victimPage, mailbox, victim);
  await victimContext.close();

  await adminPage.goto('/admin/users');
  await approvalQueue(adminPage)
    .getByRole('button', { name: `Approve ${user.username}` })
    .click();
  await expect(approvalQueue(adminPage).getByText(user.email)).toHaveCount(0);
  const row = approvalQueue(adminPage).getByRole('row').filter({ hasText: victim.email });
  const href = await row.getByRole('link', { name: victim.username }).getAttribute('href');
  victimId = href!.split('/').pop()!;
  expect(victimId).toMatch(/^[0-9a-f-]{36}$/);
  await signInOk(userPage, user.username);
  adminState = await adminContext.storageState();
  userState = await userContext.storageState();
  await Promise.all([adminContext.close(), userContext.close()]);
});

/** Where each password-like field must point the browser's password manager (S9). */
const expectedAutocomplete: Record<string, string> = {
  currentPassword: 'current-password',
  newPassword: 'new-password',
  confirmPassword: 'new-password',
  code: 'one-time-code',
};

test('S9: password fields are type=password, allow paste, and carry the right autocomplete', async ({
  browser,
}) => {
  const stranger = await browser.newContext({ baseURL });
  const signedIn = await browser.newContext({ baseURL, storageState: userState });
  const pages: [typeof stranger, string, Record<string, string>][] = [
    [stranger, '/login', { password: 'current-password' }],
    [stranger, '/register', { password: 'new-password' }],
    [stranger, '/reset-password', { password: 'new-password' }],
    [stranger, '/forgot-password/phrase', { password: 'new-password' }],
    [signedIn, '/account/security', {}],
    [signedIn, '/account/email', { password: 'current-password' }],
    [signedIn, '/account/delete', { password: 'current-password' }],
    [signedIn, '/account/tokens', {}],
  ];
  for (const [context, url, own] of pages) {
    const page = await context.newPage();
    await page.goto(url);
    await expect(page).toHaveURL(new RegExp(`${url}$`));
    const fields = await page.locator('input:not([type=hidden])').evaluateAll((inputs) =>
      (inputs as HTMLInputElement[]).map((input) => {
        const paste = new Event('paste', { bubbles: true, cancelable: true });
        input.dispatchEvent(paste);
        return {
          name: input.name,
          type: input.type,
          autocomplete: input.getAttribute('autocomplete') ?? '',
          pasteBlocked: paste.defaultPrevented || input.hasAttribute('onpaste'),
        };
      }),
    );
    const passwords = fields.filter((f) => f.type === 'password');
    expect(passwords.length, `${url} has a password field`).toBeGreaterThan(0);
    for (const field of fields) {
      const label = `${url} ${field.name}`;
      expect(field.pasteBlocked, `${label}: paste allowed`).toBe(false);
      const expected = own[field.name] ?? expectedAutocomplete[field.name];
      if (/password/i.test(field.name)) expect(field.type, label).toBe('password');
      if (field.type === 'password')
        expect(['current-password', 'new-password'], label).toContain(field.autocomplete);
      if (expected) expect(field.autocomplete, label).toBe(expected);
    }
    // A typed password really lands in the field (no script clears it).
    await page.locator('input[type=password]').first().fill('pasted passphrase 1234');
    await expect(page.locator('input[type=password]').first()).toHaveValue('pasted passphrase 1234');
    await page.close();
  }
  await Promise.all([stranger.close(), signedIn.close()]);
});

test('S10: no password hint or security question is asked for anywhere', async ({ browser }) => {
  const stranger = await browser.newContext({ baseURL });
  const signedIn = await browser.newContext({ baseURL, storageState: userState });
  const pages: [typeof stranger, string][] = [
    [stranger, '/register'],
    [stranger, '/login'],
    [stranger, '/forgot-password'],
    [stranger, '/reset-password'],
    [signedIn, '/account'],
    [signedIn, '/account/profile'],
    [signedIn, '/account/security'],
    [signedIn, '/account/recovery'],
  ];
  const forbidden = /hint|security question|secret question|mother|maiden name|first pet|favou?rite/i;
  for (const [context, url] of pages) {
    const page = await context.newPage();
    await page.goto(url);
    await expect(page.locator('body'), url).not.toHaveText(forbidden);
    const names = await page
      .locator('input, select, textarea')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('name')} ${e.id}`));
    for (const name of names) expect(name, url).not.toMatch(/hint|question|answer/i);
    await page.close();
  }
  await Promise.all([stranger.close(), signedIn.close()]);
});

test('S52: bad input to every server action and API route: no 500, no error in the server log', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const adminContext = await browser.newContext({ baseURL, storageState: adminState });
  const userContext = await browser.newContext({ baseURL, storageState: userState });
  const strangerContext = await browser.newContext({ baseURL });
  const actions = builtActions(victimId);
  expect(actions.length).toBeGreaterThan(20);
  const fields = fieldNames();
  const who = [
    ['stranger', strangerContext.request],
    ['user', userContext.request],
    ['admin', adminContext.request],
  ] as const;

  for (const [index, action] of actions.entries()) {
    // The 1 MB value goes to another field for each action (one field a request stays under the body limit).
    const list = await cases(action.id, fields, fields[index % fields.length]!);
    for (const [name, request] of who) {
      // Admin actions are refused before they read anything for the other two (admin-access.spec.ts).
      if (action.name.startsWith('app/admin/') && name !== 'admin') continue;
      for (const c of list.filter((c) => !c.framework)) await post(request, name, action.url, action.id, c);
    }
  }

  // Garbage action ids, at a public page, a signed-in page and an admin page.
  const sample = await cases('x', ['email'], 'email');
  for (const url of ['/login', '/account', '/admin/users']) {
    for (const id of garbageIds) {
      for (const c of sample.filter((c) => !c.framework).slice(0, 4)) {
        await post(adminContext.request, 'admin', url, id, c);
      }
      await post(strangerContext.request, 'stranger', url, id, sample[0]!);
    }
  }

  // Every route handler, every method, odd bodies and odd credentials.
  for (const url of apiUrls()) {
    for (const [name, request] of who) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        // Route handlers read their own bodies: the undecodable ones are fair game here.
        for (const c of sample.slice(0, 3).concat(sample.filter((c) => c.framework).slice(0, 6))) {
          const response = await request.fetch(`${baseURL}${url}`, {
            method,
            headers: {
              Origin: baseURL,
              Authorization: `Bearer ${'\u00ff'.repeat(64)}`,
              ...(c.contentType ? { 'Content-Type': c.contentType } : {}),
            },
            data: method === 'GET' ? undefined : typeof c.body === 'string' ? Buffer.from(c.body) : c.body,
            maxRedirects: 0,
            failOnStatusCode: false,
          });
          if (response.status() >= 500 && response.status() !== 503) {
            problems.push(`${name} ${method} ${url} "${c.label}": ${response.status()}`);
          }
        }
      }
    }
  }

  await Promise.all([adminContext.close(), userContext.close(), strangerContext.close()]);
  await expectNoProblems();
});

/** No answer was a 500 and, once the server has had a moment to write, its log holds no error. */
async function expectNoProblems() {
  await new Promise((r) => setTimeout(r, 500));
  expect(problems, 'answers with status 500').toEqual([]);
  expect(
    errorLines(server.log()).filter((line) => !nextRefusals.test(line)),
    'errors in the server log',
  ).toEqual([]);
}

test('S52: bodies Next.js cannot decode get a 4xx from proxy.ts, not a 500', async ({ browser }) => {
  // Broken JSON or multipart, a body over the 1 MiB limit, references to nothing, 5,000-deep
  // nesting: Next.js 16 would throw in its own action handler before any of our code runs
  // (lib/web/action-body.ts refuses them first).
  const userContext = await browser.newContext({ baseURL, storageState: userState });
  const actions = builtActions(victimId);
  const statuses = new Set<number>();
  for (const action of actions.filter((a) => !a.name.startsWith('app/admin/'))) {
    for (const c of (await cases(action.id, ['email'], 'email')).filter((c) => c.framework)) {
      const status = await post(userContext.request, 'user', action.url, action.id, c);
      if (status !== undefined) statuses.add(status);
    }
  }
  await userContext.close();
  expect([...statuses].sort()).toEqual([400, 413, 415]);
  await expectNoProblems();
});
