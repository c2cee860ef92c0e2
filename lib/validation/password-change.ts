import { z } from 'zod';
import { passwordFieldSchema, refineNewPassword } from '@/lib/validation/password';

/**
 * The change-password form, on both sides. Whether the current password is right is for the server
 * (lib/password-change.ts); here it only has to be there.
 */
export function changePasswordSchema(minPasswordLength: number) {
  return z
    .object({
      currentPassword: z
        .string({ error: 'form.errors.required' })
        .min(1, { error: 'form.errors.required' })
        .max(4096, { error: 'security.errors.wrongPassword' }),
      password: passwordFieldSchema,
      confirmPassword: passwordFieldSchema,
    })
    .superRefine(refineNewPassword(minPasswordLength));
}
