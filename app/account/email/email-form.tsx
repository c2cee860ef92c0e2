'use client';

import { useTranslations } from 'next-intl';
import { ActionForm } from '@/components/form/form';
import { PasswordField, TextField } from '@/components/form/fields';
import { emailChangeCancelSchema, emailChangeFormSchema } from '@/lib/validation/email-change';
import { PasskeyReauth } from '../passkey-reauth';
import { cancelChange, requestChange } from './actions';

export function EmailChangeForm({ hasPasskeys }: { hasPasskeys: boolean }) {
  const t = useTranslations('emailChange');
  return (
    <ActionForm
      action={requestChange}
      schema={emailChangeFormSchema}
      submitLabel={t('submit')}
      idPrefix="email-change"
    >
      <TextField
        name="newEmail"
        type="email"
        label={t('newEmail')}
        description={t('newEmailHint')}
        autoComplete="email"
        required
        maxLength={254}
      />
      <PasswordField
        name="currentPassword"
        label={t('currentPassword')}
        description={t('currentPasswordHint')}
        autoComplete="current-password"
        required
      />
      <PasskeyReauth hasPasskeys={hasPasskeys} />
    </ActionForm>
  );
}

export function CancelEmailChangeForm() {
  const t = useTranslations('emailChange');
  return (
    <ActionForm
      action={cancelChange}
      schema={emailChangeCancelSchema}
      submitLabel={t('cancel')}
      idPrefix="cancel-email-change"
    >
      {null}
    </ActionForm>
  );
}
