import 'server-only';
import { systemClock } from '@/lib/clock';
import { resendVerification, verifyEmail } from '@/lib/email-verification';
import { logIn } from '@/lib/login';
import { logOut } from '@/lib/logout';
import { registerUser } from '@/lib/registration';
import { acceptedSchema, meResponseSchema, verifiedSchema } from '@/lib/validation/api';
import { loginSchema, registrationSchema, resendVerificationSchema } from '@/lib/validation/registration';
import { verifyWithPasswordSchema } from '@/lib/validation/verify-email';
import { clearSessionCookie, setSessionCookie } from '@/lib/web/auth';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { defineEndpoint, flowProblem, json, noContent } from '../endpoint';
import { meBody } from '../representations';

export const register = defineEndpoint({
  method: 'POST',
  path: '/auth/register',
  operationId: 'register',
  summary: 'Sign up',
  description:
    'Creates an unconfirmed account and mails its confirmation link. A taken email or username gets the same answer: the owner of the address is mailed instead.',
  tag: 'auth',
  access: 'anonymous',
  body: registrationSchema,
  responses: { 202: { description: 'Accepted: check the inbox.', schema: acceptedSchema } },
  problems: [422, 429, 503],
  async handler({ body, db, context }) {
    const result = await registerUser(db, body, context, systemClock);
    if (!result.ok) return flowProblem(result, {});
    deliverMailAfterResponse();
    return json({ status: 'accepted' }, 202);
  },
});

export const verifyEmailAddress = defineEndpoint({
  method: 'POST',
  path: '/auth/verify-email',
  operationId: 'verifyEmail',
  summary: 'Confirm an address with the token from the mail',
  description: 'The password given at sign-up proves that whoever confirms chose it. Never signs anyone in.',
  tag: 'auth',
  access: 'anonymous',
  body: verifyWithPasswordSchema,
  responses: {
    200: {
      description: 'Confirmed: the account is now active or waits for approval.',
      schema: verifiedSchema,
    },
  },
  problems: [409, 422, 429, 503],
  async handler({ body, db, context }) {
    const result = await verifyEmail(db, body, context, systemClock);
    if (!result.ok) {
      return flowProblem(
        result,
        { invalid_or_expired: 422, already_verified: 409, wrong_password: 422 },
        { invalid_or_expired: 'token', wrong_password: 'password' },
      );
    }
    deliverMailAfterResponse();
    return json({ state: result.state });
  },
});

export const resendVerificationMail = defineEndpoint({
  method: 'POST',
  path: '/auth/verify-email/resend',
  operationId: 'resendVerification',
  summary: 'Send a fresh confirmation link',
  description: 'The same answer for any address, with or without an account.',
  tag: 'auth',
  access: 'anonymous',
  body: resendVerificationSchema,
  responses: { 202: { description: 'Accepted.', schema: acceptedSchema } },
  problems: [422, 429],
  async handler({ body, db, context }) {
    const result = await resendVerification(db, body.email, context, systemClock);
    if (!result.ok) return flowProblem(result, {});
    deliverMailAfterResponse();
    return json({ status: 'accepted' }, 202);
  },
});

export const login = defineEndpoint({
  method: 'POST',
  path: '/auth/login',
  operationId: 'login',
  summary: 'Sign in with email or username and password',
  description:
    'Sets the session cookie (the same as the login page). Only after the right password is an unconfirmed, pending or rejected account told its state.',
  tag: 'auth',
  access: 'anonymous',
  body: loginSchema,
  responses: { 200: { description: 'Signed in; the session cookie is set.', schema: meResponseSchema } },
  problems: [401, 403, 422, 429, 503],
  async handler({ body, db, context }) {
    const result = await logIn(db, body, context, systemClock);
    if (!result.ok) {
      // Two-factor accounts have no API second step yet (docs/api.md): refused, and no session is made.
      return flowProblem(result, {
        invalid_credentials: 401,
        unverified: 403,
        pending: 403,
        rejected: 403,
        second_factor_required: 403,
      });
    }
    await setSessionCookie(result.sessionId);
    if (result.mailQueued) deliverMailAfterResponse();
    return json(meBody(result.user));
  },
});

export const logout = defineEndpoint({
  method: 'POST',
  path: '/auth/logout',
  operationId: 'logout',
  summary: 'Sign out: ends this session',
  tag: 'auth',
  access: 'session',
  responses: { 204: { description: 'Signed out; the cookie is cleared.' } },
  problems: [401, 403],
  async handler({ caller, db, context }) {
    await logOut(db, { sessionId: caller.via === 'session' ? caller.sessionId : null }, context, systemClock);
    await clearSessionCookie();
    return noContent();
  },
});
