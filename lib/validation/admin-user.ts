import { z } from 'zod';
import { commentField } from '@/lib/validation/fields';
import { encodeFieldMessage } from '@/lib/validation/password';
import { profileSchema } from '@/lib/validation/profile';

/**
 * The forms of an account's admin page, on both sides. The account is named by its id in a hidden
 * field: anything but a uuid is "no such user", never a database error.
 */

/** lib/account-lock.ts MAX_LOCK_REASON_LENGTH, repeated because that module cannot ship to the browser. */
export const LOCK_REASON_MAX = 500;

const userId = z.uuid({ error: 'adminUser.errors.notFound' });

// An unticked checkbox is not sent at all, so "missing" is the answer to give here.
const confirm = z.literal('on', { error: 'adminUser.errors.confirm' });

/** Approve, unlock, promote, send a password link, resend the confirmation link. */
export const userActionSchema = z.object({ userId });

/** Reject, demote, sign out everywhere, delete: a ticked box says the admin means it. */
export const confirmedActionSchema = z.object({ userId, confirm });

export const lockSchema = z.object({
  userId,
  reason: z
    .string({ error: 'adminUser.errors.reasonRequired' })
    .max(LOCK_REASON_MAX, { error: encodeFieldMessage('form.errors.tooLong', { max: LOCK_REASON_MAX }) })
    .pipe(commentField)
    .refine((reason) => reason.length > 0, { error: 'adminUser.errors.reasonRequired' }),
  confirm,
});

/** Remove one of the account's passkeys (lib/passkeys.ts): the owner is mailed. */
export const removeUserPasskeySchema = z.object({
  userId,
  passkeyId: z.uuid({ error: 'adminUser.errors.notFound' }),
});

/** The profile fields an admin may edit: the owner's own form's, without the email (decision 008). */
export const editProfileSchema = profileSchema.extend({ userId });

/** What the page says after an action succeeded: `?done=<flag>` (a redirect, so it works without JavaScript). */
export const DONE_FLAGS = [
  'created',
  'approved',
  'rejected',
  'locked',
  'unlocked',
  'promoted',
  'demoted',
  'passwordLinkSent',
  'verificationSent',
  'signedOut',
  'profileSaved',
  'deleted',
  'passkeyRemoved',
  'twoFactorReset',
] as const;

export type DoneFlag = (typeof DONE_FLAGS)[number];
