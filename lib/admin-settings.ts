import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { settings, users } from '@/db/schema';
import { renderEmail } from '@/emails';
import { userLocale } from './admins';
import { mailBrandFor } from './brand';
import { recordAudit } from './audit';
import type { Clock } from './clock';
import { env, type Env } from './env';
import { ADJUSTABLE_LIMITS, limits, type AdjustableLimit } from './limits';
import { resolveMailConfig, type MailConfig } from './mail/config';
import {
  encryptionWordFor,
  resolveSmtpEncryption,
  type SmtpEncryptionWord,
  type SmtpSecurityMode,
} from './mail/smtp-encryption';
import { isMailError } from './mail/message';
import { transportFor } from './mail/worker';
import { limitsChanged } from './rate-limit';
import type { RequestContext } from './request-context';
import { decryptSecret, encryptSecret, isSecretDecryptionError, SecretDecryptionError } from './secrets';
import { getSetting, setSetting, type MailSettings, type SettingKey } from './settings';
import {
  limitField,
  mailSettingsFormSchema,
  type GeneralSettingsInput,
  type MailSettingsInput,
  type MailTransportChoice,
  type StoredSecrets,
} from './validation/admin-settings';

/**
 * The platform settings an admin edits at /admin/settings: reading them for the page (secrets only as
 * "set" or "not set"), saving what changed (secrets encrypted, S53; an empty secret field keeps the
 * stored one) with one audit row naming the keys, and the "send test email" button.
 */

type GeneralKey = keyof GeneralSettingsInput;

/** Form field → setting key. */
const GENERAL_KEYS = {
  signupMode: 'signup_mode',
  usersMayInvite: 'users_may_invite',
  inviteTtlMinutes: 'invite_ttl_minutes',
  signupAllowedDomains: 'signup_allowed_domains',
  signupBlockedDomains: 'signup_blocked_domains',
  passwordMinLength: 'password_min_length',
  verifyEmailTtlMinutes: 'verify_email_ttl_minutes',
  resetPasswordTtlMinutes: 'reset_password_ttl_minutes',
  changeEmailTtlMinutes: 'change_email_ttl_minutes',
  resendCooldownSeconds: 'resend_cooldown_seconds',
  lockOnUnconfirmedEmailChange: 'lock_on_unconfirmed_email_change',
  mailHourlyBudget: 'mail_hourly_budget',
  auditRetentionDays: 'audit_retention_days',
  sentMailRetentionDays: 'sent_mail_retention_days',
  unconfirmedAccountRetentionDays: 'unconfirmed_account_retention_days',
  twoFactorRequiredAdmins: 'two_factor_required_admins',
  twoFactorRequiredEveryone: 'two_factor_required_everyone',
  twoFactorGraceDays: 'two_factor_grace_days',
} as const satisfies Record<Exclude<GeneralKey, LimitKey>, SettingKey>;

type LimitKey = `limit_${AdjustableLimit}`;

/** The adjustable limits' maximums as the form shows them: the admin's, or lib/limits.ts's. */
function limitValues(overrides: Record<string, number>): Record<LimitKey, number> {
  return Object.fromEntries(
    ADJUSTABLE_LIMITS.map((key) => [limitField(key), overrides[limits[key].name] ?? limits[key].max]),
  ) as Record<LimitKey, number>;
}

export async function readGeneralSettings(db: Db): Promise<GeneralSettingsInput> {
  const entries = await Promise.all(
    (Object.entries(GENERAL_KEYS) as [GeneralKey, SettingKey][]).map(
      async ([field, key]) => [field, await getSetting(db, key)] as const,
    ),
  );
  const overrides = await getSetting(db, 'rate_limits');
  return { ...Object.fromEntries(entries), ...limitValues(overrides) } as GeneralSettingsInput;
}

export function storedSecrets(mail: MailSettings | null): StoredSecrets {
  return {
    smtpPassword: Boolean(mail?.smtp?.passwordEncrypted),
    oauthClientSecret: Boolean(mail?.smtp?.oauth?.clientSecretEncrypted),
    oauthRefreshToken: Boolean(mail?.smtp?.oauth?.refreshTokenEncrypted),
    resendApiKey: Boolean(mail?.resend?.apiKeyEncrypted),
  };
}

/** The mail form's schema as the server must judge it: with the secrets stored right now. */
export async function mailFormSchemaFor(db: Db, e: Env = env()) {
  const mail = await getSetting(db, 'mail');
  return mailSettingsFormSchema({
    allowDev: !e.isProduction,
    stored: storedSecrets(mail),
    saved: mail !== null,
  });
}

