import { render, toPlainText } from '@react-email/components';
import { createElement, type ReactElement } from 'react';
import type { Locale } from '../lib/i18n/config';
import { withMailBrand, type MailBrand } from './components/brand';
import { mailLocale } from './components/i18n';
import AccessTokenCreated, {
  subject as accessTokenCreatedSubject,
  type AccessTokenCreatedProps,
} from './access-token-created';
import AccessTokenRevoked, {
  subject as accessTokenRevokedSubject,
  type AccessTokenRevokedProps,
} from './access-token-revoked';
import AccountDeleted, {
  subject as accountDeletedSubject,
  type AccountDeletedProps,
} from './account-deleted';
import AccountExists, { subject as accountExistsSubject, type AccountExistsProps } from './account-exists';
import AccountLocked, { subject as accountLockedSubject, type AccountLockedProps } from './account-locked';
import AccountRejected, {
  subject as accountRejectedSubject,
  type AccountRejectedProps,
} from './account-rejected';
import AdminNewSignup, {
  subject as adminNewSignupSubject,
  type AdminNewSignupProps,
} from './admin-new-signup';
import AdminTestEmail, {
  subject as adminTestEmailSubject,
  type AdminTestEmailProps,
} from './admin-test-email';
import EmailChangeConfirm, {
  subject as emailChangeConfirmSubject,
  type EmailChangeConfirmProps,
} from './email-change-confirm';
import EmailChangeExpired, {
  subject as emailChangeExpiredSubject,
  type EmailChangeExpiredProps,
} from './email-change-expired';
import AdminUserLocked, {
  subject as adminUserLockedSubject,
  type AdminUserLockedProps,
} from './admin-user-locked';
import UsernameTaken, { subject as usernameTakenSubject, type UsernameTakenProps } from './username-taken';
import EmailChangeNotice, {
  subject as emailChangeNoticeSubject,
  type EmailChangeNoticeProps,
} from './email-change-notice';
import Invite, { subject as inviteSubject, type InviteProps } from './invite';
import NewSignIn, { subject as newSignInSubject, type NewSignInProps } from './new-sign-in';
import PasswordChanged, {
  subject as passwordChangedSubject,
  type PasswordChangedProps,
} from './password-changed';
import RecoveryPhraseCreated, {
  subject as recoveryPhraseCreatedSubject,
  type RecoveryPhraseCreatedProps,
} from './recovery-phrase-created';
import RecoveryPhraseRemoved, {
  subject as recoveryPhraseRemovedSubject,
  type RecoveryPhraseRemovedProps,
} from './recovery-phrase-removed';
import RecoveryPhraseUsed, {
  subject as recoveryPhraseUsedSubject,
  type RecoveryPhraseUsedProps,
} from './recovery-phrase-used';
import PasskeyAdded, { subject as passkeyAddedSubject, type PasskeyAddedProps } from './passkey-added';
import PasskeyRemoved, {
  subject as passkeyRemovedSubject,
  type PasskeyRemovedProps,
} from './passkey-removed';
import ResetPassword, { subject as resetPasswordSubject, type ResetPasswordProps } from './reset-password';
import SetPassword, { subject as setPasswordSubject, type SetPasswordProps } from './set-password';
import TwoFactorChanged, {
  subject as twoFactorChangedSubject,
  type TwoFactorChangedProps,
} from './two-factor-changed';
import VerifyEmail, { subject as verifyEmailSubject, type VerifyEmailProps } from './verify-email';
import VerifyEmailResend, {
  subject as verifyEmailResendSubject,
  type VerifyEmailResendProps,
} from './verify-email-resend';
import Welcome, { subject as welcomeSubject, type WelcomeProps } from './welcome';

/**
 * The mail registry: every template by name, and renderEmail, which turns a name, its props and the
 * recipient's locale into subject, HTML and text, in the operator's brand when one is given. Strings come from lib/i18n/messages/<locale>/emails.json.
 * To add a template, see docs/emails.md.
 */

