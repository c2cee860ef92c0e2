import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * A `next start` of the production build (or its standalone server) run by the test itself, for specs that need their own
 * configuration (a throwaway Postgres database, a second instance) or need to read the server's log.
 */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export function freePort(): number {
  // A fresh node without the test runner's NODE_OPTIONS (its loaders may print), so stdout is the port.
  const output = execFileSync(
    process.execPath,
    [
      '-e',
      "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH, NODE_ENV: 'test' } },
  );
  const port = Number(/(\d+)\s*$/.exec(output)?.[1]);
  if (!port) throw new Error(`no free port: ${output}`);
  return port;
}

export interface OwnServer {
  url: string;
  /** Everything the server wrote to stdout and stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

export function serverEnv(port: number, overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    APP_URL: `http://localhost:${port}`,
    AUTH_SECRET: 'own-server-secret-own-server-secret-own',
    CRON_SECRET: 'own-server-cron-secret-0123',
    MAIL_TRANSPORT: 'smtp',
    SMTP_HOST: '127.0.0.1',
    SMTP_ENCRYPTION: 'none',
    MAIL_FROM_ADDRESS: 'accounts@gatehouse.test',
    MAIL_FROM_NAME: 'Gatehouse',
    ...overrides,
  };
  return env;
}

/** How to run the server: `next start` in the repository, or another Node entry such as server.js. */
export interface Launch {
  name: string;
  args: string[];
  cwd: string;
}

export const nextStart = (port: number): Launch => ({
  name: 'next start',
  args: [`${repoRoot}/node_modules/next/dist/bin/next`, 'start', '-p', String(port)],
  cwd: repoRoot,
});

export async function startOwnServer(
  port: number,
  env: NodeJS.ProcessEnv,
  launch: Launch = nextStart(port),
): Promise<OwnServer> {
  const child: ChildProcess = spawn(process.execPath, launch.args, {
    cwd: launch.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${launch.name} exited (${child.exitCode}):\n${output}`);
    const ok = await fetch(`${url}/api/health?ready=1`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${launch.name} did not answer within 90 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    log: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Lines of a server log that report a bug: our own error events, and Next's uncaught-error lines. */
export function errorLines(log: string): string[] {
  return log
    .split('\n')
    .filter(
      (line) =>
        line.includes('"level":"error"') ||
        line.includes('⨯') ||
        /\b(Unhandled|Uncaught)\b/i.test(line) ||
        /^\s*(\w*Error|Error):/.test(line),
    );
}
