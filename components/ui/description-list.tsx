import { Fragment, type ReactNode } from 'react';
import styles from './description-list.module.css';

export type DescriptionItem = { term: ReactNode; details: ReactNode };

/** Names and values: a profile summary, a record's fields. */
export function DescriptionList({ items }: { items: DescriptionItem[] }) {
  return (
    <dl className={styles.list}>
      {items.map(({ term, details }, index) => (
        // The items are fixed for the list's life: their place is their identity.
        <Fragment key={index}>
          <dt className={styles.term}>{term}</dt>
          <dd className={styles.details}>{details}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
