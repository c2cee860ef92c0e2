import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { checkReadiness } from './readiness';

const open: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function database(): Promise<TestDatabase> {
  const t = await createTestDatabase();
  open.push(t);
  return t;
}

describe('readiness (GET /api/health?ready=1)', () => {
  it('a freshly migrated database is ready', async () => {
    const { db } = await database();
    expect(await checkReadiness(db)).toEqual({ ready: true });
  });

  it('a database missing the last migration is not ready, for the migrations', async () => {
    const { db } = await database();
    await db.execute(
      sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`,
    );
    expect(await checkReadiness(db)).toEqual({ ready: false, reason: 'migrations' });
  });

  it('a database never migrated is not ready, for the migrations', async () => {
    const { db } = await database();
    await db.execute(sql`drop schema drizzle cascade`);
    expect(await checkReadiness(db)).toEqual({ ready: false, reason: 'migrations' });
  });

  it('a database that does not answer is not ready, and the reason carries no error text', async () => {
    const unreachable = {
      execute: () => Promise.reject(new Error('connect ECONNREFUSED postgres://gatehouse:hunter2@db:5432/x')),
    } as unknown as Db;
    const readiness = await checkReadiness(unreachable);
    expect(readiness).toEqual({ ready: false, reason: 'database' });
    expect(JSON.stringify(readiness)).not.toContain('hunter2');
  });

  it('a release shipped without its migrations folder is not ready', async () => {
    const { db } = await database();
    expect(await checkReadiness(db, '/nonexistent/drizzle')).toEqual({ ready: false, reason: 'migrations' });
  });
});
