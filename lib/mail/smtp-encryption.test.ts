import { afterEach, describe, expect, it } from 'vitest';
import { settings } from '@/db/schema';
import { buildMailSettings, loadSettingsView } from '@/lib/admin-settings';
import { parseEnv } from '@/lib/env';
import { getSetting, setSetting } from '@/lib/settings';
import { mailSettingsFormSchema } from '@/lib/validation/admin-settings';
import { createTestDatabase } from '@/tests/helpers/test-db';
import { startSmtpCatcher, type SmtpCatcher, type SmtpCatcherOptions } from '@/tests/helpers/smtp-catcher';
import { fromEnv, resolveMailConfig } from './config';
import type { MailMessage } from './message';
import type { MailTransport } from './transport';
import { createSmtpTransport } from './transports/smtp';

/**
 * The PHP dashboard's .env works unchanged (issue 16, decision 022): SMTP_ENCRYPTION takes
 * PHPMailer's words, tls = STARTTLS and ssl = TLS from the first byte, and each is tried here against
 * the TLS catcher through the same path as production: parseEnv -> fromEnv -> createSmtpTransport.
 */

const AUTH = { user: 'mailer@example.test', pass: 'correct horse battery staple' };
const message: MailMessage = {
  from: { name: 'Gatehouse', address: 'accounts@example.test' },
  to: 'ada@example.test',
  subject: 'Hello',
  html: '<p>Hello</p>',
  text: 'Hello',
};

const open: { catchers: SmtpCatcher[]; transports: MailTransport[] } = { catchers: [], transports: [] };
afterEach(async () => {
  for (const transport of open.transports.splice(0)) transport.close?.();
  await Promise.all(open.catchers.splice(0).map((c) => c.stop()));
});

async function catcher(options: SmtpCatcherOptions): Promise<SmtpCatcher> {
  const started = await startSmtpCatcher({ requireAuth: AUTH, ...options });
  open.catchers.push(started);
  return started;
}

/** What a PHP dashboard .env pointing at the catcher becomes, as the outbox worker would build it. */
function transportFromEnv(server: SmtpCatcher, encryption: string): MailTransport {
  const config = fromEnv(
    parseEnv({
      MAIL_TRANSPORT: 'smtp',
      SMTP_HOST: server.host,
      SMTP_PORT: String(server.port),
      SMTP_ENCRYPTION: encryption,
      SMTP_USERNAME: AUTH.user,
      SMTP_PASSWORD: AUTH.pass,
    }),
  );
  if (config.transport !== 'smtp') throw new Error(`expected smtp, got ${config.transport}`);
  // The catcher's certificate is self-signed; everything else is as configured.
  const transport = createSmtpTransport({
    ...config.smtp,
    rejectUnauthorized: false,
    connectionTimeoutMs: 2_000,
  });
  open.transports.push(transport);
  return transport;
}

describe('SMTP_ENCRYPTION with the PHP dashboard’s words, against the TLS catcher', () => {
  it('tls (PHPMailer: STARTTLS) on a STARTTLS server delivers over STARTTLS', async () => {
    const server = await catcher({ starttls: true });
    await transportFromEnv(server, 'tls').send(message);
    const caught = await server.waitForMail('ada@example.test', { timeoutMs: 2_000 });
    expect(caught.session).toEqual({ secure: true, user: AUTH.user });
  });

  it('ssl (PHPMailer: implicit TLS) on an implicit-TLS server delivers', async () => {
    const server = await catcher({ secure: true });
    await transportFromEnv(server, 'ssl').send(message);
    const caught = await server.waitForMail('ada@example.test', { timeoutMs: 2_000 });
    expect(caught.session).toEqual({ secure: true, user: AUTH.user });
  });

  it('the words are trimmed and case-insensitive, as a copied .env may carry them', async () => {
    const server = await catcher({ starttls: true });
    await transportFromEnv(server, ' TLS ').send(message);
    expect((await server.waitForMail('ada@example.test', { timeoutMs: 2_000 })).session.secure).toBe(true);
  });

  it('tls never sends in clear when the server offers no STARTTLS: no login, no mail', async () => {
    const server = await catcher({ starttls: false });
    await expect(transportFromEnv(server, 'tls').send(message)).rejects.toMatchObject({ code: 'tls_failed' });
    expect(server.stats().authAttempts).toBe(0);
    expect(server.count()).toBe(0);
  });
});

