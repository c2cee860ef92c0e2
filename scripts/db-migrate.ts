/**
 * `npm run db:migrate`: applies drizzle/ migrations to DATABASE_URL, or to the embedded database in
 * DATA_DIR when it is unset. Safe to run again: applied migrations are skipped.
 */
import { openDatabase } from '@/db/client';
import { env } from '@/lib/env';
import { describeStartupError } from '@/lib/startup-error';
import { loadEnvFiles } from './load-env';

async function main() {
  loadEnvFiles();
  const e = env();
  const handle = await openDatabase({ databaseUrl: e.DATABASE_URL, dataDir: e.DATA_DIR, migrate: true });
  console.log(`Migrations applied to the ${handle.where}.`);
  await handle.close();
}

main().catch((error: unknown) => {
  console.error(describeStartupError(error));
  process.exit(1);
});
