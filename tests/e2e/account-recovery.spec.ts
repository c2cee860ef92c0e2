import { activeUser, expect, linkIn, PASSWORD, signIn, signInOk, test } from './fixtures';

/**
 * The flows where account takeovers happen, walked in a real browser with mail from the real SMTP
 * catcher: reset by link and by code, password change, email change and "this wasn't me", recovery
 * phrase, deletion. Each test makes its own user; the admin from signup.spec.ts approves them.
 */
test.describe.configure({ mode: 'serial' });

const NEW_PASSWORD = 'another long passphrase here';
const admin = { username: 'recovery-admin', email: 'recovery-admin@gatehouse.test', fullName: 'Rita Admin' };

async function setNewPassword(page: import('@playwright/test').Page) {
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Type it again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to sign in' }).click();
  await expect(page).toHaveURL(/\/login\?passwordReset=1/);
  await expect(page.getByText('Your password has been changed. Sign in with the new one.')).toBeVisible();
}

test('S30/S35: forgot password → link → new password → sign in; the same link a second time fails', async ({
  browser,
  mailbox,
}) => {
  const { page, context, email } = await activeUser(browser, mailbox, admin, 'forgetful');
  await page.goto('/forgot-password');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByText('If that address belongs to an account')).toBeVisible();

  const mail = await mailbox.waitForMail(email);
  const link = linkIn(mail, '/reset-password');
  // S35: the URL carrying the token answers with a redirect that leaks it to nobody, and the form
  // page it leads to is never cached and has no token in its address.
  const hop = await page.request.get(link, { maxRedirects: 0 });
  expect(hop.status()).toBe(303);
  expect(hop.headers()['referrer-policy']).toBe('no-referrer');
  expect(hop.headers()['cache-control']).toContain('no-store');
  expect(hop.headers().location).toBe('/reset-password');
  const response = await page.goto(link);
  expect(page.url()).not.toContain('token=');
  expect(response?.headers()['cache-control']).toContain('no-store');
  await setNewPassword(page);

  await mailbox.waitForMail(email, { predicate: (m) => /password/i.test(m.subject) });
  await signIn(page, email, NEW_PASSWORD);
  await expect(page).toHaveURL(/\/account$/);

  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'This link is invalid or has expired' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Ask for a new link' })).toBeVisible();
  await context.close();
});

test('the 6-digit code works on another device', async ({ browser, mailbox }) => {
  const { page, context, email } = await activeUser(browser, mailbox, admin, 'coder');
  await page.goto('/forgot-password');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  const mail = await mailbox.waitForMail(email);
  const code = /\b([0-9]{6})\b/.exec(mail.text)![1]!;

  const other = await browser.newContext();
  const device = await other.newPage();
  await device.goto('/reset-password');
  await device.getByLabel('Email address').fill(email);
  await device.getByLabel('6-digit code').fill(code);
  await setNewPassword(device);
  await signIn(device, email, NEW_PASSWORD);
  await expect(device).toHaveURL(/\/account$/);
  await Promise.all([context.close(), other.close()]);
});

test('changing the password signs the other browser out', async ({ browser, mailbox }) => {
  const { page, context, email } = await activeUser(browser, mailbox, admin, 'changer');
  await signInOk(page, email);
  const laptop = await browser.newContext();
  const laptopPage = await laptop.newPage();
  await signIn(laptopPage, email);
  await expect(laptopPage).toHaveURL(/\/account$/);

  await page.goto('/account/security');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password has been changed')).toBeVisible();

  // This browser stays signed in under a new session id; the other one is out.
  await page.goto('/account');
  await expect(page).toHaveURL(/\/account$/);
  await laptopPage.goto('/account');
  await expect(laptopPage).toHaveURL(/\/login/);
  await mailbox.waitForMail(email, { predicate: (m) => /password/i.test(m.subject) });
  await Promise.all([context.close(), laptop.close()]);
});

test('changing the email: old address told, new one confirms, old email no longer signs in', async ({
  browser,
  mailbox,
}) => {
  const { page, context, email } = await activeUser(browser, mailbox, admin, 'mover');
  await signInOk(page, email);
  await page.goto('/account/email');
  await page.getByLabel('New email address').fill('moved@example.test');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Change email address' }).click();
  await expect(page.getByText('A confirmation link was sent to moved@example.test')).toBeVisible();

  const notice = await mailbox.waitForMail(email);
  expect(notice.text).toContain('moved@example.test');
  const confirm = await mailbox.waitForMail('moved@example.test');
  await page.goto(linkIn(confirm, '/email-change/confirm'));
  await page.getByRole('button', { name: 'Confirm new address' }).click();
  await expect(page.getByRole('heading', { name: 'Address changed' })).toBeVisible();

  const fresh = await browser.newContext();
  const freshPage = await fresh.newPage();
  await signIn(freshPage, email);
  await expect(freshPage.getByText('The email, username or password is not right')).toBeVisible();
  await signIn(freshPage, 'moved@example.test');
  await expect(freshPage).toHaveURL(/\/account$/);
  await Promise.all([context.close(), fresh.close()]);
});

