'use client';

import { useTranslations } from 'next-intl';
import { ActionForm } from '@/components/form/form';
import { ProfileFields } from '@/components/profile-fields';
import type { ProfileValues } from '@/lib/profile';
import { profileSchema } from '@/lib/validation/profile';
import { updateProfileAction } from './actions';

export function ProfileForm({ values }: { values: ProfileValues }) {
  const t = useTranslations('profile');
  return (
    <ActionForm
      action={updateProfileAction}
      schema={profileSchema}
      submitLabel={t('submit')}
      idPrefix="profile"
    >
      <ProfileFields namespace="profile" own usernameHint values={values} />
    </ActionForm>
  );
}
