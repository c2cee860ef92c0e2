'use client';

import { useLocale, useTranslations } from 'next-intl';
import { SelectField, TextField } from '@/components/form/fields';
import { ActionForm } from '@/components/form/form';
import { ProfileFields } from '@/components/profile-fields';
import { locales } from '@/lib/i18n/config';
import { createUserAction } from './actions';
import { createUserSchema } from '@/lib/validation/admin-user-new';

/** No password field, on purpose: the new owner chooses theirs from the mailed link (S47). */
export function CreateUserForm() {
  const t = useTranslations('adminUserNew');
  const languages = useTranslations('languages');
  const adminLocale = useLocale();
  return (
    <ActionForm
      action={createUserAction}
      schema={createUserSchema}
      submitLabel={t('submit')}
      idPrefix="create-user"
    >
      {/* autoComplete off: these are someone else's details, not the admin's own. */}
      <TextField
        name="email"
        label={t('email')}
        description={t('emailHint')}
        type="email"
        autoComplete="off"
        maxLength={254}
        required
      />
      <ProfileFields
        namespace="adminUserNew"
        own={false}
        usernameHint
        afterName={
          <SelectField
            name="locale"
            label={t('language')}
            description={t('languageHint')}
            options={locales.map((locale) => ({ value: locale, label: languages(locale) }))}
            defaultValue={adminLocale}
            required
          />
        }
      />
    </ActionForm>
  );
}
