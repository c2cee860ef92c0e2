'use client';

import { useTranslations } from 'next-intl';
import { useMemo } from 'react';
import { ActionForm } from '@/components/form/form';
import { HiddenField, NewPasswordFields, PasswordField } from '@/components/form/fields';
import { tokenPasswordSchema } from '@/lib/validation/set-password';
import { verifyWithPasswordSchema } from '@/lib/validation/verify-email';
import { confirmWithNewPassword, confirmWithPassword } from './actions';

/**
 * Following the link changes nothing (S43); a post does, and only with proof that whoever confirms
 * chose the account's password (S56): the one given at sign-up, or a new one set here.
 */
export function ConfirmWithPasswordForm({ token }: { token: string }) {
  const t = useTranslations('verify');
  return (
    <ActionForm
      action={confirmWithPassword}
      schema={verifyWithPasswordSchema}
      submitLabel={t('confirm')}
      idPrefix="verify"
    >
      <HiddenField name="token" value={token} />
      <PasswordField name="password" label={t('password')} autoComplete="current-password" required />
    </ActionForm>
  );
}

export function ConfirmWithNewPasswordForm({
  token,
  minPasswordLength,
}: {
  token: string;
  minPasswordLength: number;
}) {
  const t = useTranslations();
  const schema = useMemo(() => tokenPasswordSchema(minPasswordLength), [minPasswordLength]);
  return (
    <ActionForm
      action={confirmWithNewPassword}
      schema={schema}
      submitLabel={t('verify.confirmWithNew')}
      idPrefix="verify-new"
    >
      <HiddenField name="token" value={token} />
      <NewPasswordFields
        minPasswordLength={minPasswordLength}
        label={t('verify.newPassword')}
        confirmLabel={t('verify.confirmNewPassword')}
      />
    </ActionForm>
  );
}
