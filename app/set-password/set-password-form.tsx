'use client';

import { useTranslations } from 'next-intl';
import { useMemo } from 'react';
import { ActionForm } from '@/components/form/form';
import { HiddenField, NewPasswordFields } from '@/components/form/fields';
import { tokenPasswordSchema } from '@/lib/validation/set-password';
import { setPassword } from './actions';

export function SetPasswordForm({ token, minPasswordLength }: { token: string; minPasswordLength: number }) {
  const t = useTranslations();
  const schema = useMemo(() => tokenPasswordSchema(minPasswordLength), [minPasswordLength]);
  return (
    <ActionForm
      action={setPassword}
      schema={schema}
      submitLabel={t('setPassword.submit')}
      idPrefix="set-password"
    >
      <HiddenField name="token" value={token} />
      <NewPasswordFields
        minPasswordLength={minPasswordLength}
        label={t('setPassword.password')}
        confirmLabel={t('setPassword.confirmPassword')}
      />
    </ActionForm>
  );
}
