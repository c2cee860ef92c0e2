import { z } from 'zod';
import { passkeyNameField } from './fields';
import { passwordFieldSchema } from './password';

/**
 * The passkey forms and the browser's WebAuthn answers. The answers' contents are checked by
 * @simplewebauthn/server; here only their size and outline, so that no oversized or odd body reaches it.
 */

const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;

function isTransport(value: string): value is (typeof TRANSPORTS)[number] {
  return (TRANSPORTS as readonly string[]).includes(value);
}

/** A browser's answer is a few kilobytes at most; anything past this is not one. */
export const MAX_WEBAUTHN_RESPONSE_LENGTH = 16_384;

const base64url = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9_-]*$/);

const credentialOutline = {
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: z.literal('public-key'),
  clientExtensionResults: z.record(z.string(), z.unknown()),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
};

export const registrationResponseSchema = z.object({
  ...credentialOutline,
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    // Transports a newer browser knows and this list does not are dropped, not refused.
    transports: z
      .array(z.string().max(32))
      .max(10)
      .transform((list) => list.filter(isTransport))
      .optional(),
    authenticatorData: base64url.optional(),
    publicKey: base64url.optional(),
    publicKeyAlgorithm: z.number().optional(),
  }),
});

export const authenticationResponseSchema = z.object({
  ...credentialOutline,
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
});

/** A WebAuthn answer as the browser code posts it: JSON text, parsed and checked against `schema`. */
export function webauthnResponseField<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .max(MAX_WEBAUTHN_RESPONSE_LENGTH)
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'form.errors.invalid' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

export const beginRegistrationSchema = z.object({
  currentPassword: passwordFieldSchema.min(1, { error: 'form.errors.required' }).max(4096),
  name: passkeyNameField,
});

export const finishRegistrationSchema = z.object({
  name: passkeyNameField,
  response: webauthnResponseField(registrationResponseSchema),
});

export const renamePasskeySchema = z.object({ id: z.uuid(), name: passkeyNameField });

export const removePasskeySchema = z.object({ id: z.uuid() });

/** The sign-in form passes the answer on as text: Auth.js's passkey provider parses and checks it. */
export const passkeySignInSchema = z.object({
  response: z.string().max(MAX_WEBAUTHN_RESPONSE_LENGTH),
  next: z.string().max(512).optional(),
});
