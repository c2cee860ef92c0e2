'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { resetPasswordWithCode, resetPasswordWithToken } from '@/lib/password-reset';
import { getSetting } from '@/lib/settings';
import { passwordProblemMessage } from '@/lib/validation/password';
import { codeResetSchema } from '@/lib/validation/password-reset';
import { tokenPasswordSchema } from '@/lib/validation/set-password';
import { createFormAction, type FormResult, type FormState, waitParams } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';

type Failure =
  | { code: 'invalid_or_expired' }
  | { code: 'password_policy'; problem: Parameters<typeof passwordProblemMessage>[0] }
  | { code: 'busy' | 'rate_limited'; retryAfterSeconds: number };

function failure(result: Failure): FormResult {
  if (result.code === 'password_policy') {
    return { status: 'error', fieldErrors: { password: passwordProblemMessage(result.problem) } };
  }
  if (result.code === 'invalid_or_expired')
    return { status: 'error', formError: { key: 'resetPassword.invalid' } };
  const key = result.code === 'busy' ? 'register.errors.busy' : 'register.errors.rateLimited';
  return { status: 'error', formError: { key, params: waitParams(result.retryAfterSeconds) } };
}

/** The new password from the emailed link. */
export async function resetWithLink(prev: FormState, formData: FormData): Promise<FormState> {
  const db = await getDb();
  const minLength = await getSetting(db, 'password_min_length');
  return createFormAction(tokenPasswordSchema(minLength), async ({ token, password }) => {
    const result = await resetPasswordWithToken(db, { token, password }, await requestContext(), systemClock);
    if (!result.ok) return failure(result);
    deliverMailAfterResponse();
    redirect('/reset-password/done');
  })(prev, formData);
}

/** The new password with the 6-digit code, typed on another device. */
export async function resetWithCode(prev: FormState, formData: FormData): Promise<FormState> {
  const db = await getDb();
  const minLength = await getSetting(db, 'password_min_length');
  return createFormAction(codeResetSchema(minLength), async ({ email, code, password }) => {
    const result = await resetPasswordWithCode(
      db,
      { email, code, password },
      await requestContext(),
      systemClock,
    );
    if (!result.ok) return failure(result);
    deliverMailAfterResponse();
    redirect('/reset-password/done');
  })(prev, formData);
}
