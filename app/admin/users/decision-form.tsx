'use client';

import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import type { FormState } from '@/lib/web/form-validation';
import { decide } from './actions';

export function DecisionForm({ userId, username }: { userId: string; username: string }) {
  const t = useTranslations();
  const [state, action, pending] = useActionState<FormState, FormData>(decide, { status: 'idle' });
  const message =
    state.status === 'success' ? state.message : state.status === 'error' ? state.formError : undefined;
  return (
    <form action={action}>
      <input type="hidden" name="userId" value={userId} />
      <button type="submit" name="decision" value="approve" disabled={pending}>
        {t('adminUsers.approve', { username })}
      </button>{' '}
      <button type="submit" name="decision" value="reject" disabled={pending}>
        {t('adminUsers.reject', { username })}
      </button>
      <span role="status">{message && t.has(message.key) ? t(message.key) : null}</span>
    </form>
  );
}
