import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import postgres from 'postgres';
import { freePort, repoRoot, serverEnv, startOwnServer, type OwnServer } from './own-server';

/**
 * A `next start` of the production build on a throwaway Postgres database of its own, so a spec can
 * read the rows an attack should (not) have changed: sessions, audit_events. Needs Postgres
 * (E2E_POSTGRES_URL, CI_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test).
 */
const adminUrl =
  process.env.E2E_POSTGRES_URL ?? process.env.CI_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const PASSWORD = 'correct horse battery staple';

export interface OwnPostgresServer {
  server: OwnServer;
  sql: postgres.Sql;
  /** Inserts an active account `<username>@example.test` with PASSWORD; returns its id. */
  createUser(username: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startOnOwnPostgres(
  label: string,
  overrides: (port: number) => Record<string, string> = () => ({}),
): Promise<OwnPostgresServer> {
  const name = `gatehouse_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  const admin = postgres(adminUrl, { max: 1, connect_timeout: 3, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  execFileSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'scripts/db-migrate.ts'],
    {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: 'pipe',
    },
  );
  const port = freePort();
  const server = await startOwnServer(
    port,
    serverEnv(port, {
      DATABASE_URL: databaseUrl,
      SMTP_PORT: '9',
      TRUSTED_PROXY_HEADER: 'x-forwarded-for',
      ...overrides(port),
    }),
  );
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => undefined });
  return {
    server,
    sql,
    async createUser(username) {
      const passwordHash = await hash(PASSWORD, {
        algorithm: 2,
        memoryCost: 19456,
        timeCost: 2,
        parallelism: 1,
      });
      const [row] = await sql<{ id: string }[]>`
        insert into users (email, username, full_name, password_hash, email_verified_at, approved_at)
        values (${`${username}@example.test`}, ${username}, ${`Full Name Of ${username}`}, ${passwordHash}, now(), now())
        returning id`;
      return row!.id;
    },
    async stop() {
      await server.stop();
      await sql.end();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      try {
        await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/**
 * An HTTP client with its own cookie jar, speaking to the server as curl would: no browser rules about
 * Secure cookies over plain http (the server sits behind a TLS-ending proxy in these tests).
 */
export class HttpClient {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie header received, as sent. */
  readonly setCookies: string[] = [];

  constructor(
    readonly baseUrl: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async fetch(pathname: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(new URL(pathname, this.baseUrl), {
      redirect: 'manual',
      ...init,
      headers: { ...this.headers, ...(cookie ? { cookie } : {}), ...init.headers },
    });
    for (const line of response.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const key = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (!value || /;\s*max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line))
        this.cookies.delete(key);
      else this.cookies.set(key, value);
    }
    return response;
  }

  /** Auth.js's CSRF token for this client (its cookie lands in the jar). */
  async csrfToken(): Promise<string> {
    const { csrfToken } = (await (await this.fetch('/api/auth/csrf')).json()) as { csrfToken: string };
    return csrfToken;
  }

  /** Signs in through Auth.js's own endpoint, as an HTTP client does. */
  async signIn(identifier: string, password = PASSWORD): Promise<Response> {
    const csrfToken = await this.csrfToken();
    return this.fetch('/api/auth/callback/credentials', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrfToken, identifier, password }).toString(),
    });
  }

  /** A copy of this client's cookies: what a stolen cookie jar looks like. */
  copy(): HttpClient {
    const other = new HttpClient(this.baseUrl, this.headers);
    for (const [k, v] of this.cookies) other.cookies.set(k, v);
    return other;
  }
}

/** Whose account page a client gets: the username shown, or null when it is sent to sign in. */
export async function accountOwner(
  client: HttpClient,
  username: string,
): Promise<'signed-out' | 'owner' | 'other'> {
  const response = await client.fetch('/account');
  if (response.status >= 300 && response.status < 400) {
    return /\/login/.test(response.headers.get('location') ?? '') ? 'signed-out' : 'other';
  }
  const body = await response.text();
  return body.includes(`${username}@example.test`) ? 'owner' : 'other';
}