export const templateNames = [
  'verify-email',
  'verify-email-resend',
  'account-exists',
  'admin-new-signup',
  'welcome',
  'account-rejected',
  'reset-password',
  'password-changed',
  'email-change-confirm',
  'email-change-notice',
  'account-locked',
  'account-deleted',
  'recovery-phrase-used',
  'set-password',
  'admin-test-email',
  'email-change-expired',
  'username-taken',
  'admin-user-locked',
  'recovery-phrase-created',
  'recovery-phrase-removed',
  'new-sign-in',
  'access-token-created',
  'access-token-revoked',
  'invite',
  'passkey-added',
  'passkey-removed',
  'two-factor-changed',
] as const;

export type TemplateName = (typeof templateNames)[number];

/** Each template's props as callers pass them: the locale is renderEmail's own argument. */
export type TemplateProps = {
  'verify-email': Omit<VerifyEmailProps, 'locale'>;
  'verify-email-resend': Omit<VerifyEmailResendProps, 'locale'>;
  'account-exists': Omit<AccountExistsProps, 'locale'>;
  'admin-new-signup': Omit<AdminNewSignupProps, 'locale'>;
  welcome: Omit<WelcomeProps, 'locale'>;
  'account-rejected': Omit<AccountRejectedProps, 'locale'>;
  'reset-password': Omit<ResetPasswordProps, 'locale'>;
  'password-changed': Omit<PasswordChangedProps, 'locale'>;
  'email-change-confirm': Omit<EmailChangeConfirmProps, 'locale'>;
  'email-change-notice': Omit<EmailChangeNoticeProps, 'locale'>;
  'account-locked': Omit<AccountLockedProps, 'locale'>;
  'account-deleted': Omit<AccountDeletedProps, 'locale'>;
  'recovery-phrase-used': Omit<RecoveryPhraseUsedProps, 'locale'>;
  'set-password': Omit<SetPasswordProps, 'locale'>;
  'admin-test-email': Omit<AdminTestEmailProps, 'locale'>;
  'email-change-expired': Omit<EmailChangeExpiredProps, 'locale'>;
  'username-taken': Omit<UsernameTakenProps, 'locale'>;
  'admin-user-locked': Omit<AdminUserLockedProps, 'locale'>;
  'recovery-phrase-created': Omit<RecoveryPhraseCreatedProps, 'locale'>;
  'recovery-phrase-removed': Omit<RecoveryPhraseRemovedProps, 'locale'>;
  'new-sign-in': Omit<NewSignInProps, 'locale'>;
  'access-token-created': Omit<AccessTokenCreatedProps, 'locale'>;
  'access-token-revoked': Omit<AccessTokenRevokedProps, 'locale'>;
  invite: Omit<InviteProps, 'locale'>;
  'passkey-added': Omit<PasskeyAddedProps, 'locale'>;
  'passkey-removed': Omit<PasskeyRemovedProps, 'locale'>;
  'two-factor-changed': Omit<TwoFactorChangedProps, 'locale'>;
};

type FullProps<T extends TemplateName> = TemplateProps[T] & { locale: Locale };

interface TemplateEntry<P> {
  component: (props: P) => ReactElement;
  subject: (props: P) => string;
  previewProps: P;
  /**
   * The body holds a token link or a code: whoever reads the mail can act as the recipient. The
   * sender must not log or keep its body, and the dev mailbox should treat it with care.
   */
  containsSecret: boolean;
}

function entry<P extends { locale: Locale }>(
  component: ((props: P) => ReactElement) & { PreviewProps: NoInfer<P> },
  subject: (props: P) => string,
  containsSecret: boolean,
): TemplateEntry<P> {
  return { component, subject, previewProps: component.PreviewProps, containsSecret };
}

