'use client';

import { useTranslations } from 'next-intl';
import { Fragment, useMemo } from 'react';
import { CheckboxField, FieldFrame, SelectField, TextAreaField, TextField } from '@/components/form/fields';
import { ActionForm, useFormField } from '@/components/form/form';
import formStyles from '@/components/form/form.module.css';
import { ADJUSTABLE_LIMITS, limits } from '@/lib/limits';
import { SIGNUP_MODES } from '@/lib/signup-modes';
import {
  generalSettingsSchema,
  limitField,
  MAIL_TRANSPORT_CHOICES,
  mailSettingsFormSchema,
  SMTP_ENCRYPTIONS,
  testEmailSchema,
  type GeneralSettingsInput,
  type MailSecretField,
  type StoredSecrets,
} from '@/lib/validation/admin-settings';
import adminStyles from '../admin.module.css';
import { saveGeneral, saveMail, sendTestMail } from './actions';
import styles from './settings.module.css';

export function GeneralSettingsForm({ values }: { values: GeneralSettingsInput }) {
  const t = useTranslations('adminSettings.general');
  const number = (name: keyof GeneralSettingsInput, label: string, description: string) => (
    <TextField
      name={name}
      label={label}
      description={description}
      inputMode="numeric"
      autoComplete="off"
      maxLength={9}
      required
      defaultValue={String(values[name])}
    />
  );
  return (
    <ActionForm
      action={saveGeneral}
      schema={generalSettingsSchema}
      submitLabel={t('submit')}
      idPrefix="general"
    >
      <fieldset className={adminStyles.fieldset}>
        <legend className={adminStyles.legend}>{t('approvalLegend')}</legend>
        <SelectField
          name="signupMode"
          label={t('signupMode')}
          description={t('signupModeHint')}
          defaultValue={values.signupMode}
          options={SIGNUP_MODES.map((mode) => ({ value: mode, label: t(`signupModes.${mode}`) }))}
        />
        <CheckboxField
          name="usersMayInvite"
          label={t('usersMayInvite')}
          description={t('usersMayInviteHint')}
          defaultChecked={values.usersMayInvite}
        />
        {number('inviteTtlMinutes', t('inviteTtlMinutes'), t('inviteTtlMinutesHint'))}
        <TextAreaField
          name="signupAllowedDomains"
          label={t('signupAllowedDomains')}
          description={t('signupAllowedDomainsHint')}
          defaultValue={values.signupAllowedDomains.join('\n')}
          rows={4}
        />
        <TextAreaField
          name="signupBlockedDomains"
          label={t('signupBlockedDomains')}
          description={t('signupBlockedDomainsHint')}
          defaultValue={values.signupBlockedDomains.join('\n')}
          rows={4}
        />
      </fieldset>
      <fieldset className={adminStyles.fieldset}>
        <legend className={adminStyles.legend}>{t('twoFactorLegend')}</legend>
        <CheckboxField
          name="twoFactorRequiredAdmins"
          label={t('twoFactorRequiredAdmins')}
          defaultChecked={values.twoFactorRequiredAdmins}
        />
        <CheckboxField
          name="twoFactorRequiredEveryone"
          label={t('twoFactorRequiredEveryone')}
          defaultChecked={values.twoFactorRequiredEveryone}
        />
        {number('twoFactorGraceDays', t('twoFactorGraceDays'), t('twoFactorGraceDaysHint'))}
      </fieldset>
      <fieldset className={adminStyles.fieldset}>
        <legend className={adminStyles.legend}>{t('passwordsLegend')}</legend>
        {number('passwordMinLength', t('passwordMinLength'), t('passwordMinLengthHint'))}
      </fieldset>
      <fieldset className={adminStyles.fieldset}>
        <legend className={adminStyles.legend}>{t('lifetimesLegend')}</legend>
        {number('verifyEmailTtlMinutes', t('verifyEmailTtlMinutes'), t('verifyEmailTtlMinutesHint'))}
        {number('resetPasswordTtlMinutes', t('resetPasswordTtlMinutes'), t('resetPasswordTtlMinutesHint'))}
        {number('changeEmailTtlMinutes', t('changeEmailTtlMinutes'), t('changeEmailTtlMinutesHint'))}
        {number('resendCooldownSeconds', t('resendCooldownSeconds'), t('resendCooldownSecondsHint'))}
      </fieldset>
      <fieldset className={adminStyles.fieldset}>
        <legend className={adminStyles.legend}>{t('limitsLegend')}</legend>
        {number('mailHourlyBudget', t('mailHourlyBudget'), t('mailHourlyBudgetHint'))}
        {ADJUSTABLE_LIMITS.map((key) => (
          <Fragment key={key}>
            {number(
              limitField(key),
              t(`limits.${key}`),
              t('limitWindow', { minutes: limits[key].windowMs / 60_000 }),
            )}
          </Fragment>
        ))}
      </fieldset>
      <fieldset className={adminStyles.fieldset}>
        <legend className={adminStyles.legend}>{t('retentionLegend')}</legend>
        <p className={formStyles.description}>{t('retentionLead')}</p>
        {number('auditRetentionDays', t('auditRetentionDays'), t('auditRetentionDaysHint'))}
        {number('sentMailRetentionDays', t('sentMailRetentionDays'), t('sentMailRetentionDaysHint'))}
        {number(
          'unconfirmedAccountRetentionDays',
          t('unconfirmedAccountRetentionDays'),
          t('unconfirmedAccountRetentionDaysHint'),
        )}
      </fieldset>
      <fieldset className={adminStyles.fieldset}>
        <legend className={adminStyles.legend}>{t('emailChangeLegend')}</legend>
        <CheckboxField
          name="lockOnUnconfirmedEmailChange"
          label={t('lockOnUnconfirmedEmailChange')}
          description={t('lockOnUnconfirmedEmailChangeHint')}
          defaultChecked={values.lockOnUnconfirmedEmailChange}
        />
      </fieldset>
    </ActionForm>
  );
}

