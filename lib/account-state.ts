import type { User } from '@/db/schema';

export const accountStates = ['unverified', 'pending', 'active', 'locked', 'rejected'] as const;
export type AccountState = (typeof accountStates)[number];

/**
 * The one place that says what state an account is in. Only `active` may hold a session (S44).
 * Rejected and locked come first: they stop an account whatever else is true of it.
 */
export function accountState(
  user: Pick<User, 'emailVerifiedAt' | 'approvedAt' | 'lockedAt' | 'rejectedAt'>,
): AccountState {
  if (user.rejectedAt) return 'rejected';
  if (user.lockedAt) return 'locked';
  if (!user.emailVerifiedAt) return 'unverified';
  if (!user.approvedAt) return 'pending';
  return 'active';
}
