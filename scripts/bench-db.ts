import postgres from 'postgres';
import { migrateDatabase, openDatabase, type Db, type DbHandle } from '@/db/client';

/**
 * A database for a benchmark: in-memory PGlite (as tests/helpers/test-db.ts) when no URL is given,
 * or a throwaway database gatehouse_bench_<pid> created next to the one in the URL (whose user must
 * be allowed to create databases) and dropped by close().
 */
export interface BenchDatabase {
  handle: DbHandle;
  where: string;
  /** The throwaway Postgres database's URL, for a server started on it; none for PGlite. */
  url?: string;
  close(): Promise<void>;
}

export async function openBenchDatabase(databaseUrl: string | undefined): Promise<BenchDatabase> {
  if (!databaseUrl) {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const schema = await import('@/db/schema');
    const client = await PGlite.create();
    const handle: DbHandle = {
      db: drizzle(client, { schema, casing: 'snake_case' }) as Db,
      driver: 'pglite',
      where: 'in-memory PGlite',
      close: () => client.close(),
    };
    await migrateDatabase(handle);
    return { handle, where: handle.where, close: () => handle.close() };
  }

  const name = `gatehouse_bench_${process.pid}`;
  const admin = async (statement: string) => {
    const client = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
    try {
      await client.unsafe(statement);
    } finally {
      await client.end({ timeout: 5 });
    }
  };
  await admin(`drop database if exists "${name}" with (force)`);
  await admin(`create database "${name}"`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  let handle: DbHandle;
  try {
    handle = await openDatabase({ databaseUrl: url.toString(), dataDir: '', migrate: true });
  } catch (error) {
    await admin(`drop database if exists "${name}" with (force)`).catch(() => undefined);
    throw error;
  }
  return {
    handle,
    where: handle.where,
    url: url.toString(),
    close: async () => {
      try {
        await handle.close();
      } finally {
        await admin(`drop database if exists "${name}" with (force)`);
      }
    },
  };
}
