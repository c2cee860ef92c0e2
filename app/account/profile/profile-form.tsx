'use client';

import { useTranslations } from 'next-intl';
import { TextField } from '@/components/form/fields';
import { ActionForm } from '@/components/form/form';
import { profileSchema } from '@/lib/validation/profile';
import { updateProfileAction } from './actions';

export interface ProfileValues {
  username: string;
  fullName: string;
  phone: string;
  address: string;
  city: string;
  country: string;
}

export function ProfileForm({ values }: { values: ProfileValues }) {
  const t = useTranslations('profile');
  return (
    <ActionForm
      action={updateProfileAction}
      schema={profileSchema}
      submitLabel={t('submit')}
      idPrefix="profile"
    >
      <TextField
        name="username"
        label={t('username')}
        description={t('usernameHint')}
        autoComplete="username"
        maxLength={32}
        defaultValue={values.username}
        required
      />
      <TextField
        name="fullName"
        label={t('fullName')}
        autoComplete="name"
        maxLength={100}
        defaultValue={values.fullName}
        required
      />
      <TextField
        name="phone"
        label={t('phone')}
        type="tel"
        autoComplete="tel"
        maxLength={32}
        defaultValue={values.phone}
      />
      <TextField
        name="address"
        label={t('address')}
        autoComplete="street-address"
        maxLength={200}
        defaultValue={values.address}
      />
      <TextField
        name="city"
        label={t('city')}
        autoComplete="address-level2"
        maxLength={100}
        defaultValue={values.city}
      />
      <TextField
        name="country"
        label={t('country')}
        autoComplete="country-name"
        maxLength={100}
        defaultValue={values.country}
      />
    </ActionForm>
  );
}
