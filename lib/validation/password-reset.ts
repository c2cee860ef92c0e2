import { z } from 'zod';
import { emailField } from './fields';
import { passwordFieldSchema, refineNewPassword } from './password';

export const forgotPasswordSchema = z.object({ email: emailField });

/** The reset on another device: the address, the 6-digit code from the mail, the new password twice. */
export function codeResetSchema(minLength: number) {
  return z
    .object({
      email: emailField,
      code: z
        .string({ error: 'form.errors.required' })
        .trim()
        .regex(/^[0-9]{6}$/, { error: 'resetPassword.errors.codeFormat' }),
      password: passwordFieldSchema,
      confirmPassword: passwordFieldSchema,
    })
    .superRefine(refineNewPassword(minLength));
}
