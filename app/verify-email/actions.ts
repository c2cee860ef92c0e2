'use server';

import { z } from 'zod';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { verifyEmail } from '@/lib/email-verification';
import { createFormAction, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';

export type Outcome = { outcome: 'pending' | 'active' | 'already_verified' | 'invalid_or_expired' };

const confirmEmailAction = createFormAction<z.ZodObject<{ token: z.ZodString }>, Outcome>(
  z.object({ token: z.string().max(200) }),
  async ({ token }) => {
    const result = await verifyEmail(await getDb(), token, await requestContext(), systemClock);
    if (!result.ok) return { status: 'success', extra: { outcome: result.code } };
    deliverMailAfterResponse();
    return { status: 'success', extra: { outcome: result.state } };
  },
);

// An exported async function (not a const holding one): Next.js only finds those for forms posted without JavaScript.
export async function confirmEmail(
  prev: FormState<Outcome>,
  formData: FormData,
): Promise<FormState<Outcome>> {
  return confirmEmailAction(prev, formData);
}
