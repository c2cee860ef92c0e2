import { z } from 'zod';
import { defaultLocale, isLocale, type Locale } from '@/lib/i18n/config';
import { emailField, timezoneField } from './fields';

/**
 * One account as lib/user-import.ts hands it over after mapping the source's columns: every value is
 * still the text (or JSON value) the file held, and this schema is the only judge of it. Messages are
 * plain English: they end up in the operator's report, not in a form.
 */

// Same refusals as the form fields (lib/validation/fields.ts): no control characters, no lone surrogates.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

// Optional so a column the file does not have reads as an empty cell.
const cell = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined ? '' : String(v).trim()));

const importText = (name: string, max: number) =>
  cell
    .refine((v) => v.length <= max, { error: `${name} is longer than ${max} characters` })
    .refine((v) => !CONTROL.test(v) && !LONE_SURROGATE.test(v), {
      error: `${name} holds control characters`,
    });

/**
 * Usernames the old dashboard allowed (up to 50 characters, any printable character) are kept as
 * they are, even where the sign-up form is stricter; only "@" is refused, because sign-in reads an
 * identifier with "@" as an email address and the account could never sign in by its username.
 */
export const IMPORT_USERNAME_MAX = 50;
export const importUsernameField = importText('username', IMPORT_USERNAME_MAX)
  .refine((v) => v.length >= 1, { error: 'username is missing' })
  .refine((v) => !v.includes('@'), { error: 'username contains "@"' });

const FALSE_WORDS = new Set(['', '0', 'false', 'no', 'n', 'f', 'off', 'null', 'none']);

/** 1/0, yes/no, true/false as PHP and MySQL write them; unknown words count as false. */
export const flagField = cell.transform((v) => !FALSE_WORDS.has(v.toLowerCase()));

/** MySQL's "no date" spelling, which PHP dashboards export for a NULL datetime. */
const ZERO_DATE = /^0000-00-00/;

/**
 * A timestamp as MySQL, PHP or an ISO export writes it; empty means none. A time without a zone
 * ("2024-03-01 10:00:00") is read as UTC, which is what a PHP app that never set a zone stored.
 */
export const dateField = (name: string) =>
  cell.transform((v, ctx): Date | null => {
    if (v === '' || ZERO_DATE.test(v) || v.toLowerCase() === 'null') return null;
    const spaced = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v);
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(v);
    const date = new Date(spaced ? `${v.replace(' ', 'T')}Z` : dateOnly ? `${v}T00:00:00Z` : v);
    if (Number.isNaN(date.getTime()) || !/^\d{4}-/.test(v)) {
      ctx.addIssue({ code: 'custom', message: `${name} is not a date` });
      return z.NEVER;
    }
    return date;
  });

/** A value that may be a flag (1, yes) or a date (when it happened): either says "yes". */
export const flagOrDateField = (name: string) =>
  cell.transform((v, ctx): { set: boolean; at: Date | null } => {
    if (FALSE_WORDS.has(v.toLowerCase()) || ZERO_DATE.test(v)) return { set: false, at: null };
    if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
      const parsed = dateField(name).safeParse(v);
      if (!parsed.success || !parsed.data) {
        ctx.addIssue({ code: 'custom', message: `${name} is not a date` });
        return z.NEVER;
      }
      return { set: true, at: parsed.data };
    }
    return { set: true, at: null };
  });

const optionalFlag = cell.transform((v) => (v === '' ? undefined : !FALSE_WORDS.has(v.toLowerCase())));

const ROLE_ADMIN = new Set(['admin', 'administrator', 'superadmin', 'super_admin', 'root']);
// A status that says the account was switched off in the old system: imported locked, so an
// administrator decides (it never becomes active by being imported).
const STATUS_LOCKED = new Set([
  '0',
  'false',
  'no',
  'inactive',
  'disabled',
  'blocked',
  'banned',
  'suspended',
  'locked',
  'deleted',
]);
const STATUS_REJECTED = new Set(['rejected', 'declined', 'denied']);

/**
 * The fields a source column can map to (lib/user-import.ts holds the aliases). Every field is
 * optional: a missing column reads as an empty cell.
 */
export const importSourceSchema = z.object({
  email: cell,
  username: cell,
  passwordHash: cell,
  fullName: importText('full name', 100),
  firstName: importText('first name', 100),
  lastName: importText('last name', 100),
  phone: importText('phone', 32),
  address: importText('address', 200),
  city: importText('city', 100),
  country: importText('country', 100),
  locale: cell,
  timezone: cell,
  role: cell,
  isAdmin: flagField,
  emailVerified: flagOrDateField('email_verified_at'),
  // Undefined when the file has no approval column: then confirmation alone makes the account active.
  approved: flagOrDateField('approved').optional(),
  status: cell,
  isActive: optionalFlag,
  createdAt: dateField('created_at'),
  lastLoginAt: dateField('last_login_at'),
});

export type ImportSourceField = keyof z.input<typeof importSourceSchema>;
export const importSourceFields = Object.keys(importSourceSchema.shape) as ImportSourceField[];

/** One source row, judged: what lib/user-import.ts writes, or the issue that refuses it. */
export const importRowSchema = importSourceSchema
  .extend({
    email: cell.pipe(emailField),
    username: importUsernameField,
    // An unknown language or time zone is not worth refusing an account for: the defaults apply.
    locale: cell.transform((v): Locale => {
      const lower = v.toLowerCase().slice(0, 2);
      return isLocale(lower) ? lower : defaultLocale;
    }),
    timezone: cell.transform((v) => timezoneField.parse(v.slice(0, 64))),
  })
  .transform((row) => {
    const fullName = row.fullName || [row.firstName, row.lastName].filter(Boolean).join(' ');
    const status = row.status.toLowerCase();
    return {
      email: row.email,
      username: row.username,
      passwordHash: row.passwordHash,
      fullName,
      phone: row.phone,
      address: row.address,
      city: row.city,
      country: row.country,
      locale: row.locale,
      timezone: row.timezone,
      role: row.isAdmin || ROLE_ADMIN.has(row.role.toLowerCase()) ? ('admin' as const) : ('user' as const),
      confirmed: row.emailVerified,
      approved: row.approved,
      disabled: STATUS_REJECTED.has(status)
        ? ('rejected' as const)
        : STATUS_LOCKED.has(status) || row.isActive === false
          ? ('locked' as const)
          : undefined,
      createdAt: row.createdAt,
      lastLoginAt: row.lastLoginAt,
    };
  })
  .refine((row) => row.fullName.length <= 100, {
    error: 'full name is longer than 100 characters',
    path: ['fullName'],
  });

export type ImportRow = z.output<typeof importRowSchema>;
