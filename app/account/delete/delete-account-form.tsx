'use client';

import { useTranslations } from 'next-intl';
import { CheckboxField, PasswordField } from '@/components/form/fields';
import { ActionForm } from '@/components/form/form';
import { deleteAccountAction } from './actions';
import { deleteAccountFormSchema } from '@/lib/validation/account-deletion';
import { PasskeyReauth } from '../passkey-reauth';

export function DeleteAccountForm({ username, hasPasskeys }: { username: string; hasPasskeys: boolean }) {
  const t = useTranslations('deleteAccount');
  return (
    <ActionForm
      action={deleteAccountAction}
      schema={deleteAccountFormSchema}
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
      <CheckboxField name="confirm" label={t('confirm')} required />
      <PasskeyReauth hasPasskeys={hasPasskeys} />
    </ActionForm>
  );
}
