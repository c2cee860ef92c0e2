'use client';

import { useTranslations } from 'next-intl';
import { HiddenField, TextField } from '@/components/form/fields';
import { OneTimeCodeField } from '@/components/form/one-time-code-field';
import { ActionForm } from '@/components/form/form';
import { signInCodeSchema, signInRecoveryCodeSchema } from '@/lib/validation/two-factor';
import { signInWithCode, signInWithRecoveryCode } from './actions';

export function AuthenticatorCodeForm({ next }: { next?: string }) {
  const t = useTranslations('twoFactorSignIn');
  return (
    <ActionForm action={signInWithCode} schema={signInCodeSchema} submitLabel={t('submit')} idPrefix="totp">
      <OneTimeCodeField label={t('code')} description={t('codeHint')} />
      {next ? <HiddenField name="next" value={next} /> : null}
    </ActionForm>
  );
}

export function RecoveryCodeForm({ next }: { next?: string }) {
  const t = useTranslations('twoFactorSignIn');
  return (
    <ActionForm
      action={signInWithRecoveryCode}
      schema={signInRecoveryCodeSchema}
      submitLabel={t('recoverySubmit')}
      idPrefix="recovery-code"
    >
      <TextField
        name="recoveryCode"
        label={t('recoveryCode')}
        description={t('recoveryCodeHint')}
        autoComplete="off"
        maxLength={64}
        required
      />
      {next ? <HiddenField name="next" value={next} /> : null}
    </ActionForm>
  );
}
