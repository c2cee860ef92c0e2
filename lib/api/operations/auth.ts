import 'server-only';
import { systemClock } from '@/lib/clock';
import { resendVerification, verifyEmail } from '@/lib/email-verification';
import { logIn } from '@/lib/login';
import { logOut } from '@/lib/logout';
import { findPendingSignIn, secondFactorsOf } from '@/lib/pending-sign-in';
import { registerUser } from '@/lib/registration';
import { verifySecondFactor } from '@/lib/two-factor';
import {
  acceptedSchema,
  meResponseSchema,
  secondFactorBodySchema,
  secondFactorRequiredSchema,
  verifiedSchema,
} from '@/lib/validation/api';
import { loginSchema, registrationSchema, resendVerificationSchema } from '@/lib/validation/registration';
import { verifyWithPasswordSchema } from '@/lib/validation/verify-email';
import { clearSessionCookie, setSessionCookie } from '@/lib/web/auth';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { defineEndpoint, flowProblem, json, noContent, problem } from '../endpoint';
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
    'Sets the session cookie (the same as the login page). Only after the right password is an unconfirmed, pending or rejected account told its state. An account with a second factor gets no session: a 202 with a short-lived `pendingToken` for `POST /auth/login/second-factor`.',
  tag: 'auth',
  access: 'anonymous',
  body: loginSchema,
  responses: {
    200: { description: 'Signed in; the session cookie is set.', schema: meResponseSchema },
    202: {
      description: 'The password was right and the account has a second factor: no session yet.',
      schema: secondFactorRequiredSchema,
    },
  },
  problems: [401, 403, 422, 429, 503],
  async handler({ body, db, context }) {
    const result = await logIn(db, body, context, systemClock);
    if (!result.ok && result.code === 'second_factor_required') {
      // The pending sign-in the login page keeps in a cookie, handed to the client instead.
      const pending = await findPendingSignIn(db, result.pendingToken, systemClock);
      const factors = pending ? await secondFactorsOf(db, pending.userId) : { totp: false, passkeys: false };
      const methods = [
        ...(factors.totp ? (['totp', 'recovery_code'] as const) : []),
        ...(factors.passkeys ? (['passkey'] as const) : []),
      ];
      return json(
        {
          status: 'second_factor_required',
          pendingToken: result.pendingToken,
          expiresAt: result.expiresAt.toISOString(),
          methods,
        },
        202,
      );
    }
    if (!result.ok) {
      return flowProblem(result, { invalid_credentials: 401, unverified: 403, pending: 403, rejected: 403 });
    }
    await setSessionCookie(result.sessionId);
    if (result.mailQueued) deliverMailAfterResponse();
    return json(meBody(result.user));
  },
});

export const loginSecondFactor = defineEndpoint({
  method: 'POST',
  path: '/auth/login/second-factor',
  operationId: 'loginSecondFactor',
  summary: 'Finish a sign-in with a code from the authenticator app or a recovery code',
  description:
    'Takes the `pendingToken` of a 202 from `POST /auth/login` and a six-digit code or a recovery code; sets the session cookie as the login does. The limits of the page apply: five tries per pending sign-in, then the password again; a daily and a lifetime cap of wrong codes per account. A used recovery code is mailed to the owner.',
  tag: 'auth',
  access: 'anonymous',
  body: secondFactorBodySchema,
  responses: { 200: { description: 'Signed in; the session cookie is set.', schema: meResponseSchema } },
  problems: [401, 422, 429],
  async handler({ body, db, context }) {
    // Six digits (spaces some apps show dropped) are an app's code; anything else a recovery code.
    const digits = body.code.replace(/\s/gu, '');
    const totp = /^[0-9]{6}$/.test(digits);
    const result = await verifySecondFactor(
      db,
      {
        pendingToken: body.pendingToken,
        kind: totp ? 'totp' : 'recovery_code',
        code: totp ? digits : body.code,
      },
      context,
      systemClock,
    );
    if (!result.ok) {
      if (result.code === 'wrong_code') {
        return problem(401, 'wrong_code', { errors: [{ pointer: '/code', code: 'wrong_code' }] });
      }
      // `expired`: used, out of time or out of tries; the password must be given again.
      return flowProblem(result, { expired: 401, capped: 429 });
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
