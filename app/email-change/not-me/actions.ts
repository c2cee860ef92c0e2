'use server';

import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { reportEmailChangeNotMe } from '@/lib/email-change';
import { emailChangeTokenSchema } from '@/lib/validation/email-change';
import { createFormAction, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';

export type NotMeOutcome = { outcome: 'secured' | 'invalid_or_expired' };

/** The button on the "this wasn't me" page: stops the change, signs every device out, mails a reset. */
const reportNotMeAction = createFormAction<typeof emailChangeTokenSchema, NotMeOutcome>(
  emailChangeTokenSchema,
  async ({ token }) => {
    const result = await reportEmailChangeNotMe(
      await getDb(),
      { token },
      await requestContext(),
      systemClock,
    );
    if (!result.ok) return { status: 'success', extra: { outcome: result.code } };
    deliverMailAfterResponse();
    return { status: 'success', extra: { outcome: 'secured' } };
  },
);

// An exported async function (not a const holding one): Next.js only finds those for forms posted without JavaScript.
export async function reportNotMe(
  prev: FormState<NotMeOutcome>,
  formData: FormData,
): Promise<FormState<NotMeOutcome>> {
  return reportNotMeAction(prev, formData);
}
