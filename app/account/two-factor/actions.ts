'use server';

import { redirect } from 'next/navigation';
import QRCode from 'qrcode';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
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
import { requestContext } from '@/lib/web/request-info';
import { requireUser, TWO_FACTOR_PAGE } from '@/lib/web/session';

/** Step one's answer: the key to type or scan; step two's and regeneration's: the codes, shown once. */
export type TwoFactorExtra = { secret: string; qrSvg: string } | { recoveryCodes: string[] };

const busy = (seconds: number): FormResult<TwoFactorExtra> => ({
  status: 'error',
  formError: { key: 'twoFactor.errors.busy', params: { seconds } },
});
const wrongPassword: FormResult<TwoFactorExtra> = {
  status: 'error',
  fieldErrors: { currentPassword: { key: 'twoFactor.errors.wrongPassword' } },
};

export async function enrolTwoFactor(
  prev: FormState<TwoFactorExtra>,
  formData: FormData,
): Promise<FormState<TwoFactorExtra>> {
  // The session is checked here as well as by the page: a server action is a public endpoint.
  const { user } = await requireUser(TWO_FACTOR_PAGE);
  const db = await getDb();
  return createFormAction(
    enrolTwoFactorSchema,
    async ({ currentPassword, code, step }): Promise<FormResult<TwoFactorExtra>> => {
      const context = await requestContext();
      if (step === 'confirm') {
        const result = await confirmTotpEnrolment(
          db,
          { userId: user.id, code: code ?? '' },
          context,
          systemClock,
        );
        if (result.ok) {
          deliverMailAfterResponse();
          return {
            status: 'success',
            message: { key: 'twoFactor.enabled' },
            extra: { recoveryCodes: result.recoveryCodes },
          };
        }
        if (result.code === 'wrong_code') {
          return { status: 'error', fieldErrors: { code: { key: 'twoFactor.errors.wrongCode' } } };
        }
        // Back to step one: a form without `step` asks for the password again.
        return {
          status: 'error',
          formError: { key: 'twoFactor.errors.enrolmentExpired' },
          values: { step: '' },
        };
      }
      const result = await startTotpEnrolment(
        db,
        { userId: user.id, currentPassword: currentPassword ?? '', issuer: DEFAULT_APP_NAME },
        context,
        systemClock,
      );
      if (result.ok) {
        // Rendered here, on the server, as SVG markup: no script and no data: URL (CSP).
        const qrSvg = await QRCode.toString(result.uri, {
          type: 'svg',
          margin: 2,
          errorCorrectionLevel: 'M',
        });
        return {
          status: 'success',
          message: { key: 'twoFactor.scan' },
          extra: { secret: result.secret, qrSvg },
        };
      }
      if (result.code === 'busy') return busy(result.retryAfterSeconds);
      if (result.code === 'already_enabled') redirect(TWO_FACTOR_PAGE);
      return wrongPassword;
    },
  )(prev, formData);
}

export async function replaceRecoveryCodes(
  prev: FormState<TwoFactorExtra>,
  formData: FormData,
): Promise<FormState<TwoFactorExtra>> {
  const { user } = await requireUser(TWO_FACTOR_PAGE);
  const db = await getDb();
  return createFormAction(
    regenerateCodesSchema,
    async ({ currentPassword }): Promise<FormResult<TwoFactorExtra>> => {
      const result = await regenerateRecoveryCodes(
        db,
        { userId: user.id, currentPassword },
        await requestContext(),
        systemClock,
      );
      if (result.ok) {
        deliverMailAfterResponse();
        return {
          status: 'success',
          message: { key: 'twoFactor.codesReplaced' },
          extra: { recoveryCodes: result.recoveryCodes },
        };
      }
      if (result.code === 'busy') return busy(result.retryAfterSeconds);
      if (result.code === 'not_enabled') redirect(TWO_FACTOR_PAGE);
      return wrongPassword;
    },
  )(prev, formData);
}

export async function turnOffTwoFactor(
  prev: FormState<TwoFactorExtra>,
  formData: FormData,
): Promise<FormState<TwoFactorExtra>> {
  const { user } = await requireUser(TWO_FACTOR_PAGE);
  const db = await getDb();
  return createFormAction(
    disableTwoFactorSchema,
    async ({ currentPassword, code }): Promise<FormResult<TwoFactorExtra>> => {
      const result = await disableTwoFactor(
        db,
        { userId: user.id, currentPassword, code },
        await requestContext(),
        systemClock,
      );
      if (result.ok) {
        deliverMailAfterResponse();
        redirect(`${TWO_FACTOR_PAGE}?off=1`);
      }
      if (result.code === 'busy') return busy(result.retryAfterSeconds);
      if (result.code === 'not_enabled') redirect(TWO_FACTOR_PAGE);
      if (result.code === 'wrong_code') {
        return { status: 'error', fieldErrors: { code: { key: 'twoFactor.errors.wrongCode' } } };
      }
      if (result.code === 'capped') return { status: 'error', formError: { key: 'twoFactor.errors.capped' } };
      return wrongPassword;
    },
  )(prev, formData);
}
