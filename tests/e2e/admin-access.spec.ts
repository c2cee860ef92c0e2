import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIRequestContext } from '@playwright/test';
import { approvalQueue, expect, registerAndConfirm, signInAdmin, signInOk, test } from './fixtures';

/**
 * S45: every page under app/admin and every server action exported from app/admin, found by
 * reading the source tree and the build's action manifest (so a new one cannot be forgotten), is
 * refused to a stranger and to a signed-in non-admin: a redirect to the login page or a 403, and
 * never a byte of another user's data. Actions are called the way React calls them (the
 * `Next-Action` header and an encodeReply body). The proxy turns strangers away from /admin before
 * any action runs, but it only asks for a signed-in user: a non-admin's call reaches the action,
 * so its 403 comes from the action's own role check. (Next.js only serves an action from a page
 * that imports it, so posting an admin action's id to a public page runs nothing.)
 */
test.describe.configure({ mode: 'serial' });

const root = fileURLToPath(new URL('../..', import.meta.url));
const adminDir = path.join(root, 'app/admin');
const admin = {
  username: 'console-admin',
  email: 'console-admin@gatehouse.test',
  fullName: 'Connie Console',
};
// The account whose data must never leak, and whose state no refused action may change.
const sentinel = {
  username: 'sentinel-zebulon',
  email: 'sentinel-zebulon@example.test',
  fullName: 'Zebulon Sentinel',
  comment: 'Sentinel comment 7f3a',
};
const secrets = [sentinel.email, sentinel.fullName, sentinel.comment];

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

/** Every page under app/admin as a URL, `[id]` filled with a real user's id. */
function adminPages(userId: string): string[] {
  return walk(adminDir)
    .filter((file) => /\/page\.tsx$/.test(file))
    .map((file) => {
      const route = path.relative(path.join(root, 'app'), path.dirname(file)).split(path.sep).join('/');
      return `/${route.replace(/\[id\]/g, userId)}`;
    })
    .sort();
}

