import { z } from 'zod';
import { MAX_WEBAUTHN_RESPONSE_LENGTH } from './passkeys';
import {
  hasPasswordOrPasskey,
  optionalCurrentPassword,
  passkeyProofField,
  PASSWORD_REQUIRED,
} from './reauth';

/** The two-factor forms, on both sides (lib/two-factor.ts judges the codes). */

/** Lower-case letters and digits without 0/o, 1/i/l: a code copied from paper must read one way. */
export const RECOVERY_CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
/** 10 characters of 31: about 49 bits, against at most 20 wrong guesses a day per account. */
export const RECOVERY_CODE_LENGTH = 10;

/** A recovery code as compared: case, spaces and the hyphen in the middle do not matter. */
export function normalizeRecoveryCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const code = input.toLowerCase().replace(/[\s-]/gu, '');
  if (code.length !== RECOVERY_CODE_LENGTH) return null;
  return [...code].every((c) => RECOVERY_CODE_ALPHABET.includes(c)) ? code : null;
}

const currentPassword = z
  .string({ error: 'form.errors.required' })
  .min(1, { error: 'form.errors.required' })
  .max(4096, { error: 'form.errors.required' });

/** Six digits; spaces some apps show in the middle are dropped. */
export const totpCodeField = z
  .string({ error: 'form.errors.required' })
  .max(32, { error: 'twoFactor.errors.codeFormat' })
  .transform((v) => v.replace(/\s/gu, ''))
  .refine((v) => v !== '', { error: 'form.errors.required', abort: true })
  .refine((v) => /^[0-9]{6}$/.test(v), { error: 'twoFactor.errors.codeFormat' });

export const recoveryCodeField = z
  .string({ error: 'form.errors.required' })
  .max(64, { error: 'twoFactor.errors.recoveryCodeFormat' })
  .refine((v) => v.trim() !== '', { error: 'form.errors.required', abort: true })
  .refine((v) => normalizeRecoveryCode(v) !== null, { error: 'twoFactor.errors.recoveryCodeFormat' });

const next = z.string().max(512).optional();

/**
 * /account/two-factor's enrolment is one form in two steps, so that the answer to either renders in
 * place without JavaScript: the current password, then (with `step` = confirm) a first code.
 */
export const enrolTwoFactorSchema = z
  .object({
    currentPassword: z.string().max(4096).optional(),
    // With JavaScript, a passkey's answer in place of the password (lib/validation/reauth.ts).
    passkeyProof: passkeyProofField,
    code: z.string().max(32).optional(),
    step: z.literal('confirm').optional(),
  })
  .superRefine((value, ctx) => {
    if (value.step !== 'confirm' && value.passkeyProof) return;
    const [path, parsed] =
      value.step === 'confirm'
        ? (['code', totpCodeField.safeParse(value.code ?? '')] as const)
        : (['currentPassword', currentPassword.safeParse(value.currentPassword ?? '')] as const);
    if (!parsed.success)
      ctx.addIssue({ code: 'custom', path: [path], message: parsed.error.issues[0]?.message });
  });
export const regenerateCodesSchema = z
  .object({ currentPassword: optionalCurrentPassword, passkeyProof: passkeyProofField })
  .refine(hasPasswordOrPasskey, PASSWORD_REQUIRED);
export const disableTwoFactorSchema = z.object({ currentPassword, code: totpCodeField });
export const signInCodeSchema = z.object({ code: totpCodeField, next });
export const signInRecoveryCodeSchema = z.object({ recoveryCode: recoveryCodeField, next });

/** The passkey's answer on the second step, as JSON text (lib/validation/passkeys.ts checks it). */
export const passkeySecondStepSchema = z.object({
  response: z.string().max(MAX_WEBAUTHN_RESPONSE_LENGTH),
  next,
});
