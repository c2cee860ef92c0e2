import type { Db } from '@/db/client';
import { env, type Env } from '@/lib/env';
import { decryptSecret } from '@/lib/secrets';
import { getSetting, type MailSettings } from '@/lib/settings';
import { DEFAULT_APP_NAME } from '@/lib/validation/password';
import { resolveSmtpEncryption } from './smtp-encryption';
import type { SmtpConfig } from './transports/smtp';

export type MailFrom = { name: string; address: string };

/** Which transport sends mail right now, with everything it needs. */
export type MailConfig =
  | {
      transport: 'smtp';
      from: MailFrom;
      smtp: SmtpConfig & { port: number };
      source: 'env' | 'settings';
      /** SMTP_ENCRYPTION=tls on port 465, read as implicit TLS (decision 022); the admin page says so. */
      tlsReadAsImplicit: boolean;
    }
  | { transport: 'resend'; from: MailFrom; apiKey: string; source: 'env' | 'settings' }
  | { transport: 'dev'; from: MailFrom; source: 'env' | 'settings' | 'default' }
  /** Production with nothing configured: mail waits in the outbox and admins are warned. */
  | { transport: 'none'; from: MailFrom; reason: string };

// "localhost" is not a domain a mail address may use; development mail then comes from localhost.localdomain.
function senderDomain(hostname: string): string {
  return hostname.includes('.') && !/^[0-9.]+$/.test(hostname) ? hostname : 'localhost.localdomain';
}

function defaultFrom(e: Env): MailFrom {
  return {
    name: e.MAIL_FROM_NAME,
    address: e.MAIL_FROM_ADDRESS ?? `no-reply@${senderDomain(new URL(e.APP_URL).hostname)}`,
  };
}

/**
 * Mail settings saved by an admin win over the environment; the environment wins over the default.
 * The default sender name is the product's own: once the operator names the product (lib/brand.ts),
 * mail comes from that name unless another sender name was chosen.
 */
export async function resolveMailConfig(db: Db, e: Env = env()): Promise<MailConfig> {
  const [saved, brand] = await Promise.all([getSetting(db, 'mail'), getSetting(db, 'brand')]);
  const config = saved ? fromSettings(saved, e) : fromEnv(e);
  if (brand.name && config.from.name === DEFAULT_APP_NAME) {
    return { ...config, from: { ...config.from, name: brand.name } };
  }
  return config;
}

export function fromEnv(e: Env): MailConfig {
  const from = defaultFrom(e);
  const transport = e.MAIL_TRANSPORT ?? (e.SMTP_HOST ? 'smtp' : e.RESEND_API_KEY ? 'resend' : undefined);
  if (transport === 'smtp') {
    const { mode, port, tlsReadAsImplicit } = resolveSmtpEncryption(e.SMTP_ENCRYPTION, e.SMTP_PORT);
    return {
      transport,
      from,
      source: 'env',
      tlsReadAsImplicit,
      smtp: {
        host: e.SMTP_HOST,
        port,
        encryption: mode,
        username: e.SMTP_USERNAME,
        password: e.SMTP_PASSWORD,
        oauth2:
          e.GMAIL_CLIENT_ID && e.GMAIL_CLIENT_SECRET && e.GMAIL_REFRESH_TOKEN
            ? {
                user: e.SMTP_USERNAME ?? from.address,
                clientId: e.GMAIL_CLIENT_ID,
                clientSecret: e.GMAIL_CLIENT_SECRET,
                refreshToken: e.GMAIL_REFRESH_TOKEN,
              }
            : undefined,
      },
    };
  }
  if (transport === 'resend' && e.RESEND_API_KEY) {
    return { transport, from, source: 'env', apiKey: e.RESEND_API_KEY };
  }
  // lib/env.ts already refuses MAIL_TRANSPORT=dev in production; an Env built otherwise gets no mailbox.
  if (transport === 'dev' && !e.isProduction) return { transport, from, source: 'env' };
  if (!e.isProduction) return { transport: 'dev', from, source: 'default' };
  return {
    transport: 'none',
    from,
    reason:
      'No mail transport is configured, so mail waits in the outbox. Set MAIL_TRANSPORT with SMTP_* or RESEND_API_KEY, or save mail settings in /admin/settings.',
  };
}

function fromSettings(saved: MailSettings, e: Env): MailConfig {
  const base = defaultFrom(e);
  const from = { name: saved.fromName || base.name, address: saved.fromAddress || base.address };
  if (saved.transport === 'smtp' && saved.smtp) {
    const s = saved.smtp;
    return {
      transport: 'smtp',
      from,
      source: 'settings',
      // Settings store the resolved mode (lib/settings.ts), never the word.
      tlsReadAsImplicit: false,
      smtp: {
        host: s.host,
        port: s.port,
        encryption: s.encryption,
        username: s.username,
        password: s.passwordEncrypted ? decryptSecret(s.passwordEncrypted) : undefined,
        oauth2: s.oauth
          ? {
              user: s.username ?? from.address,
              clientId: s.oauth.clientId,
              clientSecret: decryptSecret(s.oauth.clientSecretEncrypted),
              refreshToken: decryptSecret(s.oauth.refreshTokenEncrypted),
            }
          : undefined,
      },
    };
  }
  if (saved.transport === 'resend' && saved.resend) {
    return {
      transport: 'resend',
      from,
      source: 'settings',
      apiKey: decryptSecret(saved.resend.apiKeyEncrypted),
    };
  }
  // The development mailbox is never used in production, whatever was saved.
  if (saved.transport === 'dev' && !e.isProduction) return { transport: 'dev', from, source: 'settings' };
  return fromEnv(e);
}
