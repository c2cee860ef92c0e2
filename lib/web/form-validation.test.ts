import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formData } from '@/tests/helpers/forms';
import { validateFormData } from './form-validation';

// The error summary lists errors in the order they come; a page rendered before the browser has
// loaded the schema (decision 037) has no other order to go by.
const schema = z
  .object({
    username: z.string().min(3),
    email: z.email('form.errors.invalidEmail'),
    password: z.string().min(12, 'password.tooShort'),
    confirmPassword: z.string(),
  })
  .refine((data) => data.password === data.confirmPassword, {
    message: 'form.errors.mismatch',
    path: ['confirmPassword'],
  });

describe('validateFormData', () => {
  it('returns field errors in the order of the schema’s fields, whatever order the checks found them in', async () => {
    // The control character in username is refused before zod runs; zod finds the email first.
    const result = await validateFormData(
      schema,
      formData({ email: 'nope', password: 'short', confirmPassword: 'short', username: 'a\u0000b' }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.fieldErrors)).toEqual(['username', 'email', 'password']);
    expect(result.fieldErrors.username).toEqual({ key: 'form.errors.invalidCharacters' });
  });
});
