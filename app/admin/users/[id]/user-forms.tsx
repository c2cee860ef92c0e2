'use client';

import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import type { z } from 'zod';
import { CheckboxField, HiddenField, SubmitButton, TextAreaField } from '@/components/form/fields';
import { ActionForm } from '@/components/form/form';
import { ProfileFields } from '@/components/profile-fields';
import type { ProfileValues } from '@/lib/profile';
import type { FormState } from '@/lib/web/form-validation';
import {
  approveUserAction,
  deleteUserAction,
  demoteUserAction,
  editProfileAction,
  lockUserAction,
  promoteUserAction,
  rejectUserAction,
  removeUserPasskeyAction,
  resendVerificationAction,
  sendPasswordLinkAction,
  resetTwoFactorAction,
  signOutEverywhereAction,
  unlockUserAction,
} from './actions';
import {
  confirmedActionSchema,
  editProfileSchema,
  LOCK_REASON_MAX,
  lockSchema,
  removeUserPasskeySchema,
  userActionSchema,
} from '@/lib/validation/admin-user';
import styles from './user.module.css';

/**
 * The forms of an account's admin page. Each is a plain POST without JavaScript; each button says
 * what it does to whom ("Lock alice"), since a screen reader may list the buttons out of context.
 */

type Target = { userId: string; username: string };

function UserActionForm({
  action,
  schema,
  userId,
  idPrefix,
  submitLabel,
  danger = false,
  children,
}: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  schema: z.ZodType;
  userId: string;
  idPrefix: string;
  submitLabel: string;
  danger?: boolean;
  children?: ReactNode;
}) {
  return (
    <ActionForm action={action} schema={schema} idPrefix={idPrefix} className={styles.actionForm}>
      <HiddenField name="userId" value={userId} />
      {children}
      <div>
        <SubmitButton variant={danger ? 'danger' : 'primary'}>{submitLabel}</SubmitButton>
      </div>
    </ActionForm>
  );
}

export function ApproveForm({ userId, username }: Target) {
  const t = useTranslations('adminUser.approval');
  return (
    <UserActionForm
      action={approveUserAction}
      schema={userActionSchema}
      userId={userId}
      idPrefix="approve"
      submitLabel={t('approve', { username })}
    />
  );
}

export function RejectForm({ userId, username }: Target) {
  const t = useTranslations('adminUser.approval');
  return (
    <UserActionForm
      action={rejectUserAction}
      schema={confirmedActionSchema}
      userId={userId}
      idPrefix="reject"
      submitLabel={t('reject', { username })}
      danger
    >
      <CheckboxField name="confirm" label={t('confirmReject', { username })} required />
    </UserActionForm>
  );
}

export function LockForm({ userId, username }: Target) {
  const t = useTranslations('adminUser.lock');
  return (
    <UserActionForm
      action={lockUserAction}
      schema={lockSchema}
      userId={userId}
      idPrefix="lock"
      submitLabel={t('submit', { username })}
      danger
    >
      <TextAreaField
        name="reason"
        label={t('reason')}
        description={t('reasonHint', { username, max: LOCK_REASON_MAX })}
        rows={3}
        required
      />
      <CheckboxField name="confirm" label={t('confirm', { username })} required />
    </UserActionForm>
  );
}

export function UnlockForm({ userId, username }: Target) {
  const t = useTranslations('adminUser.lock');
  return (
    <UserActionForm
      action={unlockUserAction}
      schema={userActionSchema}
      userId={userId}
      idPrefix="unlock"
      submitLabel={t('unlock', { username })}
    />
  );
}

export function PromoteForm({ userId, username }: Target) {
  const t = useTranslations('adminUser.role');
  return (
    <UserActionForm
      action={promoteUserAction}
      schema={userActionSchema}
      userId={userId}
      idPrefix="promote"
      submitLabel={t('promote', { username })}
    />
  );
}

export function DemoteForm({ userId, username }: Target) {
  const t = useTranslations('adminUser.role');
  return (
    <UserActionForm
      action={demoteUserAction}
      schema={confirmedActionSchema}
      userId={userId}
      idPrefix="demote"
      submitLabel={t('demote', { username })}
      danger
    >
      <CheckboxField name="confirm" label={t('confirmDemote', { username })} required />
    </UserActionForm>
  );
}

export function PasswordLinkForm({ userId, username }: Target) {
  const t = useTranslations('adminUser.password');
  return (
    <UserActionForm
      action={sendPasswordLinkAction}
      schema={userActionSchema}
      userId={userId}
      idPrefix="password-link"
      submitLabel={t('submit', { username })}
    />
  );
}

export function VerificationForm({ userId, username }: Target) {
  const t = useTranslations('adminUser.verification');
  return (
    <UserActionForm
      action={resendVerificationAction}
      schema={userActionSchema}
      userId={userId}
      idPrefix="verification"
      submitLabel={t('submit', { username })}
    />
  );
}

export function SignOutEverywhereForm({ userId, username }: Target) {
  const t = useTranslations('adminUser.sessions');
  return (
    <UserActionForm
      action={signOutEverywhereAction}
      schema={confirmedActionSchema}
      userId={userId}
      idPrefix="sign-out"
      submitLabel={t('submit', { username })}
      danger
    >
      <CheckboxField name="confirm" label={t('confirm', { username })} required />
    </UserActionForm>
  );
}

export function EditProfileForm({ userId, username, values }: Target & { values: ProfileValues }) {
  const t = useTranslations('adminUser.profile');
  return (
    <UserActionForm
      action={editProfileAction}
      schema={editProfileSchema}
      userId={userId}
      idPrefix="profile"
      submitLabel={t('submit', { username })}
    >
      <ProfileFields namespace="adminUser.profile" own={false} values={values} />
    </UserActionForm>
  );
}

export function DeleteUserForm({ userId, username }: Target) {
  const t = useTranslations('adminUser.delete');
  return (
    <UserActionForm
      action={deleteUserAction}
      schema={confirmedActionSchema}
      userId={userId}
      idPrefix="delete"
      submitLabel={t('submit', { username })}
      danger
    >
      <CheckboxField name="confirm" label={t('confirm', { username })} required />
    </UserActionForm>
  );
}

export function RemoveUserPasskeyForm({
  userId,
  username,
  passkeyId,
  name,
}: Target & { passkeyId: string; name: string }) {
  const t = useTranslations('adminUser.passkeys');
  return (
    <UserActionForm
      action={removeUserPasskeyAction}
      schema={removeUserPasskeySchema}
      userId={userId}
      idPrefix={`remove-passkey-${passkeyId}`}
      submitLabel={t('remove', { name, username })}
      danger
    >
      <HiddenField name="passkeyId" value={passkeyId} />
    </UserActionForm>
  );
}

export function ResetTwoFactorForm({ userId, username }: Target) {
  const t = useTranslations('adminTwoFactor');
  return (
    <UserActionForm
      action={resetTwoFactorAction}
      schema={confirmedActionSchema}
      userId={userId}
      idPrefix="reset-two-factor"
      submitLabel={t('submit', { username })}
      danger
    >
      <CheckboxField name="confirm" label={t('confirm', { username })} required />
    </UserActionForm>
  );
}
