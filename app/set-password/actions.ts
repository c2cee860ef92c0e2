'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { setPasswordWithToken } from '@/lib/set-password';
import { getSetting } from '@/lib/settings';
import { passwordProblemMessage } from '@/lib/validation/password';
import { tokenPasswordSchema } from '@/lib/validation/set-password';
import { createFormAction, type FormState } from '@/lib/web/form-action';
import { requestContext } from '@/lib/web/request-info';

export async function setPassword(prev: FormState, formData: FormData): Promise<FormState> {
  const db = await getDb();
  const minLength = await getSetting(db, 'password_min_length');
  return createFormAction(tokenPasswordSchema(minLength), async ({ token, password }) => {
    const result = await setPasswordWithToken(
      db,
      { token, password, purpose: 'set_password' },
      await requestContext(),
      systemClock,
    );
    if (result.ok) redirect('/login?passwordSet=1');
    if (result.code === 'password_policy') {
      return { status: 'error', fieldErrors: { password: passwordProblemMessage(result.problem) } };
    }
    if (result.code === 'busy') return { status: 'error', formError: { key: 'register.errors.busy' } };
    return { status: 'error', formError: { key: 'setPassword.invalidTitle' } };
  })(prev, formData);
}
