import { z } from 'zod';

/**
 * The confirmation page's first form: the password submitted with the registration, proving that
 * whoever confirms the address chose it (S56). The second form is tokenPasswordSchema (a new one).
 */
export const verifyWithPasswordSchema = z.object({
  // Only a hand-made post sends anything else: it is a dead link, as far as the person can tell.
  token: z.string({ error: 'verify.invalidTitle' }).max(200, { error: 'verify.invalidTitle' }),
  password: z
    .string({ error: 'form.errors.required' })
    .min(1, { error: 'form.errors.required' })
    // Longer than any password the policy accepts: it cannot be the registration's.
    .max(4096, { error: 'verify.errors.wrongPassword' }),
});
