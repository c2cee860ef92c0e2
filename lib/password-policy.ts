import { createHash } from 'node:crypto';
import { dictionary } from '@zxcvbn-ts/language-common';
import type { Db } from '@/db/client';
import { env } from './env';
import { log as appLog } from './log';
import { normalizePassword } from './password';
import { getSetting } from './settings';
import { checkPasswordLength, DEFAULT_APP_NAME, type PasswordProblem } from './validation/password';

/**
 * The full password policy (SECURITY.md S1–S8), run on the server at registration, reset and
 * change, after the form schema from lib/validation/password.ts has parsed the input.
 */

export {
  DEFAULT_APP_NAME,
  PASSWORD_ABSOLUTE_MIN,
  PASSWORD_DEFAULT_MIN,
  PASSWORD_MAX_LENGTH,
  effectiveMinLength,
  passwordLength,
  passwordProblemMessage,
  type PasswordProblem,
} from './validation/password';

export interface PasswordPolicyContext {
  /** The password_min_length setting; clamped to [8, 128]. */
  minLength: number;
  username?: string;
  email?: string;
  /** The product's name (the operator's brand); defaults to 'Gatehouse'. */
  appName?: string;
}

/**
 * What the policy takes from the platform's settings: the minimum length, and the product's name
 * as people see it (the brand, else Gatehouse), which a password must not contain (S8).
 */
export async function platformPasswordContext(db: Db): Promise<{ minLength: number; appName: string }> {
  const [minLength, brand] = await Promise.all([
    getSetting(db, 'password_min_length'),
    getSetting(db, 'brand'),
  ]);
  return { minLength, appName: brand.name ?? DEFAULT_APP_NAME };
}

export type PasswordPolicyResult = { ok: true } | { ok: false; problem: PasswordProblem };

let commonPasswords: ReadonlySet<string> | undefined;

/**
 * zxcvbn-ts's 'passwords-common' list: the most frequent passwords from leaked corpora, ranked by
 * frequency. The package unpacks it when this module is first imported (~40 ms, once per process);
 * the folded Set (~10 ms) waits for the first check. The entries are already lower case; folding
 * again keeps the comparison case-insensitive whatever a future version ships.
 */
function getCommonPasswords(): ReadonlySet<string> {
  commonPasswords ??= new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()));
  return commonPasswords;
}

/** How many passwords the common list holds (S6 requires at least 10,000). */
export function commonPasswordCount(): number {
  return getCommonPasswords().size;
}

// Digits, punctuation, symbols and spaces at the end: the "password123!" / "dragon 2024" habit.
const APPENDED_DIGITS_AND_PUNCTUATION = /[\p{N}\p{P}\p{S}\s]+$/u;

/**
 * A password is common when, lower-cased, it is on the list, or when it is a listed password
 * followed only by digits, punctuation, symbols or spaces: cracking rules try exactly those suffixes
 * first, so 'Password123!' is no stronger than 'password'. Prefixes and l33t are left to the meter.
 */
function isCommon(folded: string): boolean {
  const list = getCommonPasswords();
  if (list.has(folded)) return true;
  const stem = folded.replace(APPENDED_DIGITS_AND_PUNCTUATION, '');
  return stem.length > 0 && stem !== folded && list.has(stem);
}

// Shorter fragments ('al', 'jo') occur inside ordinary words and would refuse good passphrases.
const MIN_PERSONAL_LENGTH = 3;

function personalFragment(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const folded = normalizePassword(value.trim()).toLowerCase();
  return [...folded].length >= MIN_PERSONAL_LENGTH ? folded : undefined;
}

function emailLocalPart(email: string | undefined): string | undefined {
  if (email === undefined) return undefined;
  const at = email.lastIndexOf('@');
  return at < 0 ? email : email.slice(0, at);
}

function findPersonal(folded: string, context: PasswordPolicyContext): PasswordProblem | undefined {
  const checks = [
    ['username', personalFragment(context.username)],
    ['email', personalFragment(emailLocalPart(context.email))],
    ['app_name', personalFragment(context.appName ?? DEFAULT_APP_NAME)],
  ] as const;
  for (const [what, fragment] of checks) {
    if (fragment === undefined || !folded.includes(fragment)) continue;
    if (what === 'app_name' && context.appName !== undefined) {
      return { code: 'contains_personal', what, appName: context.appName };
    }
    return { code: 'contains_personal', what };
  }
  return undefined;
}

/**
 * Everything but the breach check, in the order a user can act on: length first (most common
 * passwords are short anyway), then the list, then personal data. No composition rules (S4).
 */
export function checkPasswordPolicy(password: string, context: PasswordPolicyContext): PasswordPolicyResult {
  const lengthProblem = checkPasswordLength(password, context.minLength);
  if (lengthProblem) return { ok: false, problem: lengthProblem };

  const folded = normalizePassword(password).toLowerCase();
  if (isCommon(folded)) return { ok: false, problem: { code: 'common' } };

  const personal = findPersonal(folded, context);
  if (personal) return { ok: false, problem: personal };

  return { ok: true };
}

