'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useActionState, useEffect, useRef } from 'react';
import { Button } from '@/components/ui/button';
import { Table } from '@/components/ui/table';
import type { FormState } from '@/lib/web/form-validation';
import { decideSelected } from './actions';
import styles from './users.module.css';

export interface PendingRow {
  id: string;
  username: string;
  fullName: string;
  email: string;
  comment: string;
  /** Already formatted in the admin's time zone by the server. */
  confirmed: { iso: string; text: string } | null;
}

/**
 * The approval queue: tick accounts and approve or reject them together, or approve one with its own
 * button. A plain form: it works the same with JavaScript off.
 */
export function PendingQueue({ rows }: { rows: PendingRow[] }) {
  const t = useTranslations('adminUsers');
  const tAll = useTranslations();
  const [state, action, pending] = useActionState<FormState, FormData>(decideSelected, { status: 'idle' });
  const statusRef = useRef<HTMLDivElement>(null);
  const message =
    state.status === 'success' ? state.message : state.status === 'error' ? state.formError : undefined;
  const confirmError = state.status === 'error' ? state.fieldErrors.confirm : undefined;

  useEffect(() => {
    if (state.status === 'error') statusRef.current?.focus();
  }, [state]);

  return (
    <form action={action} className={styles.queueForm}>
      {/* A row's own button sends only this decision; the buttons below, later in the form, override it. */}
      <input type="hidden" name="decision" value="approve" />
      <div ref={statusRef} tabIndex={-1} role={state.status === 'error' ? 'alert' : 'status'}>
        {message ? <p className={styles.notice}>{tAll(message.key, message.params)}</p> : null}
        {confirmError ? <p className={styles.error}>{tAll(confirmError.key)}</p> : null}
      </div>
      <Table
        caption={t('pendingCaption')}
        columns={[
          <span key="select" className="visually-hidden">
            {t('select')}
          </span>,
          t('user'),
          t('confirmedAt'),
          t('comment'),
          <span key="actions" className="visually-hidden">
            {t('actions')}
          </span>,
        ]}
      >
        {rows.map((row) => (
          <tr key={row.id}>
            <td>
              <input
                type="checkbox"
                name="userId"
                value={row.id}
                id={`select-${row.id}`}
                aria-label={t('selectUser', { username: row.username })}
              />
            </td>
            <td>
              <Link href={`/admin/users/${row.id}`}>{row.username}</Link>
              <br />
              {row.fullName}
              <br />
              <span className={styles.muted}>{row.email}</span>
            </td>
            <td>{row.confirmed ? <time dateTime={row.confirmed.iso}>{row.confirmed.text}</time> : null}</td>
            <td>{row.comment ? <blockquote className={styles.comment}>{row.comment}</blockquote> : null}</td>
            <td>
              <Button size="small" name="single" value={row.id} disabled={pending}>
                {t('approve', { username: row.username })}
              </Button>
            </td>
          </tr>
        ))}
      </Table>
      <p className={styles.bulk}>
        <Button variant="secondary" name="decision" value="approve" disabled={pending}>
          {t('bulk.approveSelected')}
        </Button>
        <span className={styles.rejectGroup}>
          <input
            type="checkbox"
            name="confirm"
            value="yes"
            id="confirm-reject"
            aria-invalid={Boolean(confirmError)}
          />
          <label htmlFor="confirm-reject">{t('bulk.confirmLabel')}</label>{' '}
          <Button variant="danger" name="decision" value="reject" disabled={pending}>
            {t('bulk.rejectSelected')}
          </Button>
        </span>
      </p>
    </form>
  );
}
