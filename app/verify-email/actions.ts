'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { verifyEmail, type VerifyEmailProof, type VerifyEmailResult } from '@/lib/email-verification';
import { getSetting } from '@/lib/settings';
import { passwordProblemMessage } from '@/lib/validation/password';
import { tokenPasswordSchema } from '@/lib/validation/set-password';
import { verifyWithPasswordSchema } from '@/lib/validation/verify-email';
import { createFormAction, type FormResult, type FormState, waitParams } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';

/** Where each outcome is told: a page of its own, so a refresh or the back button never posts again. */
const donePath = {
  pending: '/verify-email/done?state=pending',
  active: '/verify-email/done?state=active',
  already_verified: '/verify-email/done?state=already',
  invalid_or_expired: '/verify-email/done?state=invalid',
} as const;

async function confirm(token: string, proof: VerifyEmailProof): Promise<FormResult> {
  const result: VerifyEmailResult = await verifyEmail(
    await getDb(),
    { token, ...proof },
    await requestContext(),
    systemClock,
  );
  if (result.ok) {
    deliverMailAfterResponse();
    redirect(donePath[result.state]);
  }
  switch (result.code) {
    case 'already_verified':
    case 'invalid_or_expired':
      redirect(donePath[result.code]);
    // The link stays live: the person may try again or choose a new password in the other form.
    case 'wrong_password':
      return { status: 'error', fieldErrors: { password: { key: 'verify.errors.wrongPassword' } } };
    case 'password_policy':
      return { status: 'error', fieldErrors: { password: passwordProblemMessage(result.problem) } };
    default: {
      const key = result.code === 'busy' ? 'register.errors.busy' : 'register.errors.rateLimited';
      return { status: 'error', formError: { key, params: waitParams(result.retryAfterSeconds) } };
    }
  }
}

// Exported async functions (not consts holding one): Next.js only finds those for forms posted
// without JavaScript.

/** Confirms with the password given at sign-up. */
export async function confirmWithPassword(prev: FormState, formData: FormData): Promise<FormState> {
  return createFormAction(verifyWithPasswordSchema, ({ token, password }) => confirm(token, { password }))(
    prev,
    formData,
  );
}

/** Confirms with a new password chosen here, which replaces the one given at sign-up. */
export async function confirmWithNewPassword(prev: FormState, formData: FormData): Promise<FormState> {
  const minLength = await getSetting(await getDb(), 'password_min_length');
  return createFormAction(tokenPasswordSchema(minLength), ({ token, password }) =>
    confirm(token, { newPassword: password }),
  )(prev, formData);
}
