/**
 * How many items of the security contract (../shared/SECURITY.md, S1–S55) have a test that names
 * them. A test counts an item when its title (it / test / describe) carries the S-number, alone or
 * in a group like "S37/S38" or "(S48)". Prints the count and the uncovered numbers, and exits
 * non-zero when the count falls below the floor in tests/security/coverage-floor.json.
 *
 *   npm run test:security-coverage [-- --contract path/to/SECURITY.md]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

const contractPath = path.resolve(root, argument('--contract') ?? '../shared/SECURITY.md');
const floorPath = path.join(root, 'tests/security/coverage-floor.json');

/** The S-numbers the contract defines: every list item that starts with "S<n> ". */
export function contractItems(markdown: string): number[] {
  return [...markdown.matchAll(/^\s*[-*]\s+S(\d+)\b/gm)].map((m) => Number(m[1]));
}

/** The S-numbers named in the titles of it(), test() and describe() calls (with .only, .skip, .step …). */
export function namedInTitles(source: string): Set<number> {
  const named = new Set<number>();
  const call = /\b(?:it|test|describe)(?:\.\w+)*\(\s*(['"`])((?:\\.|(?!\1)[^\\])*?)\1/g;
  for (const [, , title = ''] of source.matchAll(call)) {
    for (const [, n] of title.matchAll(/(?<![A-Za-z0-9])S(\d{1,3})(?!\d)/g)) named.add(Number(n));
  }
  return named;
}

const testFile = /(\.test\.tsx?|\.spec\.ts)$/;
const scanned = ['lib', 'db', 'emails', 'tests'];

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

function main() {
  if (!existsSync(contractPath)) {
    console.error(`security contract not found at ${contractPath}`);
    process.exit(2);
  }
  const items = contractItems(readFileSync(contractPath, 'utf8'));
  if (items.length === 0) {
    console.error(`no S-items found in ${contractPath}`);
    process.exit(2);
  }
  const covered = new Map<number, string[]>();
  for (const file of scanned.flatMap((dir) => walk(path.join(root, dir))).filter((f) => testFile.test(f))) {
    for (const n of namedInTitles(readFileSync(file, 'utf8'))) {
      covered.set(n, [...(covered.get(n) ?? []), path.relative(root, file)]);
    }
  }
  const uncovered = items.filter((n) => !covered.has(n));
  const count = items.length - uncovered.length;
  const floor = (JSON.parse(readFileSync(floorPath, 'utf8')) as { floor: number }).floor;

  if (process.argv.includes('--verbose')) {
    for (const n of items) console.log(`S${n}: ${covered.get(n)?.join(', ') ?? '-'}`);
  }
  console.log(`S-items covered: ${count}/${items.length}`);
  console.log(`uncovered: ${uncovered.length ? uncovered.map((n) => `S${n}`).join(' ') : 'none'}`);
  if (count < floor) {
    console.error(`coverage ${count} is below the floor of ${floor} (tests/security/coverage-floor.json)`);
    process.exit(1);
  }
  console.log(
    `floor: ${floor}${count > floor ? ` (raise it to ${count} in tests/security/coverage-floor.json)` : ''}`,
  );
}

main();