export const PWNED_PASSWORDS_RANGE_URL = 'https://api.pwnedpasswords.com/range/';
const DEFAULT_BREACH_TIMEOUT_MS = 2000;

export type BreachCheckResult = { breached: false } | { breached: true; count: number };

export interface BreachCheckOptions {
  /** The breach_check setting; off by default because it sends data (a hash prefix) to a third party. */
  enabled: boolean;
  fetch?: typeof fetch;
  /** A Pwned Passwords compatible range endpoint; the 5-character prefix is appended. */
  endpoint?: string;
  timeoutMs?: number;
  log?: (event: string, fields: object) => void;
}

type RangeOutcome =
  | { ok: true; body: string }
  | { ok: false; reason: 'timeout' | 'network' }
  | { ok: false; reason: 'http_status'; status: number };

async function fetchRange(
  url: string,
  options: BreachCheckOptions,
  timeoutMs: number,
): Promise<RangeOutcome> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Raced as well as aborted, so an injected fetch that ignores the signal still can't hold a
  // registration hostage.
  const timeout = new Promise<RangeOutcome>((resolve) => {
    timer = setTimeout(() => {
      resolve({ ok: false, reason: 'timeout' });
      controller.abort();
    }, timeoutMs);
  });
  const request = (async (): Promise<RangeOutcome> => {
    // Padding makes every response about the same size, so an observer of the TLS stream can't
    // tell which prefix, and so roughly which password, was asked about.
    const response = await doFetch(url, { headers: { 'Add-Padding': 'true' }, signal: controller.signal });
    if (response.status !== 200) return { ok: false, reason: 'http_status', status: response.status };
    return { ok: true, body: await response.text() };
  })().catch((): RangeOutcome => ({ ok: false, reason: controller.signal.aborted ? 'timeout' : 'network' }));
  try {
    return await Promise.race([request, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The count for suffix in a `SUFFIX:COUNT` range response, or undefined if the body isn't one. */
function countInRange(body: string, suffix: string): number | undefined {
  let sawEntry = false;
  for (const line of body.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const count = Number.parseInt(line.slice(colon + 1).trim(), 10);
    if (!Number.isSafeInteger(count)) continue;
    sawEntry = true;
    if (line.slice(0, colon).trim().toUpperCase() === suffix) return count;
  }
  return sawEntry ? 0 : undefined;
}

/**
 * S7: Have I Been Pwned's k-anonymity range API. Only the first 5 hex digits of the SHA-1 leave the
 * server; the match happens here. Fails open: a breach provider being down must never stop anyone
 * registering or resetting, so every failure is logged once and reported as "not breached".
 * Padding entries (count 0) are not breaches.
 */
export async function checkBreached(
  password: string,
  options: BreachCheckOptions,
): Promise<BreachCheckResult> {
  if (!options.enabled) return { breached: false };
  const log = options.log ?? ((event: string, fields: object) => appLog.warn(event, { ...fields }));
  const timeoutMs =
    options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs) && options.timeoutMs > 0
      ? options.timeoutMs
      : DEFAULT_BREACH_TIMEOUT_MS;
  const endpoint = options.endpoint ?? PWNED_PASSWORDS_RANGE_URL;

  const digest = createHash('sha1').update(normalizePassword(password), 'utf8').digest('hex').toUpperCase();
  const prefix = digest.slice(0, 5);
  const suffix = digest.slice(5);

  const url = `${endpoint}${endpoint.endsWith('/') ? '' : '/'}${prefix}`;
  const outcome = await fetchRange(url, options, timeoutMs);
  if (!outcome.ok) {
    const { ok: _ok, ...fields } = outcome;
    log('password.breach_check_unavailable', fields);
    return { breached: false };
  }
  const count = countInRange(outcome.body, suffix);
  if (count === undefined) {
    log('password.breach_check_unavailable', { reason: 'bad_response' });
    return { breached: false };
  }
  return count > 0 ? { breached: true, count } : { breached: false };
}

/**
 * The whole policy for a password someone is choosing (registration, reset, change, set-password):
 * the local checks, then the breach check when HIBP_ENABLED is set (S7). The breach check runs last,
 * so nothing leaves the server for a password the local rules already refuse.
 */
export async function checkNewPassword(
  password: string,
  context: PasswordPolicyContext,
  options: Omit<BreachCheckOptions, 'enabled' | 'endpoint'> = {},
): Promise<PasswordPolicyResult> {
  const local = checkPasswordPolicy(password, context);
  if (!local.ok) return local;
  const { HIBP_ENABLED, HIBP_URL } = env();
  const breach = await checkBreached(password, { ...options, enabled: HIBP_ENABLED, endpoint: HIBP_URL });
  return breach.breached ? { ok: false, problem: { code: 'breached', count: breach.count } } : { ok: true };
}
