import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';

/**
 * Every locale's catalogues must say everything English says, and nothing else: the same key paths,
 * messages that parse as ICU, and the same placeholders and rich-text tags as their English originals.
 */
const messagesDir = fileURLToPath(new URL('../lib/i18n/messages', import.meta.url));
const files = ['ui.json', 'admin-users.json', 'admin-platform.json', 'emails.json'] as const;
const reference = 'en';

const locales = readdirSync(messagesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

type Catalogue = { [key: string]: string | Catalogue };

function load(locale: string, file: string): Catalogue {
  return JSON.parse(readFileSync(join(messagesDir, locale, file), 'utf8')) as Catalogue;
}

/** Every leaf as [dotted path, value]; a leaf that is not a string is kept as is, to be reported. */
function leaves(catalogue: Catalogue, prefix = ''): [string, unknown][] {
  return Object.entries(catalogue).flatMap(([key, value]): [string, unknown][] => {
    const path = prefix ? `${prefix}.${key}` : key;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? leaves(value, path)
      : [[path, value]];
  });
}

/** Just enough of the parser's AST to find arguments and tags (see @formatjs/icu-messageformat-parser). */
type Element = {
  type: number;
  value?: unknown;
  options?: Record<string, { value: Element[] }>;
  children?: Element[];
};
const ARGUMENT = 1;
const NUMBER = 2;
const DATE = 3;
const TIME = 4;
const SELECT = 5;
const PLURAL = 6;
const TAG = 8;

/** Argument names ("count") and tags ("<link>") used anywhere in a message, nested ones included. */
function argumentsOf(elements: Element[], into = new Map<string, number>()): Map<string, number> {
  for (const element of elements) {
    if (element.type === TAG) {
      into.set(`<${String(element.value)}>`, TAG);
      argumentsOf(element.children ?? [], into);
    } else if ([ARGUMENT, NUMBER, DATE, TIME, SELECT, PLURAL].includes(element.type)) {
      // A name used both plainly and as a plural keeps the most demanding kind, for the dummy value.
      const previous = into.get(String(element.value));
      if (previous === undefined || previous === ARGUMENT) into.set(String(element.value), element.type);
      for (const option of Object.values(element.options ?? {})) argumentsOf(option.value, into);
    }
  }
  return into;
}

function dummyValue(kind: number): unknown {
  if (kind === TAG) return (chunks: unknown[]) => chunks.join('');
  if (kind === DATE || kind === TIME) return new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
  if (kind === NUMBER || kind === PLURAL) return 2;
  return 'x';
}

/** Parses and formats a message; returns its argument names, or throws with the parser's complaint. */
function check(message: string, locale: string): string[] {
  const format = new IntlMessageFormat(message, locale, undefined, { ignoreTag: false });
  const args = argumentsOf(format.getAst() as Element[]);
  const values = Object.fromEntries(
    [...args].map(([name, kind]) => [name.replace(/^<(.*)>$/, '$1'), dummyValue(kind)]),
  );
  format.format(values as Record<string, string>);
  return [...args.keys()].sort();
}

describe.each(files)('%s', (file) => {
  const english = new Map(leaves(load(reference, file)));

  it.each(locales)('%s has no empty or non-string message, and every message is valid ICU', (locale) => {
    const problems: string[] = [];
    for (const [path, value] of leaves(load(locale, file))) {
      if (typeof value !== 'string') problems.push(`${path}: not a string (${JSON.stringify(value)})`);
      else if (value.trim() === '') problems.push(`${path}: empty`);
      else {
        try {
          check(value, locale);
        } catch (error) {
          problems.push(`${path}: ${(error as Error).message}`);
        }
      }
    }
    expect(problems, `problems in ${locale}/${file}`).toEqual([]);
  });

  it.each(locales.filter((locale) => locale !== reference))('%s has exactly the English keys', (locale) => {
    const translated = new Map(leaves(load(locale, file)));
    const missing = [...english.keys()].filter((path) => !translated.has(path));
    const extra = [...translated.keys()].filter((path) => !english.has(path));
    expect({ missing, extra }, `${locale}/${file} differs from ${reference}/${file}`).toEqual({
      missing: [],
      extra: [],
    });
  });

  it.each(locales.filter((locale) => locale !== reference))(
    '%s uses the same placeholders and tags as English',
    (locale) => {
      const differences: string[] = [];
      for (const [path, value] of leaves(load(locale, file))) {
        const original = english.get(path);
        if (typeof value !== 'string' || typeof original !== 'string') continue;
        let expected: string[];
        let actual: string[];
        try {
          expected = check(original, reference);
          actual = check(value, locale);
        } catch {
          continue; // reported by the ICU test above
        }
        if (expected.join() !== actual.join())
          differences.push(`${path}: expected {${expected.join(', ')}}, got {${actual.join(', ')}}`);
      }
      expect(differences, `placeholders in ${locale}/${file}`).toEqual([]);
    },
  );
});

it('page catalogues never define the same top-level namespace twice (they are merged)', () => {
  const owners = new Map<string, string[]>();
  for (const file of files.filter((f) => f !== 'emails.json')) {
    for (const key of Object.keys(load(reference, file))) owners.set(key, [...(owners.get(key) ?? []), file]);
  }
  const clashes = [...owners].filter(([, owning]) => owning.length > 1);
  expect(clashes).toEqual([]);
});
