import type { TestProject } from 'vitest/node';
import postgres from 'postgres';
import { openDatabase } from '../../db/client';

/**
 * With TEST_DATABASE_URL set, the run gets its own template database, migrated once; each test file
 * then clones it (CREATE DATABASE … TEMPLATE is a file copy, far faster than migrating again), so no
 * run and no file ever sees another's rows. Without it, each file makes an in-memory PGlite.
 */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) return undefined;

  const template = `gatehouse_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${template}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: '', migrate: true });
  await handle.close();
  project.provide('templateDatabase', template);

  return async () => {
    // Per-file databases are dropped by their files; this sweeps any a crashed file left behind.
    const leftovers = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`gatehouse_t_${process.pid}_%`}`;
    for (const { datname } of leftovers)
      await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    await admin.unsafe(`drop database if exists "${template}" with (force)`);
    await admin.end();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string | undefined;
  }
}
