/**
 * Creates Better Auth's tables with its own migrator and seeds the bench's accounts, the way
 * scripts/bench-login.ts seeds Gatehouse's: rows written straight into the schema, every account
 * with the same argon2id hash (PASSWORD_HASH), emails bench0@bench.test … bench<USERS>@bench.test.
 *
 *   DATABASE_URL=… USERS=200 PASSWORD_HASH='$argon2id$…' node setup.mjs
 */
import { randomUUID } from 'node:crypto';
import { getMigrations } from 'better-auth/db/migration';
import { auth } from './lib/auth.mjs';

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const pool = auth.options.database;
const count = Number(process.env.USERS) + 1;
const now = new Date();
for (let start = 0; start < count; start += 500) {
  const ids = [];
  const emails = [];
  for (let i = start; i < Math.min(count, start + 500); i += 1) {
    ids.push(randomUUID());
    emails.push(`bench${i}@bench.test`);
  }
  await pool.query(
    `insert into "user" (id, name, email, "emailVerified", "createdAt", "updatedAt")
     select id, 'Bench ' || split_part(email, '@', 1), email, true, $3, $3
     from unnest($1::text[], $2::text[]) as t(id, email)`,
    [ids, emails, now],
  );
  await pool.query(
    `insert into account (id, "accountId", "providerId", "userId", password, "createdAt", "updatedAt")
     select gen_random_uuid()::text, id, 'credential', id, $2, $3, $3 from unnest($1::text[]) as t(id)`,
    [ids, process.env.PASSWORD_HASH, now],
  );
}
await pool.end();
