'use client';

import { useTranslations } from 'next-intl';
import { HiddenField, SubmitButton } from '@/components/form/fields';
import { ActionForm } from '@/components/form/form';
import { revokeOtherSessionsAction, revokeSessionAction } from './actions';
import { revokeOtherSessionsSchema, revokeSessionSchema } from '@/lib/validation/sessions';

/** "Sign out" for one other device; a screen reader hears which one, since every row has the button. */
export function RevokeSessionForm({ handle, device }: { handle: string; device: string }) {
  const t = useTranslations('sessionsPage');
  return (
    <ActionForm action={revokeSessionAction} schema={revokeSessionSchema} idPrefix={`session-${handle}`}>
      <HiddenField name="handle" value={handle} />
      <SubmitButton>
        <span aria-hidden="true">{t('signOut')}</span>
        <span className="visually-hidden">{t('signOutDevice', { device })}</span>
      </SubmitButton>
    </ActionForm>
  );
}

export function RevokeOtherSessionsForm() {
  const t = useTranslations('sessionsPage');
  return (
    <ActionForm action={revokeOtherSessionsAction} schema={revokeOtherSessionsSchema} idPrefix="sessions-all">
      <SubmitButton>{t('signOutAll')}</SubmitButton>
    </ActionForm>
  );
}
