import type { ReactNode } from 'react';
import styles from './shown-once.module.css';

/** The framed box around a secret the page shows this once (a recovery phrase, an access token). */
export function ShownOnce({ children }: { children: ReactNode }) {
  return <div className={styles.shown}>{children}</div>;
}
