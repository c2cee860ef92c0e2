'use client';

import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import type { ProfileValues } from '@/lib/profile';
import { TextField } from './form/fields';

type ProfileFieldsProps = {
  /** Where the labels are: username, fullName, phone, address, city, country (and usernameHint). */
  namespace: 'profile' | 'adminUser.profile' | 'adminUserNew';
  /**
   * The person's own account: the browser may offer their saved details. An admin types someone
   * else's, which the browser must not fill in with the admin's own.
   */
  own: boolean;
  values?: ProfileValues;
  usernameHint?: boolean;
  /** Fields that go between the name and the phone number. */
  afterName?: ReactNode;
};

/** The profile's fields, the same on the owner's form and on an admin's. */
export function ProfileFields({
  namespace,
  own,
  values,
  usernameHint = false,
  afterName,
}: ProfileFieldsProps) {
  const t = useTranslations(namespace);
  return (
    <>
      <TextField
        name="username"
        label={t('username')}
        description={usernameHint ? t('usernameHint') : undefined}
        autoComplete={own ? 'username' : 'off'}
        maxLength={32}
        defaultValue={values?.username}
        required
      />
      <TextField
        name="fullName"
        label={t('fullName')}
        autoComplete={own ? 'name' : 'off'}
        maxLength={100}
        defaultValue={values?.fullName}
        required
      />
      {afterName}
      <TextField
        name="phone"
        label={t('phone')}
        type="tel"
        autoComplete={own ? 'tel' : 'off'}
        maxLength={32}
        defaultValue={values?.phone}
      />
      <TextField
        name="address"
        label={t('address')}
        autoComplete={own ? 'street-address' : 'off'}
        maxLength={200}
        defaultValue={values?.address}
      />
      <TextField
        name="city"
        label={t('city')}
        autoComplete={own ? 'address-level2' : 'off'}
        maxLength={100}
        defaultValue={values?.city}
      />
      <TextField
        name="country"
        label={t('country')}
        autoComplete={own ? 'country-name' : 'off'}
        maxLength={100}
        defaultValue={values?.country}
      />
    </>
  );
}
