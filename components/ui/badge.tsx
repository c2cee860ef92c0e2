import type { ReactNode } from 'react';
import type { AccountState } from '@/lib/account-state';
import styles from './badge.module.css';

export type BadgeTone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';

/** How each account state looks wherever it is shown: waiting states warn, stopped ones are red. */
export const ACCOUNT_STATE_TONE: Record<AccountState, BadgeTone> = {
  active: 'success',
  pending: 'warning',
  unverified: 'neutral',
  locked: 'danger',
  rejected: 'danger',
};

export function Badge({ tone = 'neutral', children }: { tone?: BadgeTone; children: ReactNode }) {
  return <span className={`${styles.badge} ${styles[tone]}`}>{children}</span>;
}
