'use client';

import { startAuthentication } from '@simplewebauthn/browser';
import { useTranslations } from 'next-intl';
import { useEffect, useRef, useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { isCeremonyRefusal, useWebAuthnSupport } from '@/components/webauthn-support';
import { useFormMessage } from '@/components/form/form';
import { beginReauthPasskeyAction } from './reauth-actions';
import type { FieldError } from '@/lib/web/form-validation';

/**
 * "Confirm with a passkey" inside a sensitive form, for a person who has passkeys: the browser asks
 * for one of theirs, and the form is sent with its answer (`passkeyProof`) in place of the password.
 * Without JavaScript or WebAuthn nothing is shown and the password field is the way.
 */
export function PasskeyReauth({ hasPasskeys }: { hasPasskeys: boolean }) {
  const t = useTranslations('reauth');
  const message = useFormMessage();
  const support = useWebAuthnSupport();
  const proof = useRef<HTMLInputElement>(null);
  // Held by React, not written into the DOM: the field keeps it through re-renders, and the form is
  // sent once the field shows it. A typed password wins over it on the server (lib/web/reauth-proof.ts).
  const [answer, setAnswer] = useState('');
  const [error, setError] = useState<FieldError>();
  const [pending, startTransition] = useTransition();

  useEffect(() => {
    if (answer) proof.current?.form?.requestSubmit();
  }, [answer]);

  if (!hasPasskeys || support !== 'supported') return null;

  const confirm = () =>
    startTransition(async () => {
      setError(undefined);
      const optionsJSON = await beginReauthPasskeyAction();
      if (!optionsJSON) {
        setError({ key: 'reauth.noPasskeys' });
        return;
      }
      try {
        const response = await startAuthentication({ optionsJSON });
        setAnswer(JSON.stringify(response));
      } catch (failure) {
        if (!isCeremonyRefusal(failure)) throw failure;
        setError({ key: 'passkeys.errors.cancelled' });
      }
    });

  return (
    <div>
      <input ref={proof} type="hidden" name="passkeyProof" value={answer} />
      {error ? <p role="alert">{message(error)}</p> : null}
      <Button type="button" variant="secondary" onClick={confirm} disabled={pending}>
        {t('withPasskey')}
      </Button>
    </div>
  );
}
