import { z } from 'zod';
import { locales } from '@/lib/i18n/config';
import { emailField } from '@/lib/validation/fields';
import { profileSchema } from '@/lib/validation/profile';

/**
 * "Create a user", on both sides: the address, the owner's own profile fields and the account's
 * language. No password field: the new owner chooses theirs from the mail (S47).
 */
export const createUserSchema = z.object({
  email: emailField,
  ...profileSchema.shape,
  locale: z.enum(locales, { error: 'form.errors.invalidChoice' }),
});

export type CreateUserInput = z.output<typeof createUserSchema>;
