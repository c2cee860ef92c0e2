import { z } from 'zod';
import { locales } from '@/lib/i18n/config';
import { themes } from '@/lib/theme';
import { addressField, cityField, countryField, fullNameField, phoneField, usernameField } from './fields';

/** The profile form, on both sides. Email and password have their own pages and flows. */
export const profileSchema = z.object({
  username: usernameField,
  fullName: fullNameField,
  phone: phoneField.optional().default(''),
  address: addressField.optional().default(''),
  city: cityField.optional().default(''),
  country: countryField.optional().default(''),
});

export type ProfileFormInput = z.output<typeof profileSchema>;

/** True for an IANA time zone name this runtime knows (Intl throws a RangeError on any other). */
export function isKnownTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * The preferences form, on both sides. Unlike the sign-up form, an unknown language, theme or time
 * zone is answered with a field error rather than replaced by a default: here the person chose it.
 */
export const settingsSchema = z.object({
  // An unticked checkbox is not sent at all; anything but "on" is a crafted post.
  emailNotifications: z
    .literal('on', { error: 'form.errors.invalidChoice' })
    .optional()
    .transform((v) => v === 'on'),
  theme: z.enum(themes, { error: 'form.errors.invalidChoice' }),
  locale: z.enum(locales, { error: 'form.errors.invalidChoice' }),
  timezone: z
    .string({ error: 'form.errors.required' })
    .trim()
    .min(1, { error: 'form.errors.required' })
    .max(64, { error: 'settingsPage.errors.timezone' })
    .refine(isKnownTimeZone, { error: 'settingsPage.errors.timezone' })
    // Stored under its canonical spelling ("utc" becomes "UTC").
    .transform((v) => new Intl.DateTimeFormat('en', { timeZone: v }).resolvedOptions().timeZone),
});

export type SettingsFormInput = z.output<typeof settingsSchema>;
