'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { registerUser } from '@/lib/registration';
import { getSetting } from '@/lib/settings';
import { passwordProblemMessage } from '@/lib/validation/password';
import { registrationSchema } from '@/lib/validation/registration';
import { createFormAction, type FormResult, type FormState, waitParams } from '@/lib/web/form-action';
import { linkToken } from '@/lib/web/link-token';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';

const POLICY_ERRORS = {
  signup_closed: 'signupPolicy.errors.closed',
  invite_required: 'signupPolicy.errors.inviteRequired',
  invite_invalid: 'signupPolicy.errors.inviteInvalid',
} as const;

export async function register(prev: FormState, formData: FormData): Promise<FormState> {
  const db = await getDb();
  const minLength = await getSetting(db, 'password_min_length');
  const action = createFormAction(registrationSchema(minLength), async (input): Promise<FormResult> => {
    // An invite link's token sits in a cookie scoped to /register (lib/web/link-token.ts), never in the form.
    const inviteToken = await linkToken();
    const result = await registerUser(db, { ...input, inviteToken }, await requestContext(), systemClock);
    if (result.ok) {
      deliverMailAfterResponse();
      redirect('/register/check-inbox');
    }
    switch (result.code) {
      case 'password_policy':
        return { status: 'error', fieldErrors: { password: passwordProblemMessage(result.problem) } };
      case 'domain_not_allowed':
        return { status: 'error', fieldErrors: { email: { key: 'signupPolicy.errors.domain' } } };
      case 'signup_closed':
      case 'invite_required':
      case 'invite_invalid':
        return { status: 'error', formError: { key: POLICY_ERRORS[result.code] } };
      case 'busy':
      case 'rate_limited': {
        const key = result.code === 'busy' ? 'register.errors.busy' : 'register.errors.rateLimited';
        return { status: 'error', formError: { key, params: waitParams(result.retryAfterSeconds) } };
      }
    }
  });
  return action(prev, formData);
}
