import { z } from 'zod';
import { SMTP_ENCRYPTION_WORDS } from '../mail/smtp-encryption';
import { SIGNUP_MODES } from '../signup-modes';
import { ADJUSTABLE_LIMITS, LIMIT_MAX_BOUNDS, type AdjustableLimit } from '../limits';
import { PASSWORD_ABSOLUTE_MIN, PASSWORD_MAX_LENGTH, encodeFieldMessage } from './password';
import { domainListField } from './signup-policy';

/**
 * The admin settings forms (/admin/settings), on both sides. Whether a secret is already stored is
 * known to the server only; the page passes the same yes/no flags to the browser so that both build
 * the same schema (mailSettingsFormSchema). Saving lives in lib/admin-settings.ts.
 */

// Same bounds as the setting definitions in lib/settings.ts (lib/admin-settings.test.ts checks they agree).
export const GENERAL_BOUNDS = {
  passwordMinLength: { min: PASSWORD_ABSOLUTE_MIN, max: PASSWORD_MAX_LENGTH },
  verifyEmailTtlMinutes: { min: 5, max: 60 * 24 * 7 },
  resetPasswordTtlMinutes: { min: 5, max: 60 * 24 },
  changeEmailTtlMinutes: { min: 5, max: 60 * 24 * 7 },
  resendCooldownSeconds: { min: 10, max: 3600 },
  auditRetentionDays: { min: 30, max: 3650 },
  sentMailRetentionDays: { min: 1, max: 3650 },
  unconfirmedAccountRetentionDays: { min: 1, max: 365 },
  inviteTtlMinutes: { min: 60, max: 60 * 24 * 30 },
  twoFactorGraceDays: { min: 0, max: 90 },
} as const;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const usable = (v: string) => !CONTROL.test(v) && !LONE_SURROGATE.test(v);

/** An unticked checkbox sends nothing; anything but "on" is a crafted post. */
const checkbox = z
  .literal('on', { error: 'form.errors.invalidChoice' })
  .optional()
  .transform((v) => v === 'on');

function wholeNumber(min: number, max: number) {
  return z
    .string({ error: 'form.errors.required' })
    .trim()
    .min(1, { error: 'form.errors.required' })
    .refine((v) => /^[0-9]{1,9}$/.test(v) && Number(v) >= min && Number(v) <= max, {
      error: encodeFieldMessage('adminSettings.errors.wholeNumber', { min, max }),
    })
    .transform(Number);
}

/** The form field of an adjustable rate limit's maximum. */
export const limitField = <K extends AdjustableLimit>(limit: K) => `limit_${limit}` as const;
type LimitFields = { [K in AdjustableLimit as `limit_${K}`]: ReturnType<typeof wholeNumber> };
const limitFields = Object.fromEntries(
  ADJUSTABLE_LIMITS.map((limit) => [
    limitField(limit),
    wholeNumber(LIMIT_MAX_BOUNDS.min, LIMIT_MAX_BOUNDS.max),
  ]),
) as LimitFields;

