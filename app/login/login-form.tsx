'use client';

import { useTranslations } from 'next-intl';
import { z } from 'zod';
import { ActionForm } from '@/components/form/form';
import { HiddenField, PasswordField, TextField } from '@/components/form/fields';
import { loginSchema } from '@/lib/validation/registration';
import { login } from './actions';

const schema = loginSchema.extend({ next: z.string().max(512).optional() });

export function LoginForm({ next }: { next?: string }) {
  const t = useTranslations('login');
  return (
    <ActionForm action={login} schema={schema} submitLabel={t('submit')} idPrefix="login">
      <TextField
        name="identifier"
        label={t('identifier')}
        autoComplete="username webauthn"
        required
        maxLength={254}
      />
      <PasswordField name="password" label={t('password')} autoComplete="current-password" required />
      {next ? <HiddenField name="next" value={next} /> : null}
    </ActionForm>
  );
}
