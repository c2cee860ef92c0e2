import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { MIGRATIONS_FOLDER, type Db } from '@/db/client';
import { rowsOf } from '@/db/rows';

/**
 * Readiness for a load balancer or a deploy step (`GET /api/health?ready=1`): the database answers and
 * every migration in drizzle/ is applied. Liveness (`GET /api/health`) asks nothing of the database, so
 * a slow or migrating database never gets a healthy instance restarted. The reason names a part, never
 * an error message: those can carry the connection string.
 */
export type Readiness = { ready: true } | { ready: false; reason: 'database' | 'migrations' };

interface Journal {
  entries: { tag: string; when: number }[];
}

const journals = new Map<string, Promise<Journal>>();

/** drizzle/meta/_journal.json, read once per folder: it changes only with a new release. */
function readJournal(folder: string): Promise<Journal> {
  let journal = journals.get(folder);
  if (!journal) {
    journal = readFile(path.join(folder, 'meta', '_journal.json'), 'utf8').then((text) => JSON.parse(text));
    journals.set(folder, journal);
    // A release shipped without its migrations is not ready; a later request reads the folder again.
    journal.catch(() => journals.delete(folder));
  }
  return journal;
}

export async function checkReadiness(db: Db, migrationsFolder = MIGRATIONS_FOLDER): Promise<Readiness> {
  try {
    await db.execute(sql`select 1`);
  } catch {
    return { ready: false, reason: 'database' };
  }
  let journal: Journal;
  try {
    journal = await readJournal(migrationsFolder);
  } catch {
    return { ready: false, reason: 'migrations' };
  }
  let applied: Set<number>;
  try {
    // Drizzle's migrator records each applied migration by its journal timestamp (`when`).
    const result = await db.execute(sql`select created_at from drizzle.__drizzle_migrations`);
    applied = new Set(rowsOf(result).map((row) => Number(String(row.created_at))));
  } catch {
    // The database answered a moment ago: a missing table means nothing was ever migrated.
    return { ready: false, reason: 'migrations' };
  }
  const missing = journal.entries.some((entry) => !applied.has(entry.when));
  return missing ? { ready: false, reason: 'migrations' } : { ready: true };
}
