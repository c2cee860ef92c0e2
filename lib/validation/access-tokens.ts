import { z } from 'zod';
import { encodeFieldMessage } from './password';
import { hasPasswordOrPasskey, passkeyProofField, PASSWORD_REQUIRED } from './reauth';

/**
 * Personal access tokens (lib/access-tokens.ts): the scopes a token can carry and the create form,
 * shared by the form, the server action and the JSON API.
 */

export const ACCESS_TOKEN_SCOPES = ['profile:read', 'profile:write', 'admin:read', 'admin:write'] as const;
export type AccessTokenScope = (typeof ACCESS_TOKEN_SCOPES)[number];

/** Scopes only an administrator may give a token, and that only an administrator's token keeps. */
export const ADMIN_SCOPES: readonly AccessTokenScope[] = ['admin:read', 'admin:write'];

export const accessTokenScopeSchema = z.enum(ACCESS_TOKEN_SCOPES);

/** Every token expires: the choices a person is offered, in days. */
export const ACCESS_TOKEN_LIFETIME_DAYS = [7, 30, 90, 365] as const;
export const DEFAULT_ACCESS_TOKEN_LIFETIME_DAYS = 30;

export const ACCESS_TOKEN_NAME_MAX = 100;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export const accessTokenNameField = z
  .string({ error: 'form.errors.required' })
  .trim()
  .min(1, { error: 'form.errors.required' })
  .max(ACCESS_TOKEN_NAME_MAX, {
    error: encodeFieldMessage('form.errors.tooLong', { max: ACCESS_TOKEN_NAME_MAX }),
  })
  .refine((v) => !CONTROL.test(v) && !LONE_SURROGATE.test(v), { error: 'form.errors.invalidCharacters' });

/** The form's checkbox for a scope: flat names, since a repeated FormData name keeps only its last value. */
export function scopeFieldName(scope: AccessTokenScope): `scope_${string}` {
  return `scope_${scope.replace(':', '_')}`;
}

/** An unticked checkbox sends nothing; anything but "on" is a crafted post. */
const checkbox = z.literal('on', { error: 'form.errors.invalidChoice' }).optional();

const lifetimeField = z.enum(
  ACCESS_TOKEN_LIFETIME_DAYS.map((days) => String(days)) as [string, ...string[]],
  { error: 'form.errors.invalidChoice' },
);

/**
 * /account/tokens: a name, a lifetime, at least one scope and the current password (S41). The output
 * carries the scopes as a list and the lifetime as a number of days.
 */
export const createAccessTokenSchema = z
  .object({
    name: accessTokenNameField,
    expiresInDays: lifetimeField,
    scope_profile_read: checkbox,
    scope_profile_write: checkbox,
    scope_admin_read: checkbox,
    scope_admin_write: checkbox,
    currentPassword: z
      .string()
      .max(4096, { error: encodeFieldMessage('form.errors.tooLong', { max: 4096 }) })
      .optional(),
    // With JavaScript, a passkey's answer in place of the password (lib/validation/reauth.ts).
    passkeyProof: passkeyProofField,
  })
  .refine(hasPasswordOrPasskey, PASSWORD_REQUIRED)
  .superRefine((value, ctx) => {
    if (!ACCESS_TOKEN_SCOPES.some((scope) => value[scopeFieldName(scope) as keyof typeof value] === 'on')) {
      ctx.addIssue({
        code: 'custom',
        path: [scopeFieldName('profile:read')],
        message: 'accessTokens.errors.noScope',
      });
    }
  })
  .transform((value) => ({
    name: value.name,
    expiresInDays: Number(value.expiresInDays),
    scopes: ACCESS_TOKEN_SCOPES.filter(
      (scope) => value[scopeFieldName(scope) as keyof typeof value] === 'on',
    ),
    currentPassword: value.currentPassword,
    passkeyProof: value.passkeyProof,
  }));

/** A token named by its id, in a revoke button's form. */
export const revokeAccessTokenSchema = z.object({
  tokenId: z.uuid({ error: 'accessTokens.errors.notFound' }),
});

/** The admin's revoke button on an account's page: the account and the token. */
export const adminRevokeAccessTokenSchema = revokeAccessTokenSchema.extend({
  userId: z.uuid({ error: 'adminAccessTokens.errors.notFound' }),
});
