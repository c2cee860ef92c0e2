'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { confirmRecoveryPhrase, createRecoveryPhrase } from '@/lib/recovery-phrase';
import { recoveryPhraseSetupSchema } from '@/lib/validation/recovery-phrase';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { requestContext } from '@/lib/web/request-info';
import { reauthInputOf } from '@/lib/web/reauth-proof';
import { requireUser } from '@/lib/web/session';

/** What step one answers with: the phrase to show once, and the signed confirmation for step two. */
export type GeneratedPhrase = { phrase: string; confirmation: string };

/**
 * Both steps of /account/recovery: with `confirmation` absent, the current password makes a phrase
 * that is shown and not yet saved; with it, the phrase typed back is checked and saved.
 */
export async function setUpRecoveryPhrase(
  prev: FormState<GeneratedPhrase>,
  formData: FormData,
): Promise<FormState<GeneratedPhrase>> {
  // The session is checked here as well as by the page: a server action is a public endpoint.
  const { user } = await requireUser('/account/recovery');
  const db = await getDb();
  return createFormAction(
    recoveryPhraseSetupSchema,
    async ({ currentPassword, passkeyProof, phrase, confirmation }): Promise<FormResult<GeneratedPhrase>> => {
      const context = await requestContext();
      if (confirmation) {
        const result = await confirmRecoveryPhrase(
          db,
          { userId: user.id, phrase: phrase ?? '', confirmation },
          context,
          systemClock,
        );
        if (result.ok) {
          // The owner is told of the new phrase at once (S60), not at the next timer tick.
          deliverMailAfterResponse();
          redirect('/account/recovery?saved=1');
        }
        if (result.code === 'mismatch') {
          return { status: 'error', fieldErrors: { phrase: { key: 'recovery.errors.mismatch' } } };
        }
        if (result.code === 'busy') {
          return {
            status: 'error',
            formError: { key: 'recovery.errors.busy', params: { seconds: result.retryAfterSeconds } },
          };
        }
        // Back to step one: an empty confirmation is what the form reads as "no phrase pending".
        return {
          status: 'error',
          formError: { key: 'recovery.errors.expired' },
          values: { confirmation: '' },
        };
      }

      const proof = await reauthInputOf({ currentPassword, passkeyProof });
      if (!proof) return { status: 'error', formError: { key: 'reauth.passkeyRefused' } };
      const result = await createRecoveryPhrase(db, { userId: user.id, ...proof }, context, systemClock);
      if (result.ok) {
        return {
          status: 'success',
          message: { key: 'recovery.generated' },
          extra: { phrase: result.phrase, confirmation: result.confirmation },
        };
      }
      if (result.code === 'busy') {
        return {
          status: 'error',
          formError: { key: 'recovery.errors.busy', params: { seconds: result.retryAfterSeconds } },
        };
      }
      if (result.code === 'passkey_refused') {
        return { status: 'error', formError: { key: 'reauth.passkeyRefused' } };
      }
      return { status: 'error', fieldErrors: { currentPassword: { key: 'recovery.errors.wrongPassword' } } };
    },
  )(prev, formData);
}
