'use client';

import { useTranslations } from 'next-intl';
import { useMemo } from 'react';
import { ActionForm } from '@/components/form/form';
import { HiddenField, PasswordField } from '@/components/form/fields';
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
      <PasswordField
        name="password"
        label={t('verify.newPassword')}
        autoComplete="new-password"
        description={t('password.hint', { min: minPasswordLength })}
        required
        strengthHint={{}}
      />
      <PasswordField
        name="confirmPassword"
        label={t('verify.confirmNewPassword')}
        autoComplete="new-password"
        required
      />
    </ActionForm>
  );
}
