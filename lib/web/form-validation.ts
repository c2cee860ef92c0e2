import { z } from 'zod';
import { decodeFieldMessage } from '@/lib/validation/password';

/**
 * The half of form handling that runs on both sides: the server action (lib/web/form-action.ts) and
 * the browser (components/form) read a FormData and turn zod issues into message keys with this one
 * module, so a form can never pass in the browser and fail on the server for a different reason.
 * No Next.js and no server-only imports: it ships in the client bundle.
 */

/** A validation message as a catalogue key plus its ICU arguments; translated only when rendered. */
export type FieldError = { key: string; params?: Record<string, string | number> };

export type FormState<Extra = unknown> =
  | { status: 'idle' }
  | {
      status: 'error';
      fieldErrors: Record<string, FieldError>;
      formError?: FieldError;
      values: Record<string, string>;
    }
  | { status: 'success'; message?: FieldError; values?: Record<string, string>; extra?: Extra };

/**
 * No real field comes near this; it bounds what one value can cost us (copies, echo) whatever the
 * schema says. Anything longer is an error of its own, never silently truncated and accepted.
 */
export const MAX_FIELD_LENGTH = 100_000;

// Keys look like `form.errors.required` or `password.tooShort`; zod's own messages are sentences.
const MESSAGE_KEY = /^[A-Za-z][\w-]*(\.[\w-]+)+$/;

export function isMessageKey(message: string): boolean {
  return MESSAGE_KEY.test(message);
}

/**
 * Control characters (tab and line breaks excepted) break storage and logs (Postgres refuses NUL);
 * U+FFFD is what a decoder leaves where the body was not valid UTF-8, and a lone surrogate cannot be
 * encoded at all. A person typing never produces any of them.
 */
function hasUnusableCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return true;
    if (code === 0x7f || code === 0xfffd) return true;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i += 1;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return true;
    }
  }
  return false;
}

export type FormInput = {
  values: Record<string, string>;
  /** Fields refused before any schema runs (oversized, unusable characters). */
  problems: Record<string, FieldError>;
};

/**
 * The text fields of a submission. Files are ignored (no form here uploads), as are the `$ACTION_…`
 * fields React and Next.js add for progressive enhancement; a repeated name keeps its last value,
 * as a plain HTML form with two inputs of one name would mean.
 */
export function readFormData(formData: FormData, keys?: readonly string[]): FormInput {
  const allowed = keys ? new Set(keys) : undefined;
  const values = new Map<string, string>();
  const problems = new Map<string, FieldError>();
  for (const [name, value] of formData.entries()) {
    if (typeof value !== 'string' || name.startsWith('$ACTION_')) continue;
    if (allowed && !allowed.has(name)) continue;
    problems.delete(name);
    if (value.length > MAX_FIELD_LENGTH) {
      problems.set(name, { key: 'form.errors.tooLong', params: { max: MAX_FIELD_LENGTH } });
    } else if (hasUnusableCharacters(value)) {
      problems.set(name, { key: 'form.errors.invalidCharacters' });
    }
    values.set(name, value.slice(0, MAX_FIELD_LENGTH));
  }
  // fromEntries defines own properties, so a field named __proto__ stays a plain field.
  return { values: Object.fromEntries(values), problems: Object.fromEntries(problems) };
}

/** The field names an object schema knows, when it is one (also behind .transform or z.preprocess). */
export function schemaKeys(schema: z.core.$ZodType): string[] | undefined {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodPipe) return schemaKeys(schema.in) ?? schemaKeys(schema.out);
  return undefined;
}

function toParam(value: unknown): string | number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return value;
  return undefined;
}

const LENGTH_ORIGINS = new Set(['string', 'array', 'set', 'file']);

function builtInKey(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      // Every form value is a string: a wrong type means the field was not sent at all.
      return issue.input === undefined || issue.input === null
        ? 'form.errors.required'
        : 'form.errors.invalid';
    case 'too_small':
      if (!LENGTH_ORIGINS.has(issue.origin)) return 'form.errors.tooSmall';
      if (issue.exact) return 'form.errors.wrongLength';
      return Number(issue.minimum) <= 1 ? 'form.errors.required' : 'form.errors.tooShort';
    case 'too_big':
      if (!LENGTH_ORIGINS.has(issue.origin)) return 'form.errors.tooBig';
      return issue.exact ? 'form.errors.wrongLength' : 'form.errors.tooLong';
    case 'invalid_format':
      if (issue.format === 'email') return 'form.errors.invalidEmail';
      if (issue.format === 'url') return 'form.errors.invalidUrl';
      return 'form.errors.invalid';
    case 'invalid_value':
      return 'form.errors.invalidChoice';
    default:
      return 'form.errors.invalid';
  }
}

function issueParams(issue: z.core.$ZodIssue): Record<string, string | number> {
  const params: Record<string, unknown> = {};
  if (issue.code === 'too_small') params[issue.exact ? 'length' : 'min'] = issue.minimum;
  if (issue.code === 'too_big') params[issue.exact ? 'length' : 'max'] = issue.maximum;
  if (issue.code === 'custom' && issue.params) Object.assign(params, issue.params);
  const clean: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) {
    const param = toParam(value);
    if (param !== undefined) clean[name] = param;
  }
  return clean;
}

export function issueToFieldError(issue: z.core.$ZodIssue): FieldError {
  // Schemas may carry their parameters in the message itself ('password.tooShort?min=15'), since
  // zod drops custom params on the way through some refinements.
  const decoded = decodeFieldMessage(issue.message);
  const key = isMessageKey(decoded.key) ? decoded.key : builtInKey(issue);
  const params = { ...issueParams(issue), ...decoded.params };
  return Object.keys(params).length > 0 ? { key, params } : { key };
}

/**
 * The first issue of each field, by dotted path. Issues about the whole value (an empty path) are
 * under the key '' so that callers can show them as the form's own error.
 */
export function zodFieldErrors(error: z.ZodError): Record<string, FieldError> {
  const errors = new Map<string, FieldError>();
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (!errors.has(path)) errors.set(path, issueToFieldError(issue));
  }
  return Object.fromEntries(errors);
}

export type FormValidation<T> =
  | { ok: true; data: T; input: FormInput }
  | { ok: false; fieldErrors: Record<string, FieldError>; formError?: FieldError; input: FormInput };

/** Reads and validates a submission exactly as the server action will. */
export async function validateFormData<S extends z.ZodType>(
  schema: S,
  formData: FormData,
): Promise<FormValidation<z.output<S>>> {
  const keys = schemaKeys(schema);
  const input = readFormData(formData, keys);
  // reportInput lets the issue tell a missing field from a wrong one; the input is never passed on.
  const result = await schema.safeParseAsync(input.values, { reportInput: true });
  if (result.success && Object.keys(input.problems).length === 0)
    return { ok: true, data: result.data, input };
  const { '': formError, ...fieldErrors } = result.success ? {} : zodFieldErrors(result.error);
  return {
    ok: false,
    fieldErrors: inFieldOrder({ ...fieldErrors, ...input.problems }, keys),
    formError,
    input,
  };
}

/**
 * Errors in the order of the schema's fields, which is the form's: the error summary lists them so
 * even on a page rendered before the browser has the schema (decision 037).
 */
function inFieldOrder(
  errors: Record<string, FieldError>,
  keys: readonly string[] | undefined,
): Record<string, FieldError> {
  if (!keys) return errors;
  const rank = (name: string) => (keys.includes(name) ? keys.indexOf(name) : keys.length);
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => rank(a) - rank(b)));
}
