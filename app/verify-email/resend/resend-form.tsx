'use client';

import { useTranslations } from 'next-intl';
import { ActionForm } from '@/components/form/form';
import { TextField } from '@/components/form/fields';
import { resendVerificationSchema } from '@/lib/validation/registration';
import { resend } from './actions';

export function ResendForm() {
  const t = useTranslations('resend');
  return (
    <ActionForm action={resend} schema={resendVerificationSchema} submitLabel={t('submit')} idPrefix="resend">
      <TextField name="email" type="email" label={t('email')} autoComplete="email" required maxLength={254} />
    </ActionForm>
  );
}
