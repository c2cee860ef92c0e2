import nextEnv from '@next/env';

/** Scripts read .env files exactly as `next dev` / `next start` do, so one .env serves both. */
export function loadEnvFiles(): void {
  nextEnv.loadEnvConfig(process.cwd(), process.env.NODE_ENV !== 'production', {
    info: () => {},
    error: console.error,
  });
}
