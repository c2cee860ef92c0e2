import { z } from 'zod';
import { accentIsReadable } from '../brand-palette';
import { encodeFieldMessage } from './password';

/**
 * The brand form at /admin/settings (lib/brand.ts saves it). Every field may be left empty: an empty
 * field gives Gatehouse's own name, colour or no support address. The logo file is read by the
 * action itself (form schemas see text fields only) and checked by its content in lib/brand.ts.
 */

/** The logo types accepted, each recognised by its first bytes (lib/brand.ts sniffLogo). */
export const LOGO_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const optionalText = (max: number) =>
  z
    .string({ error: 'form.errors.invalid' })
    .trim()
    .max(max, { error: encodeFieldMessage('form.errors.tooLong', { max }) })
    .refine((v) => !CONTROL.test(v), { error: 'form.errors.invalidCharacters' })
    .optional()
    .transform((v) => v ?? '');

export const brandSettingsFormSchema = z.object({
  productName: optionalText(60),
  accentColor: optionalText(7)
    .transform((v) => v.toLowerCase())
    .refine((v) => v === '' || /^#[0-9a-f]{6}$/.test(v), { error: 'brandSettings.errors.accentFormat' })
    .refine((v) => v === '' || !/^#[0-9a-f]{6}$/.test(v) || accentIsReadable(v), {
      error: 'brandSettings.errors.accentContrast',
    }),
  supportEmail: optionalText(254).refine((v) => v === '' || z.email().safeParse(v).success, {
    error: 'form.errors.invalidEmail',
  }),
  logoRemove: z
    .literal('on', { error: 'form.errors.invalidChoice' })
    .optional()
    .transform((v) => v === 'on'),
});

export type BrandSettingsInput = z.output<typeof brandSettingsFormSchema>;
