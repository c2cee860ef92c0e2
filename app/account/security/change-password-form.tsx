'use client';

import { useTranslations } from 'next-intl';
import { useMemo } from 'react';
import { PasswordField } from '@/components/form/fields';
import { ActionForm } from '@/components/form/form';
import { changePasswordAction } from './actions';
import { changePasswordSchema } from '@/lib/validation/password-change';

export function ChangePasswordForm({
  minPasswordLength,
  username,
}: {
  minPasswordLength: number;
  username: string;
}) {
  const t = useTranslations();
  const schema = useMemo(() => changePasswordSchema(minPasswordLength), [minPasswordLength]);
  return (
    <ActionForm
      action={changePasswordAction}
      schema={schema}
      submitLabel={t('security.submit')}
      idPrefix="change-password"
    >
      {/* Which account the new password is for, so a password manager updates the right entry. */}
      <input type="text" autoComplete="username" value={username} readOnly hidden />
      <PasswordField
        name="currentPassword"
        label={t('security.currentPassword')}
        autoComplete="current-password"
        required
      />
      <PasswordField
        name="password"
        label={t('security.newPassword')}
        autoComplete="new-password"
        description={t('password.hint', { min: minPasswordLength })}
        required
      />
      <PasswordField
        name="confirmPassword"
        label={t('security.confirmPassword')}
        autoComplete="new-password"
        required
      />
    </ActionForm>
  );
}
