'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { changePassword } from '@/lib/password-change';
import { getSetting } from '@/lib/settings';
import { passwordProblemMessage } from '@/lib/validation/password';
import { setSessionCookie } from '@/lib/web/auth';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';
import { requireUser } from '@/lib/web/session';
import { changePasswordSchema } from '@/lib/validation/password-change';

export async function changePasswordAction(prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireUser('/account/security');
  const db = await getDb();
  const minLength = await getSetting(db, 'password_min_length');
  return createFormAction(
    changePasswordSchema(minLength),
    async ({ currentPassword, password }): Promise<FormResult | void> => {
      const result = await changePassword(
        db,
        { userId: session.user.id, sessionId: session.sid, currentPassword, newPassword: password },
        await requestContext(),
        systemClock,
      );
      if (result.ok) {
        // The old session id is dead (S48): this browser stays signed in only with the new one.
        await setSessionCookie(result.sessionId);
        deliverMailAfterResponse();
        // A fresh page rather than a message in place: the typed passwords leave the fields.
        redirect('/account/security?changed=1');
      }
      switch (result.code) {
        case 'wrong_password':
          return {
            status: 'error',
            fieldErrors: { currentPassword: { key: 'security.errors.wrongPassword' } },
          };
        case 'password_policy':
          return { status: 'error', fieldErrors: { password: passwordProblemMessage(result.problem) } };
        case 'same_password':
          return { status: 'error', fieldErrors: { password: { key: 'security.errors.samePassword' } } };
        case 'busy':
          return {
            status: 'error',
            formError: { key: 'security.errors.busy', params: { seconds: result.retryAfterSeconds } },
          };
        case 'session_ended':
          redirect(`/login?next=${encodeURIComponent('/account/security')}`);
      }
    },
  )(prev, formData);
}