export interface MailFormValues {
  transport: (typeof MAIL_TRANSPORT_CHOICES)[number];
  fromName: string;
  fromAddress: string;
  smtpHost: string;
  smtpPort: string;
  smtpEncryption: (typeof SMTP_ENCRYPTIONS)[number];
  smtpUsername: string;
  oauthClientId: string;
  secrets: StoredSecrets;
  saved: boolean;
}

export function MailSettingsForm({
  values,
  allowDev,
  version,
}: {
  values: MailFormValues;
  allowDev: boolean;
  /** Changes on every save: the secret fields and their "clear" boxes start empty again. */
  version: string;
}) {
  const t = useTranslations('adminSettings.mail');
  // Built from the same flags as on the server, so the browser judges the form as the action will.
  const schema = useMemo(
    () => mailSettingsFormSchema({ allowDev, stored: values.secrets, saved: values.saved }),
    [allowDev, values.secrets, values.saved],
  );
  const transports = MAIL_TRANSPORT_CHOICES.filter((choice) => allowDev || choice !== 'dev');
  const secret = (name: MailSecretField, label: string) => (
    <SecretField key={`${name}-${version}`} name={name} label={label} set={values.secrets[name]} />
  );
  return (
    <ActionForm action={saveMail} schema={schema} submitLabel={t('submit')} idPrefix="mail">
      <fieldset className={adminStyles.fieldset}>
        <legend className={adminStyles.legend}>{t('transportLegend')}</legend>
        <SelectField
          name="transport"
          label={t('transport')}
          description={t('transportHint')}
          options={transports.map((value) => ({ value, label: t(`transports.${value}`) }))}
          defaultValue={values.transport}
        />
      </fieldset>
      <fieldset className={adminStyles.fieldset}>
        <legend className={adminStyles.legend}>{t('senderLegend')}</legend>
        <TextField
          name="fromName"
          label={t('fromName')}
          description={t('fromNameHint')}
          autoComplete="off"
          maxLength={100}
          defaultValue={values.fromName}
        />
        <TextField
          name="fromAddress"
          label={t('fromAddress')}
          description={t('fromAddressHint')}
          type="email"
          autoComplete="off"
          maxLength={254}
          defaultValue={values.fromAddress}
        />
      </fieldset>
      <fieldset className={adminStyles.fieldset}>
        <legend className={adminStyles.legend}>{t('smtpLegend')}</legend>
        <TextField
          name="smtpHost"
          label={t('smtpHost')}
          description={t('smtpHostHint')}
          autoComplete="off"
          maxLength={255}
          defaultValue={values.smtpHost}
        />
        <TextField
          name="smtpPort"
          label={t('smtpPort')}
          description={t('smtpPortHint')}
          inputMode="numeric"
          autoComplete="off"
          maxLength={5}
          defaultValue={values.smtpPort}
        />
        <SelectField
          name="smtpEncryption"
          label={t('smtpEncryption')}
          options={SMTP_ENCRYPTIONS.map((value) => ({ value, label: t(`encryptions.${value}`) }))}
          defaultValue={values.smtpEncryption}
        />
        <TextField
          name="smtpUsername"
          label={t('smtpUsername')}
          autoComplete="off"
          maxLength={255}
          defaultValue={values.smtpUsername}
        />
        {secret('smtpPassword', t('smtpPassword'))}
      </fieldset>
      <fieldset className={adminStyles.fieldset}>
        <legend className={adminStyles.legend}>{t('oauthLegend')}</legend>
        <p className={formStyles.description}>{t('oauthLead')}</p>
        <TextField
          name="oauthClientId"
          label={t('oauthClientId')}
          autoComplete="off"
          maxLength={512}
          defaultValue={values.oauthClientId}
        />
        {secret('oauthClientSecret', t('oauthClientSecret'))}
        {secret('oauthRefreshToken', t('oauthRefreshToken'))}
      </fieldset>
      <fieldset className={adminStyles.fieldset}>
        <legend className={adminStyles.legend}>{t('resendLegend')}</legend>
        {secret('resendApiKey', t('resendApiKey'))}
      </fieldset>
    </ActionForm>
  );
}

