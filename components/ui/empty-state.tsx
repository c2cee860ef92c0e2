import type { ReactNode } from 'react';
import styles from './empty-state.module.css';

/** What a list or a chart says when there is nothing in it yet, and what to do about it. */
export function EmptyState({
  title,
  children,
  action,
}: {
  title: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className={styles.empty}>
      <p className={styles.title}>{title}</p>
      {children ? <p>{children}</p> : null}
      {action ? <p>{action}</p> : null}
    </div>
  );
}
