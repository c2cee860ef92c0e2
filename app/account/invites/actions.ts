'use server';

import type { FormState } from '@/lib/web/form-action';
import { revokeInviteForm, sendInviteForm } from '@/lib/web/invite-actions';
import { requireUser } from '@/lib/web/session';

export async function sendInviteAction(prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireUser('/account/invites');
  return sendInviteForm(session, '/account/invites')(prev, formData);
}

/** Only the sender's own invites, unless the sender is an admin (lib/invites.ts revokeInvite). */
export async function revokeInviteAction(prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireUser('/account/invites');
  return revokeInviteForm(session, '/account/invites')(prev, formData);
}
