'use client';

import { useTranslations } from 'next-intl';
import { ActionForm } from '@/components/form/form';
import { HiddenField, PasswordField, TextField } from '@/components/form/fields';
import { login } from './actions';

// Imported when the form is first used, not with the page: zod is most of a sign-in page's script
// (decision 037).
const schema = async () => {
  const [{ z }, { loginSchema }] = await Promise.all([
    import('zod'),
    import('@/lib/validation/registration'),
  ]);
  return loginSchema.extend({ next: z.string().max(512).optional() });
};

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
