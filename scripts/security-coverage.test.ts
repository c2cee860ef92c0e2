import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  contractItems,
  coverageOf,
  expectedReports,
  itemsNamedIn,
  parsePlaywrightReport,
  parseReport,
  parseVitestReport,
  readReport,
  type TestResult,
} from './security-coverage';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = path.join(root, 'tests/fixtures/security-coverage');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8'));
const outcomes = (tests: TestResult[]) => tests.map((t) => [t.titles.join(' › '), t.outcome]);

describe('reading the reports', () => {
  it('Vitest: passed, failed, skipped and todo, with the describes around each test', () => {
    const report = parseVitestReport(fixture('vitest.json'));
    expect(report.runner).toBe('vitest');
    expect(outcomes(report.tests)).toEqual([
      ['S1 group › inner › passes without its own number', 'passed'],
      ['S1 group › inner › S2: fails', 'failed'],
      ['S1 group › S3: skipped', 'skipped'],
      ['S1 group › S4: todo', 'todo'],
      ['S5/S6: top level passes', 'passed'],
      ['S12 block › S13: a', 'skipped'],
    ]);
    expect(report.tests[0]!.file).toBe('/work/repo/tests/shapes.test.ts');
  });

  it('Vitest: a file that did not load and a failed hook are errors, though no test failed in them', () => {
    const { errors } = parseVitestReport(fixture('vitest.json'));
    expect(errors).toEqual([
      "/work/repo/tests/broken.test.ts: Cannot find module './nope-missing' imported from /work/repo/tests/broken.test.ts",
      '/work/repo/tests/hook.test.ts: a hook failed',
    ]);
  });

  it('Playwright: nested describes, skip, fixme, test.fail() and a flaky pass; the file suite is no title', () => {
    const report = parsePlaywrightReport(fixture('playwright.json'));
    expect(report.runner).toBe('playwright');
    expect(outcomes(report.tests)).toEqual([
      ['S5/S6: top level passes', 'passed'],
      ['S1 group › S3: skipped', 'skipped'],
      ['S1 group › S4: fixme', 'todo'],
      ['S1 group › S7: skipped at run time', 'skipped'],
      ['S1 group › S8: expected to fail', 'expected_to_fail'],
      ['S1 group › S10: passes on the second try', 'failed'],
      ['S1 group › inner › passes without its own number', 'passed'],
      ['S1 group › inner › S2: fails', 'failed'],
      ['a file name is not a describe', 'passed'],
    ]);
    expect(report.tests[0]).toMatchObject({
      file: '/work/repo/tests/security/shapes.spec.ts',
      durationMs: 16,
    });
    expect(report.tests[5]!.durationMs).toBe(42);
    expect(report.errors).toEqual([]);
  });

  it('tells the two formats apart by shape and refuses anything else', () => {
    expect(parseReport(fixture('vitest.json')).runner).toBe('vitest');
    expect(parseReport(fixture('playwright.json')).runner).toBe('playwright');
    expect(() => parseReport({ tests: [] })).toThrow(/neither a Vitest nor a Playwright/);
    expect(() => parseReport({ testResults: [{ name: 'x.test.ts' }] })).toThrow(/assertionResults/);
    expect(() => parseReport({ suites: [{ title: 'x' }], stats: {}, errors: [] })).toThrow(/"file"/);
  });

  it('a missing, unreadable or empty report is a problem, never zero tests counted as fine', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gate-'));
    writeFileSync(path.join(dir, 'cut.json'), '{"testResults": [');
    expect(readReport(path.join(dir, 'absent.json'))).toEqual({
      problem: 'missing (did its test run happen?)',
    });
    expect(readReport(path.join(dir, 'cut.json'))).toMatchObject({
      problem: expect.stringMatching(/^unreadable/),
    });
    expect(readReport(path.join(fixtures, 'vitest-empty.json'))).toEqual({ problem: 'empty: no test ran' });
    expect(readReport(path.join(fixtures, 'playwright-empty.json'))).toEqual({
      problem: 'empty: no test ran',
    });
    expect(readReport(path.join(fixtures, 'vitest.json'))).toMatchObject({ runner: 'vitest' });
  });

  it("a Playwright run's own errors (a web server that never started) are kept", () => {
    expect(parsePlaywrightReport(fixture('playwright-empty.json')).errors).toEqual([
      'Error: Timed out waiting 120000ms from config.webServer.',
    ]);
  });
});

