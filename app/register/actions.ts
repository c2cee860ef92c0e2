'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { registerUser } from '@/lib/registration';
import { getSetting } from '@/lib/settings';
import { passwordProblemMessage } from '@/lib/validation/password';
import { registrationSchema } from '@/lib/validation/registration';
import { createFormAction, type FormState, waitParams } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';

export async function register(prev: FormState, formData: FormData): Promise<FormState> {
  const db = await getDb();
  const minLength = await getSetting(db, 'password_min_length');
  const action = createFormAction(registrationSchema(minLength), async (input) => {
    const result = await registerUser(db, input, await requestContext(), systemClock);
    if (result.ok) {
      deliverMailAfterResponse();
      redirect('/register/check-inbox');
    }
    if (result.code === 'password_policy') {
      return { status: 'error', fieldErrors: { password: passwordProblemMessage(result.problem) } };
    }
    const key = result.code === 'busy' ? 'register.errors.busy' : 'register.errors.rateLimited';
    return { status: 'error', formError: { key, params: waitParams(result.retryAfterSeconds) } };
  });
  return action(prev, formData);
}
