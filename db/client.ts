import fs from 'node:fs';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';

/**
 * One database handle per process, opened on first use and never at import time (so `next build`
 * never touches a database). Postgres through postgres.js when DATABASE_URL is set; otherwise the
 * embedded PGlite in DATA_DIR (./.data by default).
 *
 * The handle lives on globalThis: Next.js can load this module once per bundle layer (pages, route
 * handlers, instrumentation) in one process, and two PGlite instances on one directory would
 * corrupt it.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- both drivers' result kinds differ; the query API is the same.
export type Db = PgDatabase<PgQueryResultHKT & any, typeof schema>;

export type Driver = 'postgres' | 'pglite';

export interface DbHandle {
  db: Db;
  driver: Driver;
  /** A human description without credentials: "Postgres at db.example.com:5432/app" or "embedded database in ./.data". */
  where: string;
  close(): Promise<void>;
}

export class DatabaseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseError';
  }
}

export const MIGRATIONS_FOLDER = path.join(process.cwd(), 'drizzle');

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Apply pending migrations right after opening. */
  migrate?: boolean;
}

export async function openDatabase(options: OpenOptions): Promise<DbHandle> {
  const handle = options.databaseUrl
    ? await openPostgres(options.databaseUrl)
    : await openPglite(options.dataDir);
  try {
    if (options.migrate) await migrateDatabase(handle);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  return handle;
}

function describePostgres(url: string): string {
  const u = new URL(url);
  return `Postgres at ${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

async function openPostgres(url: string): Promise<DbHandle> {
  const [{ default: postgres }, { drizzle }] = await Promise.all([
    import('postgres'),
    import('drizzle-orm/postgres-js'),
  ]);
  const where = describePostgres(url);
  const client = postgres(url, {
    max: 10,
    connect_timeout: 10,
    onnotice: () => undefined,
  });
  try {
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => undefined);
    throw new DatabaseError(
      `Cannot reach ${where}: ${describeConnectionError(error)}. Check DATABASE_URL (host, port, user, password, database) and that the server is running and accepts connections from this host.`,
      { cause: error },
    );
  }
  return {
    db: drizzle(client, { schema, casing: 'snake_case' }) as Db,
    driver: 'postgres',
    where,
    close: () => client.end({ timeout: 5 }),
  };
}

function describeConnectionError(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { code?: string; message?: string };
    if (e.code === 'ECONNREFUSED') return 'the connection was refused (ECONNREFUSED)';
    if (e.code === 'ENOTFOUND') return 'the host name does not resolve (ENOTFOUND)';
    if (e.code === 'CONNECT_TIMEOUT' || e.code === 'ETIMEDOUT') return 'the connection timed out';
    if (e.code === '3D000') return 'the database does not exist';
    if (e.code === '28P01' || e.code === '28000') return 'the server refused the credentials';
    if (e.message) return e.message;
  }
  return String(error);
}

async function openPglite(dataDir: string): Promise<DbHandle> {
  const dir = path.resolve(dataDir);
  const relative = path.relative(process.cwd(), dir);
  const shown = relative && !relative.startsWith('..') ? `./${relative}` : dir;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (error) {
    throw new DatabaseError(
      `Cannot use ${shown} for the embedded database: ${(error as NodeJS.ErrnoException).code ?? String(error)} (${(error as Error).message}). Make the directory writable by this user, point DATA_DIR at a writable directory, or set DATABASE_URL to use a Postgres server.`,
      { cause: error },
    );
  }
  const releaseLock = acquireDirectoryLock(dir, shown);
  try {
    const [{ PGlite }, { drizzle }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('drizzle-orm/pglite'),
    ]);
    const client = await PGlite.create(path.join(dir, 'pgdata'));
    return {
      db: drizzle(client, { schema, casing: 'snake_case' }) as Db,
      driver: 'pglite',
      where: `embedded database in ${shown}`,
      close: async () => {
        try {
          await client.close();
        } finally {
          releaseLock();
        }
      },
    };
  } catch (error) {
    releaseLock();
    throw new DatabaseError(
      `Cannot open the embedded database in ${shown}: ${(error as Error).message}. If the directory was copied or damaged, move it away to start fresh, or set DATABASE_URL to use a Postgres server.`,
      { cause: error },
    );
  }
}

/**
 * PGlite keeps the whole database in one process's memory and flushes it to disk; a second process on
 * the same directory would silently overwrite the first one's writes. A lock file with the owner's pid
 * makes the second one fail with a clear message instead. A lock left by a dead process is taken over.
 */
function acquireDirectoryLock(dir: string, shown: string): () => void {
  const lockPath = path.join(dir, 'gatehouse.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      const release = () => {
        process.off('exit', release);
        try {
          if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new DatabaseError(
          `Cannot lock the embedded database in ${shown}: ${code ?? (error as Error).message}. Make the directory writable or set DATA_DIR to a writable directory.`,
          { cause: error },
        );
      }
      const owner = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new DatabaseError(
          `The embedded database in ${shown} is already open in another process (pid ${owner}). Only one process can use it at a time: stop the other one (another \`npm run dev\` or \`npm start\`?), or give this one its own DATA_DIR, or use Postgres through DATABASE_URL.`,
        );
      }
      // The owner is gone (or is us after a crash-free restart of the module): take the lock over.
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new DatabaseError(`Cannot lock the embedded database in ${shown}: the lock file keeps reappearing.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Applies the migrations in drizzle/ with the driver of the handle. */
export async function migrateDatabase(handle: DbHandle, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> {
  try {
    if (handle.driver === 'pglite') {
      const { migrate } = await import('drizzle-orm/pglite/migrator');
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the handle was built by the pglite driver.
      await migrate(handle.db as any, { migrationsFolder });
    } else {
      const { migrate } = await import('drizzle-orm/postgres-js/migrator');
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the handle was built by the postgres-js driver.
      await migrate(handle.db as any, { migrationsFolder });
    }
  } catch (error) {
    throw new DatabaseError(
      `Cannot apply the database migrations to the ${handle.where}: ${(error as Error).message}.`,
      { cause: error },
    );
  }
}

const slot = Symbol.for('gatehouse.db');
type Slot = { [slot]?: Promise<DbHandle> };

/**
 * The process-wide handle, opened on first call with the validated environment. Migrations run
 * automatically on the embedded database and in development; production Postgres is migrated by
 * `npm run db:migrate` as a deploy step.
 */
export function getDatabase(): Promise<DbHandle> {
  const holder = globalThis as Slot;
  if (!holder[slot]) {
    holder[slot] = (async () => {
      const { env } = await import('@/lib/env');
      const e = env();
      return openDatabase({
        databaseUrl: e.DATABASE_URL,
        dataDir: e.DATA_DIR,
        migrate: e.usesEmbeddedDatabase || !e.isProduction,
      });
    })();
    // A failed open must not stay cached: the next request tries again (the server may be back).
    holder[slot].catch(() => {
      delete holder[slot];
    });
  }
  return holder[slot];
}

/** Shorthand for code that only needs the query builder. */
export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

/** For tests and scripts that bring their own handle (a per-test database). */
export function setDatabaseForProcess(handle: DbHandle | undefined): void {
  const holder = globalThis as Slot;
  if (handle) holder[slot] = Promise.resolve(handle);
  else delete holder[slot];
}