/** What sends mail right now, described without any secret. */
export type ActiveTransport =
  | {
      transport: 'smtp';
      source: 'env' | 'settings';
      host: string;
      port: number;
      encryption: SmtpSecurityMode;
      /** SMTP_ENCRYPTION=tls on port 465, read as implicit TLS (decision 022). */
      tlsReadAsImplicit: boolean;
      oauth: boolean;
    }
  | { transport: 'resend' | 'dev'; source: 'env' | 'settings' | 'default' }
  | { transport: 'none' }
  /** A stored secret no longer decrypts (AUTH_SECRET changed): the admin must enter it again. */
  | { transport: 'unreadable' };

export interface SettingsView {
  general: GeneralSettingsInput;
  mail: {
    transport: MailTransportChoice;
    fromName: string;
    fromAddress: string;
    smtpHost: string;
    smtpPort: string;
    /** The word the form selects: a stored implicit mode shows as `ssl` (decision 022). */
    smtpEncryption: SmtpEncryptionWord;
    smtpUsername: string;
    oauthClientId: string;
    /** Set or not set: the values never leave the server, not even encrypted. */
    secrets: StoredSecrets;
    /** Whether mail settings are saved (false: the environment decides). */
    saved: boolean;
  };
  active: ActiveTransport;
  allowDev: boolean;
  /** Changes whenever the mail settings are saved (the form resets its secret fields on it). */
  version: string;
}

function describeActive(config: MailConfig): ActiveTransport {
  if (config.transport === 'none') return { transport: 'none' };
  if (config.transport !== 'smtp') return { transport: config.transport, source: config.source };
  const { smtp } = config;
  const host = smtp.host ?? (smtp.oauth2 ? 'smtp.gmail.com' : '');
  return {
    transport: 'smtp',
    source: config.source,
    host,
    port: smtp.port,
    encryption: smtp.encryption,
    tlsReadAsImplicit: config.tlsReadAsImplicit,
    oauth: Boolean(smtp.oauth2),
  };
}

async function activeTransport(db: Db, e: Env): Promise<ActiveTransport> {
  try {
    return describeActive(await resolveMailConfig(db, e));
  } catch (error) {
    if (isSecretDecryptionError(error)) return { transport: 'unreadable' };
    throw error;
  }
}

export async function loadSettingsView(db: Db, e: Env = env()): Promise<SettingsView> {
  const [general, mail, [row], active] = await Promise.all([
    readGeneralSettings(db),
    getSetting(db, 'mail'),
    db.select({ updatedAt: settings.updatedAt }).from(settings).where(eq(settings.key, 'mail')).limit(1),
    activeTransport(db, e),
  ]);
  const allowDev = !e.isProduction;
  // A saved "dev" is ignored in production (lib/mail/config.ts); the form says what really applies.
  const transport = !mail || (mail.transport === 'dev' && !allowDev) ? 'env' : mail.transport;
  return {
    general,
    mail: {
      transport,
      fromName: mail?.fromName ?? '',
      fromAddress: mail?.fromAddress ?? '',
      smtpHost: mail?.smtp?.host ?? '',
      smtpPort: mail?.smtp ? String(mail.smtp.port) : '',
      smtpEncryption: mail?.smtp ? encryptionWordFor(mail.smtp.encryption) : 'starttls',
      smtpUsername: mail?.smtp?.username ?? '',
      oauthClientId: mail?.smtp?.oauth?.clientId ?? '',
      secrets: storedSecrets(mail),
      saved: mail !== null,
    },
    active,
    allowDev,
    version: row ? row.updatedAt.toISOString() : 'none',
  };
}

export type SaveResult = { ok: true; changed: string[] };

