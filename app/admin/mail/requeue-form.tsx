'use client';

import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import type { FormState } from '@/lib/web/form-validation';
import { requeue } from './actions';
import styles from './mail.module.css';

/** "Re-send" for one failed mail; on success the action reloads the page with a confirmation. */
export function RequeueForm({
  id,
  to,
  status,
  page,
}: {
  id: string;
  to: string;
  status: string;
  page: number;
}) {
  const t = useTranslations('adminMail');
  const [state, action, pending] = useActionState<FormState, FormData>(requeue, { status: 'idle' });
  return (
    <form action={action} className={styles.requeue}>
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="status" value={status} />
      <input type="hidden" name="page" value={String(page)} />
      <Button variant="secondary" size="small" aria-disabled={pending || undefined}>
        {t('resend')}
        <span className="visually-hidden">{t('resendContext', { to })}</span>
      </Button>
      {state.status === 'error' ? (
        <p role="alert" className={styles.error}>
          {t('notFailed')}
        </p>
      ) : null}
    </form>
  );
}
