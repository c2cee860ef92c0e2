'use server';

import { redirect } from 'next/navigation';
import { AuthError } from 'next-auth';
import { z } from 'zod';
import { safeReturnPath } from '@/lib/urls';
import { loginSchema } from '@/lib/validation/registration';
import { signIn } from '@/lib/web/auth';
import { createFormAction, type FormState, waitParams } from '@/lib/web/form-action';

const schema = loginSchema.extend({ next: z.string().max(512).optional() });

const messages: Record<string, string> = {
  invalid_credentials: 'login.errors.invalid',
  unverified: 'login.errors.unverified',
  pending: 'login.errors.pending',
  rejected: 'login.errors.rejected',
  busy: 'login.errors.busy',
  rate_limited: 'login.errors.rateLimited',
};

const loginAction = createFormAction(schema, async ({ identifier, password, next }) => {
  try {
    // On success this throws Next's redirect, which the form wrapper lets through.
    await signIn('credentials', { identifier, password, redirectTo: safeReturnPath(next) ?? '/account' });
  } catch (error) {
    if (!(error instanceof AuthError) || error.type !== 'CredentialsSignin') throw error;
    const [code = 'invalid_credentials', seconds] = String((error as { code?: unknown }).code).split(':');
    if (code === 'second_factor') {
      const returnTo = safeReturnPath(next);
      redirect(`/login/two-factor${returnTo ? `?next=${encodeURIComponent(returnTo)}` : ''}`);
    }
    return {
      status: 'error',
      formError: {
        key: messages[code] ?? messages.invalid_credentials!,
        params: waitParams(Number(seconds) || 1),
      },
    };
  }
});

// An exported async function (not a const holding one): Next.js only finds those for forms posted without JavaScript.
export async function login(prev: FormState, formData: FormData): Promise<FormState> {
  return loginAction(prev, formData);
}
