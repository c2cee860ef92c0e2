import 'server-only';
import { systemClock } from '@/lib/clock';
import { confirmEmailChange, reportEmailChangeNotMe } from '@/lib/email-change';
import { emailChangedSchema } from '@/lib/validation/api';
import { emailChangeTokenSchema } from '@/lib/validation/email-change';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { defineEndpoint, flowProblem, json, noContent } from '../endpoint';

/**
 * The two links of an email change, as calls: whoever holds the mail holds the token, so neither
 * needs a session, as the pages /email-change/confirm and /email-change/not-me do not.
 */

export const confirmEmail = defineEndpoint({
  method: 'POST',
  path: '/email-change/confirm',
  operationId: 'confirmEmailChange',
  summary: 'Confirm an email change with the token mailed to the new address',
  description:
    'From then on the account signs in with the new address; the old one was told when the change began.',
  tag: 'users-me',
  access: 'anonymous',
  body: emailChangeTokenSchema,
  responses: { 200: { description: 'The address is changed.', schema: emailChangedSchema } },
  problems: [422],
  async handler({ body, db, context }) {
    const result = await confirmEmailChange(db, body, context, systemClock);
    if (!result.ok) return flowProblem(result, { invalid_or_expired: 422 }, { invalid_or_expired: 'token' });
    return json({ email: result.newEmail });
  },
});

export const emailChangeNotMe = defineEndpoint({
  method: 'POST',
  path: '/email-change/not-me',
  operationId: 'reportEmailChangeNotMe',
  summary: '"This wasn\'t me": stop an email change with the token mailed to the old address',
  description:
    'Stops the change, ends every session, revokes every access token, removes the recovery phrase, second factor and passkeys, and mails the old address a password reset.',
  tag: 'users-me',
  access: 'anonymous',
  body: emailChangeTokenSchema,
  responses: { 204: { description: 'Stopped; a reset is on its way to the old address.' } },
  problems: [422],
  async handler({ body, db, context }) {
    const result = await reportEmailChangeNotMe(db, body, context, systemClock);
    if (!result.ok) return flowProblem(result, { invalid_or_expired: 422 }, { invalid_or_expired: 'token' });
    deliverMailAfterResponse();
    return noContent();
  },
});
