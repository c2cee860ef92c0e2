'use server';

import { getDb } from '@/db/client';
import { deleteAccount } from '@/lib/account-deletion';
import { systemClock } from '@/lib/clock';
import { signOut } from '@/lib/web/auth';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';
import { requireUser } from '@/lib/web/session';
import { deleteAccountFormSchema } from '@/lib/validation/account-deletion';
import { reauthInputOf } from '@/lib/web/reauth-proof';

export async function deleteAccountAction(prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireUser('/account/delete');
  const db = await getDb();
  return createFormAction(deleteAccountFormSchema, async (fields): Promise<FormResult | void> => {
    const proof = await reauthInputOf(fields);
    if (!proof) return { status: 'error', formError: { key: 'reauth.passkeyRefused' } };
    const result = await deleteAccount(
      db,
      { userId: session.user.id, ...proof },
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
      case 'passkey_refused':
        return { status: 'error', formError: { key: 'reauth.passkeyRefused' } };
      case 'last_admin':
        return { status: 'error', formError: { key: 'deleteAccount.lastAdmin' } };
    }
  })(prev, formData);
}
