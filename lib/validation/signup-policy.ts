import { z } from 'zod';
import { emailField } from './fields';
import { encodeFieldMessage } from './password';

/** A domain as the settings store it: lower-case labels of letters, digits and hyphens, at least two. */
export const DOMAIN_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
export const MAX_DOMAINS = 500;

/** What an admin may type for a domain: `Example.com`, `@example.com` and `*.example.com` all mean `example.com`. */
function normaliseDomain(entry: string): string {
  return entry
    .trim()
    .toLowerCase()
    .replace(/^(\*\.|@)/, '')
    .replace(/\.$/, '');
}

function splitDomains(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map(normaliseDomain)
        .filter(Boolean),
    ),
  ];
}

/**
 * A list of email domains in a textarea, one per line (commas and spaces also separate). The first
 * entry that is not a domain is named in the error, so the admin knows which line to fix.
 */
export const domainListField = z
  .string({ error: 'form.errors.invalid' })
  .max(20_000, { error: encodeFieldMessage('form.errors.tooLong', { max: 20_000 }) })
  .optional()
  .transform((v) => v ?? '')
  .superRefine((text, ctx) => {
    const domains = splitDomains(text);
    const bad = domains.find((domain) => !DOMAIN_PATTERN.test(domain));
    if (bad !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: encodeFieldMessage('adminSettings.errors.domain', { domain: bad.slice(0, 60) }),
      });
    } else if (domains.length > MAX_DOMAINS) {
      ctx.addIssue({
        code: 'custom',
        message: encodeFieldMessage('adminSettings.errors.tooManyDomains', { max: MAX_DOMAINS }),
      });
    }
  })
  .transform(splitDomains);

/** The invite form (admin and account pages alike). */
export const inviteSchema = z.object({ email: emailField });

/** Revoking one invite: its id, from the list's own button. */
export const revokeInviteSchema = z.object({ inviteId: z.uuid({ error: 'form.errors.invalid' }) });
