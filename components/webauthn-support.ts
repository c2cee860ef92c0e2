'use client';

import { browserSupportsWebAuthn } from '@simplewebauthn/browser';
import { useSyncExternalStore } from 'react';

export type WebAuthnSupport = 'unknown' | 'supported' | 'unsupported';

const noSubscription = () => () => undefined;
const inThisBrowser = (): WebAuthnSupport => (browserSupportsWebAuthn() ? 'supported' : 'unsupported');
const notOnTheServer = (): WebAuthnSupport => 'unknown';

/**
 * Whether this browser can create and use passkeys: 'unknown' on the server and before hydration,
 * so the page first renders as it does without JavaScript.
 */
export function useWebAuthnSupport(): WebAuthnSupport {
  return useSyncExternalStore(noSubscription, inThisBrowser, notOnTheServer);
}

/** The browser's refusal or cancellation of a ceremony, as opposed to a bug in our code. */
export function isCeremonyRefusal(error: unknown): boolean {
  return (
    error instanceof Error && ['NotAllowedError', 'AbortError', 'InvalidStateError'].includes(error.name)
  );
}
