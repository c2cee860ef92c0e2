/**
 * The npm registry this project is installed from does not carry every platform build of a few
 * native packages (darwin, win32, exotic linux builds of @next/swc, @swc/core, @unrs/resolver).
 * `npm install` then writes a lock file without them, and `npm ci` refuses that lock as out of sync.
 * This adds a lock entry for each missing optional platform package, with its os/cpu, so `npm ci`
 * knows it and skips it on this platform without fetching. Run after `npm install`:
 *   node scripts/lock-platform-entries.mjs
 * It never touches an entry that exists. See docs/decisions/005-lockfile-platform-entries.md.
 */
import fs from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const OS = {
  darwin: 'darwin',
  win32: 'win32',
  linux: 'linux',
  android: 'android',
  freebsd: 'freebsd',
  openharmony: 'openharmony',
};
const CPU = {
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  arm: 'arm',
  ppc64: 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS[p]);
  const cpu = parts.find((p) => CPU[p]);
  if (!os || !cpu) return undefined;
  const libc = parts.some((p) => p.startsWith('musl'))
    ? 'musl'
    : parts.includes('gnu') || parts.some((p) => p.startsWith('gnueabi'))
      ? 'glibc'
      : undefined;
  return { os: [OS[os]], cpu: [CPU[cpu]], ...(libc && os === 'linux' ? { libc: [libc] } : {}) };
}

let added = 0;
for (const [location, entry] of Object.entries(packages)) {
  for (const [dep, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const version = spec.replace(/^[\^~=]/, '');
    const nested = `${location === '' ? '' : `${location}/`}node_modules/${dep}`;
    const hoisted = `node_modules/${dep}`;
    if (packages[nested] || packages[hoisted]?.version === version) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    // This platform's own build must really be installed, never papered over.
    if (
      platform.os[0] === process.platform &&
      platform.cpu[0] === process.arch &&
      platform.libc?.[0] !== 'musl'
    )
      continue;
    // A hoisted copy of another version belongs to another parent: this one gets its own, nested.
    const at = packages[hoisted] ? nested : hoisted;
    const file = dep.split('/').pop();
    packages[at] = {
      version,
      resolved: `https://registry.npmjs.org/${dep}/-/${file}-${version}.tgz`,
      optional: true,
      ...platform,
    };
    added += 1;
  }
}
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock entries added for missing platform packages: ${added}`);
