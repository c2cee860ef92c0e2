'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { cancelEmailChange, requestEmailChange } from '@/lib/email-change';
import { emailChangeCancelSchema, emailChangeFormSchema } from '@/lib/validation/email-change';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { reauthInputOf } from '@/lib/web/reauth-proof';
import { requestContext } from '@/lib/web/request-info';
import { requireUser } from '@/lib/web/session';

const PAGE = '/account/email';

/** Asks for the change; the page then shows it as pending, whether or not the address was free. */
const requestChangeAction = createFormAction(
  emailChangeFormSchema,
  async ({ newEmail, ...fields }): Promise<FormResult | void> => {
    const { user } = await requireUser(PAGE);
    const proof = await reauthInputOf(fields);
    if (!proof) return { status: 'error', formError: { key: 'reauth.passkeyRefused' } };
    const result = await requestEmailChange(
      await getDb(),
      { userId: user.id, newEmail, ...proof },
      await requestContext(),
      systemClock,
    );
    if (result.ok) {
      deliverMailAfterResponse();
      redirect(`${PAGE}?status=requested`);
    }
    switch (result.code) {
      case 'wrong_password':
        return {
          status: 'error',
          fieldErrors: { currentPassword: { key: 'emailChange.errors.wrongPassword' } },
        };
      case 'passkey_refused':
        return { status: 'error', formError: { key: 'reauth.passkeyRefused' } };
      case 'same_email':
        return { status: 'error', fieldErrors: { newEmail: { key: 'emailChange.errors.sameEmail' } } };
      default:
        return {
          status: 'error',
          formError: {
            key: result.code === 'busy' ? 'emailChange.errors.busy' : 'emailChange.errors.rateLimited',
            params: { seconds: result.retryAfterSeconds },
          },
        };
    }
  },
);

/** Withdraws the pending change: the link sent to the new address stops working. */
const cancelChangeAction = createFormAction(emailChangeCancelSchema, async () => {
  const { user } = await requireUser(PAGE);
  await cancelEmailChange(await getDb(), { userId: user.id }, await requestContext(), systemClock);
  // Nothing pending any more (cancelled now, or already gone): either way the page shows the form.
  redirect(`${PAGE}?status=cancelled`);
});

// Exported async functions (not consts holding one): Next.js only finds those for forms posted without JavaScript.
export async function requestChange(prev: FormState, formData: FormData): Promise<FormState> {
  return requestChangeAction(prev, formData);
}

export async function cancelChange(prev: FormState, formData: FormData): Promise<FormState> {
  return cancelChangeAction(prev, formData);
}
