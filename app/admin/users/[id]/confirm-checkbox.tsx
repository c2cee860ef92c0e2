'use client';

import { useTranslations } from 'next-intl';
import { useFormField } from '@/components/form/form';
import formStyles from '@/components/form/form.module.css';

/**
 * The ticked box a destructive action asks for ("Yes, delete alice"). A plain checkbox, so it works
 * without JavaScript; the action's schema refuses the form when it is not ticked. The form layer has
 * no checkbox field yet: this one gets the same label, error and ARIA wiring as the others.
 */
export function ConfirmCheckbox({ label }: { label: string }) {
  const field = useFormField('confirm');
  const t = useTranslations('form');
  return (
    <div className={field.error ? `${formStyles.field} ${formStyles.fieldInvalid}` : formStyles.field}>
      {field.errorMessage ? (
        <p id={field.errorId} className={formStyles.error}>
          <span className="visually-hidden">{t('errorPrefix')} </span>
          {field.errorMessage}
        </p>
      ) : null}
      <label htmlFor={field.id}>
        <input
          {...field.controlProps}
          type="checkbox"
          value="on"
          aria-required
          defaultChecked={field.echoedValue === 'on'}
        />{' '}
        {label}
      </label>
    </div>
  );
}
