import type { ReactNode } from 'react';
import styles from './alert.module.css';

export type AlertTone = 'info' | 'success' | 'warning' | 'danger';

type AlertProps = {
  tone?: AlertTone;
  /** Shown in bold before the text. */
  title?: ReactNode;
  /**
   * 'alert' for a problem that appeared after the page loaded or that blocks the page's purpose;
   * 'status' for a confirmation; none for a standing notice read with the page.
   */
  role?: 'alert' | 'status';
  children: ReactNode;
};

/** A message set apart from the page: a coloured bar, a border, and the words say the tone. */
export function Alert({ tone = 'info', title, role, children }: AlertProps) {
  return (
    <div role={role} className={`${styles.alert} ${styles[tone]}`}>
      {title ? <strong className={styles.title}>{title}</strong> : null} {children}
    </div>
  );
}
