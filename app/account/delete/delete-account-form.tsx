'use client';

import { useTranslations } from 'next-intl';
import { PasswordField } from '@/components/form/fields';
import { ActionForm, useFormField } from '@/components/form/form';
import formStyles from '@/components/form/form.module.css';
import { deleteAccountAction } from './actions';
import { deleteAccountSchema } from './schema';

export function DeleteAccountForm({ username }: { username: string }) {
  const t = useTranslations('deleteAccount');
  return (
    <ActionForm
      action={deleteAccountAction}
      schema={deleteAccountSchema}
      submitLabel={t('submit')}
      idPrefix="delete-account"
    >
      {/* Which account the password belongs to, for password managers; the schema does not read it. */}
      <input type="text" autoComplete="username" value={username} readOnly hidden />
      <PasswordField
        name="currentPassword"
        label={t('currentPassword')}
        autoComplete="current-password"
        required
      />
      <ConfirmCheckbox label={t('confirm')} />
    </ActionForm>
  );
}

/** The form layer has no checkbox field yet: this one gets the same label, error and ARIA wiring. */
function ConfirmCheckbox({ label }: { label: string }) {
  const field = useFormField('confirm');
  const t = useTranslations('form');
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
          type="checkbox"
          value="on"
          aria-required
          defaultChecked={field.echoedValue === 'on'}
        />{' '}
        {label}
      </label>
    </div>
  );
}
