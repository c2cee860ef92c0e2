import { DAY, HOUR, MINUTE } from './clock';

/**
 * The rate limits' names, windows and default maximums (lib/rate-limit.ts counts them). Plain data,
 * so that the admin settings form can list them in the browser too. An admin can change the maximum
 * of each one in ADJUSTABLE_LIMITS at /admin/settings (the `rate_limits` setting); the mail budget has
 * its own setting, `mail_hourly_budget`.
 */

export interface Limit {
  /** Part of the stored key: keep it stable, renaming it resets the counters. */
  readonly name: string;
  readonly max: number;
  readonly windowMs: number;
  /**
   * `ip`: the subject is the client's address. It counts per bucket (an IPv6 /64, see addressBucket),
   * and a request without a trustworthy address is not counted at all (decision 018).
   */
  readonly per?: 'ip';
}

export const limits = {
  registerPerIp: { name: 'register.ip', max: 10, windowMs: HOUR, per: 'ip' },
  registerPerEmail: { name: 'register.email', max: 3, windowMs: HOUR },
  resendPerIp: { name: 'resend.ip', max: 10, windowMs: HOUR, per: 'ip' },
  resendPerEmail: { name: 'resend.email', max: 5, windowMs: HOUR },
  forgotPasswordPerIp: { name: 'forgot_password.ip', max: 10, windowMs: HOUR, per: 'ip' },
  forgotPasswordPerEmail: { name: 'forgot_password.email', max: 5, windowMs: HOUR },
  // Failures per account live on the user row (failed_login_count), where the growing throttle needs them.
  loginFailuresPerIp: { name: 'login_failures.ip', max: 50, windowMs: 15 * MINUTE, per: 'ip' },
  codeEntryPerIp: { name: 'code_entry.ip', max: 20, windowMs: HOUR, per: 'ip' },
  // Across all of an address's codes: five wrong ones void a code (S20), this stops request-and-guess loops.
  codeEntryPerEmail: { name: 'code_entry.email', max: 10, windowMs: HOUR },
  // Wrong codes per account and day; with the lifetime cap (tokens.ts) only the link works past it (S61).
  codeFailuresPerAccountDaily: { name: 'code_failures.account_day', max: 20, windowMs: DAY },
  // Wrong second-factor codes per account and day, apart from the reset codes' budget (lib/two-factor.ts).
  secondFactorFailuresPerAccountDaily: { name: 'second_factor_failures.account_day', max: 20, windowMs: DAY },
  // Links carry 128 random bits, so this is about the argon2 hash each submission costs, not guessing.
  linkEntryPerIp: { name: 'link_entry.ip', max: 30, windowMs: HOUR, per: 'ip' },
  recoveryPhrasePerIp: { name: 'recovery_phrase.ip', max: 5, windowMs: HOUR, per: 'ip' },
  recoveryPhrasePerAccount: { name: 'recovery_phrase.account', max: 5, windowMs: HOUR },
  // One shared budget so a flood that slips past the per-address limits still cannot burn the mail quota.
  // Its max is the mail_hourly_budget setting (lib/mail-budget.ts); this is the default.
  mailGlobal: { name: 'mail.global', max: 1000, windowMs: HOUR },
  mailBudgetWarning: { name: 'mail.budget_warning', max: 1, windowMs: HOUR },
  // Every JSON API call of a signed-in caller (session or token): a runaway script, not a person.
  apiPerCaller: { name: 'api.caller', max: 600, windowMs: MINUTE },
} as const satisfies Record<string, Limit>;

/** The limits whose maximum /admin/settings can change, in the order the form lists them. */
export const ADJUSTABLE_LIMITS = [
  'loginFailuresPerIp',
  'registerPerIp',
  'registerPerEmail',
  'resendPerIp',
  'resendPerEmail',
  'forgotPasswordPerIp',
  'forgotPasswordPerEmail',
  'codeEntryPerIp',
  'codeEntryPerEmail',
  'linkEntryPerIp',
  'recoveryPhrasePerIp',
  'recoveryPhrasePerAccount',
] as const satisfies ReadonlyArray<keyof typeof limits>;
export type AdjustableLimit = (typeof ADJUSTABLE_LIMITS)[number];

/** Bounds of an adjusted maximum (and of the mail budget). */
export const LIMIT_MAX_BOUNDS = { min: 1, max: 1_000_000 } as const;
