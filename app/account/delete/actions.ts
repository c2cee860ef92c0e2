'use server';

import { getDb } from '@/db/client';
import { deleteAccount } from '@/lib/account-deletion';
import { systemClock } from '@/lib/clock';
import { signOut } from '@/lib/web/auth';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';
import { requireUser } from '@/lib/web/session';
import { deleteAccountSchema } from '@/lib/validation/account-deletion';

export async function deleteAccountAction(prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireUser('/account/delete');
  const db = await getDb();
  return createFormAction(deleteAccountSchema, async ({ currentPassword }): Promise<FormResult | void> => {
    const result = await deleteAccount(
      db,
      { userId: session.user.id, currentPassword },
      await requestContext(),
      systemClock,
    );
    if (result.ok) {
      deliverMailAfterResponse();
      // The sessions went with the row; this only clears the cookie.
      await signOut({ redirectTo: '/login?deleted=1' });
      return;
    }
    switch (result.code) {
      case 'wrong_password':
        return {
          status: 'error',
          fieldErrors: { currentPassword: { key: 'security.errors.wrongPassword' } },
        };
      case 'busy':
        return {
          status: 'error',
          formError: { key: 'security.errors.busy', params: { seconds: result.retryAfterSeconds } },
        };
      case 'last_admin':
        return { status: 'error', formError: { key: 'deleteAccount.lastAdmin' } };
    }
  })(prev, formData);
}
