'use server';

import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import {
  beginPasskeyRegistration,
  finishPasskeyRegistration,
  removePasskey,
  renamePasskey,
} from '@/lib/passkeys';
import {
  beginRegistrationSchema,
  finishRegistrationSchema,
  removePasskeySchema,
  renamePasskeySchema,
} from '@/lib/validation/passkeys';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';
import { requireUser } from '@/lib/web/session';
import { setWebauthnHandle, takeWebauthnHandle } from '@/lib/web/webauthn-cookie';

const PAGE = '/account/passkeys';

/** Step one's answer: the options the browser creates the passkey with, and the name chosen. */
export type RegistrationStart = { options: PublicKeyCredentialCreationOptionsJSON; name: string };

/** Step one: the current password, then a challenge for this browser (its handle in the cookie). */
export async function beginAddPasskeyAction(
  prev: FormState<RegistrationStart>,
  formData: FormData,
): Promise<FormState<RegistrationStart>> {
  // The session is checked here as well as by the page: a server action is a public endpoint.
  const { user } = await requireUser(PAGE);
  return createFormAction(
    beginRegistrationSchema,
    async ({ currentPassword, name }): Promise<FormResult<RegistrationStart>> => {
      const result = await beginPasskeyRegistration(
        await getDb(),
        { userId: user.id, currentPassword },
        await requestContext(),
        systemClock,
      );
      if (result.ok) {
        await setWebauthnHandle(result.handle);
        return { status: 'success', extra: { options: result.options, name } };
      }
      if (result.code === 'busy') {
        return {
          status: 'error',
          formError: { key: 'passkeys.errors.busy', params: { seconds: result.retryAfterSeconds } },
        };
      }
      return { status: 'error', fieldErrors: { currentPassword: { key: 'passkeys.errors.wrongPassword' } } };
    },
  )(prev, formData);
}

const finishErrors = {
  expired: 'passkeys.errors.expired',
  invalid: 'passkeys.errors.invalid',
  already_registered: 'passkeys.errors.alreadyRegistered',
} as const;

/** Step two: the authenticator's answer to this browser's challenge. */
export async function finishAddPasskeyAction(prev: FormState, formData: FormData): Promise<FormState> {
  const { user } = await requireUser(PAGE);
  return createFormAction(finishRegistrationSchema, async ({ name, response }): Promise<FormResult> => {
    const result = await finishPasskeyRegistration(
      await getDb(),
      { userId: user.id, handle: await takeWebauthnHandle(), name, response },
      await requestContext(),
      systemClock,
    );
    if (result.ok) {
      // The owner hears of the new passkey at once (S60), not at the next timer tick.
      deliverMailAfterResponse();
      redirect(`${PAGE}?saved=added`);
    }
    return { status: 'error', formError: { key: finishErrors[result.code] } };
  })(prev, formData);
}

export async function renamePasskeyAction(prev: FormState, formData: FormData): Promise<FormState> {
  const { user } = await requireUser(PAGE);
  return createFormAction(renamePasskeySchema, async ({ id, name }): Promise<FormResult> => {
    const result = await renamePasskey(
      await getDb(),
      { userId: user.id, passkeyId: id, name },
      await requestContext(),
      systemClock,
    );
    if (result.ok) redirect(`${PAGE}?saved=renamed`);
    return { status: 'error', formError: { key: 'passkeys.errors.notFound' } };
  })(prev, formData);
}

export async function removePasskeyAction(prev: FormState, formData: FormData): Promise<FormState> {
  const { user } = await requireUser(PAGE);
  return createFormAction(removePasskeySchema, async ({ id }): Promise<FormResult> => {
    const result = await removePasskey(
      await getDb(),
      { userId: user.id, passkeyId: id, actorId: user.id },
      await requestContext(),
      systemClock,
    );
    if (result.ok) {
      deliverMailAfterResponse();
      redirect(`${PAGE}?saved=removed`);
    }
    return { status: 'error', formError: { key: 'passkeys.errors.notFound' } };
  })(prev, formData);
}
