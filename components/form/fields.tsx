'use client';

import { useTranslations } from 'next-intl';
import type { HTMLAttributes, HTMLInputAutoCompleteAttribute, ReactNode } from 'react';
import { useActionForm, useFormField, type FormField } from './form';
import styles from './form.module.css';
import { PasswordStrength } from './password-strength';

export { ErrorSummary, SubmitButton } from './form';

type CommonProps = {
  name: string;
  /** Already translated, like every other text prop here. */
  label: string;
  description?: string;
  required?: boolean;
};

function fieldClassName(field: FormField) {
  return field.error ? `${styles.field} ${styles.fieldInvalid}` : styles.field;
}

function FieldDescription({ field, description }: { field: FormField; description: ReactNode }) {
  return description ? (
    <p id={field.descriptionId} className={styles.description}>
      {description}
    </p>
  ) : null;
}

function FieldErrorText({ field }: { field: FormField }) {
  const t = useTranslations('form');
  return field.errorMessage ? (
    <p id={field.errorId} className={styles.error}>
      <span className="visually-hidden">{t('errorPrefix')} </span>
      {field.errorMessage}
    </p>
  ) : null;
}

/**
 * Label, description and error above the control, in the order a screen reader should meet them.
 * Exported for a control the form layer has no field for; pass the control as children, spreading
 * `field.controlProps` on it.
 */
export function FieldFrame({
  field,
  label,
  description,
  children,
}: {
  field: FormField;
  label: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className={fieldClassName(field)}>
      <label htmlFor={field.id} className={styles.label}>
        {label}
      </label>
      <FieldDescription field={field} description={description} />
      <FieldErrorText field={field} />
      {children}
    </div>
  );
}

type TextFieldProps = CommonProps & {
  type?: 'text' | 'email' | 'tel' | 'url' | 'search';
  autoComplete: HTMLInputAutoCompleteAttribute;
  maxLength?: number;
  inputMode?: HTMLAttributes<HTMLInputElement>['inputMode'];
  defaultValue?: string;
};

export function TextField({
  name,
  label,
  type = 'text',
  autoComplete,
  description,
  required,
  maxLength,
  inputMode,
  defaultValue,
}: TextFieldProps) {
  const field = useFormField(name, { description: Boolean(description) });
  // Addresses are not prose: no capital first letter, no red squiggles on a valid address.
  const literal = type === 'email' || type === 'url';
  return (
    <FieldFrame field={field} label={label} description={description}>
      <input
        {...field.controlProps}
        type={type}
        autoComplete={autoComplete}
        aria-required={required || undefined}
        maxLength={maxLength}
        inputMode={inputMode}
        autoCapitalize={literal ? 'none' : undefined}
        spellCheck={literal ? false : undefined}
        defaultValue={field.echoedValue ?? defaultValue}
        className={styles.input}
      />
    </FieldFrame>
  );
}

type PasswordFieldProps = CommonProps & {
  /** current-password to sign in, new-password where one is chosen, so managers fill or suggest (S9). */
  autoComplete: 'current-password' | 'new-password';
  /** Show the strength hint under a new password; the words it should count as guessable. */
  strengthHint?: { userInputs?: string[] };
};

/**
 * Paste and autofill stay allowed (S9), and there is no maxLength: a password manager's long paste
 * must not be cut short silently; the schema answers a too-long password with a message instead.
 * Never refilled after a submission, since the server never sends a password back.
 */
export function PasswordField({
  name,
  label,
  autoComplete,
  description,
  required,
  strengthHint,
}: PasswordFieldProps) {
  const field = useFormField(name, { description: Boolean(description) });
  return (
    <FieldFrame field={field} label={label} description={description}>
      <input
        {...field.controlProps}
        type="password"
        autoComplete={autoComplete}
        aria-required={required || undefined}
        className={styles.input}
      />
      {strengthHint ? <PasswordStrength inputId={field.id} userInputs={strengthHint.userInputs} /> : null}
    </FieldFrame>
  );
}

/**
 * A new password typed twice (S36), named `password` and `confirmPassword` as the shared schemas in
 * lib/validation expect, with the policy's minimum and the strength hint.
 */
export function NewPasswordFields({
  minPasswordLength,
  label,
  confirmLabel,
}: {
  minPasswordLength: number;
  label: string;
  confirmLabel: string;
}) {
  const t = useTranslations('password');
  return (
    <>
      <PasswordField
        name="password"
        label={label}
        autoComplete="new-password"
        description={t('hint', { min: minPasswordLength })}
        required
        strengthHint={{}}
      />
      <PasswordField name="confirmPassword" label={confirmLabel} autoComplete="new-password" required />
    </>
  );
}

type TextAreaFieldProps = CommonProps & {
  autoComplete?: string;
  maxLength?: number;
  rows?: number;
  defaultValue?: string;
};

export function TextAreaField({
  name,
  label,
  description,
  required,
  autoComplete,
  maxLength,
  rows = 5,
  defaultValue,
}: TextAreaFieldProps) {
  const field = useFormField(name, { description: Boolean(description) });
  return (
    <FieldFrame field={field} label={label} description={description}>
      <textarea
        {...field.controlProps}
        autoComplete={autoComplete}
        aria-required={required || undefined}
        maxLength={maxLength}
        rows={rows}
        defaultValue={field.echoedValue ?? defaultValue}
        className={`${styles.input} ${styles.textarea}`}
      />
    </FieldFrame>
  );
}

type SelectFieldProps = CommonProps & {
  options: { value: string; label: string }[];
  autoComplete?: string;
  defaultValue?: string;
};

export function SelectField({
  name,
  label,
  options,
  description,
  required,
  autoComplete,
  defaultValue,
}: SelectFieldProps) {
  const field = useFormField(name, { description: Boolean(description) });
  return (
    <FieldFrame field={field} label={label} description={description}>
      <select
        {...field.controlProps}
        autoComplete={autoComplete}
        aria-required={required || undefined}
        defaultValue={field.echoedValue ?? defaultValue}
        className={`${styles.input} ${styles.select}`}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

type CheckboxFieldProps = CommonProps & {
  /** Ticked when the form first shows: what is saved, if anything. */
  defaultChecked?: boolean;
};

/**
 * A box sent as "on" when ticked; an unticked box sends nothing at all. After a refused post it
 * shows what was sent, otherwise `defaultChecked`, which follows the saved value after a save.
 */
export function CheckboxField({
  name,
  label,
  description,
  required,
  defaultChecked = false,
}: CheckboxFieldProps) {
  const field = useFormField(name, { description: Boolean(description) });
  const { state } = useActionForm();
  const checked = state.status === 'error' ? field.echoedValue === 'on' : defaultChecked;
  return (
    <div className={fieldClassName(field)}>
      <FieldErrorText field={field} />
      <label htmlFor={field.id} className={styles.checkbox}>
        <input
          {...field.controlProps}
          // A new default needs a new box: React leaves a mounted box as the reader left it.
          key={String(checked)}
          type="checkbox"
          value="on"
          aria-required={required || undefined}
          defaultChecked={checked}
        />
        <span>{label}</span>
      </label>
      <FieldDescription field={field} description={description} />
    </div>
  );
}

/**
 * A value the page sets, not the reader (a return URL, a token from the link). It is sent with the
 * form and checked by the schema like any field, on both sides, since the browser validates the
 * form's own FormData.
 */
export function HiddenField({ name, value }: { name: string; value: string }) {
  return <input type="hidden" name={name} value={value} />;
}