describe('counting items', () => {
  it('reads S-numbers from titles alone, in groups and in brackets, and not inside other words', () => {
    expect(itemsNamedIn('S37/S38: a reset ends sessions (S48)')).toEqual([37, 38, 48]);
    expect(itemsNamedIn('CSS10 and S1000 and S5x are not items; S5: is')).toEqual([5]);
    expect(contractItems('# C\n- S1 One [x]\n- S2 Two\n  - S3 Three\nS4 not a list item\n')).toEqual([
      1, 2, 3,
    ]);
  });

  it('an item counts only when a test naming it (itself or through a describe) passed, in any report', () => {
    const tests = [
      ...parseVitestReport(fixture('vitest.json')).tests,
      ...parsePlaywrightReport(fixture('playwright.json')).tests,
    ];
    const items = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
    const { covered, namedOnlyByOthers, uncovered } = coverageOf(items, tests);
    expect([...covered.keys()]).toEqual([1, 5, 6]);
    expect(uncovered).toEqual([2, 3, 4, 7, 8, 9, 10, 11, 12, 13]);
    const only = Object.fromEntries(
      [...namedOnlyByOthers].map(([n, ts]) => [`S${n}`, [...new Set(ts.map((t) => t.outcome))]]),
    );
    expect(only).toEqual({
      S2: ['failed'],
      S3: ['skipped'],
      S4: ['todo'],
      S7: ['skipped'],
      S8: ['expected_to_fail'],
      S10: ['failed'],
      S12: ['skipped'],
      S13: ['skipped'],
    });
    // S1 is proved through its describe, by the Vitest and the Playwright test alike.
    expect(covered.get(1)!.map((t) => t.file)).toEqual([
      '/work/repo/tests/shapes.test.ts',
      '/work/repo/tests/security/shapes.spec.ts',
    ]);
  });

  it('expects all four reports in CI and the two of npm test and npm run test:e2e elsewhere', () => {
    expect(expectedReports(true)).toEqual([
      'vitest-pglite.json',
      'vitest-postgres.json',
      'playwright-pglite.json',
      'playwright-postgres.json',
    ]);
    expect(expectedReports(false)).toEqual(['vitest-pglite.json', 'playwright-pglite.json']);
  });
});

describe('the gate', () => {
  const gate = (args: string[]) =>
    promisify(execFile)(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/security-coverage.ts', ...args],
      { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test' } },
    ).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('fails on a missing report and on failed tests, and lists what was named only by tests that did not pass', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gate-'));
    const contract = path.join(dir, 'SECURITY.md');
    writeFileSync(contract, Array.from({ length: 13 }, (_, i) => `- S${i + 1} item`).join('\n'));
    const result = await gate([
      '--contract',
      contract,
      '--report',
      path.join(fixtures, 'vitest.json'),
      '--report',
      path.join(fixtures, 'playwright.json'),
      '--report',
      path.join(dir, 'vitest-postgres.json'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('S-items proved by a passing test in this run: 3/13');
    expect(result.stdout).toContain('uncovered: S2 S3 S4 S7 S8 S9 S10 S11 S12 S13');
    expect(result.stdout).toContain('S3 is named only by tests that did not pass:');
    expect(result.stderr).toContain(
      `${path.relative(root, path.join(dir, 'vitest-postgres.json'))} is missing`,
    );
    expect(result.stderr).toMatch(
      /failed: \S*\/repo\/tests\/security\/shapes\.spec\.ts › S1 group › inner › S2: fails/,
    );
    expect(result.stderr).toContain('/work/repo/tests/broken.test.ts: Cannot find module');
    expect(result.stderr).toMatch(/coverage 3 is below the floor of \d+/);
  });
});
