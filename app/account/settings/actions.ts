'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { LOCALE_COOKIE } from '@/lib/i18n/config';
import { updateSettings } from '@/lib/user-settings';
import { settingsSchema } from '@/lib/validation/profile';
import { createFormAction, type FormState } from '@/lib/web/form-action';
import { rememberPreference, THEME_COOKIE } from '@/lib/web/preferences';
import { requestContext } from '@/lib/web/request-info';
import { requireUser } from '@/lib/web/session';

export async function updateSettingsAction(prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireUser('/account/settings');
  return createFormAction(settingsSchema, async (data): Promise<void> => {
    await updateSettings(
      await getDb(),
      { userId: session.user.id, ...data },
      await requestContext(),
      systemClock,
    );
    // The cookies too, so the new theme and language show on the very next page, signed in or not.
    await rememberPreference(THEME_COOKIE, data.theme);
    await rememberPreference(LOCALE_COOKIE, data.locale);
    redirect('/account/settings?saved=1');
  })(prev, formData);
}
