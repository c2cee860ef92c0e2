'use client';

import { useSyncExternalStore } from 'react';

export type WebAuthnSupport = 'unknown' | 'supported' | 'unsupported';

const noSubscription = () => () => undefined;
// @simplewebauthn/browser's browserSupportsWebAuthn() is this one test; importing it would put the
// whole library (the ceremonies load on demand) into every page that asks (decision 037).
const inThisBrowser = (): WebAuthnSupport =>
  typeof globalThis.PublicKeyCredential === 'function' ? 'supported' : 'unsupported';
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
