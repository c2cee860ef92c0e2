'use client';

import { TextField } from './fields';

/**
 * A code from an authenticator app: numeric keyboard on phones, and `one-time-code` so browsers and
 * password managers can fill it (S9). Room for the spaces some apps show in the middle.
 */
export function OneTimeCodeField({ label, description }: { label: string; description?: string }) {
  return (
    <TextField
      name="code"
      label={label}
      description={description}
      autoComplete="one-time-code"
      inputMode="numeric"
      maxLength={32}
      required
    />
  );
}
