'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { adminCreateUser } from '@/lib/admin-user-actions';
import { systemClock } from '@/lib/clock';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';
import { requireAdmin } from '@/lib/web/session';
import { createUserSchema } from '@/lib/validation/admin-user-new';

/**
 * Creates an account and mails its owner a set-password link. The role is checked here, before the
 * form is read (S45). No password is typed or returned (S47): the answer is the new account's page.
 */
export async function createUserAction(prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireAdmin();
  return createFormAction(createUserSchema, async (data): Promise<FormResult | void> => {
    const result = await adminCreateUser(
      await getDb(),
      { adminId: session.user.id, ...data },
      await requestContext(),
      systemClock,
    );
    if (!result.ok) {
      return result.code === 'email_taken'
        ? { status: 'error', fieldErrors: { email: { key: 'adminUserNew.errors.emailTaken' } } }
        : { status: 'error', fieldErrors: { username: { key: 'adminUserNew.errors.usernameTaken' } } };
    }
    deliverMailAfterResponse();
    redirect(`/admin/users/${result.userId}?done=created`);
  })(prev, formData);
}
