'use client';

import { useState, useSyncExternalStore } from 'react';
import { Button } from '@/components/ui/button';
import styles from './copy-button.module.css';

const noSubscription = () => () => undefined;
const clipboardAvailable = () => typeof navigator.clipboard?.writeText === 'function';
const notOnTheServer = () => false;

/**
 * An enhancement only: it appears once the page runs in a browser that offers the clipboard (secure
 * contexts). Without it the secret beside it is ordinary text, selectable and copyable by hand.
 * Labels come translated from the caller.
 */
export function CopyButton({
  text,
  label,
  copiedLabel,
}: {
  text: string;
  label: string;
  copiedLabel: string;
}) {
  const canCopy = useSyncExternalStore(noSubscription, clipboardAvailable, notOnTheServer);
  const [copied, setCopied] = useState(false);
  if (!canCopy) return null;
  return (
    <div className={styles.copy}>
      <Button
        type="button"
        variant="secondary"
        onClick={() =>
          navigator.clipboard.writeText(text).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {label}
      </Button>
      <span role="status">{copied ? copiedLabel : ''}</span>
    </div>
  );
}
