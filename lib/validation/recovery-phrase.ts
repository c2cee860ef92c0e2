import { z } from 'zod';
import { emailField } from './fields';
import { encodeFieldMessage, passwordFieldSchema, refineNewPassword } from './password';
import { passkeyProofField } from './reauth';

/**
 * The recovery-phrase forms, on both sides. Whether the words are on the list and the checksum holds
 * is checked on the server only (lib/recovery-phrase.ts), so the wordlist stays out of the bundle.
 */

export const PHRASE_WORD_COUNT = 12;
/** Twelve words of at most eight letters, with room for sloppy spacing; the rest is not a phrase. */
export const PHRASE_MAX_LENGTH = 1000;

/**
 * The canonical form a phrase is hashed and compared in: NFKC, lower case, the words separated by
 * single spaces. Whatever a person does when copying it from paper (capitals, line breaks, double
 * spaces, a trailing newline) must not make the right phrase fail.
 */
export function normalizePhrase(input: string): string {
  return input.normalize('NFKC').toLowerCase().split(/\s+/u).filter(Boolean).join(' ');
}

export const phraseField = z
  .string({ error: 'form.errors.required' })
  .max(PHRASE_MAX_LENGTH, { error: encodeFieldMessage('form.errors.tooLong', { max: PHRASE_MAX_LENGTH }) })
  .refine((v) => normalizePhrase(v) !== '', { error: 'form.errors.required', abort: true })
  .refine((v) => normalizePhrase(v).split(' ').length === PHRASE_WORD_COUNT, {
    error: encodeFieldMessage('recovery.errors.wordCount', { count: PHRASE_WORD_COUNT }),
  });

/**
 * /account/recovery is one form in two steps, so that the answer to either step renders in place
 * even without JavaScript: the current password, then (once `confirmation` is present) the phrase
 * typed back.
 */
export const recoveryPhraseSetupSchema = z
  .object({
    currentPassword: z.string().max(4096).optional(),
    passkeyProof: passkeyProofField,
    phrase: z.string().max(PHRASE_MAX_LENGTH).optional(),
    confirmation: z.string().max(1000).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.confirmation) {
      const parsed = phraseField.safeParse(value.phrase ?? '');
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', path: ['phrase'], message: parsed.error.issues[0]?.message });
      }
    } else if (!value.currentPassword && !value.passkeyProof) {
      ctx.addIssue({ code: 'custom', path: ['currentPassword'], message: 'form.errors.required' });
    }
  });

export type RecoveryPhraseSetupInput = z.output<typeof recoveryPhraseSetupSchema>;

/** /forgot-password/phrase: the account's address, its phrase and a new password typed twice (S36). */
export function resetWithPhraseSchema(minPasswordLength: number) {
  return z
    .object({
      email: emailField,
      phrase: phraseField,
      password: passwordFieldSchema,
      confirmPassword: passwordFieldSchema,
    })
    .superRefine(refineNewPassword(minPasswordLength));
}
