import { z } from 'zod';
import { accountStates } from '@/lib/account-state';
import { USER_FILTERS, USER_SORTS } from '@/lib/admin-users';
import { locales } from '@/lib/i18n/config';
import { themes } from '@/lib/theme';
import { deleteAccountSchema } from './account-deletion';
import { lockSchema } from './admin-user';
import { settingsSchema } from './profile';
import { phraseField } from './recovery-phrase';
import { revokeSessionSchema } from './sessions';

/**
 * What the JSON API takes and answers beyond the forms' own schemas (which it uses as they are).
 * Only where JSON differs from a form: a checkbox is a boolean, a hidden field is a path parameter,
 * and a list has a cursor. The response schemas document the answers (docs/api.md).
 */

/** Lists: at most 100 items per page; `cursor` is the `next` of the previous page, opaque to callers. */
export const MAX_PAGE_SIZE = 100;

const pageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  cursor: z
    .string()
    .regex(/^[0-9]{1,15}$/, { error: 'form.errors.invalid' })
    .optional(),
};

/** Settings over JSON: any subset, notifications as a boolean. */
export const settingsPatchSchema = z.object({
  emailNotifications: z.boolean().optional(),
  theme: settingsSchema.shape.theme.optional(),
  locale: settingsSchema.shape.locale.optional(),
  timezone: settingsSchema.shape.timezone.optional(),
});

/** Deleting one's own account: the current password, and the call itself says the person means it. */
export const deleteOwnAccountSchema = deleteAccountSchema.pick({ currentPassword: true });

export const sessionPathSchema = z.object({ id: revokeSessionSchema.shape.handle });

export const userPathSchema = z.object({ id: z.uuid() });

export const lockBodySchema = lockSchema.pick({ reason: true });

export const roleBodySchema = z.object({
  role: z.enum(['user', 'admin'], { error: 'form.errors.invalidChoice' }),
});

export const resetLinkCheckSchema = z.object({ token: z.string().max(200) });

export const userListQuerySchema = z.object({
  q: z.string().max(254).optional(),
  state: z.enum(USER_FILTERS).optional(),
  sort: z.enum(USER_SORTS).optional(),
  ...pageQuery,
});

export const auditQuerySchema = z.object({
  actor: z.string().max(254).optional(),
  user: z.string().max(254).optional(),
  action: z.string().max(100).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  ...pageQuery,
});

const timestamp = z.iso.datetime();

export const meResponseSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  username: z.string(),
  fullName: z.string(),
  phone: z.string(),
  address: z.string(),
  city: z.string(),
  country: z.string(),
  locale: z.enum(locales),
  timezone: z.string(),
  theme: z.enum(themes),
  emailNotifications: z.boolean(),
  role: z.enum(['user', 'admin']),
  state: z.enum(accountStates),
  createdAt: timestamp,
  lastLoginAt: timestamp.nullable(),
});

export const settingsResponseSchema = meResponseSchema.pick({
  emailNotifications: true,
  theme: true,
  locale: true,
  timezone: true,
});

const sessionEntry = z.object({
  id: z.string(),
  current: z.boolean(),
  device: z.object({ browser: z.string().nullable(), os: z.string().nullable() }),
  ip: z.string().nullable(),
  createdAt: timestamp,
  lastSeenAt: timestamp,
});

export const sessionListSchema = z.object({ items: z.array(sessionEntry), next: z.null() });

export const adminUserSchema = meResponseSchema
  .omit({ locale: true, theme: true, emailNotifications: true, timezone: true })
  .extend({ lockReason: z.string().nullable(), signupComment: z.string() });

export const adminUserListSchema = z.object({
  items: z.array(
    meResponseSchema.pick({
      id: true,
      email: true,
      username: true,
      fullName: true,
      role: true,
      state: true,
      createdAt: true,
      lastLoginAt: true,
    }),
  ),
  next: z.string().nullable(),
});

export const adminUserDetailSchema = z.object({
  user: adminUserSchema,
  sessions: z.array(sessionEntry.omit({ current: true })),
});

export const createdSchema = z.object({ id: z.uuid() });

export const auditListSchema = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      at: timestamp,
      action: z.string(),
      actorId: z.uuid().nullable(),
      userId: z.uuid().nullable(),
      ip: z.string().nullable(),
      meta: z.record(z.string(), z.unknown()),
    }),
  ),
  next: z.string().nullable(),
});

/** A result that only says how it went, for the flows that answer the same whatever happened (S13, S28). */
export const acceptedSchema = z.object({ status: z.literal('accepted') });

/** The address an email change moved the account to. */
export const emailChangedSchema = z.object({ email: z.email() });

/** The first step of a recovery phrase: the current password (as /account/recovery asks). */
export const recoveryPhraseCreateSchema = z.object({ currentPassword: z.string().min(1).max(4096) });

/** A new phrase, shown once: it is kept only once typed back with `confirmation` before `expiresAt`. */
export const recoveryPhraseCreatedSchema = z.object({
  phrase: z.string(),
  confirmation: z.string(),
  expiresAt: timestamp,
});

export const recoveryPhraseConfirmSchema = z.object({
  phrase: phraseField,
  confirmation: z.string().min(1).max(1000),
});

export const verifiedSchema = z.object({ state: z.enum(['pending', 'active']) });

export const validSchema = z.object({ valid: z.literal(true) });

/** RFC 9457 problem details, as every refusal is answered (lib/api/problem.ts). */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string().optional(),
  errors: z.array(z.object({ pointer: z.string(), code: z.string() })).optional(),
  retryAfterSeconds: z.number().int().optional(),
});

/**
 * The answer of POST /auth/login for an account with a second factor: no session yet, only the
 * pending sign-in's token for POST /auth/login/second-factor, and the kinds of factor the account has
 * (a passkey cannot be given over this API: docs/api.md).
 */
export const secondFactorRequiredSchema = z.object({
  status: z.literal('second_factor_required'),
  pendingToken: z.string(),
  expiresAt: z.iso.datetime(),
  methods: z.array(z.enum(['totp', 'recovery_code', 'passkey'])),
});

/** The second step over the API: the pending token, and a code from the app or a recovery code. */
export const secondFactorBodySchema = z.object({
  pendingToken: z
    .string({ error: 'form.errors.required' })
    .min(1, { error: 'form.errors.required' })
    .max(200),
  code: z
    .string({ error: 'form.errors.required' })
    .trim()
    .min(1, { error: 'form.errors.required' })
    .max(64, { error: 'twoFactor.errors.recoveryCodeFormat' }),
});