export function TestEmailForm({ email }: { email: string }) {
  const t = useTranslations('adminSettings.test');
  return (
    <ActionForm action={sendTestMail} schema={testEmailSchema} submitLabel={t('submit')} idPrefix="test">
      <p>{t('lead', { email })}</p>
    </ActionForm>
  );
}

/**
 * A write-only secret: the page knows only whether one is stored. Empty keeps it; the "clear" box
 * (offered only when one is stored) removes it. Never refilled, since the server never sends it back.
 */
function SecretField({ name, label, set }: { name: MailSecretField; label: string; set: boolean }) {
  const field = useFormField(name, { description: true });
  const { ref: _syncsValueBack, ...secretProps } = field.controlProps;
  const t = useTranslations('adminSettings.secret');
  const status = (
    <>
      <strong className={set ? styles.secretSet : undefined}>{set ? t('set') : t('notSet')}</strong>{' '}
      {set ? t('keepHint') : t('enterHint')}
    </>
  );
  return (
    <FieldFrame field={field} label={label} description={status}>
      {/* new-password: a password manager must never fill in the admin's own sign-in password here.
          No react-hook-form ref: it would write the typed secret back into the field remounted after
          a save (validation reads the form's own FormData, so nothing else needs it). */}
      <input
        {...secretProps}
        type="password"
        autoComplete="new-password"
        spellCheck={false}
        autoCapitalize="none"
        className={formStyles.input}
      />
      {set ? <CheckboxField name={`${name}Clear`} label={t('clear', { label })} /> : null}
    </FieldFrame>
  );
}
