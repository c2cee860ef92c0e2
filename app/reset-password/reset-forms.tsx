'use client';

import { useTranslations } from 'next-intl';
import { useMemo } from 'react';
import { ActionForm } from '@/components/form/form';
import { HiddenField, NewPasswordFields, TextField } from '@/components/form/fields';
import { codeResetSchema } from '@/lib/validation/password-reset';
import { tokenPasswordSchema } from '@/lib/validation/set-password';
import { resetWithCode, resetWithLink } from './actions';

function ResetPasswordFields({ minPasswordLength }: { minPasswordLength: number }) {
  const t = useTranslations('resetPassword');
  return (
    <NewPasswordFields
      minPasswordLength={minPasswordLength}
      label={t('password')}
      confirmLabel={t('confirmPassword')}
    />
  );
}

export function ResetWithLinkForm({
  token,
  minPasswordLength,
}: {
  token: string;
  minPasswordLength: number;
}) {
  const t = useTranslations('resetPassword');
  const schema = useMemo(() => tokenPasswordSchema(minPasswordLength), [minPasswordLength]);
  return (
    <ActionForm action={resetWithLink} schema={schema} submitLabel={t('submit')} idPrefix="reset">
      <HiddenField name="token" value={token} />
      <ResetPasswordFields minPasswordLength={minPasswordLength} />
    </ActionForm>
  );
}

export function ResetWithCodeForm({ minPasswordLength }: { minPasswordLength: number }) {
  const t = useTranslations('resetPassword');
  const schema = useMemo(() => codeResetSchema(minPasswordLength), [minPasswordLength]);
  return (
    <ActionForm action={resetWithCode} schema={schema} submitLabel={t('submit')} idPrefix="reset-code">
      <TextField name="email" type="email" label={t('email')} autoComplete="email" required maxLength={254} />
      <TextField
        name="code"
        label={t('code')}
        autoComplete="one-time-code"
        inputMode="numeric"
        required
        maxLength={6}
      />
      <ResetPasswordFields minPasswordLength={minPasswordLength} />
    </ActionForm>
  );
}