describe('SMTP_ENCRYPTION parsing', () => {
  const smtp = (vars: Record<string, string>) => {
    const config = fromEnv(parseEnv({ MAIL_TRANSPORT: 'smtp', SMTP_HOST: 'smtp.example.com', ...vars }));
    if (config.transport !== 'smtp') throw new Error('expected smtp');
    return { mode: config.smtp.encryption, port: config.smtp.port, note: config.tlsReadAsImplicit };
  };

  it.each([
    [{}, { mode: 'starttls', port: 587, note: false }],
    [{ SMTP_ENCRYPTION: 'starttls' }, { mode: 'starttls', port: 587, note: false }],
    [{ SMTP_ENCRYPTION: 'tls' }, { mode: 'starttls', port: 587, note: false }],
    [
      { SMTP_ENCRYPTION: 'tls', SMTP_PORT: '587' },
      { mode: 'starttls', port: 587, note: false },
    ],
    [
      { SMTP_ENCRYPTION: 'tls', SMTP_PORT: '2525' },
      { mode: 'starttls', port: 2525, note: false },
    ],
    // The Gmail example in README and .env.example: port 465 is TLS from the first byte, whatever the word.
    [
      { SMTP_ENCRYPTION: 'tls', SMTP_PORT: '465' },
      { mode: 'implicit', port: 465, note: true },
    ],
    [{ SMTP_ENCRYPTION: 'ssl' }, { mode: 'implicit', port: 465, note: false }],
    [
      { SMTP_ENCRYPTION: 'SSL', SMTP_PORT: '465' },
      { mode: 'implicit', port: 465, note: false },
    ],
    [{ SMTP_ENCRYPTION: ' StartTLS ' }, { mode: 'starttls', port: 587, note: false }],
    [{ SMTP_ENCRYPTION: 'none' }, { mode: 'none', port: 25, note: false }],
    [{ SMTP_ENCRYPTION: '' }, { mode: 'starttls', port: 587, note: false }],
  ])('%j resolves to %j', (vars, expected) => {
    expect(smtp(vars)).toEqual(expected);
  });

  it.each(['smtps', 'tls1.2', 'true'])(
    'refuses %s, naming SMTP_ENCRYPTION and the accepted words',
    (value) => {
      expect(() => parseEnv({ SMTP_ENCRYPTION: value })).toThrow(
        /SMTP_ENCRYPTION must be one of starttls, tls, ssl, none/,
      );
    },
  );
});

describe('the same words in the saved admin settings', () => {
  const development = parseEnv({});
  const form = (smtpEncryption: string, smtpPort: string) => {
    const parsed = mailSettingsFormSchema({
      allowDev: true,
      stored: {
        smtpPassword: false,
        oauthClientSecret: false,
        oauthRefreshToken: false,
        resendApiKey: false,
      },
      saved: false,
    }).parse({ transport: 'smtp', smtpHost: 'smtp.example.com', smtpPort, smtpEncryption });
    return buildMailSettings(null, parsed)!;
  };

  it.each([
    ['tls', '587', 'starttls', 587],
    ['tls', '', 'starttls', 587],
    ['tls', '465', 'implicit', 465],
    ['ssl', '', 'implicit', 465],
    ['starttls', '2525', 'starttls', 2525],
    ['none', '', 'none', 25],
  ])('the form’s %s on port "%s" is stored as the mode %s on port %i', (word, port, mode, stored) => {
    expect(form(word, port).smtp).toMatchObject({ encryption: mode, port: stored });
  });

  it('a row saved before decision 022 with tls (then: TLS from the first byte) still means implicit TLS', async () => {
    const t = await createTestDatabase();
    try {
      const legacy = {
        transport: 'smtp',
        smtp: { host: 'smtp.gmail.com', port: 465, encryption: 'tls', username: 'me@gmail.com' },
      };
      await t.db.insert(settings).values({ key: 'mail', value: legacy });

      const config = await resolveMailConfig(t.db, development);
      expect(config).toMatchObject({
        transport: 'smtp',
        source: 'settings',
        smtp: { encryption: 'implicit', port: 465 },
      });
      const view = await loadSettingsView(t.db, development);
      // The form shows the word that means implicit TLS on any port; the page says it in plain words.
      expect(view.mail.smtpEncryption).toBe('ssl');
      expect(view.active).toMatchObject({ transport: 'smtp', encryption: 'implicit', port: 465 });

      // Saved again unchanged, the row now holds the mode itself.
      await setSetting(t.db, 'mail', (await getSetting(t.db, 'mail'))!);
      const [row] = await t.db.select().from(settings);
      expect(row!.value).toMatchObject({ smtp: { encryption: 'implicit', port: 465 } });
    } finally {
      await t.close();
    }
  });

  it('the admin page is told when SMTP_ENCRYPTION=tls on port 465 was read as implicit TLS', async () => {
    const t = await createTestDatabase();
    try {
      const gmail = parseEnv({ SMTP_HOST: 'smtp.gmail.com', SMTP_PORT: '465', SMTP_ENCRYPTION: 'tls' });
      const view = await loadSettingsView(t.db, gmail);
      expect(view.active).toMatchObject({
        transport: 'smtp',
        source: 'env',
        encryption: 'implicit',
        port: 465,
        tlsReadAsImplicit: true,
      });
    } finally {
      await t.close();
    }
  });
});
