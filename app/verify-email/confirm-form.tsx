'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useActionState, type ReactNode } from 'react';
import { z } from 'zod';
import { ProblemSummary } from '@/components/form/form';
import type { FormState } from '@/lib/web/form-validation';
import { confirmEmail, type Outcome } from './actions';

const titles = {
  pending: ['verify.pendingTitle', 'verify.pending'],
  active: ['verify.activeTitle', 'verify.active'],
  already_verified: ['verify.alreadyTitle', 'verify.already'],
  invalid_or_expired: ['verify.invalidTitle', 'verify.invalid'],
} as const;

const outcomeSchema = z.object({
  outcome: z.enum(['pending', 'active', 'already_verified', 'invalid_or_expired']),
});

/** One button: following a link never changes anything by itself (S43), the press does. */
export function ConfirmEmailForm({ token, invalid }: { token: string; invalid: ReactNode }) {
  const t = useTranslations();
  const [state, action, pending] = useActionState<FormState<Outcome>, FormData>(confirmEmail, {
    status: 'idle',
  });
  const parsed = state.status === 'success' ? outcomeSchema.safeParse(state.extra) : undefined;
  // A refused post (a token that cannot be one) or a failure on our side: say so above the button.
  const problem = state.status === 'error' ? (state.formError ?? { key: 'verify.invalidTitle' }) : undefined;
  if (parsed?.success) {
    const [title, body] = titles[parsed.data.outcome];
    return (
      <div role="status">
        <h1>{t(title)}</h1>
        <p>{t(body)}</p>
        {parsed.data.outcome === 'invalid_or_expired' ? (
          <p>
            <Link href="/verify-email/resend">{t('resend.title')}</Link>
          </p>
        ) : (
          <p>
            <Link href="/login">{t('verify.signIn')}</Link>
          </p>
        )}
      </div>
    );
  }
  // The page found the link dead (or already used, when a form posted without JavaScript is answered).
  if (invalid) return invalid;
  return (
    <>
      <h1>{t('verify.title')}</h1>
      <p>{t('verify.confirmBody')}</p>
      <form action={action}>
        {problem ? <ProblemSummary problem={problem} /> : null}
        <input type="hidden" name="token" value={token} />
        <button type="submit" disabled={pending}>
          {t('verify.confirm')}
        </button>
      </form>
    </>
  );
}
