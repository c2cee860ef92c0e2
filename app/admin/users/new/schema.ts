import { z } from 'zod';
import { locales } from '@/lib/i18n/config';
import {
  addressField,
  cityField,
  countryField,
  emailField,
  fullNameField,
  phoneField,
  usernameField,
} from '@/lib/validation/fields';

/** "Create a user", on both sides. No password field: the new owner chooses theirs from the mail (S47). */
export const createUserSchema = z.object({
  email: emailField,
  username: usernameField,
  fullName: fullNameField,
  phone: phoneField.optional().default(''),
  address: addressField.optional().default(''),
  city: cityField.optional().default(''),
  country: countryField.optional().default(''),
  locale: z.enum(locales, { error: 'form.errors.invalidChoice' }),
});

export type CreateUserInput = z.output<typeof createUserSchema>;
