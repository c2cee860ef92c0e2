'use server';

import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { resendVerification } from '@/lib/email-verification';
import { resendVerificationSchema } from '@/lib/validation/registration';
import { createFormAction, type FormState, waitParams } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';

const resendAction = createFormAction(resendVerificationSchema, async ({ email }) => {
  const result = await resendVerification(await getDb(), email, await requestContext(), systemClock);
  if (result.ok) {
    deliverMailAfterResponse();
    return { status: 'success', message: { key: 'resend.sent' } };
  }
  const key = result.code === 'cooldown' ? 'resend.cooldown' : 'resend.rateLimited';
  return { status: 'error', formError: { key, params: waitParams(result.retryAfterSeconds) } };
});

// An exported async function (not a const holding one): Next.js only finds those for forms posted without JavaScript.
export async function resend(prev: FormState, formData: FormData): Promise<FormState> {
  return resendAction(prev, formData);
}
