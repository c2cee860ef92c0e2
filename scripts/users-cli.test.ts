import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { FIXTURE_REPORT, phpDashboardCsv } from '@/tests/helpers/user-import-fixture';

/**
 * The two CLIs as an operator runs them: a child process through tsx, against the run's Postgres
 * database (TEST_DATABASE_URL) or an embedded database in a fresh data directory.
 */

const t = setUpTestDatabase();
const TSX = path.join(process.cwd(), 'node_modules/.bin/tsx');
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-users-cli-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
  delete env.TEST_DATABASE_URL;
  if (t.url) env.DATABASE_URL = t.url;
  else {
    delete env.DATABASE_URL;
    env.DATA_DIR = path.join(dir, 'data');
  }
  return new Promise((resolve) => {
    execFile(
      TSX,
      [script, ...args],
      { env, cwd: process.cwd(), timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const importCli = (...args: string[]) => run('scripts/users-import.ts', args);
const exportCli = (...args: string[]) => run('scripts/users-export.ts', args);

describe('npm run users:import / users:export', () => {
  it('exit codes: 2 for usage and unreadable files, 1 when rows are refused, 0 when all imported', async () => {
    expect((await importCli()).code).toBe(2);
    const missing = await importCli('--file', path.join(dir, 'nope.csv'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');

    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{"users": [');
    const unreadable = await importCli('--file', broken);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain('not valid JSON');

    const fixture = path.join(dir, 'users.csv');
    const csv = phpDashboardCsv();
    fs.writeFileSync(fixture, csv);
    const dry = await importCli('--file', fixture, '--dry-run');
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('nothing was written');

    const first = await importCli('--file', fixture);
    expect(first.code).toBe(1);
    expect(first.stdout.trim().split('\n')).toEqual(FIXTURE_REPORT);
    // Never a hash on the screen.
    expect(`${first.stdout}${first.stderr}`).not.toMatch(/\$2y\$|5f4dcc3b/);

    const clean = path.join(dir, 'clean.json');
    fs.writeFileSync(clean, JSON.stringify([{ email: 'cli@example.com', username: 'cli', verified: 1 }]));
    const ok = await importCli('--file', clean, '--without-password-ok');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('row 1: imported cli@example.com');
  }, 300_000);

  it('exports CSV without hashes, and JSON with hashes only on request, saying so on stderr', async () => {
    const out = path.join(dir, 'export.csv');
    const csv = await exportCli('--format', 'csv', '--out', out);
    expect(csv.code).toBe(0);
    const rows = parse(fs.readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.email).sort()).toEqual([
      'alice@example.com',
      'boss@example.com',
      'cli@example.com',
      'gone@example.com',
      'long@example.com',
      'newbie@example.com',
    ]);
    expect(Object.keys(rows[0]!)).not.toContain('password_hash');
    expect(csv.stderr).not.toContain('hashes');

    const json = await exportCli('--format', 'json', '--with-hashes');
    expect(json.code).toBe(0);
    const users = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(users.find((u) => u.email === 'alice@example.com')?.password_hash).toMatch(/^\$2y\$/);
    expect(json.stderr).toContain('holds password hashes');

    // Written to a file, hashes are readable by their owner only, even over an existing file.
    const secret = path.join(dir, 'with-hashes.json');
    fs.writeFileSync(secret, '', { mode: 0o644 });
    expect((await exportCli('--format', 'json', '--with-hashes', '--out', secret)).code).toBe(0);
    expect(fs.statSync(secret).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(secret, 'utf8'))).toHaveLength(6);

    expect((await exportCli('--format', 'xml')).code).toBe(2);
  }, 300_000);
});
