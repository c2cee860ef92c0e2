import { z } from 'zod';
import { normaliseEncryptionWord, SMTP_ENCRYPTION_WORDS } from './mail/smtp-encryption';

/**
 * Every environment variable Gatehouse reads, validated once. A missing or malformed value stops
 * start-up with a message that names it and says how to fix it (see formatEnvError).
 * .env.example documents each variable; keep the two in step.
 */

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const emailList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.email({ error: 'must be a comma-separated list of email addresses' })));

/** A whole number within bounds, given as a string of digits; undefined when unset. */
const wholeNumber = (min: number, max: number, error: string) =>
  optionalString
    .refine((v) => v === undefined || (/^[0-9]+$/.test(v) && Number(v) >= min && Number(v) <= max), { error })
    .transform((v) => (v === undefined ? undefined : Number(v)));

const postgresUrl = optionalString.refine(
  (v) => {
    if (v === undefined) return true;
    try {
      const url = new URL(v);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  {
    error:
      'must be a URL like postgres://user:password@host:5432/database; unset it to use the embedded database in ./.data',
  },
);

const httpUrl = optionalString
  .refine(
    (v) => {
      if (v === undefined) return true;
      try {
        const url = new URL(v);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.pathname === '/';
      } catch {
        return false;
      }
    },
    { error: 'must be the public origin of the app, like https://accounts.example.com (no path)' },
  )
  .transform((v) => v?.replace(/\/+$/, ''));

const origin = z.string().refine(
  (v) => {
    try {
      const url = new URL(v);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === v.replace(/\/+$/, '');
    } catch {
      return false;
    }
  },
  { error: 'must be a comma-separated list of origins like https://app.example.com (no path)' },
);

const originList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(origin))
  .transform((list) => list.map((v) => new URL(v).origin));

const flag = optionalString
  .pipe(z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).optional())
  .transform((v) => v === 'true' || v === '1');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    VERCEL: optionalString,

    DATABASE_URL: postgresUrl,
    DATA_DIR: optionalString.default('./.data'),

    APP_URL: httpUrl,
    // Set by `next dev` / `next start` to the port it really listens on (also after `-p`).
    PORT: wholeNumber(1, 65535, 'must be a port number between 1 and 65535'),
    AUTH_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
      error: 'must be at least 32 characters; generate one with `openssl rand -base64 32`',
    }),
    ADMIN_EMAILS: emailList,

    MAIL_TRANSPORT: optionalString.pipe(
      z.enum(['smtp', 'resend', 'dev'], { error: 'must be one of smtp, resend, dev' }).optional(),
    ),
    SMTP_HOST: optionalString,
    SMTP_PORT: wholeNumber(1, 65535, 'must be a port number between 1 and 65535'),
    SMTP_USERNAME: optionalString,
    SMTP_PASSWORD: optionalString,
    // The PHP dashboard's words (PHPMailer's): tls = STARTTLS, ssl = implicit TLS; see lib/mail/smtp-encryption.ts.
    SMTP_ENCRYPTION: optionalString
      .transform((v) => (v === undefined ? undefined : normaliseEncryptionWord(v)))
      .pipe(
        z
          .enum(SMTP_ENCRYPTION_WORDS, { error: 'must be one of starttls, tls, ssl, none' })
          .default('starttls'),
      ),
    GMAIL_CLIENT_ID: optionalString,
    GMAIL_CLIENT_SECRET: optionalString,
    GMAIL_REFRESH_TOKEN: optionalString,
    MAIL_FROM_ADDRESS: optionalString.pipe(z.email({ error: 'must be an email address' }).optional()),
    MAIL_FROM_NAME: optionalString.default('Gatehouse'),
    RESEND_API_KEY: optionalString,
    RESEND_BASE_URL: httpUrl,

    CRON_SECRET: optionalString.refine((v) => v === undefined || v.length >= 16, {
      error: 'must be at least 16 characters; generate one with `openssl rand -hex 24`',
    }),

    TRUSTED_PROXY_HEADER: optionalString.pipe(
      z
        .enum(['x-forwarded-for', 'x-real-ip', 'cf-connecting-ip', 'none'], {
          error: 'must be one of x-forwarded-for, x-real-ip, cf-connecting-ip, none',
        })
        .optional(),
    ),
    TRUSTED_PROXY_HOPS: wholeNumber(1, 10, 'must be a whole number of proxies, from 1 to 10'),
    ALLOWED_ORIGINS: originList,

    HIBP_ENABLED: flag,
    HIBP_URL: optionalString.refine(
      (v) => {
        if (v === undefined) return true;
        try {
          return ['http:', 'https:'].includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { error: 'must be the URL of a k-anonymity range API, like https://api.pwnedpasswords.com/range/' },
    ),

    PASSWORD_HASH_CONCURRENCY: wholeNumber(
      1,
      1024,
      'must be a whole number of hashes at once, from 1 to 1024',
    ),
    PASSWORD_HASH_QUEUE: wholeNumber(
      1,
      100_000,
      'must be a whole number of waiting requests, from 1 to 100000',
    ),
    // Read by next.config.mjs when the server starts; checked here so a typo stops start-up.
    HTTP_COMPRESSION: optionalString.pipe(z.enum(['on', 'off'], { error: 'must be on or off' }).optional()),
  })
  .superRefine((env, ctx) => {
    const production = env.NODE_ENV === 'production';
    if (production && !env.AUTH_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_SECRET'],
        message: 'is required in production; generate one with `openssl rand -base64 32`',
      });
    }
    if (production && !env.APP_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['APP_URL'],
        message: 'is required in production: the public origin that links in mail point to',
      });
    }
    if (env.VERCEL && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message:
          'is required on Vercel: the embedded database cannot persist there; use a managed Postgres (Neon, Supabase…)',
      });
    }
    if (env.MAIL_TRANSPORT === 'smtp' && !env.SMTP_HOST) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_HOST'], message: 'is required when MAIL_TRANSPORT=smtp' });
    }
    if (env.MAIL_TRANSPORT === 'resend' && !env.RESEND_API_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['RESEND_API_KEY'],
        message: 'is required when MAIL_TRANSPORT=resend',
      });
    }
    if (env.MAIL_TRANSPORT === 'dev' && production) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAIL_TRANSPORT'],
        message:
          'cannot be dev in production: the development mailbox would show everyone’s mail; use smtp or resend',
      });
    }
    const gmail = [env.GMAIL_CLIENT_ID, env.GMAIL_CLIENT_SECRET, env.GMAIL_REFRESH_TOKEN];
    if (gmail.some(Boolean) && !gmail.every(Boolean)) {
      ctx.addIssue({
        code: 'custom',
        path: ['GMAIL_CLIENT_ID'],
        message:
          'GMAIL_CLIENT_ID, GMAIL_CLIENT_SECRET and GMAIL_REFRESH_TOKEN go together: set all three or none',
      });
    }
  })
  .transform((env) => ({
    ...env,
    // Without APP_URL (development only), the app is wherever the server listens: with
    // `npm run dev -- -p 3001` its own forms post from http://localhost:3001 and must pass the origin check.
    APP_URL: env.APP_URL ?? `http://localhost:${env.PORT ?? 3000}`,
    // Vercel always sets X-Forwarded-For itself, overwriting what the client sent.
    TRUSTED_PROXY_HEADER: env.TRUSTED_PROXY_HEADER ?? (env.VERCEL ? 'x-forwarded-for' : 'none'),
    TRUSTED_PROXY_HOPS: env.TRUSTED_PROXY_HOPS ?? 1,
    isProduction: env.NODE_ENV === 'production',
    usesEmbeddedDatabase: env.DATABASE_URL === undefined,
  }));

