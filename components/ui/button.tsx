import type { ButtonHTMLAttributes, ReactNode } from 'react';
import styles from './button.module.css';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'link';
export type ButtonSize = 'normal' | 'small';

/**
 * The class every button of the site carries, beside its module classes: tests/e2e/design-system.spec.ts
 * walks the pages and fails on a <button> without it (a browser-default button slipped in).
 */
export const BUTTON_MARKER = 'ui-button';

/** The classes of a button of this variant: also for a link that should look like one (<Link className>). */
export function buttonClass(variant: ButtonVariant = 'primary', size: ButtonSize = 'normal', extra?: string) {
  return [BUTTON_MARKER, styles.button, styles[variant], size === 'small' ? styles.small : '', extra ?? '']
    .filter(Boolean)
    .join(' ');
}

export type ButtonProps = Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'className'> & {
  variant?: ButtonVariant;
  size?: ButtonSize;
  className?: string;
  children: ReactNode;
};

/**
 * A plain button, rendered on the server: a submit button by default, so a form works with
 * JavaScript off. One-button forms that should show they are sending use <PendingButton>.
 */
export function Button({
  variant = 'primary',
  size = 'normal',
  className,
  type = 'submit',
  ...rest
}: ButtonProps) {
  return <button type={type} className={buttonClass(variant, size, className)} {...rest} />;
}
