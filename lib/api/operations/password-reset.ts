import 'server-only';
import { systemClock } from '@/lib/clock';
import {
  checkResetLink,
  requestPasswordReset,
  resetPasswordWithCode,
  resetPasswordWithToken,
} from '@/lib/password-reset';
import { resetPasswordWithPhrase } from '@/lib/recovery-phrase';
import { acceptedSchema, resetLinkCheckSchema, validSchema } from '@/lib/validation/api';
import { codeResetSchema, forgotPasswordSchema } from '@/lib/validation/password-reset';
import { resetWithPhraseSchema } from '@/lib/validation/recovery-phrase';
import { tokenPasswordSchema } from '@/lib/validation/set-password';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { defineEndpoint, flowProblem, json, noContent } from '../endpoint';

/** A dead link or a wrong code: one answer, saying nothing a stranger could not already tell. */
const INVALID = { invalid_or_expired: 422 };

export const requestReset = defineEndpoint({
  method: 'POST',
  path: '/password-reset/request',
  operationId: 'requestPasswordReset',
  summary: 'Mail a reset link and code',
  description:
    'The same answer in the same time for every address: whether the account exists only decides what happens after the answer has gone.',
  tag: 'password-reset',
  access: 'anonymous',
  body: forgotPasswordSchema,
  responses: { 202: { description: 'Accepted.', schema: acceptedSchema } },
  problems: [422, 429],
  async handler({ body, db, context }) {
    const result = await requestPasswordReset(db, body.email, context, systemClock);
    if (!result.ok) return flowProblem(result, {});
    deliverMailAfterResponse(result.deliver);
    return json({ status: 'accepted' }, 202);
  },
});

export const verifyReset = defineEndpoint({
  method: 'POST',
  path: '/password-reset/verify',
  operationId: 'verifyPasswordResetLink',
  summary: 'Whether a reset link still works, without using it',
  description:
    'Codes are not checked here: a check that does not use the code would be a free guess. Send the code with the new password instead.',
  tag: 'password-reset',
  access: 'anonymous',
  body: resetLinkCheckSchema,
  responses: { 200: { description: 'The link works.', schema: validSchema } },
  problems: [422, 429],
  async handler({ body, db, context }) {
    const result = await checkResetLink(db, body, context, systemClock);
    if (!result.ok) return flowProblem(result, INVALID, { invalid_or_expired: 'token' });
    return json({ valid: true });
  },
});

export const reset = defineEndpoint({
  method: 'POST',
  path: '/password-reset/reset',
  operationId: 'resetPassword',
  summary: 'Choose a new password with the link token, or with the address and the 6-digit code',
  description:
    'Send either `token` or `email` and `code`, with `password` and `confirmPassword`. Every session ends and the owner is mailed.',
  tag: 'password-reset',
  access: 'anonymous',
  body: (min: number) => tokenPasswordSchema(min).or(codeResetSchema(min)),
  responses: { 204: { description: 'The password is changed.' } },
  problems: [422, 429, 503],
  async handler({ body, db, context }) {
    const result =
      'token' in body
        ? await resetPasswordWithToken(db, body, context, systemClock)
        : await resetPasswordWithCode(db, body, context, systemClock);
    if (!result.ok) return flowProblem(result, INVALID);
    deliverMailAfterResponse();
    return noContent();
  },
});

export const recoveryReset = defineEndpoint({
  method: 'POST',
  path: '/recovery/reset',
  operationId: 'resetPasswordWithPhrase',
  summary: 'Choose a new password with the recovery phrase',
  tag: 'password-reset',
  access: 'anonymous',
  body: resetWithPhraseSchema,
  responses: { 204: { description: 'The password is changed.' } },
  problems: [422, 429, 503],
  async handler({ body, db, context }) {
    const result = await resetPasswordWithPhrase(
      db,
      { email: body.email, phrase: body.phrase, newPassword: body.password },
      context,
      systemClock,
    );
    if (!result.ok) return flowProblem(result, { invalid: 422, malformed: 422 }, { malformed: 'phrase' });
    deliverMailAfterResponse();
    return noContent();
  },
});
