import type { BrowserContext, CDPSession, Page } from '@playwright/test';
import {
  approvalQueue,
  expect,
  PASSWORD,
  registerAndConfirm,
  signIn,
  signInAdmin,
  signInOk,
  test,
} from './fixtures';

/**
 * Passkeys through Chromium's virtual authenticator (CDP WebAuthn domain): a real browser creates
 * and uses real credentials against the running app, with the mail read from the SMTP catcher.
 */
test.describe.configure({ mode: 'serial' });

// One of ADMIN_EMAILS (playwright.config.ts), shared with account-recovery.spec.ts.
const admin = { username: 'recovery-admin', email: 'recovery-admin@gatehouse.test', fullName: 'Rita Admin' };

/** A platform authenticator with resident keys and a verified user, like a phone or a laptop's. */
async function addAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/**
 * Takes the authenticator's credentials out, for a page where the browser's passkey suggestion
 * (conditional UI, which the virtual authenticator answers by itself) must not sign in; the returned
 * function puts them back, keys and counters unchanged.
 */
async function hideCredentials(cdp: CDPSession, authenticatorId: string): Promise<() => Promise<void>> {
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  for (const credential of credentials) {
    await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credential.credentialId });
  }
  return async () => {
    for (const credential of credentials)
      await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
  };
}

async function activeUser(context: BrowserContext, mailbox: Parameters<typeof signInAdmin>[1], name: string) {
  const page = await context.newPage();
  const email = `${name}@example.test`;
  await registerAndConfirm(page, mailbox, { username: name, email, fullName: `${name} Person` });
  const adminContext = await context.browser()!.newContext();
  const adminPage = await adminContext.newPage();
  await signInAdmin(adminPage, mailbox, admin);
  await adminPage.goto('/admin/users');
  await adminPage.getByRole('button', { name: `Approve ${name}` }).click();
  await expect(approvalQueue(adminPage).getByText(email)).toHaveCount(0);
  await mailbox.waitForMail(email);
  await adminContext.close();
  return { page, email };
}

async function addPasskey(page: Page, name: string) {
  await page.goto('/account/passkeys');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Create the passkey' }).click();
  await expect(page.getByText('The passkey was added. We sent you an email about it.')).toBeVisible();
  await expect(page.getByRole('heading', { name, level: 3 })).toBeVisible();
}

async function signOut(page: Page) {
  await page.goto('/account');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?signedOut=1/);
}

test('passkeys: register, sign in without a username, rename, remove; a removed passkey is refused', async ({
  browser,
  mailbox,
}) => {
  const context = await browser.newContext();
  const { page, email } = await activeUser(context, mailbox, 'passkey-owner');
  const { cdp, authenticatorId } = await addAuthenticator(page);
  await signInOk(page, email);

  await addPasskey(page, 'Work laptop');
  const added = await mailbox.waitForMail(email, {
    predicate: (mail) => mail.subject.includes('A passkey was added'),
  });
  expect(added.text).toContain('Work laptop');
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]!.isResidentCredential).toBe(true);

  // Username-less: nothing typed, the authenticator offers the account's passkey.
  await signOut(page);
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: 'Your account', level: 1 })).toBeVisible();

  await page.goto('/account/passkeys');
  await expect(page.getByText('Never')).toHaveCount(0);
  await page.getByLabel('New name').fill('Old laptop');
  await page.getByRole('button', { name: 'Rename Work laptop' }).click();
  await expect(page.getByText('The passkey was renamed.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Old laptop', level: 3 })).toBeVisible();

  await page.getByRole('button', { name: 'Remove Old laptop' }).click();
  await expect(page.getByText('The passkey was removed. We sent you an email about it.')).toBeVisible();
  await expect(page.getByText('You have no passkeys yet.')).toBeVisible();
  const removed = await mailbox.waitForMail(email, {
    predicate: (mail) => mail.subject.includes('A passkey was removed'),
  });
  expect(removed.text).toContain('Old laptop');

  // The authenticator still holds the credential; the server no longer knows it.
  await signOut(page);
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page.getByRole('region', { name: 'With a passkey' }).getByRole('alert')).toContainText(
    'The email, username or password is not right',
  );
  await expect(page).toHaveURL(/\/login/);
  await context.close();
});

