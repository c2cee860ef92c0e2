/**
 * The security gate: how many items of the security contract (../shared/SECURITY.md) a test proved in
 * this run. An item counts only when a test that names it (in its own title or in a describe around
 * it, alone or in a group like "S37/S38" or "(S48)") ran and passed, as read from the JSON reports the
 * test runs wrote under test-results/:
 *
 *   vitest-pglite.json, vitest-postgres.json   `npm test`, without and with TEST_DATABASE_URL
 *   playwright-pglite.json, playwright-postgres.json   `npm run test:e2e`, without and with E2E_DATABASE_URL
 *
 * It fails when an expected report is missing, unreadable or empty, when any report records a failed
 * test, or when the count is below the floor in tests/security/coverage-floor.json. Items named only
 * by tests that were skipped, marked todo/fixme or failed are listed. In CI (CI set) all four reports
 * are expected; elsewhere the two that `npm test` and `npm run test:e2e` write.
 *
 *   npm run test:security-coverage [-- --report test-results/x.json …] [--contract path] [--verbose] [--durations]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What became of one test, reduced to what the gate needs. */
export type Outcome = 'passed' | 'failed' | 'skipped' | 'todo' | 'expected_to_fail';

export interface TestResult {
  /** The test file, as the report names it. */
  file: string;
  /** Enclosing describe titles, outermost first, then the test's own title. */
  titles: string[];
  outcome: Outcome;
  durationMs: number;
}

export interface ParsedReport {
  runner: 'vitest' | 'playwright';
  tests: TestResult[];
  /** Files or runs that failed outside any test (a file that did not load, a web server that did not start). */
  errors: string[];
}

/** The S-numbers the contract defines: every list item that starts with "S<n> ". */
export function contractItems(markdown: string): number[] {
  return [...markdown.matchAll(/^\s*[-*]\s+S(\d+)\b/gm)].map((m) => Number(m[1]));
}

