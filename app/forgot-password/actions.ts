'use server';

import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { requestPasswordReset } from '@/lib/password-reset';
import { forgotPasswordSchema } from '@/lib/validation/password-reset';
import { createFormAction, type FormState, waitParams } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';

const forgotPasswordAction = createFormAction(forgotPasswordSchema, async ({ email }) => {
  const result = await requestPasswordReset(await getDb(), email, await requestContext(), systemClock);
  if (!result.ok) {
    return {
      status: 'error',
      formError: { key: 'forgotPassword.rateLimited', params: waitParams(result.retryAfterSeconds) },
    };
  }
  // Whether the account exists decides what happens next, so it happens after the answer has gone:
  // known and unknown addresses get the same answer in the same time (S28).
  deliverMailAfterResponse(result.deliver);
  return { status: 'success', message: { key: 'forgotPassword.sent' } };
});

export async function forgotPassword(prev: FormState, formData: FormData): Promise<FormState> {
  return forgotPasswordAction(prev, formData);
}