test('passkeys: the email field offers passkeys (conditional UI) and an admin removes one', async ({
  browser,
  mailbox,
}) => {
  const context = await browser.newContext();
  const { page, email } = await activeUser(context, mailbox, 'passkey-autofill');
  await addAuthenticator(page);
  await signInOk(page, email);
  await addPasskey(page, 'Phone');
  await signOut(page);
  await expect(page.getByLabel('Email or username')).toHaveAttribute('autocomplete', 'username webauthn');

  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await signInAdmin(adminPage, mailbox, admin);
  await adminPage.goto('/admin/users');
  await adminPage.getByRole('link', { name: 'passkey-autofill' }).click();
  const table = adminPage.getByRole('table', { name: 'Passkeys of passkey-autofill' });
  await expect(table.getByRole('rowheader', { name: 'Phone' })).toBeVisible();
  await adminPage.getByRole('button', { name: 'Remove passkey Phone of passkey-autofill' }).click();
  await expect(adminPage.getByText('The passkey of passkey-autofill was removed')).toBeVisible();
  const removed = await mailbox.waitForMail(email, {
    predicate: (mail) => mail.subject.includes('A passkey was removed'),
  });
  expect(removed.text).toContain('An administrator removed');
  await Promise.all([context.close(), adminContext.close()]);
});

test('passkeys: without JavaScript the page says they need it, and the password still signs in', async ({
  browser,
  mailbox,
}) => {
  const context = await browser.newContext();
  const { page, email } = await activeUser(context, mailbox, 'passkey-nojs');
  await page.close();
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const noJsPage = await noJs.newPage();
  await signInOk(noJsPage, email);
  await noJsPage.goto('/account/passkeys');
  await expect(noJsPage.getByText('Adding a passkey needs JavaScript')).toBeVisible();
  await expect(noJsPage.getByLabel('Current password')).toHaveCount(0);
  await Promise.all([context.close(), noJs.close()]);
});

test('passkeys: password then passkey as second step; without JavaScript the step says a passkey needs it', async ({
  browser,
  mailbox,
}) => {
  const context = await browser.newContext();
  const { page, email } = await activeUser(context, mailbox, 'passkey-second');
  const { cdp, authenticatorId } = await addAuthenticator(page);
  await signInOk(page, email);
  await addPasskey(page, 'Desk key');
  // The authenticator holds nothing on /login, so that the email field's passkey suggestion
  // (conditional UI) does not sign in without the password first: hidden before signing out, since
  // the sign-out lands on /login, where the suggestion starts at once.
  const restore = await hideCredentials(cdp, authenticatorId);
  await signOut(page);

  // The right password alone is not enough any more: the second step asks for the passkey.
  await signIn(page, email);
  await expect(page).toHaveURL(/\/login\/two-factor$/);
  const step = page.getByRole('region', { name: 'With a passkey' });
  await expect(step).toContainText('Now confirm with one of the passkeys');
  await expect(page.getByLabel('Code from the app')).toHaveCount(0);
  await restore();
  await step.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: 'Your account', level: 1 })).toBeVisible();

  // Without JavaScript the password still leads to the step, which says what it needs and offers
  // the honest ways out; no session is made.
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const noJsPage = await noJs.newPage();
  await signIn(noJsPage, email);
  await expect(noJsPage).toHaveURL(/\/login\/two-factor$/);
  await expect(noJsPage.getByText('Using a passkey needs JavaScript')).toBeVisible();
  await expect(noJsPage.getByRole('heading', { name: 'Cannot use your passkey?' })).toBeVisible();
  await noJsPage.goto('/account');
  await expect(noJsPage).toHaveURL(/\/login/);
  await Promise.all([context.close(), noJs.close()]);
});

test('passkeys: a sensitive change (deleting the account) is confirmed with a passkey instead of the password', async ({
  browser,
  mailbox,
}) => {
  const context = await browser.newContext();
  const { page, email } = await activeUser(context, mailbox, 'passkey-reauth');
  const { cdp, authenticatorId } = await addAuthenticator(page);
  await signInOk(page, email);
  await addPasskey(page, 'Tablet');

  await page.goto('/account/delete');
  await page.getByLabel(/I understand/).check();
  // No password typed: the passkey's answer stands in for it.
  await page.getByRole('button', { name: 'Confirm with a passkey instead' }).click();
  await expect(page).toHaveURL(/\/login\?deleted=1/);
  await hideCredentials(cdp, authenticatorId);
  await signIn(page, email);
  await expect(page.getByText('The email, username or password is not right')).toBeVisible();
  await context.close();
});