/** Saves the general settings that differ from the stored ones; one audit row lists their keys. */
export async function saveGeneralSettings(
  db: Db,
  input: { adminId: string; values: GeneralSettingsInput },
  context: RequestContext,
  clock: Clock,
): Promise<SaveResult> {
  const saved = await db.transaction(async (tx) => {
    const current = await readGeneralSettings(tx);
    const changed: string[] = [];
    for (const [field, key] of Object.entries(GENERAL_KEYS) as [GeneralKey, SettingKey][]) {
      // Domain lists are arrays: compared by content, not by identity.
      if (JSON.stringify(current[field]) === JSON.stringify(input.values[field])) continue;
      await setSetting(tx, key, input.values[field] as never, input.adminId);
      changed.push(key);
    }
    // Only maximums that differ from the defaults are stored, so a later default still applies.
    if (ADJUSTABLE_LIMITS.some((key) => current[limitField(key)] !== input.values[limitField(key)])) {
      const overrides = Object.fromEntries(
        ADJUSTABLE_LIMITS.filter((key) => input.values[limitField(key)] !== limits[key].max).map((key) => [
          limits[key].name,
          input.values[limitField(key)],
        ]),
      );
      await setSetting(tx, 'rate_limits', overrides, input.adminId);
      changed.push('rate_limits');
    }
    if (changed.length > 0) await auditChange(tx, input.adminId, changed, context, clock);
    return { ok: true as const, changed };
  });
  // This process counts with the new maximums at once; other instances within a few seconds.
  if (saved.changed.includes('rate_limits')) limitsChanged();
  return saved;
}

function safeDecrypt(box: string): string | undefined {
  try {
    return decryptSecret(box);
  } catch (error) {
    if (isSecretDecryptionError(error)) return undefined;
    throw error;
  }
}

/** A new value (kept as the stored box when it is the same secret), the stored one, or none. */
function nextSecret(typed: string, clear: boolean, stored: string | undefined): string | undefined {
  if (typed !== '')
    return stored !== undefined && safeDecrypt(stored) === typed ? stored : encryptSecret(typed);
  return clear ? undefined : stored;
}

/** What the mail form asks to store; null hands mail back to the environment. */
export function buildMailSettings(
  current: MailSettings | null,
  input: MailSettingsInput,
): MailSettings | null {
  if (input.transport === 'env') return null;
  const oauth = input.oauthClientId
    ? {
        clientId: input.oauthClientId,
        clientSecretEncrypted: nextSecret(
          input.oauthClientSecret,
          input.oauthClientSecretClear,
          current?.smtp?.oauth?.clientSecretEncrypted,
        ),
        refreshTokenEncrypted: nextSecret(
          input.oauthRefreshToken,
          input.oauthRefreshTokenClear,
          current?.smtp?.oauth?.refreshTokenEncrypted,
        ),
      }
    : undefined;
  // The word is resolved once, here: the stored row holds the mode and the port it applies to.
  const resolved = resolveSmtpEncryption(input.smtpEncryption, input.smtpPort);
  const smtp = input.smtpHost
    ? {
        host: input.smtpHost,
        port: resolved.port,
        encryption: resolved.mode,
        username: input.smtpUsername || undefined,
        passwordEncrypted: nextSecret(
          input.smtpPassword,
          input.smtpPasswordClear,
          current?.smtp?.passwordEncrypted,
        ),
        // The schema has refused a half OAuth setup; both are there when the id is.
        oauth:
          oauth?.clientSecretEncrypted && oauth.refreshTokenEncrypted
            ? {
                clientId: oauth.clientId,
                clientSecretEncrypted: oauth.clientSecretEncrypted,
                refreshTokenEncrypted: oauth.refreshTokenEncrypted,
              }
            : undefined,
      }
    : undefined;
  const apiKey = nextSecret(input.resendApiKey, input.resendApiKeyClear, current?.resend?.apiKeyEncrypted);
  return {
    transport: input.transport,
    fromName: input.fromName || undefined,
    fromAddress: input.fromAddress || undefined,
    smtp,
    resend: apiKey ? { apiKeyEncrypted: apiKey } : undefined,
  };
}

/** Every stored mail value by the name the audit row uses; secrets by their encrypted box. */
function flattenMail(mail: MailSettings | null): Record<string, string | number | undefined> {
  return {
    'mail.transport': mail?.transport ?? 'env',
    'mail.fromName': mail?.fromName,
    'mail.fromAddress': mail?.fromAddress,
    'mail.smtp.host': mail?.smtp?.host,
    'mail.smtp.port': mail?.smtp?.port,
    'mail.smtp.encryption': mail?.smtp?.encryption,
    'mail.smtp.username': mail?.smtp?.username,
    'mail.smtp.password': mail?.smtp?.passwordEncrypted,
    'mail.smtp.oauth.clientId': mail?.smtp?.oauth?.clientId,
    'mail.smtp.oauth.clientSecret': mail?.smtp?.oauth?.clientSecretEncrypted,
    'mail.smtp.oauth.refreshToken': mail?.smtp?.oauth?.refreshTokenEncrypted,
    'mail.resend.apiKey': mail?.resend?.apiKeyEncrypted,
  };
}

