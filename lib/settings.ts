import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { settings } from '@/db/schema';
import { SIGNUP_MODES, type SignupMode } from './signup-modes';
import { LOGO_CONTENT_TYPES } from './validation/brand';

/**
 * Platform settings an admin can change at run time, stored as JSON in the settings table. Each key
 * has a schema and a default; a stored value that no longer parses falls back to the default rather
 * than breaking the flows that read it.
 */

const smtpSettings = z.object({
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  // The resolved mode (lib/mail/smtp-encryption.ts). Rows saved before decision 022 hold `tls`, which
  // then meant TLS from the first byte: read it as that, so an upgrade changes nothing on the wire.
  encryption: z
    .enum(['implicit', 'starttls', 'none', 'tls'])
    .transform((v) => (v === 'tls' ? 'implicit' : v)),
  username: z.string().max(255).optional(),
  /** encryptSecret() output, never the clear password. */
  passwordEncrypted: z.string().optional(),
  oauth: z
    .object({
      clientId: z.string().min(1),
      clientSecretEncrypted: z.string().min(1),
      refreshTokenEncrypted: z.string().min(1),
    })
    .optional(),
});

export const mailSettingsSchema = z.object({
  transport: z.enum(['smtp', 'resend', 'dev']),
  fromAddress: z.email().optional(),
  fromName: z.string().trim().max(100).optional(),
  smtp: smtpSettings.optional(),
  resend: z.object({ apiKeyEncrypted: z.string().min(1) }).optional(),
});
export type MailSettings = z.infer<typeof mailSettingsSchema>;

/** Lower-case domain names, each matching itself and its subdomains (lib/signup-policy.ts). */
const domainList = z.array(z.string().min(1).max(253)).max(500);
/** The operator's own brand (lib/brand.ts); an absent field keeps Gatehouse's own. */
export const brandSettingsSchema = z.object({
  name: z.string().trim().min(1).max(60).optional(),
  /** #rrggbb, readable as text on the light theme's white (lib/brand.ts accentIsReadable). */
  accent: z
    .string()
    .regex(/^#[0-9a-f]{6}$/)
    .optional(),
  supportEmail: z.email().optional(),
  /** Names the stored logo (brand_logo), so that pages need not read its bytes to link to it. */
  logoVersion: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
});
export type BrandSettings = z.infer<typeof brandSettingsSchema>;

/** The uploaded logo itself, base64 in the settings row: a few hundred kilobytes at most. */
export const brandLogoSchema = z.object({
  contentType: z.enum(LOGO_CONTENT_TYPES),
  data: z.base64(),
  /** SHA-256 of the bytes, hex: the logo's address changes with it, so it can be cached for good. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BrandLogo = z.infer<typeof brandLogoSchema>;

const definitions = {
  /** Replaced `require_approval` (true → approval, false → open) in migration 0004. */
  signup_mode: { schema: z.enum(SIGNUP_MODES), default: 'approval' as SignupMode },
  /** Whether active non-admin users may send invitations too (admins always may). */
  users_may_invite: { schema: z.boolean(), default: false },
  invite_ttl_minutes: {
    schema: z
      .number()
      .int()
      .min(60)
      .max(60 * 24 * 30),
    default: 60 * 24 * 7,
  },
  /** Empty: every domain not blocked may sign up. */
  signup_allowed_domains: { schema: domainList, default: [] as string[] },
  signup_blocked_domains: { schema: domainList, default: [] as string[] },
  password_min_length: { schema: z.number().int().min(8).max(128), default: 15 },
  verify_email_ttl_minutes: {
    schema: z
      .number()
      .int()
      .min(5)
      .max(60 * 24 * 7),
    default: 60 * 24,
  },
  reset_password_ttl_minutes: {
    schema: z
      .number()
      .int()
      .min(5)
      .max(60 * 24),
    default: 60,
  },
  change_email_ttl_minutes: {
    schema: z
      .number()
      .int()
      .min(5)
      .max(60 * 24 * 7),
    default: 60 * 24,
  },
  resend_cooldown_seconds: { schema: z.number().int().min(10).max(3600), default: 60 },
  lock_on_unconfirmed_email_change: { schema: z.boolean(), default: true },
  /** Maximums an admin changed, by limit name ('register.ip': 20); the rest keep lib/limits.ts's. */
  rate_limits: {
    schema: z.record(z.string(), z.number().int().min(1).max(1_000_000)),
    default: {} as Record<string, number>,
  },
  /** Mails a stranger may cause per hour, all addresses together (lib/mail-budget.ts). */
  mail_hourly_budget: { schema: z.number().int().min(1).max(1_000_000), default: 1000 },
  /** Retention (docs/operations.md): the audit trail, never fewer than 30 days of it. */
  audit_retention_days: { schema: z.number().int().min(30).max(3650), default: 365 },
  /** Delivered mail; failed mail is kept three times as long (FAILED_MAIL_RETENTION_FACTOR). */
  sent_mail_retention_days: { schema: z.number().int().min(1).max(3650), default: 30 },
  /**
   * How long an unconfirmed sign-up is kept at least; it goes only once its confirmation link has also
   * expired. The default, one day, is the default link lifetime.
   */
  unconfirmed_account_retention_days: { schema: z.number().int().min(1).max(365), default: 1 },
  brand: { schema: brandSettingsSchema, default: {} as BrandSettings },
  brand_logo: { schema: brandLogoSchema.nullable(), default: null as BrandLogo | null },
  /** Two-factor sign-in required (decision 026): of admins, of everyone, after a grace in days. */
  two_factor_required_admins: { schema: z.boolean(), default: false },
  two_factor_required_everyone: { schema: z.boolean(), default: false },
  two_factor_grace_days: { schema: z.number().int().min(0).max(90), default: 7 },
  /** Absent until an admin saves mail settings; then it overrides the environment. */
  mail: { schema: mailSettingsSchema.nullable(), default: null as MailSettings | null },
} as const;

type Definitions = typeof definitions;
export type SettingKey = keyof Definitions;
export type SettingValue<K extends SettingKey> = z.output<Definitions[K]['schema']>;

export async function getSetting<K extends SettingKey>(db: Db, key: K): Promise<SettingValue<K>> {
  const [row] = await db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, key))
    .limit(1);
  return settingFromRow(key, row);
}

