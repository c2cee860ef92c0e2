'use client';

import { useTranslations } from 'next-intl';
import { SelectField } from '@/components/form/fields';
import { ActionForm, useActionForm, useFormField } from '@/components/form/form';
import formStyles from '@/components/form/form.module.css';
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
      <NotificationsCheckbox
        label={t('settingsPage.emailNotifications')}
        description={t('settingsPage.emailNotificationsHint')}
        saved={values.emailNotifications}
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

/** The form layer has no checkbox field yet: this one gets the same label, error and ARIA wiring. */
function NotificationsCheckbox({
  label,
  description,
  saved,
}: {
  label: string;
  description: string;
  saved: boolean;
}) {
  const field = useFormField('emailNotifications', { description: true });
  const { state } = useActionForm();
  const t = useTranslations('form');
  // After a refused post the box shows what was sent (an unticked box sends nothing), else what is saved.
  const checked = state.status === 'error' ? field.echoedValue === 'on' : saved;
  return (
    <div className={field.error ? `${formStyles.field} ${formStyles.fieldInvalid}` : formStyles.field}>
      {field.errorMessage ? (
        <p id={field.errorId} className={formStyles.error}>
          <span className="visually-hidden">{t('errorPrefix')} </span>
          {field.errorMessage}
        </p>
      ) : null}
      <label htmlFor={field.id}>
        <input
          {...field.controlProps}
          key={String(checked)}
          type="checkbox"
          value="on"
          defaultChecked={checked}
        />{' '}
        {label}
      </label>
      <p id={field.descriptionId} className={formStyles.description}>
        {description}
      </p>
    </div>
  );
}
