'use server';

import { redirect } from 'next/navigation';
import type { z } from 'zod';
import { getDb } from '@/db/client';
import { unlockUser } from '@/lib/account-lock';
import {
  adminDeleteUser,
  adminEditProfile,
  adminLockUser,
  adminResendVerification,
  adminRevokeSessions,
  adminSendPasswordReset,
  changeRole,
} from '@/lib/admin-user-actions';
import { approveUser, rejectUser } from '@/lib/approval';
import { systemClock } from '@/lib/clock';
import { removePasskey } from '@/lib/passkeys';
import { resetTwoFactorByAdmin } from '@/lib/two-factor';
import type { RequestContext } from '@/lib/request-context';
import { createFormAction, type FormResult, type FormState } from '@/lib/web/form-action';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { requestContext } from '@/lib/web/request-info';
import { requireAdmin } from '@/lib/web/session';
import {
  confirmedActionSchema,
  editProfileSchema,
  LOCK_REASON_MAX,
  lockSchema,
  removeUserPasskeySchema,
  userActionSchema,
  type DoneFlag,
} from '@/lib/validation/admin-user';

/**
 * The actions of an account's admin page. Each checks the role itself before reading the form
 * (S45: the page's check does not protect an action), and on success goes back to the page with a
 * `done` flag that the page turns into a status message, with or without JavaScript.
 */

type Admin = { id: string; context: RequestContext };

function adminAction<S extends z.ZodType>(
  schema: S,
  run: (data: z.output<S>, admin: Admin) => Promise<FormResult | void>,
) {
  return async (prev: FormState, formData: FormData): Promise<FormState> => {
    const session = await requireAdmin();
    return createFormAction(schema, async (data) =>
      run(data, { id: session.user.id, context: await requestContext() }),
    )(prev, formData);
  };
}

function done(userId: string, flag: DoneFlag, { mail = false } = {}): never {
  if (mail) deliverMailAfterResponse();
  redirect(`/admin/users/${userId}?done=${flag}`);
}

const ERRORS = {
  not_found: 'adminUser.errors.notFound',
  not_pending: 'adminUser.errors.notPending',
  already_locked: 'adminUser.errors.alreadyLocked',
  not_locked: 'adminUser.errors.notLocked',
  last_admin: 'adminUser.errors.lastAdmin',
  unchanged: 'adminUser.errors.unchanged',
  not_active: 'adminUser.errors.notActive',
  unverified: 'adminUser.errors.unverified',
  rejected: 'adminUser.errors.rejected',
  already_verified: 'adminUser.errors.alreadyVerified',
  self: 'adminUser.errors.self',
} as const;

/** A refusal from lib/ as the form's own error, in the admin's language. */
function refused(result: { code: keyof typeof ERRORS } | { code: 'cooldown'; retryAfterSeconds: number }) {
  if (result.code === 'cooldown') {
    return {
      status: 'error',
      formError: { key: 'adminUser.errors.cooldown', params: { seconds: result.retryAfterSeconds } },
    } satisfies FormResult;
  }
  return { status: 'error', formError: { key: ERRORS[result.code] } } satisfies FormResult;
}

const approve = adminAction(userActionSchema, async ({ userId }, admin) => {
  const result = await approveUser(await getDb(), { adminId: admin.id, userId }, admin.context, systemClock);
  if (!result.ok) return refused(result);
  done(userId, 'approved', { mail: true });
});

export async function approveUserAction(prev: FormState, formData: FormData): Promise<FormState> {
  return approve(prev, formData);
}

const reject = adminAction(confirmedActionSchema, async ({ userId }, admin) => {
  const result = await rejectUser(await getDb(), { adminId: admin.id, userId }, admin.context, systemClock);
  if (!result.ok) return refused(result);
  done(userId, 'rejected', { mail: true });
});

export async function rejectUserAction(prev: FormState, formData: FormData): Promise<FormState> {
  return reject(prev, formData);
}

const lock = adminAction(lockSchema, async ({ userId, reason }, admin) => {
  const result = await adminLockUser(
    await getDb(),
    { adminId: admin.id, userId, reason },
    admin.context,
    systemClock,
  );
  if (result.ok) done(userId, 'locked', { mail: true });
  switch (result.code) {
    case 'reason_required':
      return { status: 'error', fieldErrors: { reason: { key: 'adminUser.errors.reasonRequired' } } };
    case 'reason_too_long':
      return {
        status: 'error',
        fieldErrors: { reason: { key: 'form.errors.tooLong', params: { max: LOCK_REASON_MAX } } },
      };
    default:
      return refused({ code: result.code });
  }
});

export async function lockUserAction(prev: FormState, formData: FormData): Promise<FormState> {
  return lock(prev, formData);
}

const unlock = adminAction(userActionSchema, async ({ userId }, admin) => {
  const result = await unlockUser(await getDb(), { adminId: admin.id, userId }, admin.context, systemClock);
  if (!result.ok) return refused(result);
  done(userId, 'unlocked');
});

