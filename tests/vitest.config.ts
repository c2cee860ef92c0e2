import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  resolve: {
    alias: { '@': root },
  },
  test: {
    include: [
      'lib/**/*.test.ts',
      'db/**/*.test.ts',
      'scripts/**/*.test.ts',
      'emails/**/*.test.{ts,tsx}',
      'tests/**/*.test.{ts,tsx}',
    ],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    setupFiles: ['tests/setup/fail-on-console-error.ts'],
    globalSetup: ['tests/setup/global-database.ts'],
    // next-auth imports `next/server` without an extension, which Node's ESM loader refuses: through
    // Vite's resolver instead (lib/web/session.test.ts runs the real auth()).
    server: { deps: { inline: ['next-auth'] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A forgotten .only would run a fraction of the suite and still pass: refused in CI.
    allowOnly: !process.env.CI,
    // The security gate reads which tests ran and passed from this report; which database is in its name.
    reporters: [
      [
        './tests/setup/json-report.ts',
        { outputFile: `test-results/vitest-${process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite'}.json` },
      ],
      'default',
    ],
  },
});
