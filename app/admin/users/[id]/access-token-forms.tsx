'use client';

import { useTranslations } from 'next-intl';
import { HiddenField, SubmitButton } from '@/components/form/fields';
import { ActionForm } from '@/components/form/form';
import { adminRevokeAccessTokenSchema } from '@/lib/validation/access-tokens';
import { adminRevokeAccessTokenAction } from './access-token-actions';

/** "Revoke" for one of the account's tokens; the button names the token for a screen reader. */
export function AdminRevokeAccessTokenForm({
  userId,
  tokenId,
  name,
}: {
  userId: string;
  tokenId: string;
  name: string;
}) {
  const t = useTranslations('adminAccessTokens');
  return (
    <ActionForm
      action={adminRevokeAccessTokenAction}
      schema={adminRevokeAccessTokenSchema}
      idPrefix={`admin-revoke-${tokenId}`}
    >
      <HiddenField name="userId" value={userId} />
      <HiddenField name="tokenId" value={tokenId} />
      <SubmitButton>
        <span aria-hidden="true">{t('revoke')}</span>
        <span className="visually-hidden">{t('revokeToken', { name })}</span>
      </SubmitButton>
    </ActionForm>
  );
}
