'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { HiddenField, PasswordField, SubmitButton } from '@/components/form/fields';
import { OneTimeCodeField } from '@/components/form/one-time-code-field';
import { ActionForm, useActionForm } from '@/components/form/form';
import {
  disableTwoFactorSchema,
  enrolTwoFactorSchema,
  regenerateCodesSchema,
} from '@/lib/validation/two-factor';
import type { FormState } from '@/lib/web/form-validation';
import { enrolTwoFactor, replaceRecoveryCodes, turnOffTwoFactor, type TwoFactorExtra } from './actions';
import styles from './two-factor.module.css';
import { PasskeyReauth } from '../passkey-reauth';

function extraOf(state: FormState): Partial<{ secret: string; qrSvg: string; recoveryCodes: string[] }> {
  if (state.status !== 'success' || typeof state.extra !== 'object' || state.extra === null) return {};
  return state.extra as TwoFactorExtra;
}

/** The codes, shown once after enrolment or regeneration: only their hashes are kept. */
function RecoveryCodes({ codes }: { codes: string[] }) {
  const t = useTranslations('twoFactor');
  return (
    <div className={styles.shown}>
      <p>{t('codesShowOnce')}</p>
      <ul className={styles.codes} lang="en" translate="no" aria-label={t('codesLabel')}>
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <p>
        <a href="/account/two-factor">{t('codesDone')}</a>
      </p>
    </div>
  );
}

/**
 * Enrolment, one form in two steps: the password, then the key (QR code and text) and a first code.
 * With JavaScript the key stays on screen after a mistyped code; without it the page keeps only the
 * code field, and the app already holds the key.
 */
export function EnrolForm({ enabled, hasPasskeys }: { enabled: boolean; hasPasskeys: boolean }) {
  return (
    <ActionForm action={enrolTwoFactor} schema={enrolTwoFactorSchema} idPrefix="enrol">
      <EnrolSteps enabled={enabled} hasPasskeys={hasPasskeys} />
    </ActionForm>
  );
}

function EnrolSteps({ enabled, hasPasskeys }: { enabled: boolean; hasPasskeys: boolean }) {
  const t = useTranslations('twoFactor');
  const { state } = useActionForm();
  const extra = extraOf(state);
  const [shown, setShown] = useState<{ secret: string; qrSvg: string }>();
  if (extra.secret && extra.qrSvg && extra.secret !== shown?.secret) {
    setShown({ secret: extra.secret, qrSvg: extra.qrSvg });
  }
  if (extra.recoveryCodes) return <RecoveryCodes codes={extra.recoveryCodes} />;
  if (enabled) return null;

  const confirming = Boolean(extra.secret) || (state.status === 'error' && state.values.step === 'confirm');
  if (!confirming) {
    return (
      <>
        <PasswordField
          name="currentPassword"
          label={t('currentPassword')}
          autoComplete="current-password"
          required
        />
        <SubmitButton>{t('start')}</SubmitButton>
        <PasskeyReauth hasPasskeys={hasPasskeys} />
      </>
    );
  }
  return (
    <>
      {shown ? (
        <div className={styles.shown}>
          <p>{t('scan')}</p>
          {/* The server's SVG from the QR library: markup only, no script (CSP). */}
          <div
            className={styles.qr}
            role="img"
            aria-label={t('qrLabel')}
            dangerouslySetInnerHTML={{ __html: shown.qrSvg }}
          />
          <p>{t('typeKey')}</p>
          <p className={styles.secret} lang="en" translate="no" data-testid="totp-secret">
            {shown.secret}
          </p>
        </div>
      ) : null}
      <HiddenField name="step" value="confirm" />
      <OneTimeCodeField label={t('firstCode')} description={t('firstCodeHint')} />
      <SubmitButton>{t('confirm')}</SubmitButton>
    </>
  );
}

export function RegenerateForm({ hasPasskeys }: { hasPasskeys: boolean }) {
  return (
    <ActionForm action={replaceRecoveryCodes} schema={regenerateCodesSchema} idPrefix="regenerate">
      <RegenerateSteps hasPasskeys={hasPasskeys} />
    </ActionForm>
  );
}

function RegenerateSteps({ hasPasskeys }: { hasPasskeys: boolean }) {
  const t = useTranslations('twoFactor');
  const { state } = useActionForm();
  const { recoveryCodes } = extraOf(state);
  if (recoveryCodes) return <RecoveryCodes codes={recoveryCodes} />;
  return (
    <>
      <PasswordField
        name="currentPassword"
        label={t('currentPassword')}
        autoComplete="current-password"
        required
      />
      <SubmitButton>{t('regenerate')}</SubmitButton>
      <PasskeyReauth hasPasskeys={hasPasskeys} />
    </>
  );
}

export function DisableForm() {
  const t = useTranslations('twoFactor');
  return (
    <ActionForm
      action={turnOffTwoFactor}
      schema={disableTwoFactorSchema}
      idPrefix="disable"
      submitLabel={t('disable')}
    >
      <PasswordField
        name="currentPassword"
        label={t('currentPassword')}
        autoComplete="current-password"
        required
      />
      <OneTimeCodeField label={t('currentCode')} />
    </ActionForm>
  );
}
