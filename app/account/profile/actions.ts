'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { updateProfile } from '@/lib/profile';
import { profileSchema } from '@/lib/validation/profile';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { requestContext } from '@/lib/web/request-info';
import { requireUser } from '@/lib/web/session';

export async function updateProfileAction(prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireUser('/account/profile');
  return createFormAction(profileSchema, async (data): Promise<FormResult | void> => {
    const result = await updateProfile(
      await getDb(),
      { userId: session.user.id, ...data },
      await requestContext(),
      systemClock,
    );
    if (!result.ok) {
      return { status: 'error', fieldErrors: { username: { key: 'profile.errors.usernameTaken' } } };
    }
    redirect('/account/profile?saved=1');
  })(prev, formData);
}
