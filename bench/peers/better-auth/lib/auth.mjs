import { hash, verify } from '@node-rs/argon2';
import { betterAuth } from 'better-auth';
import { nextCookies } from 'better-auth/next-js';
import pg from 'pg';

/**
 * Better Auth as a Next.js team would set it up for email and password, with two deliberate
 * changes so that the comparison with Gatehouse is about the framework and not the hash:
 * - passwords hashed with the same argon2id parameters as Gatehouse (lib/password.ts), passed in
 *   by the bench as ARGON2_MEMORY_COST / ARGON2_TIME_COST / ARGON2_PARALLELISM;
 * - its rate limiter kept on but counted in its database table, as Gatehouse counts attempts in
 *   Postgres, and its limits raised: the bench signs the same few client addresses in back to back
 *   and reads the session from one address, which its defaults (3 sign-ins and 100 requests per
 *   10 s) refuse. Every request still pays for the counting.
 * Sessions are Better Auth's default: a row in its session table, read on every request (no
 * cookie cache), like Gatehouse's server-side sessions.
 */
const argon2Options = {
  algorithm: 2, // Argon2id
  memoryCost: Number(process.env.ARGON2_MEMORY_COST),
  timeCost: Number(process.env.ARGON2_TIME_COST),
  parallelism: Number(process.env.ARGON2_PARALLELISM),
};

export const auth = betterAuth({
  baseURL: process.env.BETTER_AUTH_URL,
  secret: process.env.BETTER_AUTH_SECRET,
  database: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 }),
  emailAndPassword: {
    enabled: true,
    password: {
      hash: (password) => hash(password, argon2Options),
      verify: ({ hash: stored, password }) => verify(stored, password),
    },
  },
  rateLimit: {
    enabled: true,
    storage: 'database',
    window: 10,
    max: 1_000_000,
    customRules: { '/sign-in/email': { window: 10, max: 1_000_000 } },
  },
  advanced: { ipAddress: { ipAddressHeaders: ['x-forwarded-for'] } },
  telemetry: { enabled: false },
  plugins: [nextCookies()],
});
