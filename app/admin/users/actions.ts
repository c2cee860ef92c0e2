'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { decideMany, MAX_BULK } from '@/lib/admin-users';
import { systemClock } from '@/lib/clock';
import { createFormAction, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';
import { requireAdmin } from '@/lib/web/session';

const schema = z.object({
  decision: z.enum(['approve', 'reject'], { error: 'adminUsers.bulk.noDecision' }),
  // One row's own button names that row; otherwise the ticked boxes are the selection.
  single: z.uuid().optional().or(z.literal('')),
  confirm: z.literal('yes').optional(),
});

/**
 * Approves or rejects the pending accounts ticked in the queue (or the one whose own button was
 * pressed). Rejecting asks for the confirmation box. The role is checked here, in the action itself,
 * not only by the page (S45).
 */
const decideSelectedAction = createFormAction(schema, async ({ decision, single, confirm }, { formData }) => {
  const admin = await requireAdmin();
  const userIds = single ? [single] : formData.getAll('userId').filter((v) => typeof v === 'string');
  if (userIds.length === 0) return { status: 'error', formError: { key: 'adminUsers.bulk.noneSelected' } };
  if (userIds.length > MAX_BULK) {
    return { status: 'error', formError: { key: 'adminUsers.bulk.tooMany', params: { max: MAX_BULK } } };
  }
  if (decision === 'reject' && confirm !== 'yes') {
    return { status: 'error', fieldErrors: { confirm: { key: 'adminUsers.bulk.confirmReject' } } };
  }
  const result = await decideMany(
    await getDb(),
    { adminId: admin.user.id, userIds, decision },
    await requestContext(),
    systemClock,
  );
  if (result.done > 0) deliverMailAfterResponse();
  revalidatePath('/admin/users');
  return {
    status: 'success',
    message: {
      key: decision === 'approve' ? 'adminUsers.bulk.approved' : 'adminUsers.bulk.rejected',
      params: { done: result.done, skipped: result.skipped },
    },
  };
});

// An exported async function (not a const holding one): Next.js only finds those for forms posted without JavaScript.
export async function decideSelected(prev: FormState, formData: FormData): Promise<FormState> {
  return decideSelectedAction(prev, formData);
}
