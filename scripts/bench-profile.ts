/**
 * Where a server's event-loop CPU goes, from a V8 CPU profile of `next start`: self time grouped by
 * package (through the build's source maps, so bundled code is attributed to its real source), and
 * the functions that take the most.
 *
 *   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:login
 *   npx tsx scripts/bench-profile.ts /tmp/prof/*.cpuprofile
 *
 * docs/performance.md holds the summary of a run and what it says to cut.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printColumns } from './bench-http';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface Profile {
  nodes: { id: number; callFrame: CallFrame; hitCount?: number }[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const maps = new Map<string, SourceMap | null>();

/** The original file behind a compiled frame, when the build left a source map beside it. */
function originalSource(frame: CallFrame): string {
  if (!frame.url.startsWith('file://')) return frame.url;
  const file = fileURLToPath(frame.url);
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null);
  }
  const entry = maps.get(file)?.findEntry(frame.lineNumber, frame.columnNumber) as
    { originalSource?: string } | undefined;
  return entry?.originalSource
    ? path.resolve(path.dirname(file), decodeURIComponent(entry.originalSource))
    : file;
}

const PACKAGE_GROUPS: [RegExp, string][] = [
  [/^(next-auth|@auth\/core|jose|@panva\/hkdf|oauth4webapi|cookie)$/, 'next-auth / jose'],
  [/^(react-dom|react|react-server-dom-.*|scheduler)$/, 'react-dom server'],
  [/^(drizzle-orm|postgres)$/, 'drizzle / postgres'],
  [/^(next-intl|use-intl|intl-messageformat|@formatjs\/.*|icu-minify)$/, 'next-intl'],
  [/^zod$/, 'zod'],
];

/** Which part of the stack a frame belongs to. */
function groupOf(frame: CallFrame, source: string): string {
  if (frame.url === '') {
    if (frame.functionName === '(garbage collector)') return 'GC';
    if (frame.functionName === '(idle)') return '(idle)';
    return 'V8 and native (program, builtins)';
  }
  if (source.startsWith('node:')) return 'Node.js (http, streams, crypto, timers)';
  if (source.includes('[turbopack]')) return 'next';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(source);
  if (inModules) {
    const [, mapped, rest] = inModules;
    // A package's own source map nested in a chunk's loses its name (node_modules/src/…);
    // Turbopack names the chunk after the package.
    const name =
      mapped === 'src' ? (/node_modules_((?:@[^_]+_)?[^_]+)_/.exec(frame.url)?.[1] ?? mapped) : mapped;
    // Next's app runtime bundles React's server renderer with its own rendering code.
    if (name === 'next' && /compiled\/(react|react-dom|react-server-dom)/.test(rest!))
      return 'react-dom server';
    if (name === 'next' && /app-page.*runtime/.test(rest!))
      return 'next app-page runtime (incl. bundled react-dom)';
    if (name === 'next') return 'next';
    return PACKAGE_GROUPS.find(([pattern]) => pattern.test(name!))?.[1] ?? name!;
  }
  const relative = path.relative(process.cwd(), source);
  if (/^lib\/log\b/.test(relative)) return 'logging (lib/log)';
  if (/^(app|lib|db|components|emails|proxy\.ts|instrumentation\.ts)/.test(relative)) return 'our code';
  return 'other';
}

function main(): void {
  const files = process.argv.slice(2);
  if (files.length === 0) throw new Error('usage: tsx scripts/bench-profile.ts <file.cpuprofile>…');
  const byGroup = new Map<string, number>();
  const byFunction = new Map<string, { group: string; ms: number }>();
  let totalMs = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
    for (const node of profile.nodes) {
      const ms = (node.hitCount ?? 0) * msPerSample;
      if (ms === 0) continue;
      const source = originalSource(node.callFrame);
      const group = groupOf(node.callFrame, source);
      if (group === '(idle)') continue;
      totalMs += ms;
      byGroup.set(group, (byGroup.get(group) ?? 0) + ms);
      const where = source.includes('node_modules/')
        ? source.slice(source.lastIndexOf('node_modules/') + 13)
        : path.relative(process.cwd(), source) || source;
      const key = `${node.callFrame.functionName || '(anonymous)'}  ${where}`;
      const entry = byFunction.get(key) ?? { group, ms: 0 };
      entry.ms += ms;
      byFunction.set(key, entry);
    }
  }
  const share = (ms: number) => `${((100 * ms) / totalMs).toFixed(1)}%`;
  console.log(`busy event-loop time in ${files.length} profile(s): ${(totalMs / 1000).toFixed(1)} s`);
  printColumns([
    ['group', 'self ms', 'share'],
    ...[...byGroup].sort((a, b) => b[1] - a[1]).map(([group, ms]) => [group, ms.toFixed(0), share(ms)]),
  ]);
  console.log('');
  printColumns([
    ['function  source', 'group', 'self ms', 'share'],
    ...[...byFunction]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 30)
      .map(([key, { group, ms }]) => [key.slice(0, 110), group, ms.toFixed(0), share(ms)]),
  ]);
}

main();
