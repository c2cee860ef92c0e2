'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { CopyButton } from '@/components/copy-button';
import { ShownOnce } from '@/components/shown-once';
import { HiddenField, PasswordField, SubmitButton, TextAreaField } from '@/components/form/fields';
import { ActionForm, useActionForm } from '@/components/form/form';
import { recoveryPhraseSetupSchema } from '@/lib/validation/recovery-phrase';
import type { FormState } from '@/lib/web/form-validation';
import { setUpRecoveryPhrase, type GeneratedPhrase } from './actions';
import styles from './recovery.module.css';
import { PasskeyReauth } from '../passkey-reauth';

/**
 * One form in two steps (see lib/validation/recovery-phrase.ts): the current password, then the
 * phrase shown once and typed back. Nothing pending is kept on the server; step two carries the
 * signed confirmation from step one's answer.
 */
export function RecoveryPhraseForm({ hasPhrase, hasPasskeys }: { hasPhrase: boolean; hasPasskeys: boolean }) {
  return (
    <ActionForm action={setUpRecoveryPhrase} schema={recoveryPhraseSetupSchema} idPrefix="recovery">
      <Steps hasPhrase={hasPhrase} hasPasskeys={hasPasskeys} />
    </ActionForm>
  );
}

function generatedIn(state: FormState): GeneratedPhrase | undefined {
  if (state.status !== 'success' || typeof state.extra !== 'object' || state.extra === null) return undefined;
  const { phrase, confirmation } = state.extra as Record<string, unknown>;
  return typeof phrase === 'string' && typeof confirmation === 'string'
    ? { phrase, confirmation }
    : undefined;
}

function Steps({ hasPhrase, hasPasskeys }: { hasPhrase: boolean; hasPasskeys: boolean }) {
  const t = useTranslations('recovery');
  const { state } = useActionForm();
  const generated = generatedIn(state);
  // With JavaScript the phrase stays on screen after a mistyped confirmation. Without it, the answer
  // to step two cannot show it (the phrase is never sent back), so the owner types it from paper.
  const [remembered, setRemembered] = useState(generated);
  if (generated && generated.confirmation !== remembered?.confirmation) setRemembered(generated);

  const confirmation =
    generated?.confirmation ?? (state.status === 'error' ? state.values.confirmation : undefined);
  if (!confirmation) {
    return (
      <>
        <PasswordField
          name="currentPassword"
          label={t('currentPassword')}
          description={hasPhrase ? t('replaceWarning') : undefined}
          autoComplete="current-password"
          required
        />
        <SubmitButton>{hasPhrase ? t('replace') : t('generate')}</SubmitButton>
        <PasskeyReauth hasPasskeys={hasPasskeys} />
      </>
    );
  }

  const phrase = remembered?.confirmation === confirmation ? remembered.phrase : undefined;
  return (
    <>
      {phrase ? (
        <ShownOnce>
          <p>{t('showOnce')}</p>
          {/* English words whatever the page's language: a translating browser must leave them alone. */}
          <p className={styles.phrase} lang="en" translate="no">
            {phrase}
          </p>
          <CopyButton text={phrase} label={t('copy')} copiedLabel={t('copied')} />
          <p>{t('writeItDown')}</p>
        </ShownOnce>
      ) : (
        // A full page load, not a client-side navigation: it must forget this form's state.
        <p>{t.rich('typeFromPaper', { link: (chunks) => <a href="/account/recovery">{chunks}</a> })}</p>
      )}
      <HiddenField name="confirmation" value={confirmation} />
      <TextAreaField
        name="phrase"
        label={t('typeItBack')}
        description={t('typeItBackHint')}
        autoComplete="off"
        rows={3}
        required
      />
      <SubmitButton>{t('save')}</SubmitButton>
    </>
  );
}
