/**
 * How fast `users:import` takes a CSV of bcrypt accounts, and that they sign in with their old
 * passwords afterwards (rehashed to argon2id on that first sign-in).
 *
 *   npm run bench:import                                   # 10,000 rows into in-memory PGlite
 *   BENCH_IMPORT_ROWS=2000 BENCH_DATABASE_URL=postgres://… npm run bench:import
 *
 * The CSV has the PHP dashboard's columns (tests/fixtures/php-dashboard-users.csv) and one bad row in
 * every thousand (a missing address), which must be reported and skipped. One bcrypt hash (cost 10,
 * `$2y$` as PHP writes it) is shared by every row: making 10,000 of them would take minutes and tell
 * nothing about the import, which stores hashes and never verifies them. Prints figures; asserts
 * nothing but that the imported accounts can sign in.
 */
import { performance } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import { stringify } from 'csv-stringify/sync';
import { eq } from 'drizzle-orm';
import { users } from '@/db/schema';
import { ManualClock } from '@/lib/clock';
import { logIn } from '@/lib/login';
import { importUsers, readUserFile } from '@/lib/user-import';
import { openBenchDatabase } from './bench-db';

const rows = Number(process.env.BENCH_IMPORT_ROWS) > 0 ? Number(process.env.BENCH_IMPORT_ROWS) : 10_000;
const PASSWORD = 'old dashboard passphrase 2019';
const GOAL_SECONDS = 60;

async function main() {
  const hash = (await bcrypt.hash(PASSWORD, 10)).replace(/^\$2[ab]\$/, '$2y$');
  const records = Array.from({ length: rows }, (_, i) => ({
    id: i + 1,
    username: `user${i + 1}`,
    email: (i + 1) % 1000 === 0 ? '' : `user${i + 1}@example.com`,
    password: hash,
    first_name: 'Import',
    last_name: `Person ${i + 1}`,
    city: 'Lyon',
    country: 'France',
    role: 'user',
    status: 1,
    email_verified_at: '2024-01-01 10:00:00',
    created_at: '2023-12-31 09:00:00',
  }));
  const csv = stringify(records, { header: true });

  const bench = await openBenchDatabase(process.env.BENCH_DATABASE_URL);
  const clock = new ManualClock(new Date());
  try {
    const started = performance.now();
    const read = readUserFile(csv, 'csv');
    if (!read.ok) throw new Error(read.reason);
    const report = await importUsers(
      bench.handle.db,
      read.records,
      { context: { userAgent: 'bench:import' } },
      clock,
    );
    const seconds = (performance.now() - started) / 1000;

    const probe = 'user42@example.com';
    const signedIn = await logIn(bench.handle.db, { identifier: probe, password: PASSWORD }, {}, clock);
    const [after] = await bench.handle.db
      .select({ passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.email, probe));

    console.log(`bench:import on ${bench.where}, ${rows} CSV rows (${(csv.length / 1024).toFixed(0)} KiB)`);
    console.log(
      `  imported ${report.imported}, refused ${report.refused} (expected ${Math.floor(rows / 1000)})`,
    );
    console.log(`  ${seconds.toFixed(1)} s in all, ${(rows / seconds).toFixed(0)} rows/s`);
    console.log(
      `  ${probe} signs in with the old password: ${signedIn.ok ? 'yes' : `no (${signedIn.code})`}`,
    );
    console.log(`  its hash after that sign-in: ${after?.passwordHash?.slice(0, 10) ?? 'none'}…`);
    console.log(
      `  goal: ${rows} rows in under ${GOAL_SECONDS} s: ${seconds < GOAL_SECONDS ? 'MET' : 'MISSED'}`,
    );
    if (!signedIn.ok || !after?.passwordHash?.startsWith('$argon2id$')) process.exitCode = 1;
  } finally {
    await bench.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