test('"this wasn\'t me" cancels the change, signs every device out and sends a reset link', async ({
  browser,
  mailbox,
}) => {
  const { page, context, email } = await activeUser(browser, mailbox, admin, 'victim');
  await signInOk(page, email);
  await page.goto('/account/email');
  await page.getByLabel('New email address').fill('thief@example.test');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Change email address' }).click();
  const notice = await mailbox.waitForMail(email);
  await mailbox.waitForMail('thief@example.test');

  const owner = await browser.newContext();
  const ownerPage = await owner.newPage();
  await ownerPage.goto(linkIn(notice, '/email-change/not-me'));
  await ownerPage.getByRole('button', { name: 'Cancel this change and secure my account' }).click();
  await expect(ownerPage.getByRole('heading', { name: 'Your account is secured' })).toBeVisible();

  await page.goto('/account');
  await expect(page).toHaveURL(/\/login/);
  const reset = await mailbox.waitForMail(email);
  expect(linkIn(reset, '/reset-password')).toMatch(/token=/);
  await Promise.all([context.close(), owner.close()]);
});

test('a recovery phrase resets the password without mail', async ({ browser, mailbox }) => {
  const { page, context, email } = await activeUser(browser, mailbox, admin, 'phrasey');
  await signInOk(page, email);
  await page.goto('/account/recovery');
  await page.getByLabel('Your current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create a recovery phrase' }).click();
  const phrase = (await page.locator('p[lang="en"][translate="no"]').textContent())!.trim();
  expect(phrase.split(' ')).toHaveLength(12);
  await page.getByLabel('Type the phrase back').fill(`  ${phrase.toUpperCase()}  `);
  await page.getByRole('button', { name: 'Save the recovery phrase' }).click();
  await expect(page.getByText('Your recovery phrase is saved')).toBeVisible();
  // S60: the owner hears of the new phrase; the mail does not carry it.
  const created = await mailbox.waitForMail(email, {
    predicate: (m) => /recovery phrase was created/i.test(m.subject),
  });
  expect(created.text).not.toContain(phrase);

  const stranger = await browser.newContext();
  const device = await stranger.newPage();
  await device.goto('/forgot-password');
  await device.getByRole('link', { name: 'Use my recovery phrase instead' }).click();
  await device.getByLabel('Email address of your account').fill(email);
  await device.getByLabel('Recovery phrase').fill(phrase.replaceAll(' ', '\n'));
  await device.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await device.getByLabel('Type the new password again').fill(NEW_PASSWORD);
  await device.getByRole('button', { name: 'Set the new password' }).click();
  await expect(device).toHaveURL(/\/login\?passwordReset=1/);
  await signIn(device, email, NEW_PASSWORD);
  await expect(device).toHaveURL(/\/account$/);
  // The owner is told.
  await mailbox.waitForMail(email, { predicate: (m) => /recovery phrase was used/i.test(m.subject) });
  await Promise.all([context.close(), stranger.close()]);
});

test('deleting the account ends it: mail sent, sign-in refused', async ({ browser, mailbox }) => {
  const { page, context, email } = await activeUser(browser, mailbox, admin, 'leaver');
  await signInOk(page, email);
  await page.goto('/account/delete');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('I understand that my account will be deleted').check();
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL(/\/login\?deleted=1/);
  await expect(page.getByText('Your account has been deleted')).toBeVisible();
  await mailbox.waitForMail(email, { predicate: (m) => /delet/i.test(m.subject) });
  await signIn(page, email);
  await expect(page.getByText('The email, username or password is not right')).toBeVisible();
  await context.close();
});

test('profile and preferences: a new username signs in; dark theme, French and Paris time follow the account', async ({
  browser,
  mailbox,
}) => {
  const { page, context, email } = await activeUser(browser, mailbox, admin, 'styler');
  await signInOk(page, email);
  await page.goto('/account/profile');
  await page.getByLabel('Username').fill('styler-renamed');
  await page.getByLabel('City').fill('Lyon');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Your profile has been saved.')).toBeVisible();
  await expect(page.getByLabel('City')).toHaveValue('Lyon');

  await page.goto('/account/settings');
  await page.getByLabel('Theme').selectOption('dark');
  await page.getByLabel('Time zone').selectOption('Europe/Paris');
  await page.getByLabel('Language').selectOption('fr');
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');

  // Another browser, no cookies of its own: the account's choices come with the sign-in.
  const other = await browser.newContext({ timezoneId: 'America/New_York' });
  const device = await other.newPage();
  await signInOk(device, 'styler-renamed');
  await expect(device.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(device.locator('html')).toHaveAttribute('lang', 'fr');
  await Promise.all([context.close(), other.close()]);
});