/** The S-numbers a title names: "S30: …", "S37/S38: …", "… (S48)". */
export function itemsNamedIn(title: string): number[] {
  return [...title.matchAll(/(?<![A-Za-z0-9])S(\d{1,3})(?![A-Za-z0-9])/g)].map((m) => Number(m[1]));
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

class ReportFormatError extends Error {}

function field<T>(object: Json, key: string, check: (v: unknown) => v is T, where: string): T {
  const value = object[key];
  if (!check(value)) throw new ReportFormatError(`${where}: "${key}" is missing or of the wrong type`);
  return value;
}
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';

/** Vitest's `json` reporter (JsonTestResults): one entry per file, one assertion result per test. */
export function parseVitestReport(report: unknown): ParsedReport {
  if (!isObject(report)) throw new ReportFormatError('not a Vitest report');
  const tests: TestResult[] = [];
  const errors: string[] = [];
  for (const file of field(report, 'testResults', isArray, 'Vitest report')) {
    if (!isObject(file)) throw new ReportFormatError('Vitest report: a test file entry is not an object');
    const name = field(file, 'name', isString, 'Vitest test file');
    const before = tests.length;
    for (const test of field(file, 'assertionResults', isArray, name)) {
      if (!isObject(test)) throw new ReportFormatError(`${name}: a test entry is not an object`);
      const ancestors = field(test, 'ancestorTitles', isArray, name).filter(isString);
      const status = field(test, 'status', isString, name);
      const outcome: Outcome =
        status === 'passed'
          ? 'passed'
          : status === 'failed'
            ? 'failed'
            : status === 'todo'
              ? 'todo'
              : 'skipped'; // skipped, pending, disabled
      tests.push({
        file: name,
        titles: [...ancestors, field(test, 'title', isString, name)],
        outcome,
        durationMs: typeof test.duration === 'number' ? test.duration : 0,
      });
    }
    // A file that failed to load, or a hook that failed (its tests then show as skipped): the file
    // failed with no failed test to say so.
    if (file.status === 'failed' && !tests.slice(before).some((t) => t.outcome === 'failed')) {
      const message = typeof file.message === 'string' && file.message ? file.message : 'a hook failed';
      errors.push(`${name}: ${message.split('\n')[0]}`);
    }
  }
  return { runner: 'vitest', tests, errors };
}

/**
 * Playwright's `json` reporter (JSONReport): file suites hold specs and describe suites; each spec has
 * one test per project. Passed means it ran, was expected to pass, and did; a test.fail() that failed
 * as expected proves nothing about the item. Flaky (failed, then passed on a retry) counts as failed:
 * an attack that got through once got through.
 */
export function parsePlaywrightReport(report: unknown): ParsedReport {
  if (!isObject(report)) throw new ReportFormatError('not a Playwright report');
  const tests: TestResult[] = [];
  const errors: string[] = field(report, 'errors', isArray, 'Playwright report').map((e) =>
    isObject(e) && typeof e.message === 'string' ? e.message.split('\n')[0]! : 'error',
  );

  const walk = (suite: Json, describes: string[], file: string) => {
    for (const spec of field(suite, 'specs', isArray, file)) {
      if (!isObject(spec)) throw new ReportFormatError(`${file}: a spec is not an object`);
      const title = field(spec, 'title', isString, file);
      for (const test of field(spec, 'tests', isArray, file)) {
        if (!isObject(test)) throw new ReportFormatError(`${file}: a test is not an object`);
        const status = field(test, 'status', isString, file);
        const expected = test.expectedStatus;
        const annotations = isArray(test.annotations) ? test.annotations : [];
        const fixme = annotations.some((a) => isObject(a) && a.type === 'fixme');
        const outcome: Outcome =
          status === 'expected'
            ? expected === 'passed'
              ? 'passed'
              : 'expected_to_fail'
            : status === 'skipped'
              ? fixme
                ? 'todo'
                : 'skipped'
              : 'failed'; // unexpected, flaky
        const results = isArray(test.results) ? test.results : [];
        const durationMs = results.reduce<number>(
          (sum, r) => sum + (isObject(r) && typeof r.duration === 'number' ? r.duration : 0),
          0,
        );
        tests.push({ file, titles: [...describes, title], outcome, durationMs });
      }
    }
    for (const child of isArray(suite.suites) ? suite.suites : []) {
      if (!isObject(child)) throw new ReportFormatError(`${file}: a suite is not an object`);
      walk(child, [...describes, field(child, 'title', isString, file)], file);
    }
  };

  // Files are named from the test directory (config.rootDir); made absolute, like Vitest's.
  const rootDir = isObject(report.config) && isString(report.config.rootDir) ? report.config.rootDir : '';
  for (const fileSuite of field(report, 'suites', isArray, 'Playwright report')) {
    if (!isObject(fileSuite)) throw new ReportFormatError('Playwright report: a file suite is not an object');
    // The top-level suite is the file: its title is the path, not a describe, so it names nothing.
    const file = field(fileSuite, 'file', isString, 'Playwright file suite');
    walk(fileSuite, [], rootDir ? path.join(rootDir, file) : file);
  }
  return { runner: 'playwright', tests, errors };
}

/** Either runner's report, told apart by shape. */
export function parseReport(report: unknown): ParsedReport {
  if (isObject(report) && 'testResults' in report) return parseVitestReport(report);
  if (isObject(report) && 'suites' in report && 'stats' in report) return parsePlaywrightReport(report);
  throw new ReportFormatError('neither a Vitest nor a Playwright JSON report');
}

export interface ItemCoverage {
  /** Items with at least one passing test that names them. */
  covered: Map<number, TestResult[]>;
  /** Items named only by tests that did not pass (skipped, todo/fixme, failed, expected to fail). */
  namedOnlyByOthers: Map<number, TestResult[]>;
  uncovered: number[];
}

/** Which contract items the runs proved. A test names an item through any of its titles. */
export function coverageOf(items: number[], tests: TestResult[]): ItemCoverage {
  const passing = new Map<number, TestResult[]>();
  const other = new Map<number, TestResult[]>();
  for (const test of tests) {
    const named = new Set(test.titles.flatMap(itemsNamedIn));
    for (const n of named) {
      const into = test.outcome === 'passed' ? passing : other;
      into.set(n, [...(into.get(n) ?? []), test]);
    }
  }
  const covered = new Map(items.filter((n) => passing.has(n)).map((n) => [n, passing.get(n)!]));
  const namedOnlyByOthers = new Map(
    items.filter((n) => !passing.has(n) && other.has(n)).map((n) => [n, other.get(n)!]),
  );
  return { covered, namedOnlyByOthers, uncovered: items.filter((n) => !passing.has(n)) };
}

/** The reports a run is expected to leave: all four in CI, those of `npm test` and `npm run test:e2e` elsewhere. */
export function expectedReports(ci: boolean): string[] {
  return ci
    ? ['vitest-pglite.json', 'vitest-postgres.json', 'playwright-pglite.json', 'playwright-postgres.json']
    : ['vitest-pglite.json', 'playwright-pglite.json'];
}

/** Reads one report; a reason instead when it is missing, unreadable or holds no test. */
export function readReport(file: string): ParsedReport | { problem: string } {
  if (!existsSync(file)) return { problem: 'missing (did its test run happen?)' };
  let parsed: ParsedReport;
  try {
    parsed = parseReport(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    return { problem: `unreadable: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (parsed.tests.length === 0) return { problem: 'empty: no test ran' };
  return parsed;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const shownPath = (file: string) => (path.isAbsolute(file) ? path.relative(root, file) : file);
const label = (test: TestResult) => `${shownPath(test.file)} › ${test.titles.join(' › ')}`;

function argumentsNamed(name: string): string[] {
  return process.argv.flatMap((arg, i) =>
    arg === name && process.argv[i + 1] ? [process.argv[i + 1]!] : [],
  );
}

function main() {
  const contractPath = path.resolve(root, argumentsNamed('--contract')[0] ?? '../shared/SECURITY.md');
  const floorPath = path.join(root, 'tests/security/coverage-floor.json');
  const given = argumentsNamed('--report');
  const reportPaths = given.length
    ? given.map((p) => path.resolve(p))
    : expectedReports(Boolean(process.env.CI)).map((name) => path.join(root, 'test-results', name));

  if (!existsSync(contractPath)) {
    console.error(`security contract not found at ${contractPath}`);
    process.exit(2);
  }
  const items = contractItems(readFileSync(contractPath, 'utf8'));
  if (items.length === 0) {
    console.error(`no S-items found in ${contractPath}`);
    process.exit(2);
  }

  const problems: string[] = [];
  const tests: TestResult[] = [];
  console.log('Reports:');
  for (const file of reportPaths) {
    const shown = path.relative(root, file);
    const report = readReport(file);
    if ('problem' in report) {
      console.log(`  ${shown}: ${report.problem}`);
      problems.push(`${shown} is ${report.problem}`);
      continue;
    }
    const count = (outcome: Outcome) => report.tests.filter((t) => t.outcome === outcome).length;
    console.log(
      `  ${shown} (${report.runner}): ${count('passed')} passed, ${count('failed')} failed, ` +
        `${count('skipped')} skipped, ${count('todo')} todo` +
        (count('expected_to_fail') ? `, ${count('expected_to_fail')} expected to fail` : ''),
    );
    for (const test of report.tests.filter((t) => t.outcome === 'failed')) {
      problems.push(`${shown}: failed: ${label(test)}`);
    }
    for (const error of report.errors) problems.push(`${shown}: ${error}`);
    tests.push(...report.tests);

    if (process.argv.includes('--durations') && report.runner === 'playwright') {
      const byFile = new Map<string, number>();
      for (const t of report.tests) {
        byFile.set(shownPath(t.file), (byFile.get(shownPath(t.file)) ?? 0) + t.durationMs);
      }
      for (const [spec, ms] of [...byFile].sort((a, b) => b[1] - a[1])) {
        console.log(`    ${(ms / 1000).toFixed(1).padStart(7)} s  ${spec}`);
      }
    }
  }

  const { covered, namedOnlyByOthers, uncovered } = coverageOf(items, tests);
  if (process.argv.includes('--verbose')) {
    for (const n of items) {
      const passing = covered.get(n) ?? [];
      console.log(
        `S${n}: ${passing.length} passing test(s)${passing[0] ? `, e.g. ${label(passing[0])}` : ''}`,
      );
    }
  }
  const floor = (JSON.parse(readFileSync(floorPath, 'utf8')) as { floor: number }).floor;
  console.log(`S-items proved by a passing test in this run: ${covered.size}/${items.length}`);
  console.log(`uncovered: ${uncovered.length ? uncovered.map((n) => `S${n}`).join(' ') : 'none'}`);
  for (const [n, others] of namedOnlyByOthers) {
    console.log(`  S${n} is named only by tests that did not pass:`);
    for (const test of others) console.log(`    ${test.outcome}: ${label(test)}`);
  }

  if (problems.length > 0) {
    console.error('The gate counts only complete, green runs:');
    for (const problem of problems) console.error(`  ${problem}`);
  }
  if (covered.size < floor) {
    console.error(
      `coverage ${covered.size} is below the floor of ${floor} (tests/security/coverage-floor.json)`,
    );
  } else {
    console.log(
      `floor: ${floor}${covered.size > floor ? ` (raise it to ${covered.size} in tests/security/coverage-floor.json)` : ''}`,
    );
  }
  if (problems.length > 0 || covered.size < floor) process.exit(1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
