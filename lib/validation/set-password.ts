import { z } from 'zod';
import { passwordFieldSchema, refineNewPassword } from './password';

/** A new password chosen from an emailed link: the token travels as a hidden field. */
export function tokenPasswordSchema(minLength: number) {
  return z
    .object({
      token: z.string().max(200),
      password: passwordFieldSchema,
      confirmPassword: passwordFieldSchema,
    })
    .superRefine(refineNewPassword(minLength));
}
