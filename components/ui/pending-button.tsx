'use client';

import { useTranslations } from 'next-intl';
import { useFormStatus } from 'react-dom';
import { Button, type ButtonProps } from './button';

/**
 * A submit button that says its form is being sent, for a plain <form action={serverAction}> with
 * no <ActionForm> around it. Without JavaScript it is an ordinary submit button. While sending, every
 * button of the form is aria-disabled (not disabled: that would drop keyboard focus to the page's
 * start) and the one that was pressed reads "Sending…".
 */
export function PendingButton({ children, name, value, onClick, ...rest }: Omit<ButtonProps, 'type'>) {
  const { pending, data } = useFormStatus();
  const t = useTranslations('form');
  const pressed = pending && (name === undefined || data?.get(name) === String(value));
  return (
    <Button
      {...rest}
      name={name}
      value={value}
      aria-disabled={pending || undefined}
      onClick={(event) => {
        // A second press while the first is on its way would send the form twice.
        if (pending) event.preventDefault();
        else onClick?.(event);
      }}
    >
      {pressed ? t('submitting') : children}
    </Button>
  );
}
