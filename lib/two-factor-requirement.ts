import { DAY } from './clock';
import { settingFromRow } from './settings';

/**
 * The platform's two-factor requirement as one rule on values already read, so that the session check
 * (lib/sessions.ts, one statement per page view) and twoFactorEnrolmentDue (lib/two-factor.ts) cannot
 * drift apart.
 */

export const ENROLMENT_SETTINGS = [
  'two_factor_required_everyone',
  'two_factor_required_admins',
  'two_factor_grace_days',
] as const;

/** The three settings' rows as read: the stored value and when it was last written. */
export type EnrolmentSettingRows = Partial<
  Record<(typeof ENROLMENT_SETTINGS)[number], { value: unknown; at: string | Date }>
>;

/**
 * Whether a person must now set up two-factor sign-in before going on: the platform requires it of
 * admins or of everyone, they have no factor, and their grace period is over. The grace runs from the
 * later of the account's creation and the moment the requirement was switched on (the setting row's
 * updated_at: saving only writes settings that changed).
 */
export function enrolmentDue(
  user: { role: 'user' | 'admin'; createdAt: Date },
  hasFactor: boolean,
  rows: EnrolmentSettingRows,
  now: Date,
): boolean {
  const everyone = settingFromRow('two_factor_required_everyone', rows.two_factor_required_everyone);
  const admins = settingFromRow('two_factor_required_admins', rows.two_factor_required_admins);
  const key = everyone
    ? 'two_factor_required_everyone'
    : admins && user.role === 'admin'
      ? 'two_factor_required_admins'
      : null;
  if (!key || hasFactor) return false;
  const graceDays = settingFromRow('two_factor_grace_days', rows.two_factor_grace_days);
  const since = rows[key]?.at;
  const start = Math.max(since ? new Date(since).getTime() : 0, user.createdAt.getTime());
  return now.getTime() >= start + graceDays * DAY;
}
