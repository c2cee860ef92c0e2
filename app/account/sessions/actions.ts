'use server';

import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { revokeAllOtherSessions, revokeOtherSession } from '@/lib/session-management';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { requestContext } from '@/lib/web/request-info';
import { requireUser } from '@/lib/web/session';
import { revokeOtherSessionsSchema, revokeSessionSchema } from '@/lib/validation/sessions';

export async function revokeSessionAction(prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireUser('/account/sessions');
  return createFormAction(revokeSessionSchema, async ({ handle }): Promise<FormResult> => {
    const result = await revokeOtherSession(
      await getDb(),
      { userId: session.user.id, currentSessionId: session.sid, handle },
      await requestContext(),
      systemClock,
    );
    if (result.ok) redirect('/account/sessions?ended=one');
    const key =
      result.code === 'current_session' ? 'sessionsPage.errors.current' : 'sessionsPage.errors.notFound';
    return { status: 'error', formError: { key } };
  })(prev, formData);
}

export async function revokeOtherSessionsAction(prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireUser('/account/sessions');
  return createFormAction(revokeOtherSessionsSchema, async () => {
    await revokeAllOtherSessions(
      await getDb(),
      { userId: session.user.id, currentSessionId: session.sid },
      await requestContext(),
      systemClock,
    );
    redirect('/account/sessions?ended=all');
  })(prev, formData);
}
