'use server';

import type { FormState } from '@/lib/web/form-action';
import { revokeInviteForm, sendInviteForm } from '@/lib/web/invite-actions';
import { requireAdmin } from '@/lib/web/session';

// The role is checked here, in each action, not only by the page (S45).
export async function adminSendInviteAction(prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireAdmin('/admin/users/invites');
  return sendInviteForm(session, '/admin/users/invites')(prev, formData);
}

export async function adminRevokeInviteAction(prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireAdmin('/admin/users/invites');
  return revokeInviteForm(session, '/admin/users/invites')(prev, formData);
}