export const generalSettingsSchema = z.object({
  ...limitFields,
  mailHourlyBudget: wholeNumber(LIMIT_MAX_BOUNDS.min, LIMIT_MAX_BOUNDS.max),
  signupMode: z.enum(SIGNUP_MODES, { error: 'form.errors.invalidChoice' }),
  usersMayInvite: checkbox,
  inviteTtlMinutes: wholeNumber(GENERAL_BOUNDS.inviteTtlMinutes.min, GENERAL_BOUNDS.inviteTtlMinutes.max),
  signupAllowedDomains: domainListField,
  signupBlockedDomains: domainListField,
  passwordMinLength: wholeNumber(GENERAL_BOUNDS.passwordMinLength.min, GENERAL_BOUNDS.passwordMinLength.max),
  verifyEmailTtlMinutes: wholeNumber(
    GENERAL_BOUNDS.verifyEmailTtlMinutes.min,
    GENERAL_BOUNDS.verifyEmailTtlMinutes.max,
  ),
  resetPasswordTtlMinutes: wholeNumber(
    GENERAL_BOUNDS.resetPasswordTtlMinutes.min,
    GENERAL_BOUNDS.resetPasswordTtlMinutes.max,
  ),
  changeEmailTtlMinutes: wholeNumber(
    GENERAL_BOUNDS.changeEmailTtlMinutes.min,
    GENERAL_BOUNDS.changeEmailTtlMinutes.max,
  ),
  resendCooldownSeconds: wholeNumber(
    GENERAL_BOUNDS.resendCooldownSeconds.min,
    GENERAL_BOUNDS.resendCooldownSeconds.max,
  ),
  lockOnUnconfirmedEmailChange: checkbox,
  auditRetentionDays: wholeNumber(
    GENERAL_BOUNDS.auditRetentionDays.min,
    GENERAL_BOUNDS.auditRetentionDays.max,
  ),
  sentMailRetentionDays: wholeNumber(
    GENERAL_BOUNDS.sentMailRetentionDays.min,
    GENERAL_BOUNDS.sentMailRetentionDays.max,
  ),
  unconfirmedAccountRetentionDays: wholeNumber(
    GENERAL_BOUNDS.unconfirmedAccountRetentionDays.min,
    GENERAL_BOUNDS.unconfirmedAccountRetentionDays.max,
  ),
  twoFactorRequiredAdmins: checkbox,
  twoFactorRequiredEveryone: checkbox,
  twoFactorGraceDays: wholeNumber(
    GENERAL_BOUNDS.twoFactorGraceDays.min,
    GENERAL_BOUNDS.twoFactorGraceDays.max,
  ),
});

export type GeneralSettingsInput = z.output<typeof generalSettingsSchema>;

/** 'env' stores nothing, so that the environment (MAIL_TRANSPORT, SMTP_*…) decides again. */
export const MAIL_TRANSPORT_CHOICES = ['env', 'smtp', 'resend', 'dev'] as const;
export type MailTransportChoice = (typeof MAIL_TRANSPORT_CHOICES)[number];
/** The words of SMTP_ENCRYPTION, with the same meaning (PHPMailer's: tls = STARTTLS, ssl = implicit TLS). */
export const SMTP_ENCRYPTIONS = SMTP_ENCRYPTION_WORDS;

/** The secret fields: write-only, never echoed, never shown. Each has a "clear" checkbox beside it. */
export const MAIL_SECRET_FIELDS = [
  'smtpPassword',
  'oauthClientSecret',
  'oauthRefreshToken',
  'resendApiKey',
] as const;
export type MailSecretField = (typeof MAIL_SECRET_FIELDS)[number];
export type StoredSecrets = Record<MailSecretField, boolean>;

const singleLine = (max: number) =>
  z
    .string({ error: 'form.errors.invalid' })
    .trim()
    .max(max, { error: encodeFieldMessage('form.errors.tooLong', { max }) })
    .refine(usable, { error: 'form.errors.invalidCharacters' })
    .optional()
    .transform((v) => v ?? '');

/** A password keeps its spaces (Gmail app passwords have some); keys and tokens are trimmed. */
const secret = (max: number, { trim }: { trim: boolean }) =>
  z
    .string({ error: 'form.errors.invalid' })
    .transform((v) => (trim ? v.trim() : v))
    .pipe(
      z
        .string()
        .max(max, { error: encodeFieldMessage('form.errors.tooLong', { max }) })
        .refine(usable, { error: 'form.errors.invalidCharacters' }),
    )
    .optional()
    .transform((v) => v ?? '');

// A DNS name or an IP address (IPv6 in brackets or bare); nothing that could smuggle a URL or a path.
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?|\[?[0-9A-Fa-f:.]+\]?)$/;

const smtpHost = z
  .string({ error: 'form.errors.invalid' })
  .trim()
  .max(255, { error: encodeFieldMessage('form.errors.tooLong', { max: 255 }) })
  .refine((v) => v === '' || HOST.test(v), { error: 'adminSettings.errors.smtpHost' })
  .optional()
  .transform((v) => v ?? '');

