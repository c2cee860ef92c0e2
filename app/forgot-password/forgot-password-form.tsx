'use client';

import { useTranslations } from 'next-intl';
import { ActionForm } from '@/components/form/form';
import { TextField } from '@/components/form/fields';
import { forgotPasswordSchema } from '@/lib/validation/password-reset';
import { forgotPassword } from './actions';

export function ForgotPasswordForm() {
  const t = useTranslations('forgotPassword');
  return (
    <ActionForm
      action={forgotPassword}
      schema={forgotPasswordSchema}
      submitLabel={t('submit')}
      idPrefix="forgot"
    >
      <TextField name="email" type="email" label={t('email')} autoComplete="email" required maxLength={254} />
    </ActionForm>
  );
}
