'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useActionState, type ReactNode } from 'react';
import { z } from 'zod';
import { ProblemSummary } from '@/components/form/form';
import { Button } from '@/components/ui/button';
import type { FormState } from '@/lib/web/form-validation';
import { reportNotMe, type NotMeOutcome } from './actions';

const outcomeSchema = z.object({ outcome: z.enum(['secured', 'invalid_or_expired']) });

/** One button: following the link changes nothing by itself (S43), the press does. */
export function NotMeForm({ token, invalid }: { token: string; invalid: ReactNode }) {
  const t = useTranslations('emailChange.notMe');
  const [state, action, pending] = useActionState<FormState<NotMeOutcome>, FormData>(reportNotMe, {
    status: 'idle',
  });
  const parsed = state.status === 'success' ? outcomeSchema.safeParse(state.extra) : undefined;
  // A refused post (a token that cannot be one) or a failure on our side: say so above the button.
  const problem =
    state.status === 'error' ? (state.formError ?? { key: 'emailChange.notMe.invalidTitle' }) : undefined;
  if (parsed?.success) {
    const secured = parsed.data.outcome === 'secured';
    return (
      <div role="status">
        <h1>{t(secured ? 'doneTitle' : 'invalidTitle')}</h1>
        <p>{t(secured ? 'done' : 'invalid')}</p>
        {secured ? <p>{t('doneNext')}</p> : null}
        <p>
          <Link href="/forgot-password">{t('forgotPassword')}</Link>
        </p>
      </div>
    );
  }
  // The page found the link dead (or already used, when a form posted without JavaScript is answered).
  if (invalid) return invalid;
  return (
    <>
      <h1>{t('title')}</h1>
      <p>{t('body')}</p>
      <form action={action}>
        {problem ? <ProblemSummary problem={problem} /> : null}
        <input type="hidden" name="token" value={token} />
        <Button disabled={pending}>{t('submit')}</Button>
      </form>
    </>
  );
}