const smtpPort = z
  .string({ error: 'form.errors.invalid' })
  .trim()
  .refine((v) => v === '' || (/^[0-9]{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535), {
    error: 'adminSettings.errors.smtpPort',
  })
  .optional()
  .transform((v) => (v ? Number(v) : undefined));

const fromAddress = z
  .string({ error: 'form.errors.invalid' })
  .trim()
  .max(254, { error: encodeFieldMessage('form.errors.tooLong', { max: 254 }) })
  .refine((v) => v === '' || z.email().safeParse(v).success, { error: 'form.errors.invalidEmail' })
  .optional()
  .transform((v) => v ?? '');

export interface MailSchemaContext {
  /** False in production: the development mailbox would show everyone's mail. */
  allowDev: boolean;
  /** Which secrets are stored now: an empty field keeps a stored one. */
  stored: StoredSecrets;
  /** Whether mail settings are saved at all (the form then starts filled with them). */
  saved: boolean;
}

/** The mail settings form. Cross-field checks use what is stored, so both sides need `stored`. */
export function mailSettingsFormSchema({ allowDev, stored, saved }: MailSchemaContext) {
  return z
    .object({
      transport: z.enum(MAIL_TRANSPORT_CHOICES, { error: 'form.errors.invalidChoice' }),
      fromName: singleLine(100),
      fromAddress,
      smtpHost,
      smtpPort,
      smtpEncryption: z.enum(SMTP_ENCRYPTIONS, { error: 'form.errors.invalidChoice' }).default('starttls'),
      smtpUsername: singleLine(255),
      smtpPassword: secret(1000, { trim: false }),
      smtpPasswordClear: checkbox,
      oauthClientId: singleLine(512),
      oauthClientSecret: secret(1000, { trim: true }),
      oauthClientSecretClear: checkbox,
      oauthRefreshToken: secret(2000, { trim: true }),
      oauthRefreshTokenClear: checkbox,
      resendApiKey: secret(1000, { trim: true }),
      resendApiKeyClear: checkbox,
    })
    .superRefine((v, ctx) => {
      const issue = (path: string, key: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message: key });
      if (v.transport === 'dev' && !allowDev) issue('transport', 'adminSettings.errors.devInProduction');
      // Back to the environment: nothing else in the form is kept, so nothing else is checked, but
      // values typed for a transport would be thrown away unseen: say so rather than drop them.
      if (v.transport === 'env') {
        const typedSecret = MAIL_SECRET_FIELDS.some((field) => v[field] !== '');
        const typedFresh =
          !saved &&
          [v.smtpHost, v.smtpUsername, v.oauthClientId, v.fromName, v.fromAddress].some((x) => x !== '');
        if (typedSecret || typedFresh || (!saved && v.smtpPort !== undefined)) {
          issue('transport', 'adminSettings.errors.envDiscards');
        }
        return;
      }

      for (const field of MAIL_SECRET_FIELDS) {
        if (v[field] !== '' && v[`${field}Clear`]) issue(field, 'adminSettings.errors.clearAndNew');
      }
      // What the saved settings will hold: a new value, or the stored one unless it is cleared.
      const has = (field: MailSecretField) => v[field] !== '' || (stored[field] && !v[`${field}Clear`]);

      // Gmail OAuth2 takes all three values; an id alone, or a token without an id, is a half setup.
      const oauth = v.oauthClientId !== '' || v.oauthClientSecret !== '' || v.oauthRefreshToken !== '';
      if (oauth) {
        if (v.oauthClientId === '') issue('oauthClientId', 'adminSettings.errors.oauthIncomplete');
        if (!has('oauthClientSecret')) issue('oauthClientSecret', 'adminSettings.errors.oauthIncomplete');
        if (!has('oauthRefreshToken')) issue('oauthRefreshToken', 'adminSettings.errors.oauthIncomplete');
      }
      // The SMTP section is saved only with a host: anything typed into it without one would be lost.
      const smtpTyped = v.smtpUsername !== '' || v.smtpPassword !== '' || v.smtpPort !== undefined || oauth;
      if (v.smtpHost === '' && (v.transport === 'smtp' || smtpTyped)) {
        issue('smtpHost', 'adminSettings.errors.smtpHostRequired');
      }
      if (v.smtpHost !== '' && !oauth && has('smtpPassword') && v.smtpUsername === '') {
        issue('smtpUsername', 'adminSettings.errors.usernameRequired');
      }
      if (v.transport === 'resend' && !has('resendApiKey')) {
        issue('resendApiKey', 'adminSettings.errors.resendKeyRequired');
      }
    });
}

export type MailSettingsInput = z.output<ReturnType<typeof mailSettingsFormSchema>>;

/** The "send test email" button sends no fields: the address is the admin's own. */
export const testEmailSchema = z.object({});
