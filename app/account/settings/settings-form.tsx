'use client';

import { useTranslations } from 'next-intl';
import { CheckboxField, SelectField } from '@/components/form/fields';
import { ActionForm } from '@/components/form/form';
import { locales } from '@/lib/i18n/config';
import { themes } from '@/lib/theme';
import { settingsSchema } from '@/lib/validation/profile';
import { updateSettingsAction } from './actions';

export interface SettingsValues {
  emailNotifications: boolean;
  theme: string;
  locale: string;
  timezone: string;
}

export function SettingsForm({ values, timeZones }: { values: SettingsValues; timeZones: string[] }) {
  const t = useTranslations();
  return (
    <ActionForm
      action={updateSettingsAction}
      schema={settingsSchema}
      submitLabel={t('settingsPage.submit')}
      idPrefix="settings"
    >
      <CheckboxField
        name="emailNotifications"
        label={t('settingsPage.emailNotifications')}
        description={t('settingsPage.emailNotificationsHint')}
        defaultChecked={values.emailNotifications}
      />
      <SelectField
        name="theme"
        label={t('settingsPage.theme')}
        options={themes.map((value) => ({ value, label: t(`theme.${value}`) }))}
        defaultValue={values.theme}
      />
      <SelectField
        name="locale"
        label={t('settingsPage.language')}
        // Each language is named in its own language, whatever the page is in.
        options={locales.map((value) => ({ value, label: t(`languages.${value}`) }))}
        defaultValue={values.locale}
      />
      <SelectField
        name="timezone"
        label={t('settingsPage.timezone')}
        description={t('settingsPage.timezoneHint')}
        options={timeZones.map((value) => ({ value, label: value.replaceAll('_', ' ') }))}
        defaultValue={values.timezone}
      />
    </ActionForm>
  );
}
