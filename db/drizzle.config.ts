import { defineConfig } from 'drizzle-kit';

// Generation only needs the schema; migrations are applied by scripts/db-migrate.ts on either driver.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './drizzle',
  casing: 'snake_case',
});
