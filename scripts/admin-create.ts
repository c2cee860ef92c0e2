/**
 * `npm run admin:create -- --email you@example.com [--username you]`
 * Makes (or promotes) an administrator and prints a one-time link to choose a password. There is no
 * default password anywhere (S26): whoever opens the link within 24 hours sets it.
 */
import { parseArgs } from 'node:util';
import { getDatabase } from '@/db/client';
import { createAdmin } from '@/lib/admins';
import { systemClock } from '@/lib/clock';
import { noRequestContext } from '@/lib/request-context';
import { describeStartupError } from '@/lib/startup-error';
import { emailField } from '@/lib/validation/fields';
import { loadEnvFiles } from './load-env';

async function main() {
  loadEnvFiles();
  const { values } = parseArgs({ options: { email: { type: 'string' }, username: { type: 'string' } } });
  const email = emailField.safeParse(values.email ?? '');
  if (!email.success) {
    console.error('Usage: npm run admin:create -- --email you@example.com [--username you]');
    process.exit(2);
  }
  const handle = await getDatabase();
  const made = await createAdmin(
    handle.db,
    { email: email.data, username: values.username },
    noRequestContext,
    systemClock,
  );
  console.log(
    `${made.created ? 'Created' : 'Promoted'} administrator ${email.data}.\nOpen this link within 24 hours to choose the password (it works once):\n\n  ${made.setPasswordUrl}\n`,
  );
  await handle.close();
}

main().catch((error: unknown) => {
  console.error(describeStartupError(error));
  process.exit(1);
});
