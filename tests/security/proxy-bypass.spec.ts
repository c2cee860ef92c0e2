import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  accountOwner,
  HttpClient,
  startOnOwnPostgres,
  type OwnPostgresServer,
} from '../helpers/own-postgres';
import { errorLines, repoRoot } from '../helpers/own-server';

/**
 * S63 (and S25, S52): no request header, path spelling or method lets an unsafe request skip
 * proxy.ts's origin, body and overload checks. proxy.ts's matcher used to skip every request carrying
 * `Next-Router-Prefetch: 1` or `Purpose: prefetch`, and paths starting with "api" or "favicon.ico":
 * such a POST ran a server action with no origin check (Next.js lets an action without Origin through)
 * and a malformed body got a 500. The requests are written byte by byte on a socket, since fetch would
 * tidy the paths and methods up first.
 */
test.describe.configure({ mode: 'serial' });

let app: OwnPostgresServer;
let victim: HttpClient;
let logoutAction: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  app = await startOnOwnPostgres('bypass');
  await app.createUser('bypass-victim');
  const manifest = JSON.parse(
    readFileSync(path.join(repoRoot, '.next/server/server-reference-manifest.json'), 'utf8'),
  ) as { node: Record<string, { filename: string }> };
  logoutAction = Object.entries(manifest.node).find(([, a]) => a.filename === 'app/logout/actions.ts')![0];
});

test.afterAll(async () => {
  await app?.stop();
});

function raw(request: string): Promise<{ status: number; head: string }> {
  const url = new URL(app.server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', () => {
      const head = answer.split('\r\n\r\n')[0] ?? '';
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head });
    });
    socket.on('error', reject);
  });
}

function post(
  method: string,
  target: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; head: string }> {
  const host = new URL(app.server.url).host;
  const lines = Object.entries({
    Host: host,
    'Content-Type': 'text/plain;charset=UTF-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
    ...headers,
  }).map(([k, v]) => `${k}: ${v}`);
  return raw(`${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
}

const SKIP_HEADERS: Record<string, Record<string, string>> = {
  plain: {},
  'Next-Router-Prefetch': { 'Next-Router-Prefetch': '1' },
  'Purpose: prefetch': { Purpose: 'prefetch' },
  'RSC prefetch': { RSC: '1', 'Next-Router-Prefetch': '1', 'Next-Router-Segment-Prefetch': '/_tree' },
};

const SPELLINGS = [
  '/logout',
  '//logout',
  '/logout/',
  '/%6cogout',
  '/_next/../logout',
  '/api/../logout',
  '/_next/static/../../logout',
  '/apix',
  '/favicon.ico',
  '/_next/static/x',
  '/_next/image',
  '/no-such-page',
];

/** A refusal, or Next.js sending the client elsewhere before anything runs (`//x`, `/x/`). */
function refusedOrRedirected(status: number, refusals: number[]): boolean {
  return refusals.includes(status) || status === 308;
}

test('S63: a state-changing action posted with any skip header, path spelling or method gets the origin refusal', async () => {
  victim = new HttpClient(app.server.url);
  expect((await victim.signIn('bypass-victim')).status).toBe(302);
  const cookie = [...victim.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

  const failures: string[] = [];
  for (const [label, skip] of Object.entries(SKIP_HEADERS)) {
    for (const target of SPELLINGS) {
      for (const origin of [undefined, 'https://evil.example', 'null']) {
        for (const method of ['POST', 'PUT', 'DELETE']) {
          const headers = {
            Cookie: cookie,
            'Next-Action': logoutAction,
            ...skip,
            ...(origin ? { Origin: origin } : {}),
          };
          const { status } = await post(method, target, headers, '[]');
          if (!refusedOrRedirected(status, [403]))
            failures.push(`${method} ${target} (${label}, origin ${origin}): ${status}`);
        }
      }
    }
  }
  expect(failures).toEqual([]);
  // Whatever came back, the victim's session was not ended by any of it.
  expect(await accountOwner(victim, 'bypass-victim')).toBe('owner');
  const [live] = await app.sql<{ n: number }[]>`
    select count(*)::int as n from sessions s join users u on u.id = s.user_id
    where u.username = 'bypass-victim' and s.revoked_at is null`;
  expect(live!.n).toBe(1);
});

test('S63, S52: a malformed action body from the right origin gets a 4xx with any skip header, never a 500', async () => {
  const failures: string[] = [];
  for (const [label, skip] of Object.entries(SKIP_HEADERS)) {
    for (const target of SPELLINGS) {
      for (const body of ['{"bad', '['.repeat(5000), '["$Q1"]']) {
        const headers = { Origin: app.server.url, 'Next-Action': logoutAction, ...skip };
        const { status } = await post('POST', target, headers, body);
        if (!refusedOrRedirected(status, [400, 413, 415]))
          failures.push(`${target} (${label}) ${body.slice(0, 8)}: ${status}`);
      }
    }
  }
  expect(failures).toEqual([]);
});

test('S63: odd method spellings and method-override headers change nothing and never crash', async () => {
  const cookie = [...victim.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  for (const method of ['post', 'Post', 'PROPFIND', 'MKCOL', 'PATCH']) {
    const { status } = await post(
      method,
      '/logout',
      { Cookie: cookie, 'Next-Action': logoutAction, 'Next-Router-Prefetch': '1' },
      '[]',
    );
    expect(status, method).not.toBe(0);
    expect(status, method).toBeLessThan(500);
    expect([400, 403, 405], method).toContain(status);
  }
  for (const override of ['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override']) {
    const { status } = await post(
      'GET',
      '/logout',
      { Cookie: cookie, 'Next-Action': logoutAction, [override]: 'POST', 'Next-Router-Prefetch': '1' },
      '',
    );
    expect(status, override).toBeLessThan(500);
  }
  expect(await accountOwner(victim, 'bypass-victim')).toBe('owner');
  expect(errorLines(app.server.log())).toEqual([]);
});
