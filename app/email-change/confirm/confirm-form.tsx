'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useActionState, type ReactNode } from 'react';
import { z } from 'zod';
import { ProblemSummary } from '@/components/form/form';
import { Button } from '@/components/ui/button';
import type { FormState } from '@/lib/web/form-validation';
import { confirmChange, type ConfirmOutcome } from './actions';

const outcomeSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('changed'), newEmail: z.string() }),
  z.object({ outcome: z.literal('invalid_or_expired') }),
]);

/** One button: following the link changes nothing by itself (S43), the press does. */
export function ConfirmEmailChangeForm({
  token,
  newEmail,
  invalid,
}: {
  token: string;
  newEmail: string;
  invalid: ReactNode;
}) {
  const t = useTranslations('emailChange.confirm');
  const [state, action, pending] = useActionState<FormState<ConfirmOutcome>, FormData>(confirmChange, {
    status: 'idle',
  });
  const parsed = state.status === 'success' ? outcomeSchema.safeParse(state.extra) : undefined;
  // A refused post (a token that cannot be one) or a failure on our side: say so above the button.
  const problem =
    state.status === 'error' ? (state.formError ?? { key: 'emailChange.confirm.invalidTitle' }) : undefined;
  if (parsed?.success) {
    const outcome = parsed.data;
    return (
      <div role="status">
        <h1>{t(outcome.outcome === 'changed' ? 'doneTitle' : 'invalidTitle')}</h1>
        <p>{outcome.outcome === 'changed' ? t('done', { newEmail: outcome.newEmail }) : t('invalid')}</p>
        <p>
          <Link href="/account/email">{t('toAccount')}</Link>
        </p>
      </div>
    );
  }
  // The page found the link dead (or already used, when a form posted without JavaScript is answered).
  if (invalid) return invalid;
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('body', { newEmail })}</p>
      <form action={action}>
        {problem ? <ProblemSummary problem={problem} /> : null}
        <input type="hidden" name="token" value={token} />
        <Button disabled={pending}>{t('submit')}</Button>
      </form>
    </>
  );
}
