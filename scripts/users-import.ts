/**
 * `npm run users:import -- --file users.csv|users.json [--dry-run] [--without-password-ok]`
 * Imports accounts from another system (decision 021) and prints one line per row, then the counts.
 * Exit code: 0 every row imported, 1 some refused, 2 usage error or unreadable file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { getDatabase } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { describeStartupError } from '@/lib/startup-error';
import { formatImportReport, importUsers, readUserFile } from '@/lib/user-import';
import { loadEnvFiles } from './load-env';

const USAGE =
  'Usage: npm run users:import -- --file users.csv|users.json [--format csv|json] [--dry-run] [--without-password-ok]';

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
        file: { type: 'string' },
        format: { type: 'string' },
        'dry-run': { type: 'boolean' },
        'without-password-ok': { type: 'boolean' },
      },
    }));
  } catch (error) {
    usage((error as Error).message);
  }
  if (!values.file) usage('--file is required.');
  const format = values.format ?? (path.extname(values.file).toLowerCase() === '.json' ? 'json' : 'csv');
  if (format !== 'csv' && format !== 'json') usage(`--format must be csv or json, not ${format}.`);

  let content: string;
  try {
    content = fs.readFileSync(values.file, 'utf8');
  } catch (error) {
    usage(`Cannot read ${values.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
  }
  const read = readUserFile(content, format);
  if (!read.ok) usage(`Cannot import ${values.file}: ${read.reason}. Nothing was written.`);

  const handle = await getDatabase();
  try {
    const report = await importUsers(
      handle.db,
      read.records,
      {
        dryRun: values['dry-run'],
        withoutPasswordOk: values['without-password-ok'],
        context: { userAgent: 'users:import' },
      },
      systemClock,
    );
    for (const line of formatImportReport(report)) console.log(line);
    process.exitCode = report.refused > 0 ? 1 : 0;
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(describeStartupError(error));
  process.exit(2);
});
