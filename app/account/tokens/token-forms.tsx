'use client';

import { useTranslations } from 'next-intl';
import {
  CheckboxField,
  HiddenField,
  PasswordField,
  SelectField,
  SubmitButton,
  TextField,
} from '@/components/form/fields';
import { ActionForm, useActionForm } from '@/components/form/form';
import { CopyButton } from '@/components/copy-button';
import { ShownOnce } from '@/components/shown-once';
import {
  ACCESS_TOKEN_LIFETIME_DAYS,
  ACCESS_TOKEN_SCOPES,
  ADMIN_SCOPES,
  createAccessTokenSchema,
  DEFAULT_ACCESS_TOKEN_LIFETIME_DAYS,
  revokeAccessTokenSchema,
  scopeFieldName,
} from '@/lib/validation/access-tokens';
import type { FormState } from '@/lib/web/form-validation';
import { createAccessTokenAction, revokeAccessTokenAction } from './actions';
import styles from './tokens.module.css';
import { PasskeyReauth } from '../passkey-reauth';

/**
 * The create form. Its answer replaces the fields with the new token, shown this once: the server
 * keeps only its hash, and the page rendered after a post without JavaScript shows it the same way.
 */
export function CreateAccessTokenForm({ isAdmin, hasPasskeys }: { isAdmin: boolean; hasPasskeys: boolean }) {
  return (
    <ActionForm action={createAccessTokenAction} schema={createAccessTokenSchema} idPrefix="token">
      <CreateSteps isAdmin={isAdmin} hasPasskeys={hasPasskeys} />
    </ActionForm>
  );
}

function createdTokenIn(state: FormState): string | undefined {
  if (state.status !== 'success' || typeof state.extra !== 'object' || state.extra === null) return undefined;
  const { token } = state.extra as Record<string, unknown>;
  return typeof token === 'string' ? token : undefined;
}

function CreateSteps({ isAdmin, hasPasskeys }: { isAdmin: boolean; hasPasskeys: boolean }) {
  const t = useTranslations('accessTokens');
  const { state } = useActionForm();
  const token = createdTokenIn(state);
  if (token) {
    return (
      <ShownOnce>
        <p>{t('showOnce')}</p>
        <p className={styles.token} translate="no">
          <code id="new-access-token">{token}</code>
        </p>
        <CopyButton text={token} label={t('copy')} copiedLabel={t('copied')} />
        <p>{t('usage')}</p>
        {/* A full page load, not a client-side navigation: it must forget the token. */}
        <p>
          <a href="/account/tokens">{t('createAnother')}</a>
        </p>
      </ShownOnce>
    );
  }
  const scopes = ACCESS_TOKEN_SCOPES.filter((scope) => isAdmin || !ADMIN_SCOPES.includes(scope));
  return (
    <>
      <TextField name="name" label={t('name')} description={t('nameHint')} autoComplete="off" required />
      <SelectField
        name="expiresInDays"
        label={t('lifetime')}
        defaultValue={String(DEFAULT_ACCESS_TOKEN_LIFETIME_DAYS)}
        options={ACCESS_TOKEN_LIFETIME_DAYS.map((days) => ({
          value: String(days),
          label: t('lifetimeDays', { days }),
        }))}
        required
      />
      <fieldset className={styles.scopes}>
        <legend>{t('scopesLegend')}</legend>
        {scopes.map((scope) => (
          <CheckboxField
            key={scope}
            name={scopeFieldName(scope)}
            label={t(`scopes.${scopeFieldName(scope)}`)}
            defaultChecked={scope === 'profile:read'}
          />
        ))}
      </fieldset>
      <PasswordField
        name="currentPassword"
        label={t('currentPassword')}
        autoComplete="current-password"
        required
      />
      <SubmitButton>{t('create')}</SubmitButton>
      <PasskeyReauth hasPasskeys={hasPasskeys} />
    </>
  );
}

/** "Revoke" for one token; a screen reader hears which one, since every row has the button. */
export function RevokeAccessTokenForm({ tokenId, name }: { tokenId: string; name: string }) {
  const t = useTranslations('accessTokens');
  return (
    <ActionForm
      action={revokeAccessTokenAction}
      schema={revokeAccessTokenSchema}
      idPrefix={`revoke-${tokenId}`}
    >
      <HiddenField name="tokenId" value={tokenId} />
      <SubmitButton>
        <span aria-hidden="true">{t('revoke')}</span>
        <span className="visually-hidden">{t('revokeToken', { name })}</span>
      </SubmitButton>
    </ActionForm>
  );
}
