import { z } from 'zod';
import {
  hasPasswordOrPasskey,
  optionalCurrentPassword,
  passkeyProofField,
  PASSWORD_REQUIRED,
} from './reauth';

/** The delete-account form: the current password (S41) and a ticked box saying the person means it. */
export const deleteAccountSchema = z.object({
  currentPassword: z
    .string({ error: 'form.errors.required' })
    .min(1, { error: 'form.errors.required' })
    .max(4096, { error: 'security.errors.wrongPassword' }),
  // An unticked checkbox is not sent at all, so "missing" is the answer to give here.
  confirm: z.literal('on', { error: 'deleteAccount.errors.confirm' }),
});

/** The page's form: the password or, with JavaScript, a passkey's answer instead (lib/validation/reauth.ts). */
export const deleteAccountFormSchema = z
  .object({
    currentPassword: optionalCurrentPassword,
    passkeyProof: passkeyProofField,
    confirm: deleteAccountSchema.shape.confirm,
  })
  .refine(hasPasswordOrPasskey, PASSWORD_REQUIRED);
