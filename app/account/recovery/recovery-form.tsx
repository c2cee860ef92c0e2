'use client';

import { useTranslations } from 'next-intl';
import { useState, useSyncExternalStore } from 'react';
import { HiddenField, PasswordField, SubmitButton, TextAreaField } from '@/components/form/fields';
import { ActionForm, useActionForm } from '@/components/form/form';
import { Button } from '@/components/ui/button';
import { recoveryPhraseSetupSchema } from '@/lib/validation/recovery-phrase';
import type { FormState } from '@/lib/web/form-validation';
import { setUpRecoveryPhrase, type GeneratedPhrase } from './actions';
import styles from './recovery.module.css';

/**
 * One form in two steps (see lib/validation/recovery-phrase.ts): the current password, then the
 * phrase shown once and typed back. Nothing pending is kept on the server; step two carries the
 * signed confirmation from step one's answer.
 */
export function RecoveryPhraseForm({ hasPhrase }: { hasPhrase: boolean }) {
  return (
    <ActionForm action={setUpRecoveryPhrase} schema={recoveryPhraseSetupSchema} idPrefix="recovery">
      <Steps hasPhrase={hasPhrase} />
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

function Steps({ hasPhrase }: { hasPhrase: boolean }) {
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
      </>
    );
  }

  const phrase = remembered?.confirmation === confirmation ? remembered.phrase : undefined;
  return (
    <>
      {phrase ? (
        <div className={styles.shown}>
          <p>{t('showOnce')}</p>
          {/* English words whatever the page's language: a translating browser must leave them alone. */}
          <p className={styles.phrase} lang="en" translate="no">
            {phrase}
          </p>
          <CopyButton text={phrase} />
          <p>{t('writeItDown')}</p>
        </div>
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

const noSubscription = () => () => undefined;
const clipboardAvailable = () => typeof navigator.clipboard?.writeText === 'function';
const notOnTheServer = () => false;

/**
 * An enhancement only: it appears once the page runs in a browser that offers the clipboard (secure
 * contexts). Without it the phrase is ordinary text, selectable and copyable by hand.
 */
function CopyButton({ text }: { text: string }) {
  const t = useTranslations('recovery');
  const canCopy = useSyncExternalStore(noSubscription, clipboardAvailable, notOnTheServer);
  const [copied, setCopied] = useState(false);
  if (!canCopy) return null;
  return (
    <div className={styles.copy}>
      <Button
        type="button"
        variant="secondary"
        onClick={() =>
          navigator.clipboard.writeText(text).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {t('copy')}
      </Button>
      <span role="status">{copied ? t('copied') : ''}</span>
    </div>
  );
}
