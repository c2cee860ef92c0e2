'use client';

import { useTranslations } from 'next-intl';
import { HiddenField, SubmitButton, TextField } from '@/components/form/fields';
import { ActionForm } from '@/components/form/form';
import type { FormState } from '@/lib/web/form-validation';
import { inviteSchema, revokeInviteSchema } from '@/lib/validation/signup-policy';

type FormAction = (state: FormState, formData: FormData) => Promise<FormState>;

/** The address to invite; the invitation goes out in the sender's language. */
export function InviteForm({ action }: { action: FormAction }) {
  const t = useTranslations('invites');
  return (
    <ActionForm action={action} schema={inviteSchema} submitLabel={t('send')} idPrefix="invite">
      <TextField
        name="email"
        type="email"
        label={t('email')}
        description={t('emailHint')}
        autoComplete="off"
        required
        maxLength={254}
      />
    </ActionForm>
  );
}

/** "Revoke" on one row; a screen reader hears which address, since every row has the button. */
export function RevokeInviteForm({
  action,
  inviteId,
  email,
}: {
  action: FormAction;
  inviteId: string;
  email: string;
}) {
  const t = useTranslations('invites');
  return (
    <ActionForm action={action} schema={revokeInviteSchema} idPrefix={`invite-${inviteId}`}>
      <HiddenField name="inviteId" value={inviteId} />
      <SubmitButton>
        <span aria-hidden="true">{t('revoke')}</span>
        <span className="visually-hidden">{t('revokeFor', { email })}</span>
      </SubmitButton>
    </ActionForm>
  );
}
