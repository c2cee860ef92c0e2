import 'server-only';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { getLocale } from 'next-intl/server';
import { getDb } from '@/db/client';
import { systemClock } from '@/lib/clock';
import { isLocale } from '@/lib/i18n/config';
import { revokeInvite, sendInvite } from '@/lib/invites';
import { inviteSchema, revokeInviteSchema } from '@/lib/validation/signup-policy';
import type { AppSession } from './auth';
import { createFormAction, type FormResult } from './form-action';
import { deliverMailAfterResponse } from './mail';
import { requestContext } from './request-info';

/**
 * The invite and revoke forms of /account/invites and /admin/users/invites: the same flows, called
 * by whoever the page's action has already checked (a user, or an admin who may revoke any invite).
 */

const SEND_ERRORS = {
  not_allowed: 'invites.errors.notAllowed',
  signup_closed: 'invites.errors.closed',
  too_many_open: 'invites.errors.tooMany',
} as const;

export function sendInviteForm(session: AppSession, page: string) {
  return createFormAction(inviteSchema, async ({ email }): Promise<FormResult> => {
    const locale = await getLocale();
    const result = await sendInvite(
      await getDb(),
      { inviterId: session.user.id, email, locale: isLocale(locale) ? locale : 'en' },
      await requestContext(),
      systemClock,
    );
    if (result.ok) {
      deliverMailAfterResponse();
      revalidatePath(page);
      return { status: 'success', message: { key: 'invites.sent', params: { email } } };
    }
    if (result.code === 'domain_not_allowed') {
      return { status: 'error', fieldErrors: { email: { key: 'signupPolicy.errors.domain' } } };
    }
    return { status: 'error', formError: { key: SEND_ERRORS[result.code] } };
  });
}

export function revokeInviteForm(session: AppSession, page: string) {
  return createFormAction(revokeInviteSchema, async ({ inviteId }): Promise<FormResult> => {
    const result = await revokeInvite(
      await getDb(),
      { actorId: session.user.id, inviteId, asAdmin: session.user.role === 'admin' },
      await requestContext(),
      systemClock,
    );
    if (!result.ok) return { status: 'error', formError: { key: 'invites.errors.notFound' } };
    // The row and its form are gone once revoked: the page itself says so.
    redirect(`${page}?revoked=1`);
  });
}
