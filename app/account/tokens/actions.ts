'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { createAccessToken, MAX_LIVE_ACCESS_TOKENS, revokeAccessToken } from '@/lib/access-tokens';
import { systemClock } from '@/lib/clock';
import { createAccessTokenSchema, revokeAccessTokenSchema } from '@/lib/validation/access-tokens';
import { createFormAction, waitParams, type FormResult, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';
import { reauthInputOf } from '@/lib/web/reauth-proof';
import { requireUser } from '@/lib/web/session';

/** What a successful creation answers with: the raw token, shown once and never again. */
export type CreatedAccessToken = { token: string };

const ERRORS = {
  admin_scope_forbidden: 'accessTokens.errors.adminScope',
  invalid_input: 'form.errors.invalid',
  not_active: 'form.errors.unexpected',
} as const;

export async function createAccessTokenAction(
  prev: FormState<CreatedAccessToken>,
  formData: FormData,
): Promise<FormState<CreatedAccessToken>> {
  // The session is checked here as well as by the page: a server action is a public endpoint.
  const { user } = await requireUser('/account/tokens');
  return createFormAction(createAccessTokenSchema, async (input): Promise<FormResult<CreatedAccessToken>> => {
    const { currentPassword, passkeyProof, ...token } = input;
    const proof = await reauthInputOf({ currentPassword, passkeyProof });
    if (!proof) return { status: 'error', formError: { key: 'reauth.passkeyRefused' } };
    const result = await createAccessToken(
      await getDb(),
      { userId: user.id, ...token, ...proof },
      await requestContext(),
      systemClock,
    );
    if (result.ok) {
      // The owner hears of the new token at once (S60), not at the next timer tick.
      deliverMailAfterResponse();
      // The list beside the form shows the new token without a page load.
      revalidatePath('/account/tokens');
      return { status: 'success', message: { key: 'accessTokens.created' }, extra: { token: result.token } };
    }
    switch (result.code) {
      case 'wrong_password':
        return {
          status: 'error',
          fieldErrors: { currentPassword: { key: 'accessTokens.errors.wrongPassword' } },
        };
      case 'passkey_refused':
        return { status: 'error', formError: { key: 'reauth.passkeyRefused' } };
      case 'busy':
        return {
          status: 'error',
          formError: { key: 'accessTokens.errors.busy', params: waitParams(result.retryAfterSeconds) },
        };
      case 'too_many':
        return {
          status: 'error',
          formError: { key: 'accessTokens.errors.tooMany', params: { max: MAX_LIVE_ACCESS_TOKENS } },
        };
      default:
        return { status: 'error', formError: { key: ERRORS[result.code] } };
    }
  })(prev, formData);
}

export async function revokeAccessTokenAction(prev: FormState, formData: FormData): Promise<FormState> {
  const { user } = await requireUser('/account/tokens');
  return createFormAction(revokeAccessTokenSchema, async ({ tokenId }): Promise<FormResult> => {
    const result = await revokeAccessToken(
      await getDb(),
      { userId: user.id, tokenId },
      await requestContext(),
      systemClock,
    );
    if (!result.ok) return { status: 'error', formError: { key: 'accessTokens.errors.notFound' } };
    deliverMailAfterResponse();
    redirect('/account/tokens?revoked=1');
  })(prev, formData);
}
