'use client';

import type { AuthenticationResponseJSON } from '@simplewebauthn/browser';
import { useTranslations } from 'next-intl';
import { useEffect, useEffectEvent, useRef, useState, useTransition } from 'react';
import { useFormMessage } from '@/components/form/form';
import { isCeremonyRefusal, useWebAuthnSupport } from '@/components/webauthn-support';
import type { FieldError } from '@/lib/web/form-validation';
import { beginPasskeySignInAction, passkeyLogin } from './actions';
import { Button } from '@/components/ui/button';

// The ceremony's code loads after the page, not with it (decision 037).
const webauthn = () => import('@simplewebauthn/browser');

/**
 * Username-less sign-in with a passkey: a button, and the browser's own passkey suggestions on the
 * email field (conditional UI, autocomplete="username webauthn") where the browser offers them. Each
 * asks the server for a fresh challenge; starting one cancels the other. Without JavaScript the
 * section says that passkeys need it and the password form is the way in; without WebAuthn it is gone.
 */
export function PasskeySignIn({ next }: { next?: string }) {
  const t = useTranslations('passkeys');
  const message = useFormMessage();
  const support = useWebAuthnSupport();
  const [error, setError] = useState<FieldError>();
  const [pending, startTransition] = useTransition();
  // The autofill's request for a challenge, while it is on its way: its answer sets the challenge
  // cookie, so the button waits for it before asking for its own, or the autofill's late cookie would
  // replace the button's and the button's passkey answer would be refused.
  const autofillBegun = useRef<Promise<unknown> | undefined>(undefined);
  // Once the button is pressed its challenge is the one in the cookie: the suggestions (perhaps still
  // loading the library) ask for none after it, and an autofill answer that arrives afterwards is for
  // a replaced challenge and is dropped, not sent to be refused.
  const buttonPressed = useRef(false);

  const finish = async (response: AuthenticationResponseJSON) => {
    const form = new FormData();
    form.set('response', JSON.stringify(response));
    if (next) form.set('next', next);
    // Success redirects; only a refusal comes back.
    const answer = await passkeyLogin({ status: 'idle' }, form);
    if (answer.status === 'error' && answer.formError) setError(answer.formError);
  };

  const finishAutofill = useEffectEvent(finish);

  useEffect(() => {
    if (support !== 'supported') return;
    let stopped = false;
    let cancel: (() => void) | undefined;
    const autofill = async () => {
      const { browserSupportsWebAuthnAutofill, startAuthentication, WebAuthnAbortService } = await webauthn();
      cancel = () => WebAuthnAbortService.cancelCeremony();
      if (!(await browserSupportsWebAuthnAutofill()) || stopped || buttonPressed.current) return;
      const begun = beginPasskeySignInAction();
      autofillBegun.current = begun;
      const optionsJSON = await begun;
      if (stopped || buttonPressed.current) return;
      const response = await startAuthentication({ optionsJSON, useBrowserAutofill: true });
      if (buttonPressed.current) return;
      await finishAutofill(response);
    };
    autofill().catch((failure: unknown) => {
      // Cancelled by the button, by leaving the page or by the person: the form is still there.
      if (stopped || isCeremonyRefusal(failure)) return;
      throw failure;
    });
    return () => {
      stopped = true;
      cancel?.();
    };
  }, [support]);

  // Rendered on the server as it is without JavaScript (heading, lead, a button that waits): the
  // section is part of the page's first paint, not added after the scripts have run (decision 037).
  // Hidden only once the browser is known to have no WebAuthn.
  if (support === 'unsupported') return null;

  const signIn = () =>
    startTransition(async () => {
      buttonPressed.current = true;
      setError(undefined);
      try {
        await autofillBegun.current?.catch(() => undefined);
        const [{ startAuthentication }, optionsJSON] = await Promise.all([
          webauthn(),
          beginPasskeySignInAction(),
        ]);
        await finish(await startAuthentication({ optionsJSON }));
      } catch (failure) {
        if (!isCeremonyRefusal(failure)) throw failure;
        setError({ key: 'passkeys.errors.cancelled' });
      }
    });

  return (
    <section aria-labelledby="passkey-sign-in">
      <h2 id="passkey-sign-in">{t('signInHeading')}</h2>
      <p>{t('signInLead')}</p>
      <noscript>
        <p>{t('signInNeedsJavaScript')}</p>
      </noscript>
      {error ? <p role="alert">{message(error)}</p> : null}
      <Button
        type="button"
        variant="secondary"
        onClick={signIn}
        disabled={pending || support !== 'supported'}
      >
        {t('signIn')}
      </Button>
    </section>
  );
}
