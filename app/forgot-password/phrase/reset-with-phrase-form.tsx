'use client';

import { useTranslations } from 'next-intl';
import { useMemo } from 'react';
import { PasswordField, TextAreaField, TextField } from '@/components/form/fields';
import { ActionForm } from '@/components/form/form';
import { resetWithPhraseSchema } from '@/lib/validation/recovery-phrase';
import { resetWithPhrase } from './actions';

export function ResetWithPhraseForm({ minPasswordLength }: { minPasswordLength: number }) {
  const t = useTranslations();
  const schema = useMemo(() => resetWithPhraseSchema(minPasswordLength), [minPasswordLength]);
  return (
    <ActionForm
      action={resetWithPhrase}
      schema={schema}
      submitLabel={t('recovery.reset.submit')}
      idPrefix="reset-phrase"
    >
      <TextField
        name="email"
        type="email"
        label={t('recovery.reset.email')}
        autoComplete="email"
        required
        maxLength={254}
      />
      <TextAreaField
        name="phrase"
        label={t('recovery.reset.phrase')}
        description={t('recovery.reset.phraseHint')}
        autoComplete="off"
        rows={3}
        required
      />
      <PasswordField
        name="password"
        label={t('recovery.reset.password')}
        autoComplete="new-password"
        description={t('password.hint', { min: minPasswordLength })}
        required
      />
      <PasswordField
        name="confirmPassword"
        label={t('recovery.reset.confirmPassword')}
        autoComplete="new-password"
        required
      />
    </ActionForm>
  );
}
