import { useId, type ReactNode } from 'react';
import styles from './card.module.css';

type CardProps = {
  /** The card's heading; the card becomes a region named by it. */
  title?: ReactNode;
  /** Heading level, so the outline stays right wherever the card sits (2 by default). */
  level?: 2 | 3;
  /** Beside the title: a link or a badge. */
  actions?: ReactNode;
  children: ReactNode;
};

/** A bordered box for one subject of a page. With a title it is a named section. */
export function Card({ title, level = 2, actions, children }: CardProps) {
  const titleId = useId();
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section className={styles.card} aria-labelledby={title ? titleId : undefined}>
      {title || actions ? (
        <div className={styles.header}>
          {title ? (
            <Heading id={titleId} className={styles.title}>
              {title}
            </Heading>
          ) : null}
          {actions}
        </div>
      ) : null}
      <div className={styles.body}>{children}</div>
    </section>
  );
}

/** Cards in columns where the screen is wide enough, one under the other where it is not. */
export function CardGrid({ children }: { children: ReactNode }) {
  return <div className={styles.grid}>{children}</div>;
}
