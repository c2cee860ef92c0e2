'use client';

import { useTranslations } from 'next-intl';
import { CheckboxField, FieldFrame, TextField } from '@/components/form/fields';
import { ActionForm, useFormField } from '@/components/form/form';
import { brandSettingsFormSchema, LOGO_CONTENT_TYPES, type BrandSettingsInput } from '@/lib/validation/brand';
import adminStyles from '../admin.module.css';
import { saveBrandSettings } from './actions';
import styles from './settings.module.css';

export type BrandFormValues = Omit<BrandSettingsInput, 'logoRemove'> & {
  /** The current logo's address (lib/brand.ts logoPath), when there is one. */
  logo?: string;
};

export function BrandSettingsForm({ values }: { values: BrandFormValues }) {
  const t = useTranslations('brandSettings');
  return (
    <ActionForm
      action={saveBrandSettings}
      schema={brandSettingsFormSchema}
      submitLabel={t('submit')}
      idPrefix="brand"
    >
      <TextField
        name="productName"
        label={t('productName')}
        description={t('productNameHint')}
        autoComplete="off"
        maxLength={60}
        defaultValue={values.productName}
      />
      <TextField
        name="accentColor"
        label={t('accentColor')}
        description={t('accentColorHint')}
        autoComplete="off"
        maxLength={7}
        defaultValue={values.accentColor}
      />
      <TextField
        name="supportEmail"
        label={t('supportEmail')}
        description={t('supportEmailHint')}
        type="email"
        autoComplete="off"
        maxLength={254}
        defaultValue={values.supportEmail}
      />
      <fieldset className={adminStyles.fieldset}>
        <legend className={adminStyles.legend}>{t('logo')}</legend>
        {values.logo ? (
          // Our own route, a few kilobytes: next/image's optimiser would only add work.
          // eslint-disable-next-line @next/next/no-img-element
          <img src={values.logo} alt={t('logoCurrent')} className={styles.logo} />
        ) : null}
        <LogoField label={t('logoFile')} description={t('logoHint')} />
        {values.logo ? <CheckboxField name="logoRemove" label={t('logoRemove')} /> : null}
      </fieldset>
    </ActionForm>
  );
}

function LogoField({ label, description }: { label: string; description: string }) {
  const field = useFormField('logo', { description: true });
  return (
    <FieldFrame field={field} label={label} description={description}>
      <input {...field.controlProps} type="file" accept={LOGO_CONTENT_TYPES.join(',')} />
    </FieldFrame>
  );
}
