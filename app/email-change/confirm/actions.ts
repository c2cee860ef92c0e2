'use server';

import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { confirmEmailChange } from '@/lib/email-change';
import { emailChangeTokenSchema } from '@/lib/validation/email-change';
import { createFormAction, type FormState } from '@/lib/web/form-action';
import { requestContext } from '@/lib/web/request-info';

export type ConfirmOutcome = { outcome: 'changed'; newEmail: string } | { outcome: 'invalid_or_expired' };

/** The button on the confirmation page: only this POST changes the address (S43). */
const confirmChangeAction = createFormAction<typeof emailChangeTokenSchema, ConfirmOutcome>(
  emailChangeTokenSchema,
  async ({ token }) => {
    const result = await confirmEmailChange(await getDb(), { token }, await requestContext(), systemClock);
    return {
      status: 'success',
      extra: result.ok ? { outcome: 'changed', newEmail: result.newEmail } : { outcome: result.code },
    };
  },
);

// An exported async function (not a const holding one): Next.js only finds those for forms posted without JavaScript.
export async function confirmChange(
  prev: FormState<ConfirmOutcome>,
  formData: FormData,
): Promise<FormState<ConfirmOutcome>> {
  return confirmChangeAction(prev, formData);
}