/** Saves the mail settings; the audit row names the keys that changed (a secret's name, never its value). */
export async function saveMailSettings(
  db: Db,
  input: { adminId: string; values: MailSettingsInput },
  context: RequestContext,
  clock: Clock,
): Promise<SaveResult> {
  return db.transaction(async (tx) => {
    const current = await getSetting(tx, 'mail');
    const next = buildMailSettings(current, input.values);
    const before = flattenMail(current);
    const after = flattenMail(next);
    const changed = Object.keys(after).filter((key) => before[key] !== after[key]);
    if (changed.length === 0) return { ok: true, changed };
    if (next) await setSetting(tx, 'mail', next, input.adminId);
    else await tx.delete(settings).where(eq(settings.key, 'mail'));
    await auditChange(tx, input.adminId, changed, context, clock);
    return { ok: true, changed };
  });
}

async function auditChange(db: Db, adminId: string, keys: string[], context: RequestContext, clock: Clock) {
  await recordAudit(
    db,
    {
      action: 'settings.changed',
      actorId: adminId,
      ip: context.ip,
      userAgent: context.userAgent,
      meta: { area: 'platform', keys },
    },
    clock,
  );
}

const MODE_LABELS: Record<SmtpSecurityMode, string> = {
  starttls: 'STARTTLS',
  implicit: 'TLS',
  none: 'NONE',
};

/** How the test mail names the transport that carried it, e.g. "SMTP (smtp.example.com:587, STARTTLS)". */
export function transportLabel(config: Exclude<MailConfig, { transport: 'none' }>): string {
  const active = describeActive(config);
  if (active.transport !== 'smtp')
    return config.transport === 'resend' ? 'Resend API' : 'Development mailbox';
  const details = [`${active.host}:${active.port}`, MODE_LABELS[active.encryption]];
  if (active.oauth) details.push('OAuth2');
  return `SMTP (${details.join(', ')})`;
}

export type TestEmailResult =
  | { ok: true; transport: string }
  | {
      ok: false;
      /** send_failed: `error` is the transport's own message (the SMTP server's reply, Resend's answer). */
      reason: 'send_failed' | 'not_configured' | 'unreadable_secret';
      error: string;
    };

/**
 * Sends the admin-test-email template to the admin, now and through the saved settings, bypassing the
 * outbox so that the admin sees the transport's exact answer (docs/decisions/009). Audited as
 * mail.test_sent, with the outcome's code but not its text.
 */
export async function sendTestEmail(
  db: Db,
  input: { adminId: string; to: string },
  context: RequestContext,
  clock: Clock,
  e: Env = env(),
): Promise<TestEmailResult> {
  const [admin] = await db
    .select({ username: users.username, locale: users.locale })
    .from(users)
    .where(eq(users.id, input.adminId))
    .limit(1);
  if (!admin) throw new Error('test email for a missing admin');

  let config: MailConfig | undefined;
  let result: TestEmailResult;
  let failure: string | undefined;
  try {
    config = await resolveMailConfig(db, e);
  } catch (error) {
    if (!isSecretDecryptionError(error)) throw error;
  }
  if (!config) {
    result = { ok: false, reason: 'unreadable_secret', error: new SecretDecryptionError().message };
  } else if (config.transport === 'none') {
    result = { ok: false, reason: 'not_configured', error: config.reason };
  } else {
    const label = transportLabel(config);
    const mail = await renderEmail(
      'admin-test-email',
      { requestedBy: admin.username, transport: label },
      userLocale(admin),
      await mailBrandFor(db),
    );
    try {
      await transportFor(db, config).send({
        from: config.from,
        to: input.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
      });
      result = { ok: true, transport: label };
    } catch (error) {
      if (!isMailError(error)) throw error;
      failure = error.code;
      result = { ok: false, reason: 'send_failed', error: error.message };
    }
  }

  await recordAudit(
    db,
    {
      action: 'mail.test_sent',
      actorId: input.adminId,
      userId: input.adminId,
      ip: context.ip,
      userAgent: context.userAgent,
      meta: {
        transport: config?.transport ?? 'unknown',
        delivered: result.ok,
        ...(result.ok ? {} : { failure: failure ?? result.reason }),
      },
    },
    clock,
  );
  return result;
}
