import { z } from 'zod';
import { locales } from '@/lib/i18n/config';
import {
  addressField,
  choiceField,
  cityField,
  commentField,
  countryField,
  emailField,
  fullNameField,
  phoneField,
  timezoneField,
  usernameField,
} from './fields';
import { passwordFieldSchema, refineNewPassword } from './password';

/** The sign-up form, on both sides. The minimum password length is a setting, so the schema is built per request. */
export function registrationSchema(minPasswordLength: number) {
  return z
    .object({
      username: usernameField,
      email: emailField,
      password: passwordFieldSchema,
      confirmPassword: passwordFieldSchema,
      fullName: fullNameField,
      phone: phoneField.optional().default(''),
      address: addressField.optional().default(''),
      city: cityField.optional().default(''),
      country: countryField.optional().default(''),
      locale: choiceField(locales, 'en'),
      timezone: timezoneField,
      comment: commentField.optional().default(''),
    })
    .superRefine(refineNewPassword(minPasswordLength));
}

export type RegistrationInput = z.output<ReturnType<typeof registrationSchema>>;

export const resendVerificationSchema = z.object({ email: emailField });

export const loginSchema = z.object({
  identifier: z
    .string({ error: 'form.errors.required' })
    .trim()
    .min(1, { error: 'form.errors.required' })
    .max(254, { error: 'form.errors.required' }),
  password: z
    .string({ error: 'form.errors.required' })
    .min(1, { error: 'form.errors.required' })
    .max(4096, { error: 'form.errors.required' }),
});
