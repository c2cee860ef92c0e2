import { z } from 'zod';

/**
 * The parts of the password policy that the browser can run: length bounds, the new-password form
 * schema and the message format. Nothing here may import node: modules or the common-password
 * dictionary (≈380 kB), because ActionForm runs this schema in client components. The server
 * runs the same schema and then checkPasswordPolicy() from lib/password-policy.ts.
 */

/** ASVS V6.2.9 wants at least 64 and permits a cap no lower than 128. */
export const PASSWORD_MAX_LENGTH = 128;
/** NIST SP 800-63B: a memorised secret chosen by the user is never shorter than 8. */
export const PASSWORD_ABSOLUTE_MIN = 8;
/** What the password_min_length setting defaults to (NIST §3.1.1.2 for single-factor accounts). */
export const PASSWORD_DEFAULT_MIN = 15;

/** The name the app-name rule (S8) uses when the operator has not set one. */
export const DEFAULT_APP_NAME = 'Gatehouse';

export type PasswordProblem =
  | { code: 'too_short'; min: number }
  | { code: 'too_long'; max: number }
  | { code: 'common' }
  /** `appName` (app_name only): the operator's product name when one is set, so the message names it. */
  | { code: 'contains_personal'; what: 'username' | 'email' | 'app_name'; appName?: string }
  | { code: 'breached'; count: number };

// NFKC never deletes characters and canonical composition folds at most 4 code points into one, each
// at most 2 UTF-16 units: past 8 units per allowed code point the answer is certain, so such input is
// refused without paying for normalising a multi-megabyte string. 16 leaves a margin.
const RAW_LENGTH_GUARD = PASSWORD_MAX_LENGTH * 16;

/**
 * The minimum comes from an admin setting; a bad or tiny value must not weaken the policy, and a value
 * above the maximum would make every password impossible.
 */
export function effectiveMinLength(minLength: number): number {
  if (!Number.isFinite(minLength)) return PASSWORD_DEFAULT_MIN;
  return Math.min(PASSWORD_MAX_LENGTH, Math.max(PASSWORD_ABSOLUTE_MIN, Math.ceil(minLength)));
}

/**
 * Length as NIST counts it: code points after NFKC, the same normalisation lib/password.ts applies
 * before hashing (it can't be imported here: it pulls in argon2). An emoji is one, a family emoji
 * joined with ZWJ is several, 'e' + combining acute is one because NFKC composes it.
 */
export function passwordLength(password: string): number {
  let count = 0;
  // for…of walks code points, so a surrogate pair counts once without building an array.
  for (const _ of password.normalize('NFKC')) count += 1;
  return count;
}

/** The length half of the policy, shared by the form schema and checkPasswordPolicy. */
export function checkPasswordLength(password: string, minLength: number): PasswordProblem | undefined {
  if (password.length > RAW_LENGTH_GUARD) return { code: 'too_long', max: PASSWORD_MAX_LENGTH };
  const length = passwordLength(password);
  const min = effectiveMinLength(minLength);
  if (length < min) return { code: 'too_short', min };
  if (length > PASSWORD_MAX_LENGTH) return { code: 'too_long', max: PASSWORD_MAX_LENGTH };
  return undefined;
}

export type MessageParams = Record<string, string | number>;
export interface FieldMessage {
  key: string;
  params: MessageParams;
}

/**
 * Field errors travel as plain strings (react-hook-form's resolver and zod's flatten() keep only
 * `message`), so the parameters ride along in the string as `key?name=value` and the UI renders
 * t(key, params) after decodeFieldMessage().
 */
export function encodeFieldMessage(key: string, params: MessageParams = {}): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return key;
  return `${key}?${new URLSearchParams(entries.map(([name, value]) => [name, String(value)])).toString()}`;
}

export function decodeFieldMessage(message: string): FieldMessage {
  const at = message.indexOf('?');
  if (at < 0) return { key: message, params: {} };
  const params: MessageParams = {};
  for (const [name, value] of new URLSearchParams(message.slice(at + 1))) {
    // ICU plural and number formatting need real numbers, not digit strings.
    params[name] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return { key: message.slice(0, at), params };
}

/** The catalogue key and parameters that explain a policy refusal to the user. */
export function passwordProblemMessage(
  problem: PasswordProblem,
  options: { appName?: string } = {},
): FieldMessage {
  switch (problem.code) {
    case 'too_short':
      return { key: 'password.tooShort', params: { min: problem.min } };
    case 'too_long':
      return { key: 'password.tooLong', params: { max: problem.max } };
    case 'common':
      return { key: 'password.common', params: {} };
    case 'contains_personal':
      if (problem.what === 'username') return { key: 'password.containsUsername', params: {} };
      if (problem.what === 'email') return { key: 'password.containsEmail', params: {} };
      return {
        key: 'password.containsAppName',
        params: { appName: problem.appName ?? options.appName ?? DEFAULT_APP_NAME },
      };
    case 'breached':
      return { key: 'password.breached', params: { count: problem.count } };
  }
}

/** passwordProblemMessage() already encoded, for a field error. */
export function passwordProblemFieldMessage(
  problem: PasswordProblem,
  options: { appName?: string } = {},
): string {
  const { key, params } = passwordProblemMessage(problem, options);
  return encodeFieldMessage(key, params);
}

/**
 * Compared as they will be hashed: the same password typed through two input methods (composed vs
 * decomposed accents, full-width forms) is the same password. Oversized input is compared as sent.
 */
function samePassword(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length > RAW_LENGTH_GUARD || b.length > RAW_LENGTH_GUARD) return false;
  return a.normalize('NFKC') === b.normalize('NFKC');
}

/**
 * The "choose a new password" form (registration, reset, change). Only length and confirmation are
 * checked here: the common-password list is too big to ship to the browser, so the server follows a
 * successful parse with checkPasswordPolicy().
 */
/**
 * The new-password checks every form shares (length bounds, confirmation), as a refinement that can be
 * attached to any object schema holding `password` and `confirmPassword`.
 */
export function refineNewPassword(minLength: number) {
  return (
    { password, confirmPassword }: { password: string; confirmPassword: string },
    ctx: z.RefinementCtx,
  ) => {
    const problem = checkPasswordLength(password, minLength);
    if (problem) {
      const { key, params } = passwordProblemMessage(problem);
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: encodeFieldMessage(key, params),
        params,
      });
    }
    if (!samePassword(password, confirmPassword)) {
      ctx.addIssue({ code: 'custom', path: ['confirmPassword'], message: 'password.mismatch' });
    }
  };
}

export const passwordFieldSchema = z.string({ error: encodeFieldMessage('password.invalid') });

export function newPasswordSchema(minLength: number) {
  return z
    .object({ password: passwordFieldSchema, confirmPassword: passwordFieldSchema })
    .superRefine(refineNewPassword(minLength));
}

export type NewPasswordInput = z.infer<ReturnType<typeof newPasswordSchema>>;
