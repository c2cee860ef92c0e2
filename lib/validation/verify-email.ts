import { z } from 'zod';

/**
 * The confirmation page's first form: the password submitted with the registration, proving that
 * whoever confirms the address chose it (S56). The second form is tokenPasswordSchema (a new one).
 */
export const verifyWithPasswordSchema = z.object({
  token: z.string().max(200),
  password: z
    .string({ error: 'form.errors.required' })
    .min(1, { error: 'form.errors.required' })
    // Longer than any password the policy accepts: it cannot be the registration's.
    .max(4096, { error: 'verify.errors.wrongPassword' }),
});
