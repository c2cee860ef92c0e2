'use client';

import { startRegistration } from '@simplewebauthn/browser';
import { useTranslations } from 'next-intl';
import { useState, useTransition } from 'react';
import { HiddenField, PasswordField, SubmitButton, TextField } from '@/components/form/fields';
import { ActionForm, useActionForm, useFormMessage } from '@/components/form/form';
import { isCeremonyRefusal, useWebAuthnSupport } from '@/components/webauthn-support';
import { beginRegistrationSchema, removePasskeySchema, renamePasskeySchema } from '@/lib/validation/passkeys';
import type { FieldError, FormState } from '@/lib/web/form-validation';
import { Button } from '@/components/ui/button';
import {
  beginAddPasskeyAction,
  finishAddPasskeyAction,
  removePasskeyAction,
  renamePasskeyAction,
  type RegistrationStart,
} from './actions';

/**
 * Adding a passkey: the password and a name (a plain form), then a button that asks the browser to
 * create the passkey (a user gesture, which some browsers require) and sends its answer back.
 */
export function AddPasskey() {
  const t = useTranslations('passkeys');
  const support = useWebAuthnSupport();
  // Until the script runs (and for good without JavaScript) the page says what adding one needs.
  if (support === 'unknown') return <p>{t('needsJavaScript')}</p>;
  if (support === 'unsupported') return <p>{t('unsupported')}</p>;
  return (
    <ActionForm action={beginAddPasskeyAction} schema={beginRegistrationSchema} idPrefix="add-passkey">
      <AddPasskeySteps />
    </ActionForm>
  );
}

function startIn(state: FormState): RegistrationStart | undefined {
  if (state.status !== 'success' || typeof state.extra !== 'object' || state.extra === null) return undefined;
  return state.extra as RegistrationStart;
}

function AddPasskeySteps() {
  const t = useTranslations('passkeys');
  const { state } = useActionForm();
  const started = startIn(state);
  if (!started) {
    return (
      <>
        <PasswordField
          name="currentPassword"
          label={t('currentPassword')}
          autoComplete="current-password"
          required
        />
        <TextField
          name="name"
          label={t('name')}
          description={t('nameHint')}
          autoComplete="off"
          required
          maxLength={64}
        />
        <SubmitButton>{t('continue')}</SubmitButton>
      </>
    );
  }
  return <CreatePasskey start={started} />;
}

function CreatePasskey({ start }: { start: RegistrationStart }) {
  const t = useTranslations('passkeys');
  const message = useFormMessage();
  const [error, setError] = useState<FieldError>();
  const [pending, startTransition] = useTransition();

  const create = () =>
    startTransition(async () => {
      setError(undefined);
      let response;
      try {
        response = await startRegistration({ optionsJSON: start.options });
      } catch (failure) {
        if (!isCeremonyRefusal(failure)) throw failure;
        setError({ key: 'passkeys.errors.cancelled' });
        return;
      }
      const form = new FormData();
      form.set('name', start.name);
      form.set('response', JSON.stringify(response));
      // Success redirects; only a refusal comes back.
      const answer = await finishAddPasskeyAction({ status: 'idle' }, form);
      if (answer.status === 'error' && answer.formError) setError(answer.formError);
    });

  return (
    <>
      <p>{t('createLead')}</p>
      {error ? <p role="alert">{message(error)}</p> : null}
      <Button type="button" onClick={create} disabled={pending}>
        {t('create')}
      </Button>
    </>
  );
}

export function RenamePasskeyForm({ id, name }: { id: string; name: string }) {
  const t = useTranslations('passkeys');
  return (
    <ActionForm action={renamePasskeyAction} schema={renamePasskeySchema} idPrefix={`rename-${id}`}>
      <HiddenField name="id" value={id} />
      <TextField
        name="name"
        label={t('newName')}
        autoComplete="off"
        required
        maxLength={64}
        defaultValue={name}
      />
      <SubmitButton>
        <span aria-hidden="true">{t('rename')}</span>
        <span className="visually-hidden">{t('renameFor', { name })}</span>
      </SubmitButton>
    </ActionForm>
  );
}

export function RemovePasskeyForm({ id, name }: { id: string; name: string }) {
  const t = useTranslations('passkeys');
  return (
    <ActionForm action={removePasskeyAction} schema={removePasskeySchema} idPrefix={`remove-${id}`}>
      <HiddenField name="id" value={id} />
      <SubmitButton>
        <span aria-hidden="true">{t('remove')}</span>
        <span className="visually-hidden">{t('removeFor', { name })}</span>
      </SubmitButton>
    </ActionForm>
  );
}
