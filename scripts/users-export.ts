/**
 * `npm run users:export -- --format csv|json [--out file] [--with-hashes]`
 * Writes every account to the file (or to stdout); password hashes only with --with-hashes.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { getDatabase } from '@/db/client';
import { describeStartupError } from '@/lib/startup-error';
import { exportUsers } from '@/lib/user-export';
import { loadEnvFiles } from './load-env';

const USAGE = 'Usage: npm run users:export -- --format csv|json [--out file] [--with-hashes]';

function usage(problem: string): never {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}

async function main() {
  loadEnvFiles();
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        format: { type: 'string' },
        out: { type: 'string' },
        'with-hashes': { type: 'boolean' },
      },
    }));
  } catch (error) {
    usage((error as Error).message);
  }
  const format = values.format;
  if (format !== 'csv' && format !== 'json') usage('--format must be csv or json.');
  const withHashes = values['with-hashes'] ?? false;

  let out: NodeJS.WritableStream;
  try {
    // A file holding hashes is readable by its owner only.
    out = values.out
      ? fs.createWriteStream(values.out, { mode: withHashes ? 0o600 : 0o644, flags: 'w' })
      : process.stdout;
    if (values.out) {
      await once(out, 'open');
      // The mode above applies only to a new file: an existing one is narrowed too.
      if (withHashes) fs.chmodSync(values.out, 0o600);
    }
  } catch (error) {
    usage(`Cannot write ${values.out}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
  }

  const handle = await getDatabase();
  let count = 0;
  try {
    for await (const chunk of exportUsers(handle.db, { format, withHashes })) {
      if (!out.write(chunk)) await once(out, 'drain');
      count += 1;
    }
  } finally {
    await handle.close();
  }
  if (values.out) {
    out.end();
    await once(out, 'finish');
  }
  if (withHashes) {
    console.error(
      `Warning: ${values.out ?? 'this output'} holds password hashes. Keep it as secret as the database itself and delete it once imported.`,
    );
  }
  if (values.out && count > 0) console.error(`Exported to ${values.out}.`);
}

main().catch((error: unknown) => {
  console.error(describeStartupError(error));
  process.exit(1);
});