export type Env = z.output<typeof schema>;

export class EnvError extends Error {
  readonly problems: { name: string; message: string }[];

  constructor(problems: { name: string; message: string }[]) {
    super(formatEnvProblems(problems));
    this.name = 'EnvError';
    this.problems = problems;
  }
}

function formatEnvProblems(problems: { name: string; message: string }[]): string {
  const lines = problems.map((p) => `  ${p.name} ${p.message}.`);
  return [
    'Gatehouse cannot start: the environment is not valid.',
    ...lines,
    'Fix these in .env (see .env.example for every variable) or in your host’s environment settings, then start again.',
  ].join('\n');
}

/** Parses an environment; throws EnvError naming every bad variable. Pure, so tests can feed it anything. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    name: String(issue.path[0] ?? 'environment'),
    message: issue.message,
  }));
  throw new EnvError(problems);
}

const cache = Symbol.for('gatehouse.env');
type EnvHolder = { [cache]?: Env };

/** The validated process environment, parsed on first use and then cached for the process. */
export function env(): Env {
  const holder = globalThis as EnvHolder;
  holder[cache] ??= parseEnv(process.env);
  return holder[cache];
}

/** Drops the cached environment: for tests that change process.env. */
export function resetEnvCache(): void {
  delete (globalThis as EnvHolder)[cache];
}

/** The only values that may ever reach the browser. Nothing secret belongs here. */
export function publicEnv() {
  return { APP_URL: env().APP_URL };
}
