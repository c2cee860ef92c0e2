'use client';

import { startAuthentication } from '@simplewebauthn/browser';
import { useTranslations } from 'next-intl';
import { useState, useTransition } from 'react';
import { useFormMessage } from '@/components/form/form';
import { Button } from '@/components/ui/button';
import { isCeremonyRefusal, useWebAuthnSupport } from '@/components/webauthn-support';
import type { FieldError } from '@/lib/web/form-validation';
import { beginPasskeySecondStepAction, signInWithPasskeySecondStep } from './actions';

/**
 * The second step with a passkey: the browser is offered only the passkeys of the account whose
 * password was just typed. Needs JavaScript; until the script runs (and for good without it) the
 * page says so, and `noScript` is what it says.
 */
export function PasskeySecondStep({ next, noScript }: { next?: string; noScript: string }) {
  const t = useTranslations('twoFactorSignIn');
  const message = useFormMessage();
  const support = useWebAuthnSupport();
  const [error, setError] = useState<FieldError>();
  const [pending, startTransition] = useTransition();

  if (support === 'unknown') return <p>{noScript}</p>;
  if (support === 'unsupported') return <p>{t('passkeyUnsupported')}</p>;

  const verify = () =>
    startTransition(async () => {
      setError(undefined);
      const begun = await beginPasskeySecondStepAction();
      if (!begun.ok) {
        setError(begun.error);
        return;
      }
      let response;
      try {
        response = await startAuthentication({ optionsJSON: begun.options });
      } catch (failure) {
        if (!isCeremonyRefusal(failure)) throw failure;
        setError({ key: 'passkeys.errors.cancelled' });
        return;
      }
      const form = new FormData();
      form.set('response', JSON.stringify(response));
      if (next) form.set('next', next);
      // Success redirects; only a refusal comes back.
      const answer = await signInWithPasskeySecondStep({ status: 'idle' }, form);
      if (answer.status === 'error' && answer.formError) setError(answer.formError);
    });

  return (
    <>
      {error ? <p role="alert">{message(error)}</p> : null}
      <Button type="button" onClick={verify} disabled={pending}>
        {t('passkeySubmit')}
      </Button>
    </>
  );
}
