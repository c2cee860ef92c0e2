import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devMailbox, settings } from '@/db/schema';
import { parseEnv } from '@/lib/env';
import { encryptSecret } from '@/lib/secrets';
import { setSetting } from '@/lib/settings';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-db';
import { fromEnv, resolveMailConfig } from './config';
import { createDevTransport } from './transports/dev';

const production = {
  NODE_ENV: 'production',
  AUTH_SECRET: 'p'.repeat(40),
  APP_URL: 'https://accounts.example.com',
};

describe('choosing the mail transport', () => {
  it('development with nothing configured uses the development mailbox, from a valid sender', () => {
    const config = fromEnv(parseEnv({}));
    expect(config).toMatchObject({ transport: 'dev', source: 'default' });
    expect(config.from.address).toBe('no-reply@localhost.localdomain');
  });

  it('production with nothing configured sends nothing and says why (mail waits in the outbox)', () => {
    const config = fromEnv(parseEnv(production));
    expect(config.transport).toBe('none');
    expect(config).toMatchObject({ reason: expect.stringMatching(/MAIL_TRANSPORT/) });
    expect(config.from.address).toBe('no-reply@accounts.example.com');
  });

  it('SMTP_HOST alone implies smtp; the Gmail trio becomes XOAUTH2', () => {
    const config = fromEnv(
      parseEnv({
        ...production,
        SMTP_HOST: 'smtp.gmail.com',
        SMTP_USERNAME: 'me@gmail.com',
        GMAIL_CLIENT_ID: 'id',
        GMAIL_CLIENT_SECRET: 'secret',
        GMAIL_REFRESH_TOKEN: 'refresh',
      }),
    );
    expect(config).toMatchObject({
      transport: 'smtp',
      smtp: {
        host: 'smtp.gmail.com',
        encryption: 'starttls',
        oauth2: { user: 'me@gmail.com', clientId: 'id' },
      },
    });
  });
});

describe('admin mail settings', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('S53: saved settings override the environment; the SMTP password is stored encrypted (AES-256-GCM)', async () => {
    await setSetting(t.db, 'mail', {
      transport: 'smtp',
      fromAddress: 'accounts@example.org',
      smtp: {
        host: 'mail.example.org',
        port: 587,
        encryption: 'starttls',
        username: 'u',
        passwordEncrypted: encryptSecret('hunter2-secret'),
      },
    });
    const [row] = await t.db.select().from(settings).where(eq(settings.key, 'mail'));
    expect(JSON.stringify(row!.value)).not.toContain('hunter2-secret');
    const config = await resolveMailConfig(t.db, parseEnv({ MAIL_TRANSPORT: 'dev' }));
    expect(config).toMatchObject({
      transport: 'smtp',
      source: 'settings',
      from: { address: 'accounts@example.org' },
      smtp: { host: 'mail.example.org', password: 'hunter2-secret' },
    });
  });

  it('a saved "dev" transport is never used in production', async () => {
    await setSetting(t.db, 'mail', { transport: 'dev' });
    expect((await resolveMailConfig(t.db, parseEnv(production))).transport).toBe('none');
  });

  it('the development mailbox is never written in production, whatever the environment says', async () => {
    expect(() => parseEnv({ ...production, MAIL_TRANSPORT: 'dev' })).toThrow(/MAIL_TRANSPORT/);
    // An Env that got past validation some other way still gets no mailbox.
    const forced = { ...parseEnv(production), MAIL_TRANSPORT: 'dev' as const };
    expect(fromEnv(forced).transport).toBe('none');
    const message = {
      from: { name: 'Gatehouse', address: 'accounts@example.org' },
      to: 'someone@example.org',
      subject: 'Hello',
      html: '<p>Hello</p>',
      text: 'Hello',
    };
    await expect(createDevTransport(t.db, true).send(message)).rejects.toMatchObject({ code: 'config' });
    expect(await t.db.select().from(devMailbox)).toHaveLength(0);
    await createDevTransport(t.db, false).send(message);
    expect(await t.db.select().from(devMailbox)).toHaveLength(1);
  });
});
