'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { adminRevokeAccessToken } from '@/lib/access-tokens';
import { systemClock } from '@/lib/clock';
import { adminRevokeAccessTokenSchema } from '@/lib/validation/access-tokens';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';
import { requireAdmin } from '@/lib/web/session';

/** An admin revokes one token of the account on this page. The role is checked here (S45). */
export async function adminRevokeAccessTokenAction(prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireAdmin();
  return createFormAction(adminRevokeAccessTokenSchema, async ({ userId, tokenId }): Promise<FormResult> => {
    const result = await adminRevokeAccessToken(
      await getDb(),
      { adminId: session.user.id, userId, tokenId },
      await requestContext(),
      systemClock,
    );
    if (!result.ok) return { status: 'error', formError: { key: 'adminAccessTokens.errors.notFound' } };
    // The owner is told at once (S60).
    deliverMailAfterResponse();
    redirect(`/admin/users/${userId}?tokenRevoked=1#access-tokens-title`);
  })(prev, formData);
}
