import { getDatabase } from '@/db/client';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { resolveMailConfig } from '@/lib/mail/config';
import { startPeriodicWork } from '@/lib/periodic';
import { describeStartupError } from '@/lib/startup-error';

/**
 * Runs once when a server process starts (instrumentation.ts): validates the environment and opens
 * the database, migrating it where that is automatic. A problem stops the process with one readable
 * paragraph rather than a stack trace on the first request.
 */
export async function startServer(): Promise<void> {
  try {
    const e = env();
    const { db, where } = await getDatabase();
    console.info(`Gatehouse: using the ${where}${e.isProduction ? '' : ` (${e.NODE_ENV})`}.`);
    const mail = await resolveMailConfig(db, e);
    if (mail.transport === 'none') log.warn('mail.not_configured', { reason: mail.reason });
    // Serverless hosts freeze the process between requests: there the cron route runs this work.
    if (!e.VERCEL) startPeriodicWork();
  } catch (error) {
    exitWithReadableError(error);
  }
}

function exitWithReadableError(error: unknown): never {
  console.error(`\n${describeStartupError(error)}\n`);
  process.exit(1);
}
