import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, inject } from 'vitest';
import { openDatabase, type Db, type DbHandle } from '@/db/client';

export interface TestDatabase extends DbHandle {
  db: Db;
  /** The connection URL when on real Postgres (for tests that start a second client or a server). */
  url?: string;
}

/**
 * A fresh, migrated database for one test file: an in-memory PGlite by default, or a clone of the
 * run's template on the real Postgres when TEST_DATABASE_URL is set. Close it in afterAll.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrateDatabase } = await import('@/db/client');
    const schema = await import('@/db/schema');
    const client = await PGlite.create();
    const handle: DbHandle = {
      db: drizzle(client, { schema, casing: 'snake_case' }) as Db,
      driver: 'pglite',
      where: 'in-memory test database',
      close: () => client.close(),
    };
    await migrateDatabase(handle);
    return handle;
  }

  const template = inject('templateDatabase');
  if (!template) throw new Error('TEST_DATABASE_URL is set but the global setup made no template database');
  // The ppid (vitest's main process) ties the name to the run, so its teardown can sweep leftovers.
  const name = `gatehouse_t_${process.ppid}_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
  return {
    ...handle,
    url: url.toString(),
    close: async () => {
      await handle.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      try {
        await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/**
 * A test file's own database, opened before its tests and closed after them: call it once at the
 * top of the file and read `db` in tests and hooks.
 */
export function setUpTestDatabase(): { readonly db: Db; readonly url: string | undefined } {
  let handle: TestDatabase | undefined;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle?.close();
  });
  const opened = () => {
    if (!handle) throw new Error('the test database opens in beforeAll: read it in a test or a hook');
    return handle;
  };
  return {
    get db() {
      return opened().db;
    },
    get url() {
      return opened().url;
    },
  };
}
