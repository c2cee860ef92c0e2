import { z } from 'zod';
import { encodeFieldMessage } from './password';

/**
 * Field schemas shared by the browser (ActionForm's check) and the server (server actions, JSON API).
 * Messages are catalogue keys (see lib/validation/password.ts for the key?param=value encoding).
 */

// Control characters have no place in a single-line field; they are how log and header injection start.
// Lone surrogates (text that was not valid UTF-8 or UTF-16) are refused too: Postgres cannot store them.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_EXCEPT_NEWLINES = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// With the u flag a proper surrogate pair is one code point, so only a lone half matches.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const text = (max: number) =>
  z
    .string({ error: 'form.errors.required' })
    .trim()
    .max(max, { error: encodeFieldMessage('form.errors.tooLong', { max }) })
    .refine((v) => !CONTROL.test(v) && !LONE_SURROGATE.test(v), { error: 'form.errors.invalidCharacters' });

export const emailField = z
  .string({ error: 'form.errors.required' })
  .trim()
  .toLowerCase()
  .min(1, { error: 'form.errors.required' })
  .max(254, { error: encodeFieldMessage('form.errors.tooLong', { max: 254 }) })
  .pipe(z.email({ error: 'form.errors.invalidEmail' }));

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export const usernameField = text(32)
  .refine((v) => v.length >= 3, { error: encodeFieldMessage('form.errors.tooShort', { min: 3 }) })
  .refine((v) => USERNAME_PATTERN.test(v), { error: 'register.errors.usernameCharacters' });

export const fullNameField = text(100).refine((v) => v.length >= 1, { error: 'form.errors.required' });

// Digits with the usual separators and an optional leading +; letters are refused rather than stored.
export const phoneField = text(32).refine((v) => v === '' || /^\+?[0-9][0-9 ().-]{3,31}$/.test(v), {
  error: 'register.errors.phone',
});

export const addressField = text(200);
/** What the owner calls a passkey ("Work laptop"), shown on their page, the admin's and in mail. */
export const passkeyNameField = text(64).refine((v) => v.length >= 1, { error: 'form.errors.required' });
export const cityField = text(100);
export const countryField = text(100);

export const commentField = z
  .string()
  .max(1000, { error: encodeFieldMessage('form.errors.tooLong', { max: 1000 }) })
  .refine((v) => !CONTROL_EXCEPT_NEWLINES.test(v) && !LONE_SURROGATE.test(v), {
    error: 'form.errors.invalidCharacters',
  })
  .transform((v) => v.trim());

/** A field that only ever holds what the page put there: anything else falls back to the default. */
export function choiceField<T extends string>(values: readonly T[], fallback: T) {
  return z
    .string()
    .optional()
    .transform((v): T => ((values as readonly string[]).includes(v ?? '') ? (v as T) : fallback));
}

/** An IANA time zone name this runtime knows; unknown or missing values fall back to UTC. */
export const timezoneField = z
  .string()
  .max(64)
  .optional()
  .transform((v) => {
    if (!v) return 'UTC';
    try {
      return new Intl.DateTimeFormat('en', { timeZone: v }).resolvedOptions().timeZone;
    } catch {
      return 'UTC';
    }
  });
