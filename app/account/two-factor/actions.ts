'use server';

import { redirect } from 'next/navigation';
import QRCode from 'qrcode';
import type { z } from 'zod';
import type { Db } from '@/db/client';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import type { RequestContext } from '@/lib/request-context';
import {
  confirmTotpEnrolment,
  disableTwoFactor,
  regenerateRecoveryCodes,
  startTotpEnrolment,
} from '@/lib/two-factor';
import { DEFAULT_APP_NAME } from '@/lib/validation/password';
import {
  disableTwoFactorSchema,
  enrolTwoFactorSchema,
  regenerateCodesSchema,
} from '@/lib/validation/two-factor';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { reauthInputOf } from '@/lib/web/reauth-proof';
import { requestContext } from '@/lib/web/request-info';
import { requireUser, TWO_FACTOR_PAGE } from '@/lib/web/session';

/** Step one's answer: the key to type or scan; step two's and regeneration's: the codes, shown once. */
export type TwoFactorExtra = { secret: string; qrSvg: string } | { recoveryCodes: string[] };
type Result = FormResult<TwoFactorExtra>;

/**
 * The forms of /account/two-factor: each checks the session itself (a server action is a public
 * endpoint), then runs its flow for the signed-in user.
 */
function ownerAction<S extends z.ZodType>(
  schema: S,
  run: (data: z.output<S>, owner: { userId: string; db: Db; context: RequestContext }) => Promise<Result>,
) {
  return async (prev: FormState<TwoFactorExtra>, formData: FormData): Promise<FormState<TwoFactorExtra>> => {
    const { user } = await requireUser(TWO_FACTOR_PAGE);
    const db = await getDb();
    return createFormAction(schema, async (data) =>
      run(data, { userId: user.id, db, context: await requestContext() }),
    )(prev, formData);
  };
}

/** What the flows refuse with, as the forms show it; a stale page (already on, already off) reloads. */
function refusal(result: { code: string; retryAfterSeconds?: number }): Result {
  switch (result.code) {
    case 'busy':
      return {
        status: 'error',
        formError: { key: 'twoFactor.errors.busy', params: { seconds: result.retryAfterSeconds ?? 1 } },
      };
    case 'wrong_code':
      return { status: 'error', fieldErrors: { code: { key: 'twoFactor.errors.wrongCode' } } };
    case 'capped':
      return { status: 'error', formError: { key: 'twoFactor.errors.capped' } };
    case 'passkey_refused':
      return { status: 'error', formError: { key: 'reauth.passkeyRefused' } };
    case 'already_enabled':
    case 'not_enabled':
      redirect(TWO_FACTOR_PAGE);
    default:
      return { status: 'error', fieldErrors: { currentPassword: { key: 'twoFactor.errors.wrongPassword' } } };
  }
}

const showCodes = (key: string, recoveryCodes: string[]): Result => {
  deliverMailAfterResponse();
  return { status: 'success', message: { key }, extra: { recoveryCodes } };
};

const enrol = ownerAction(
  enrolTwoFactorSchema,
  async ({ currentPassword, passkeyProof, code, step }, { userId, db, context }) => {
    if (step === 'confirm') {
      const result = await confirmTotpEnrolment(db, { userId, code: code ?? '' }, context, systemClock);
      if (result.ok) return showCodes('twoFactor.enabled', result.recoveryCodes);
      if (result.code === 'wrong_code') return refusal(result);
      // Back to step one: a form without `step` asks for the password again.
      return {
        status: 'error',
        formError: { key: 'twoFactor.errors.enrolmentExpired' },
        values: { step: '' },
      };
    }
    const proof = await reauthInputOf({ currentPassword, passkeyProof });
    if (!proof) return refusal({ code: 'passkey_refused' });
    const result = await startTotpEnrolment(
      db,
      { userId, issuer: DEFAULT_APP_NAME, ...proof },
      context,
      systemClock,
    );
    if (!result.ok) return refusal(result);
    // Rendered here, on the server, as SVG markup: no script and no data: URL (CSP).
    const qrSvg = await QRCode.toString(result.uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return { status: 'success', message: { key: 'twoFactor.scan' }, extra: { secret: result.secret, qrSvg } };
  },
);

const regenerate = ownerAction(regenerateCodesSchema, async (fields, { userId, db, context }) => {
  const proof = await reauthInputOf(fields);
  if (!proof) return refusal({ code: 'passkey_refused' });
  const result = await regenerateRecoveryCodes(db, { userId, ...proof }, context, systemClock);
  return result.ok ? showCodes('twoFactor.codesReplaced', result.recoveryCodes) : refusal(result);
});

const turnOff = ownerAction(
  disableTwoFactorSchema,
  async ({ currentPassword, code }, { userId, db, context }) => {
    const result = await disableTwoFactor(db, { userId, currentPassword, code }, context, systemClock);
    if (!result.ok) return refusal(result);
    deliverMailAfterResponse();
    redirect(`${TWO_FACTOR_PAGE}?off=1`);
  },
);

// Exported async functions (not consts holding them): Next.js only finds those for forms posted without JavaScript.
export async function enrolTwoFactor(prev: FormState<TwoFactorExtra>, formData: FormData) {
  return enrol(prev, formData);
}

export async function replaceRecoveryCodes(prev: FormState<TwoFactorExtra>, formData: FormData) {
  return regenerate(prev, formData);
}

export async function turnOffTwoFactor(prev: FormState<TwoFactorExtra>, formData: FormData) {
  return turnOff(prev, formData);
}