/** `file#export` for every exported async function of every 'use server' module under app/admin. */
function sourceActions(): string[] {
  return walk(adminDir)
    .filter((file) => /\.tsx?$/.test(file))
    .flatMap((file) => {
      const source = readFileSync(file, 'utf8');
      if (!/^\s*['"]use server['"]/.test(source)) return [];
      const relative = path.relative(root, file).split(path.sep).join('/');
      return [...source.matchAll(/export\s+async\s+function\s+(\w+)/g)].map((m) => `${relative}#${m[1]}`);
    })
    .sort();
}

/**
 * The build's server actions under app/admin: `file#export` → the action id and a page that serves
 * it (Next.js answers an action only at a page whose bundle imports it).
 */
function builtActions(userId: string): Map<string, { id: string; url: string }> {
  const manifest = JSON.parse(
    readFileSync(path.join(root, '.next/server/server-reference-manifest.json'), 'utf8'),
  ) as { node: Record<string, { filename: string; exportedName: string; workers: Record<string, unknown> }> };
  return new Map(
    Object.entries(manifest.node)
      .filter(([, action]) => action.filename.startsWith('app/admin/'))
      .map(([id, action]) => {
        const worker = Object.keys(action.workers).find((w) => w.startsWith('app/admin/'));
        if (!worker) throw new Error(`no admin page serves ${action.filename}#${action.exportedName}`);
        const url = `/${worker
          .replace(/^app\//, '')
          .replace(/\/page$/, '')
          .replace(/\[id\]/g, userId)}`;
        return [`${action.filename}#${action.exportedName}`, { id, url }];
      }),
  );
}

/** A body that would do harm if the action ran: every field name our admin forms use, aimed at the sentinel. */
async function harmfulBody(userId: string): Promise<FormData> {
  const require = createRequire(import.meta.url);
  const { encodeReply } = require('next/dist/compiled/react-server-dom-turbopack/client.edge') as {
    encodeReply: (value: unknown) => Promise<FormData | string>;
  };
  const form = new FormData();
  const fields: Record<string, string> = {
    userId,
    id: userId,
    single: userId,
    decision: 'reject',
    confirm: 'yes',
    role: 'admin',
    reason: 'refused caller',
    email: 'attacker@example.test',
    username: 'attacker',
    fullName: 'Attacker',
    signupMode: 'open',
    transport: 'smtp',
    host: 'attacker.example.test',
    port: '25',
  };
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  form.append('userId', userId);
  const body = await encodeReply([{ status: 'idle' }, form]);
  if (typeof body === 'string') throw new Error('expected a multipart reply');
  return body;
}

async function expectRefused(
  request: APIRequestContext,
  url: string,
  init: { method: 'GET' } | { method: 'POST'; actionId: string; body: FormData },
  who: 'stranger' | 'user',
) {
  const response =
    init.method === 'GET'
      ? await request.get(url, { maxRedirects: 0 })
      : await request.post(url, {
          maxRedirects: 0,
          // Same-origin, as from the app's own page: proxy.ts refuses any other origin before the
          // action runs (hardening.spec.ts), and this sweep must reach the action's own role check.
          headers: {
            'Next-Action': init.actionId,
            Accept: 'text/x-component',
            Origin: `http://localhost:${process.env.E2E_PORT}`,
          },
          multipart: init.body,
        });
  const label = `${who} ${init.method} ${url}${init.method === 'POST' ? ` (${init.actionId})` : ''}`;
  const status = response.status();
  const redirect = response.headers().location ?? response.headers()['x-action-redirect'] ?? '';
  if (who === 'stranger') {
    expect([303, 307, 308].includes(status) || redirect !== '', `${label}: ${status}`).toBe(true);
    expect(redirect, label).toContain('/login');
  } else {
    expect(status, label).toBe(403);
  }
  const body = await response.text();
  for (const secret of secrets) expect(body, label).not.toContain(secret);
}

let sentinelId = '';

test('set-up: an admin, a pending sentinel account and a plain signed-in user', async ({
  browser,
  mailbox,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await registerAndConfirm(page, mailbox, sentinel);

  await signInAdmin(page, mailbox, admin);
  await page.goto('/admin/users');
  const row = approvalQueue(page).getByRole('row').filter({ hasText: sentinel.email });
  const href = await row.getByRole('link', { name: sentinel.username }).getAttribute('href');
  sentinelId = href!.split('/').pop()!;
  expect(sentinelId).toMatch(/^[0-9a-f-]{36}$/);
  await context.close();
});

test('S45: every admin page and action refuses a stranger and a non-admin, and leaks nothing', async ({
  browser,
  mailbox,
}) => {
  test.setTimeout(180_000);
  const pages = adminPages(sentinelId);
  expect(pages).toEqual(expect.arrayContaining(['/admin', '/admin/users', `/admin/users/${sentinelId}`]));

  // Every action in the source is in the build, and the other way round: none escapes this test.
  const built = builtActions(sentinelId);
  expect([...built.keys()].sort()).toEqual(sourceActions());
  expect(built.size).toBeGreaterThan(0);
  const body = await harmfulBody(sentinelId);

  // A plain user, approved by the admin.
  const userContext = await browser.newContext();
  const userPage = await userContext.newPage();
  const plain = { username: 'plain-s45', email: 'plain-s45@example.test', fullName: 'Plain Person' };
  await registerAndConfirm(userPage, mailbox, plain);
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await signInAdmin(adminPage, mailbox, admin);
  await adminPage.goto('/admin/users');
  await approvalQueue(adminPage)
    .getByRole('button', { name: `Approve ${plain.username}` })
    .click();
  await expect(approvalQueue(adminPage).getByText(plain.email)).toHaveCount(0);
  await signInOk(userPage, plain.username);

  const strangerContext = await browser.newContext();
  for (const [who, request] of [
    ['stranger', strangerContext.request],
    ['user', userContext.request],
  ] as const) {
    for (const url of pages) await expectRefused(request, url, { method: 'GET' }, who);
    for (const [name, action] of built) {
      await test.step(`${who}: ${name} at ${action.url}`, () =>
        expectRefused(request, action.url, { method: 'POST', actionId: action.id, body }, who));
    }
  }

  // Nothing happened to the sentinel: still waiting in the queue, with its comment, not rejected or deleted.
  await adminPage.goto('/admin/users');
  const row = approvalQueue(adminPage).getByRole('row').filter({ hasText: sentinel.email });
  await expect(row).toHaveCount(1);
  await expect(row.locator('blockquote')).toHaveText(sentinel.comment);
  await adminPage.goto(`/admin/users?q=attacker`);
  await expect(adminPage.getByText('No users match.')).toBeVisible();
  // Nor to the platform settings.
  await adminPage.goto('/admin/settings');
  await expect(adminPage.locator('body')).not.toContainText('attacker.example.test');
  await Promise.all([userContext.close(), adminContext.close(), strangerContext.close()]);
});
