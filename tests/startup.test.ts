import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DatabaseError, openDatabase } from '@/db/client';
import { EnvError, parseEnv } from '@/lib/env';

const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

// These tests start real processes (tsx compiles each script on start). On a loaded two-core CI
// machine that alone has taken 30-50 s, so they get far more than the suite's 30 s default.
vi.setConfig({ testTimeout: 150_000 });

function migrateWith(envOverrides: Record<string, string>) {
  const result = spawnSync(tsx, ['scripts/db-migrate.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', ...envOverrides },
    encoding: 'utf8',
    timeout: 140_000,
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

function expectReadableFailure(run: ReturnType<typeof migrateWith>, mentions: RegExp) {
  expect(run.status).not.toBe(0);
  expect(run.stderr).toMatch(mentions);
  // One paragraph for a person, not a stack trace.
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

describe('environment validation', () => {
  it('accepts an empty development environment with embedded defaults', () => {
    const env = parseEnv({});
    expect(env.usesEmbeddedDatabase).toBe(true);
    expect(env.DATA_DIR).toBe('./.data');
    expect(env.APP_URL).toBe('http://localhost:3000');
    expect(env.ADMIN_EMAILS).toEqual([]);
  });

  it('S25: without APP_URL the app is where the server listens (`npm run dev -- -p 3001`)', () => {
    expect(parseEnv({ PORT: '3001' }).APP_URL).toBe('http://localhost:3001');
    expect(parseEnv({ PORT: '3001', APP_URL: 'https://accounts.example.com' }).APP_URL).toBe(
      'https://accounts.example.com',
    );
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(EnvError);
  });

  it('requires AUTH_SECRET and APP_URL in production and names both', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(EnvError);
    try {
      parseEnv({ NODE_ENV: 'production' });
    } catch (error) {
      const names = (error as EnvError).problems.map((p) => p.name);
      expect(names).toEqual(expect.arrayContaining(['AUTH_SECRET', 'APP_URL']));
      expect((error as Error).message).toMatch(/openssl rand/);
    }
  });

  it('requires DATABASE_URL on Vercel', () => {
    expect(() =>
      parseEnv({
        VERCEL: '1',
        NODE_ENV: 'production',
        AUTH_SECRET: 'x'.repeat(32),
        APP_URL: 'https://a.example',
      }),
    ).toThrow(/DATABASE_URL is required on Vercel/);
  });

  it.each([
    ['DATABASE_URL', 'mysql://user@host/db'],
    ['DATABASE_URL', 'not a url'],
    ['APP_URL', 'ftp://example.com'],
    ['APP_URL', 'https://example.com/path'],
    ['AUTH_SECRET', 'short'],
    ['SMTP_PORT', 'abc'],
    ['SMTP_PORT', '70000'],
    ['SMTP_ENCRYPTION', 'smtps'],
    ['MAIL_TRANSPORT', 'carrier-pigeon'],
    ['ADMIN_EMAILS', 'admin@example.com, not-an-address'],
    ['PASSWORD_HASH_CONCURRENCY', '-1'],
  ])('names %s when it is malformed (%s)', (name, value) => {
    expect(() => parseEnv({ [name]: value })).toThrow(new RegExp(`^  ${name} `, 'm'));
  });

  it('refuses the development mailbox in production', () => {
    expect(() =>
      parseEnv({
        NODE_ENV: 'production',
        MAIL_TRANSPORT: 'dev',
        AUTH_SECRET: 'x'.repeat(32),
        APP_URL: 'https://a.example',
      }),
    ).toThrow(/MAIL_TRANSPORT cannot be dev in production/);
  });

  it('normalises lists and origins', () => {
    const env = parseEnv({
      ADMIN_EMAILS: ' Admin@Example.com ,ops@example.com,',
      APP_URL: 'https://a.example/',
    });
    expect(env.ADMIN_EMAILS).toEqual(['admin@example.com', 'ops@example.com']);
    expect(env.APP_URL).toBe('https://a.example');
  });
});

describe('start-up failures are one readable paragraph and a non-zero exit', () => {
  it('a malformed DATABASE_URL', () => {
    expectReadableFailure(
      migrateWith({ DATABASE_URL: 'mysql://root@localhost/app' }),
      /DATABASE_URL must be a URL/,
    );
  });

  it('an unreachable Postgres', () => {
    expectReadableFailure(
      migrateWith({ DATABASE_URL: 'postgres://nobody@127.0.0.1:9/gatehouse' }),
      /Cannot reach Postgres at 127\.0\.0\.1:9\/gatehouse: the connection was refused/,
    );
  });

  it('an unwritable data directory', () => {
    const file = path.join(os.tmpdir(), `gatehouse-not-a-dir-${process.pid}`);
    fs.writeFileSync(file, '');
    try {
      expectReadableFailure(
        migrateWith({ DATA_DIR: path.join(file, 'data') }),
        /Cannot use .* for the embedded database: ENOTDIR/,
      );
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});

describe('the embedded database directory', () => {
  it('a second process opening the same directory gets a clear error, not a second writer', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-lock-'));
    const holder = spawn(tsx, ['tests/fixtures/hold-database.ts', dir], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) resolve();
        });
        holder.on('exit', (code) => reject(new Error(`holder exited early with ${code}`)));
      });
      const attempt = openDatabase({ dataDir: dir });
      await expect(attempt).rejects.toThrow(DatabaseError);
      // tsx runs the script in a child of `holder`, so the pid named is that child's.
      await expect(attempt).rejects.toThrow(/already open in another process \(pid [0-9]+\)/);
    } finally {
      holder.stdin.end();
      await new Promise((resolve) => holder.on('exit', resolve));
    }
    // Once the first process has let go, the directory opens normally and keeps its data.
    const handle = await openDatabase({ dataDir: dir, migrate: true });
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a lock left by a process that died is taken over', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-stale-'));
    // A pid that cannot be alive: above the kernel's maximum.
    fs.writeFileSync(path.join(dir, 'gatehouse.lock'), '99999999');
    const handle = await openDatabase({ dataDir: dir });
    await handle.close();
    expect(fs.existsSync(path.join(dir, 'gatehouse.lock'))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('npm run admin:create', () => {
  it('S26: makes an administrator with no password and prints a one-time set-password link', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-'));
    try {
      const run = spawnSync(tsx, ['scripts/admin-create.ts', '--email', 'Boss@Example.com'], {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'development',
          DATA_DIR: dir,
          APP_URL: 'https://accounts.example.com',
        },
        encoding: 'utf8',
        timeout: 140_000,
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('Created administrator boss@example.com');
      expect(run.stdout).toMatch(/https:\/\/accounts\.example\.com\/set-password\?token=[A-Za-z0-9_-]{43}/);
      expect(run.stdout + run.stderr).not.toMatch(/password:/i);

      const usage = spawnSync(tsx, ['scripts/admin-create.ts', '--email', 'not-an-address'], {
        cwd: root,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', DATA_DIR: dir },
        encoding: 'utf8',
        timeout: 140_000,
      });
      expect(usage.status).toBe(2);
      expect(usage.stderr).toContain('Usage: npm run admin:create -- --email');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