const registry: { [T in TemplateName]: TemplateEntry<FullProps<T>> } = {
  'verify-email': entry(VerifyEmail, verifyEmailSubject, true),
  'verify-email-resend': entry(VerifyEmailResend, verifyEmailResendSubject, true),
  'account-exists': entry(AccountExists, accountExistsSubject, false),
  'admin-new-signup': entry(AdminNewSignup, adminNewSignupSubject, false),
  welcome: entry(Welcome, welcomeSubject, false),
  'account-rejected': entry(AccountRejected, accountRejectedSubject, false),
  'reset-password': entry(ResetPassword, resetPasswordSubject, true),
  'password-changed': entry(PasswordChanged, passwordChangedSubject, false),
  'email-change-confirm': entry(EmailChangeConfirm, emailChangeConfirmSubject, true),
  // Its "this wasn't me" link carries a cancellation token.
  'email-change-notice': entry(EmailChangeNotice, emailChangeNoticeSubject, true),
  'account-locked': entry(AccountLocked, accountLockedSubject, false),
  'account-deleted': entry(AccountDeleted, accountDeletedSubject, false),
  'recovery-phrase-used': entry(RecoveryPhraseUsed, recoveryPhraseUsedSubject, false),
  'set-password': entry(SetPassword, setPasswordSubject, true),
  'admin-test-email': entry(AdminTestEmail, adminTestEmailSubject, false),
  'email-change-expired': entry(EmailChangeExpired, emailChangeExpiredSubject, false),
  'username-taken': entry(UsernameTaken, usernameTakenSubject, false),
  'admin-user-locked': entry(AdminUserLocked, adminUserLockedSubject, false),
  'recovery-phrase-created': entry(RecoveryPhraseCreated, recoveryPhraseCreatedSubject, false),
  'recovery-phrase-removed': entry(RecoveryPhraseRemoved, recoveryPhraseRemovedSubject, false),
  'new-sign-in': entry(NewSignIn, newSignInSubject, false),
  'access-token-created': entry(AccessTokenCreated, accessTokenCreatedSubject, false),
  'access-token-revoked': entry(AccessTokenRevoked, accessTokenRevokedSubject, false),
  invite: entry(Invite, inviteSubject, true),
  'passkey-added': entry(PasskeyAdded, passkeyAddedSubject, false),
  'passkey-removed': entry(PasskeyRemoved, passkeyRemovedSubject, false),
  'two-factor-changed': entry(TwoFactorChanged, twoFactorChangedSubject, false),
};

export class UnknownTemplateError extends Error {
  constructor(template: unknown) {
    // The name may come from outside: quote it, and keep the message short.
    super(`Unknown email template: ${JSON.stringify(String(template).slice(0, 100))}`);
    this.name = 'UnknownTemplateError';
  }
}

export function isTemplateName(x: unknown): x is TemplateName {
  return typeof x === 'string' && (templateNames as readonly string[]).includes(x);
}

function lookup<T extends TemplateName>(template: T): TemplateEntry<FullProps<T>> {
  if (!isTemplateName(template)) throw new UnknownTemplateError(template);
  return registry[template] as unknown as TemplateEntry<FullProps<T>>;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** See TemplateEntry.containsSecret. */
  containsSecret: boolean;
}

/** A header value on one line: no control characters (a user-typed name must not fold the header). */
function oneLine(value: string): string {
  return value
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/**
 * Renders a mail in the recipient's language. Links in `props` must be absolute URLs built from
 * APP_URL: templates never make up an origin. Throws UnknownTemplateError for a name not in
 * templateNames (the name may be untrusted), and an error if a string is missing from the catalogue.
 */
export async function renderEmail<T extends TemplateName>(
  template: T,
  props: TemplateProps[T],
  locale: Locale,
  brand: MailBrand = {},
): Promise<RenderedEmail> {
  return withMailBrand(brand, () => renderInBrand(template, props, locale));
}

async function renderInBrand<T extends TemplateName>(
  template: T,
  props: TemplateProps[T],
  locale: Locale,
): Promise<RenderedEmail> {
  const { component, subject, containsSecret } = lookup(template);
  const fullProps = { ...props, locale: mailLocale(locale) } as FullProps<T>;
  const html = await render(createElement(component as (props: object) => ReactElement, fullProps));
  const text = toPlainText(html, {
    // Headings as written, not upper-cased.
    selectors: [
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
    ],
  });
  return { subject: oneLine(subject(fullProps)), html, text, containsSecret };
}

/** A template's preview props without the locale, as renderEmail takes them (tests, dev mailbox). */
export function previewProps<T extends TemplateName>(template: T): TemplateProps[T] {
  const { locale: _locale, ...props } = lookup(template).previewProps;
  return props as unknown as TemplateProps[T];
}
