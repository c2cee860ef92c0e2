'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { approveUser, rejectUser } from '@/lib/approval';
import { systemClock } from '@/lib/clock';
import { createFormAction, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';
import { requireAdmin } from '@/lib/web/session';

const schema = z.object({
  userId: z.uuid({ error: 'adminUsers.notFound' }),
  decision: z.enum(['approve', 'reject']),
});

/** Approve or reject: the role is checked here, in the action itself, not only by the page (S45). */
const decideAction = createFormAction(schema, async ({ userId, decision }) => {
  const admin = await requireAdmin();
  const db = await getDb();
  const input = { adminId: admin.user.id, userId };
  const result =
    decision === 'approve'
      ? await approveUser(db, input, await requestContext(), systemClock)
      : await rejectUser(db, input, await requestContext(), systemClock);
  if (!result.ok) {
    return {
      status: 'error',
      formError: { key: result.code === 'not_found' ? 'adminUsers.notFound' : 'adminUsers.notPending' },
    };
  }
  deliverMailAfterResponse();
  revalidatePath('/admin/users');
  return {
    status: 'success',
    message: { key: decision === 'approve' ? 'adminUsers.approved' : 'adminUsers.rejected' },
  };
});

// An exported async function (not a const holding one): Next.js only finds those for forms posted without JavaScript.
export async function decide(prev: FormState, formData: FormData): Promise<FormState> {
  return decideAction(prev, formData);
}
