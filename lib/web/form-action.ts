import 'server-only';
import { unstable_rethrow } from 'next/navigation';
import type { z } from 'zod';
import { log } from '@/lib/log';
import { readFormData, validateFormData, type FieldError, type FormState } from './form-validation';

export type { FieldError, FormState } from './form-validation';
export { zodFieldErrors } from './form-validation';

/** What a handler may answer: an error needs no `values`, the wrapper echoes what was typed. */
export type FormResult<Extra = unknown> =
  | Exclude<FormState<Extra>, { status: 'error' }>
  | {
      status: 'error';
      fieldErrors?: Record<string, FieldError>;
      formError?: FieldError;
      values?: Record<string, string>;
    };

export type FormAction<Extra = unknown> = (
  prev: FormState<Extra>,
  formData: FormData,
) => Promise<FormState<Extra>>;

/** Never sent back to the browser, not even to refill a form after an error (saas-starter did). */
export const DEFAULT_SECRET_FIELDS = [
  'password',
  'confirmPassword',
  'currentPassword',
  'newPassword',
  'phrase',
  'code',
  // A passkey's answer in place of the password (lib/validation/reauth.ts): spent once, never echoed.
  'passkeyProof',
] as const;

/** A submission as a plain object of strings (see readFormData for what is dropped). */
export function formDataToObject(formData: FormData, schemaKeys?: readonly string[]): Record<string, string> {
  return readFormData(formData, schemaKeys).values;
}

function withoutSecrets(
  values: Record<string, string> | undefined,
  secrets: ReadonlySet<string>,
  skip: Record<string, unknown> = {},
): Record<string, string> {
  const kept = Object.entries(values ?? {}).filter(
    ([name, value]) => typeof value === 'string' && !secrets.has(name) && !Object.hasOwn(skip, name),
  );
  return Object.fromEntries(kept);
}

/**
 * The one wrapper every form's server action goes through: it parses the FormData with the same
 * schema the browser used, answers field by field, and only then calls the handler with typed data.
 * Bad input of any shape is a field error, never an exception; an exception in the handler is a bug
 * or an outage, logged here and shown as a generic message, because its text may hold anything.
 */
export function createFormAction<S extends z.ZodType, R = unknown>(
  schema: S,
  handler: (data: z.output<S>, ctx: { formData: FormData }) => Promise<FormResult<R> | void>,
  options: { secretFields?: readonly string[] } = {},
): FormAction<R> {
  const secrets = new Set(options.secretFields ?? DEFAULT_SECRET_FIELDS);

  return async function formAction(_prev, formData) {
    // A server action is a public endpoint: a crafted request can send any value, not just FormData.
    if (!(formData instanceof FormData)) {
      return { status: 'error', fieldErrors: {}, formError: { key: 'form.errors.invalid' }, values: {} };
    }

    const validation = await validateFormData(schema, formData);
    if (!validation.ok) {
      return {
        status: 'error',
        fieldErrors: validation.fieldErrors,
        ...(validation.formError ? { formError: validation.formError } : {}),
        // A refused value (oversized, bad characters) is not worth sending back either.
        values: withoutSecrets(validation.input.values, secrets, validation.input.problems),
      };
    }

    let result: FormResult<R> | void;
    try {
      result = await handler(validation.data, { formData });
    } catch (error) {
      // redirect(), notFound() and dynamic-rendering bail-outs travel as exceptions: let them through.
      unstable_rethrow(error);
      log.error('form_action.failed', { name: error instanceof Error ? error.name : typeof error });
      return {
        status: 'error',
        fieldErrors: {},
        formError: { key: 'form.errors.unexpected' },
        values: withoutSecrets(validation.input.values, secrets),
      };
    }

    if (!result) return { status: 'success' };
    if (result.status === 'error') {
      return {
        status: 'error',
        fieldErrors: result.fieldErrors ?? {},
        ...(result.formError ? { formError: result.formError } : {}),
        values: withoutSecrets({ ...validation.input.values, ...result.values }, secrets),
      };
    }
    if (result.status === 'success' && result.values) {
      return { ...result, values: withoutSecrets(result.values, secrets) };
    }
    return result;
  };
}

/**
 * The parameters of a "try again in …" message. Rate-limit windows run to an hour, where "in 3412
 * seconds" helps nobody, so those messages use minutes; short cooldowns still say seconds.
 */
export function waitParams(retryAfterSeconds: number): { seconds: number; minutes: number } {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return { seconds, minutes: Math.ceil(seconds / 60) };
}
