'use client';

import { useTranslations } from 'next-intl';
import { useMemo } from 'react';
import { ActionForm } from '@/components/form/form';
import { PasswordField, SelectField, TextAreaField, TextField } from '@/components/form/fields';
import { locales } from '@/lib/i18n/config';
import { register } from './actions';

export function RegisterForm({
  minPasswordLength,
  locale,
  invitedEmail,
}: {
  minPasswordLength: number;
  locale: string;
  /** The address an invite link is bound to: shown, not editable, and the server uses it anyway. */
  invitedEmail?: string;
}) {
  const t = useTranslations();
  // Imported when the form is first used, not with the page (decision 037).
  const schema = useMemo(
    () => async () => (await import('@/lib/validation/registration')).registrationSchema(minPasswordLength),
    [minPasswordLength],
  );
  return (
    <ActionForm action={register} schema={schema} submitLabel={t('register.submit')} idPrefix="register">
      <TextField
        name="username"
        label={t('register.username')}
        description={t('register.usernameHint')}
        autoComplete="username"
        required
        maxLength={32}
      />
      {invitedEmail ? (
        <p>
          {t('signupPolicy.invitedAddress', { email: invitedEmail })}
          <input type="hidden" name="email" value={invitedEmail} />
        </p>
      ) : (
        <TextField
          name="email"
          type="email"
          label={t('register.email')}
          autoComplete="email"
          required
          maxLength={254}
        />
      )}
      <PasswordField
        name="password"
        label={t('register.password')}
        autoComplete="new-password"
        description={t('password.hint', { min: minPasswordLength })}
        required
        strengthHint={{ userInputs: ['gatehouse'] }}
      />
      <PasswordField
        name="confirmPassword"
        label={t('register.confirmPassword')}
        autoComplete="new-password"
        required
      />
      <TextField
        name="fullName"
        label={t('register.fullName')}
        autoComplete="name"
        required
        maxLength={100}
      />
      <TextField name="phone" type="tel" label={t('register.phone')} autoComplete="tel" maxLength={32} />
      <TextField name="address" label={t('register.address')} autoComplete="street-address" maxLength={200} />
      <TextField name="city" label={t('register.city')} autoComplete="address-level2" maxLength={100} />
      <TextField name="country" label={t('register.country')} autoComplete="country-name" maxLength={100} />
      <SelectField
        name="locale"
        label={t('register.locale')}
        defaultValue={locale}
        options={locales.map((value) => ({ value, label: t(`languages.${value}`) }))}
      />
      <TimezoneField />
      <TextAreaField
        name="comment"
        label={t('register.comment')}
        description={t('register.commentHint')}
        maxLength={1000}
      />
    </ActionForm>
  );
}

/** The browser's time zone, sent along so dates show in local time; without JavaScript the server uses UTC. */
function TimezoneField() {
  const zone = typeof Intl === 'undefined' ? 'UTC' : Intl.DateTimeFormat().resolvedOptions().timeZone;
  return <input type="hidden" name="timezone" value={zone} suppressHydrationWarning />;
}
