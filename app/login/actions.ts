'use server';

import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { redirect } from 'next/navigation';
import { AuthError } from 'next-auth';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { beginPasskeySignIn } from '@/lib/passkeys';
import { safeReturnPath } from '@/lib/urls';
import { passkeySignInSchema } from '@/lib/validation/passkeys';
import { loginSchema } from '@/lib/validation/registration';
import { signIn } from '@/lib/web/auth';
import { createFormAction, type FormResult, type FormState, waitParams } from '@/lib/web/form-action';
import { setWebauthnHandle } from '@/lib/web/webauthn-cookie';

const schema = loginSchema.extend({ next: z.string().max(512).optional() });

const messages: Record<string, string> = {
  invalid_credentials: 'login.errors.invalid',
  unverified: 'login.errors.unverified',
  pending: 'login.errors.pending',
  rejected: 'login.errors.rejected',
  busy: 'login.errors.busy',
  rate_limited: 'login.errors.rateLimited',
};

/** Auth.js's refusal of a sign-in, as the message the form shows; anything else is rethrown. */
function refusal(error: unknown, next?: string): FormResult {
  if (!(error instanceof AuthError) || error.type !== 'CredentialsSignin') throw error;
  const [code = 'invalid_credentials', seconds] = String((error as { code?: unknown }).code).split(':');
  if (code === 'second_factor') {
    // The password was right and the account has a second factor: its step, with no session yet.
    const returnTo = safeReturnPath(next);
    redirect(`/login/two-factor${returnTo ? `?next=${encodeURIComponent(returnTo)}` : ''}`);
  }
  return {
    status: 'error',
    formError: {
      key: messages[code] ?? messages.invalid_credentials!,
      params: waitParams(Number(seconds) || 1),
    },
  };
}

const loginAction = createFormAction(schema, async ({ identifier, password, next }) => {
  try {
    // On success this throws Next's redirect, which the form wrapper lets through.
    await signIn('credentials', { identifier, password, redirectTo: safeReturnPath(next) ?? '/account' });
  } catch (error) {
    return refusal(error, next);
  }
});

// An exported async function (not a const holding one): Next.js only finds those for forms posted without JavaScript.
export async function login(prev: FormState, formData: FormData): Promise<FormState> {
  return loginAction(prev, formData);
}

/**
 * A challenge for a username-less passkey sign-in, its handle in this browser's HttpOnly cookie.
 * Asked by the login page's script: for the button, and for the browser's autofill (conditional UI).
 */
export async function beginPasskeySignInAction(): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const begun = await beginPasskeySignIn(await getDb(), systemClock);
  await setWebauthnHandle(begun.handle);
  return begun.options;
}

const passkeyLoginAction = createFormAction(passkeySignInSchema, async ({ response, next }) => {
  try {
    // Auth.js's passkey provider reads the challenge handle from the cookie this request carries.
    await signIn('passkey', { response, redirectTo: safeReturnPath(next) ?? '/account' });
  } catch (error) {
    return refusal(error);
  }
});

export async function passkeyLogin(prev: FormState, formData: FormData): Promise<FormState> {
  return passkeyLoginAction(prev, formData);
}