/**
 * A setting's value from its row as a query read it (the row's `value`, or nothing when no row): the
 * key's default when there is no row or the stored value no longer parses, as getSetting answers.
 */
export function settingFromRow<K extends SettingKey>(
  key: K,
  row: { value: unknown } | undefined,
): SettingValue<K> {
  const definition = definitions[key];
  if (!row) return definition.default as SettingValue<K>;
  const parsed = definition.schema.safeParse(row.value);
  return (parsed.success ? parsed.data : definition.default) as SettingValue<K>;
}

export async function setSetting<K extends SettingKey>(
  db: Db,
  key: K,
  value: SettingValue<K>,
  updatedBy?: string,
): Promise<void> {
  const parsed = definitions[key].schema.parse(value);
  await db
    .insert(settings)
    .values({ key, value: parsed, updatedBy })
    .onConflictDoUpdate({ target: settings.key, set: { value: parsed, updatedAt: new Date(), updatedBy } });
}

/** Back to the default: the row goes, so a later default applies too. */
export async function clearSetting(db: Db, key: SettingKey): Promise<void> {
  await db.delete(settings).where(eq(settings.key, key));
}

export type SettingReader = <K extends SettingKey>(key: K) => Promise<SettingValue<K>>;

/**
 * getSetting with each key read at most once: one periodic run sees one value per setting, however
 * many steps ask, and an admin's change applies from the next run.
 */
export function cachedSettings(db: Db): SettingReader {
  const read = new Map<SettingKey, Promise<unknown>>();
  return <K extends SettingKey>(key: K) => {
    let value = read.get(key);
    if (!value) {
      value = getSetting(db, key);
      read.set(key, value);
    }
    return value as Promise<SettingValue<K>>;
  };
}
