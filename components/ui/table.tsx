import { useId, type ReactNode } from 'react';
import styles from './table.module.css';

type TableProps = {
  caption: ReactNode;
  /** Shown above the table; hidden, the caption is for screen readers where a heading says it already. */
  captionVisible?: boolean;
  /** The column headings, in order. */
  columns: ReactNode[];
  /** The rows (`<tr>` elements). */
  children: ReactNode;
  /** On the box around the table, which scrolls sideways on a narrow screen. */
  className?: string;
};

/** A table: a caption, a row of column headings, and the rows it is given. */
export function Table({ caption, captionVisible = false, columns, children, className }: TableProps) {
  const captionId = useId();
  return (
    // A box that may scroll must be reachable by keyboard to be scrolled (axe scrollable-region-focusable):
    // a named group in the tab order, whether or not it holds a link. Not a region: the section
    // around the table is already a landmark with the same name.
    <div
      className={className ? `${styles.scroll} ${className}` : styles.scroll}
      role="group"
      aria-labelledby={captionId}
      tabIndex={0}
    >
      <table className={styles.table}>
        <caption id={captionId} className={captionVisible ? styles.caption : 'visually-hidden'}>
          {caption}
        </caption>
        <thead>
          <tr>
            {columns.map((column, index) => (
              // The headings are fixed for the table's life: their place is their identity.
              <th key={index} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
