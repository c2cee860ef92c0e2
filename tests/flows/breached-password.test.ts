import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '@/lib/clock';
import { resetEnvCache } from '@/lib/env';
import { checkNewPassword } from '@/lib/password-policy';
import { registerUser } from '@/lib/registration';
import { registrationSchema } from '@/lib/validation/registration';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';

/**
 * The breach check (S7) against a local server that answers like the Pwned Passwords range API:
 * SUFFIX:COUNT lines, CRLF, padded with zero-count entries when asked (Add-Padding: true).
 */
const BREACHED = 'lantern otter breached passphrase';
const CLEAN = 'lantern otter unknown passphrase';
const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex').toUpperCase();

let server: Server;
let baseUrl: string;
const requests: { url: string; padding: string | undefined }[] = [];
let answer: 'normal' | 'error' | 'hang' = 'normal';

function rangeFor(prefix: string, padded: boolean): string {
  const lines: string[] = [];
  const breached = sha1(BREACHED);
  if (breached.startsWith(prefix)) lines.push(`${breached.slice(5)}:52341`);
  for (let i = 0; i < (padded ? 800 : 20); i += 1) {
    lines.push(`${i.toString(16).toUpperCase().padStart(35, 'F')}:${padded && i % 2 === 0 ? 0 : i + 1}`);
  }
  return lines.join('\r\n');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', padding: req.headers['add-padding'] as string | undefined });
    if (answer === 'hang') return;
    if (answer === 'error') {
      res.writeHead(503).end();
      return;
    }
    const prefix = /\/range\/([0-9A-F]{5})$/.exec(req.url ?? '')?.[1];
    if (!prefix) {
      res.writeHead(400).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/plain' })
      .end(rangeFor(prefix, req.headers['add-padding'] === 'true'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/range/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  delete process.env.HIBP_ENABLED;
  delete process.env.HIBP_URL;
  resetEnvCache();
});

beforeEach(() => {
  requests.length = 0;
  answer = 'normal';
  process.env.HIBP_ENABLED = 'true';
  process.env.HIBP_URL = baseUrl;
  resetEnvCache();
});

const context = { minLength: 15, username: 'otto', email: 'otto@example.com' };

describe('breached-password check against a range API (S7)', () => {
  it('S7: a password in the range answer is refused with its count; only the prefix is sent', async () => {
    await expect(checkNewPassword(BREACHED, context)).resolves.toEqual({
      ok: false,
      problem: { code: 'breached', count: 52341 },
    });
    expect(requests).toEqual([{ url: `/range/${sha1(BREACHED).slice(0, 5)}`, padding: 'true' }]);
  });

  it('S7: a password missing from the answer, or only there as padding, passes', async () => {
    await expect(checkNewPassword(CLEAN, context)).resolves.toEqual({ ok: true });
  });

  it('S7: off by default: nothing is sent', async () => {
    delete process.env.HIBP_ENABLED;
    resetEnvCache();
    await expect(checkNewPassword(BREACHED, context)).resolves.toEqual({ ok: true });
    expect(requests).toHaveLength(0);
  });

  it('S7: a provider that fails or hangs never blocks; one log line each time', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    answer = 'error';
    await expect(checkNewPassword(BREACHED, context)).resolves.toEqual({ ok: true });
    answer = 'hang';
    await expect(checkNewPassword(BREACHED, context, { timeoutMs: 200 })).resolves.toEqual({ ok: true });
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[0]?.[0])).toContain('password.breach_check_unavailable');
  });

  it('S7: the local policy runs first: a common password never leaves the server', async () => {
    await expect(checkNewPassword('password', { ...context, minLength: 8 })).resolves.toMatchObject({
      ok: false,
      problem: { code: 'common' },
    });
    expect(requests).toHaveLength(0);
  });

  it('S7: registration refuses a breached password with the reason', async () => {
    const t: TestDatabase = await createTestDatabase();
    try {
      const input = registrationSchema(15).parse({
        username: 'otto',
        email: 'otto@example.com',
        password: BREACHED,
        confirmPassword: BREACHED,
        fullName: 'Otto Lilienthal',
      });
      await expect(
        registerUser(t.db, input, { ip: '198.51.100.3', userAgent: 'vitest' }, new ManualClock(new Date())),
      ).resolves.toEqual({ ok: false, code: 'password_policy', problem: { code: 'breached', count: 52341 } });
    } finally {
      await t.close();
    }
  });
});
