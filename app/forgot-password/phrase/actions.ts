'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { resetPasswordWithPhrase } from '@/lib/recovery-phrase';
import { getSetting } from '@/lib/settings';
import { passwordProblemMessage } from '@/lib/validation/password';
import { resetWithPhraseSchema } from '@/lib/validation/recovery-phrase';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';
import { currentSession } from '@/lib/web/session';

/** /forgot-password/phrase: a new password with the recovery phrase instead of a mailed link. */
export async function resetWithPhrase(prev: FormState, formData: FormData): Promise<FormState> {
  // A signed-in visitor changes the password from the account pages, with the current one.
  if (await currentSession()) redirect('/account');
  const db = await getDb();
  const minLength = await getSetting(db, 'password_min_length');
  return createFormAction(
    resetWithPhraseSchema(minLength),
    async ({ email, phrase, password }): Promise<FormResult> => {
      const result = await resetPasswordWithPhrase(
        db,
        { email, phrase, newPassword: password },
        await requestContext(),
        systemClock,
      );
      if (result.ok) {
        deliverMailAfterResponse();
        redirect('/login?passwordReset=1');
      }
      switch (result.code) {
        case 'password_policy':
          return { status: 'error', fieldErrors: { password: passwordProblemMessage(result.problem) } };
        case 'malformed':
          return { status: 'error', fieldErrors: { phrase: { key: 'recovery.errors.notAPhrase' } } };
        case 'rate_limited':
        case 'busy':
          return {
            status: 'error',
            formError: {
              key: result.code === 'busy' ? 'recovery.errors.busy' : 'recovery.errors.rateLimited',
              params: {
                seconds: result.retryAfterSeconds,
                minutes: Math.ceil(result.retryAfterSeconds / 60),
              },
            },
          };
        case 'invalid':
          return { status: 'error', formError: { key: 'recovery.errors.invalid' } };
      }
    },
  )(prev, formData);
}
