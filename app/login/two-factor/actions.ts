'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import {
  beginPasskeySecondStep,
  verifyPasskeySecondStep,
  verifySecondFactor,
  type SecondFactorKind,
} from '@/lib/two-factor';
import { safeReturnPath } from '@/lib/urls';
import { authenticationResponseSchema, webauthnResponseField } from '@/lib/validation/passkeys';
import {
  passkeySecondStepSchema,
  signInCodeSchema,
  signInRecoveryCodeSchema,
} from '@/lib/validation/two-factor';
import type { FieldError } from '@/lib/web/form-validation';
import { setSessionCookie } from '@/lib/web/auth';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { clearPendingSignInCookie, pendingSignInToken } from '@/lib/web/pending-sign-in-cookie';
import { requestContext } from '@/lib/web/request-info';
import { setWebauthnHandle, takeWebauthnHandle } from '@/lib/web/webauthn-cookie';

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

/**
 * A passkey as the second step: a challenge for the pending sign-in's account (its passkeys only),
 * the handle in this browser's WebAuthn cookie. Asked by the page's script when the person presses
 * "Use a passkey".
 */
export async function beginPasskeySecondStepAction(): Promise<
  { ok: true; options: PublicKeyCredentialRequestOptionsJSON } | { ok: false; error: FieldError }
> {
  const begun = await beginPasskeySecondStep(
    await getDb(),
    { pendingToken: await pendingSignInToken() },
    systemClock,
  );
  if (!begun.ok) return { ok: false, error: { key: 'twoFactorSignIn.errors.expired' } };
  await setWebauthnHandle(begun.handle);
  return { ok: true, options: begun.options };
}

const responseField = webauthnResponseField(authenticationResponseSchema);

const passkeyAction = createFormAction(passkeySecondStepSchema, async ({ response, next }) => {
  const parsed = responseField.safeParse(response);
  const handle = await takeWebauthnHandle();
  if (!parsed.success) return { status: 'error', formError: { key: 'passkeys.errors.invalid' } };
  const result = await verifyPasskeySecondStep(
    await getDb(),
    { pendingToken: await pendingSignInToken(), handle, response: parsed.data },
    await requestContext(),
    systemClock,
  );
  if (result.ok) {
    await clearPendingSignInCookie();
    await setSessionCookie(result.sessionId);
    if (result.mailQueued) deliverMailAfterResponse();
    redirect(safeReturnPath(next) ?? '/account');
  }
  if (result.code === 'passkey_refused') {
    return {
      status: 'error',
      formError: {
        key: 'twoFactorSignIn.errors.passkeyRefused',
        params: { attemptsLeft: result.attemptsLeft },
      },
    };
  }
  await clearPendingSignInCookie();
  return { status: 'error', formError: { key: 'twoFactorSignIn.errors.expired' } };
});

export async function signInWithPasskeySecondStep(prev: FormState, formData: FormData): Promise<FormState> {
  return passkeyAction(prev, formData);
}
