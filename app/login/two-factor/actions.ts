'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { verifySecondFactor, type SecondFactorKind } from '@/lib/two-factor';
import { safeReturnPath } from '@/lib/urls';
import { signInCodeSchema, signInRecoveryCodeSchema } from '@/lib/validation/two-factor';
import { setSessionCookie } from '@/lib/web/auth';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { clearPendingSignInCookie, pendingSignInToken } from '@/lib/web/pending-sign-in-cookie';
import { requestContext } from '@/lib/web/request-info';

/**
 * The second step of sign-in: the pending sign-in named by this browser's cookie, and a code. On
 * success the session cookie is set as Auth.js sets it at sign-in (setSessionCookie) and the pending
 * cookie goes.
 */
async function secondStep(
  kind: SecondFactorKind,
  field: 'code' | 'recoveryCode',
  code: string,
  next: string | undefined,
): Promise<FormResult> {
  const result = await verifySecondFactor(
    await getDb(),
    { pendingToken: await pendingSignInToken(), kind, code },
    await requestContext(),
    systemClock,
  );
  if (result.ok) {
    await clearPendingSignInCookie();
    await setSessionCookie(result.sessionId);
    // The new-device notice or the recovery-code mail goes out after the answer.
    if (result.mailQueued) deliverMailAfterResponse();
    redirect(safeReturnPath(next) ?? '/account');
  }
  if (result.code === 'wrong_code') {
    return {
      status: 'error',
      fieldErrors: {
        [field]: { key: 'twoFactorSignIn.errors.wrongCode', params: { attemptsLeft: result.attemptsLeft } },
      },
    };
  }
  if (result.code === 'capped')
    return { status: 'error', formError: { key: 'twoFactorSignIn.errors.capped' } };
  await clearPendingSignInCookie();
  return { status: 'error', formError: { key: 'twoFactorSignIn.errors.expired' } };
}

const codeAction = createFormAction(signInCodeSchema, ({ code, next }) =>
  secondStep('totp', 'code', code, next),
);

const recoveryCodeAction = createFormAction(
  signInRecoveryCodeSchema,
  ({ recoveryCode, next }) => secondStep('recovery_code', 'recoveryCode', recoveryCode, next),
  { secretFields: ['recoveryCode'] },
);

// Exported async functions (not consts holding them): Next.js only finds those for forms posted without JavaScript.
export async function signInWithCode(prev: FormState, formData: FormData): Promise<FormState> {
  return codeAction(prev, formData);
}

export async function signInWithRecoveryCode(prev: FormState, formData: FormData): Promise<FormState> {
  return recoveryCodeAction(prev, formData);
}