export async function unlockUserAction(prev: FormState, formData: FormData): Promise<FormState> {
  return unlock(prev, formData);
}

const promote = adminAction(userActionSchema, async ({ userId }, admin) => {
  const result = await changeRole(
    await getDb(),
    { adminId: admin.id, userId, role: 'admin' },
    admin.context,
    systemClock,
  );
  if (!result.ok) return refused(result);
  done(userId, 'promoted');
});

export async function promoteUserAction(prev: FormState, formData: FormData): Promise<FormState> {
  return promote(prev, formData);
}

const demote = adminAction(confirmedActionSchema, async ({ userId }, admin) => {
  const result = await changeRole(
    await getDb(),
    { adminId: admin.id, userId, role: 'user' },
    admin.context,
    systemClock,
  );
  if (!result.ok) return refused(result);
  // An admin who stepped down can no longer open admin pages.
  if (userId === admin.id) redirect('/account');
  done(userId, 'demoted');
});

export async function demoteUserAction(prev: FormState, formData: FormData): Promise<FormState> {
  return demote(prev, formData);
}

const sendPasswordLink = adminAction(userActionSchema, async ({ userId }, admin) => {
  const result = await adminSendPasswordReset(
    await getDb(),
    { adminId: admin.id, userId },
    admin.context,
    systemClock,
  );
  if (!result.ok) return refused(result);
  done(userId, 'passwordLinkSent', { mail: true });
});

export async function sendPasswordLinkAction(prev: FormState, formData: FormData): Promise<FormState> {
  return sendPasswordLink(prev, formData);
}

const resendVerification = adminAction(userActionSchema, async ({ userId }, admin) => {
  const result = await adminResendVerification(
    await getDb(),
    { adminId: admin.id, userId },
    admin.context,
    systemClock,
  );
  if (!result.ok) return refused(result);
  done(userId, 'verificationSent', { mail: true });
});

export async function resendVerificationAction(prev: FormState, formData: FormData): Promise<FormState> {
  return resendVerification(prev, formData);
}

const signOutEverywhere = adminAction(confirmedActionSchema, async ({ userId }, admin) => {
  const result = await adminRevokeSessions(
    await getDb(),
    { adminId: admin.id, userId },
    admin.context,
    systemClock,
  );
  if (!result.ok) return refused(result);
  done(userId, 'signedOut');
});

export async function signOutEverywhereAction(prev: FormState, formData: FormData): Promise<FormState> {
  return signOutEverywhere(prev, formData);
}

const editProfile = adminAction(editProfileSchema, async ({ userId, ...profile }, admin) => {
  const result = await adminEditProfile(
    await getDb(),
    { adminId: admin.id, userId, ...profile },
    admin.context,
    systemClock,
  );
  if (result.ok) done(userId, 'profileSaved');
  if (result.code === 'username_taken') {
    return { status: 'error', fieldErrors: { username: { key: 'adminUser.errors.usernameTaken' } } };
  }
  return refused({ code: result.code });
});

export async function editProfileAction(prev: FormState, formData: FormData): Promise<FormState> {
  return editProfile(prev, formData);
}

const deleteUser = adminAction(confirmedActionSchema, async ({ userId }, admin) => {
  const result = await adminDeleteUser(
    await getDb(),
    { adminId: admin.id, userId },
    admin.context,
    systemClock,
  );
  if (!result.ok) return refused(result);
  done(userId, 'deleted', { mail: true });
});

export async function deleteUserAction(prev: FormState, formData: FormData): Promise<FormState> {
  return deleteUser(prev, formData);
}

const removeUserPasskey = adminAction(removeUserPasskeySchema, async ({ userId, passkeyId }, admin) => {
  const result = await removePasskey(
    await getDb(),
    { userId, passkeyId, actorId: admin.id },
    admin.context,
    systemClock,
  );
  if (result.ok) done(userId, 'passkeyRemoved', { mail: true });
  return { status: 'error', formError: { key: 'adminUser.errors.notFound' } };
});

export async function removeUserPasskeyAction(prev: FormState, formData: FormData): Promise<FormState> {
  return removeUserPasskey(prev, formData);
}

const resetTwoFactor = adminAction(confirmedActionSchema, async ({ userId }, admin) => {
  const result = await resetTwoFactorByAdmin(
    await getDb(),
    { adminId: admin.id, userId },
    admin.context,
    systemClock,
  );
  if (result.ok) done(userId, 'twoFactorReset', { mail: true });
  if (result.code === 'not_found') return refused({ code: result.code });
  return { status: 'error', formError: { key: 'adminTwoFactor.notEnabled' } };
});

export async function resetTwoFactorAction(prev: FormState, formData: FormData): Promise<FormState> {
  return resetTwoFactor(prev, formData);
}
