import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { Db } from '@/db/client';
import * as schema from '@/db/schema';
import type { TestDatabase } from './test-db';

/**
 * The same database through a drizzle handle on the same driver client whose query logger pushes
 * every statement it sends onto `statements` (one call per execute, data-modifying CTEs included in
 * their statement): how issue 15's round-trip counts are measured.
 */
export function countingDb(t: TestDatabase, statements: string[]): Db {
  const logger = { logQuery: (query: string) => statements.push(query) };
  const client = (t.db as unknown as { $client: never }).$client;
  return (
    t.driver === 'pglite'
      ? drizzlePglite(client, { schema, casing: 'snake_case', logger })
      : drizzlePostgres(client, { schema, casing: 'snake_case', logger })
  ) as Db;
}
