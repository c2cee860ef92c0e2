import { z } from 'zod';
import { emailField } from './fields';
import {
  hasPasswordOrPasskey,
  optionalCurrentPassword,
  passkeyProofField,
  PASSWORD_REQUIRED,
} from './reauth';

/**
 * The "change my email address" form. Whether the password is right, and whether the address is the
 * current one, only the server can tell (lib/email-change.ts).
 */
export const emailChangeSchema = z.object({
  newEmail: emailField,
  currentPassword: z
    .string({ error: 'form.errors.required' })
    .min(1, { error: 'form.errors.required' })
    .max(4096, { error: 'form.errors.required' }),
});

export type EmailChangeInput = z.output<typeof emailChangeSchema>;

/** The page's form: the password or, with JavaScript, a passkey's answer instead (lib/validation/reauth.ts). */
export const emailChangeFormSchema = z
  .object({ newEmail: emailField, currentPassword: optionalCurrentPassword, passkeyProof: passkeyProofField })
  .refine(hasPasswordOrPasskey, PASSWORD_REQUIRED);

/** The confirm and "this wasn't me" buttons: the token from the link, sent back as a hidden field. */
export const emailChangeTokenSchema = z.object({ token: z.string().max(200) });

/** The signed-in user's "cancel this change" button carries nothing. */
export const emailChangeCancelSchema = z.object({});
