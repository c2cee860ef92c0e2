'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { parseOutboxQuery, requeueOutboxMail } from '@/lib/admin-mail';
import { systemClock } from '@/lib/clock';
import { createFormAction, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';
import { requireAdmin } from '@/lib/web/session';

const requeueSchema = z.object({
  id: z.uuid({ error: 'adminMail.notFailed' }),
  // Where the admin was, to go back there: read as forgivingly as the page reads its query string.
  status: z.string().max(20).optional(),
  page: z.string().max(10).optional(),
});

// An exported async function (not a const holding one): Next.js only finds those for forms posted
// without JavaScript. The role is checked here, not only by the page (S45).
export async function requeue(prev: FormState, formData: FormData): Promise<FormState> {
  const admin = await requireAdmin('/admin/mail');
  return createFormAction(requeueSchema, async ({ id, status, page }) => {
    const result = await requeueOutboxMail(
      await getDb(),
      { adminId: admin.user.id, id },
      await requestContext(),
      systemClock,
    );
    if (!result.ok) return { status: 'error', formError: { key: 'adminMail.notFailed' } };
    deliverMailAfterResponse();
    revalidatePath('/admin/mail');
    const back = parseOutboxQuery({ status, page });
    const query = new URLSearchParams();
    if (back.status) query.set('status', back.status);
    if (back.page > 1) query.set('page', String(back.page));
    query.set('requeued', '1');
    redirect(`/admin/mail?${query.toString()}`);
  })(prev, formData);
}
