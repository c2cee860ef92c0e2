import type { Browser, Page, Route } from '@playwright/test';
import {
  approvalQueue,
  confirmWithPassword,
  expect,
  fillRegistration,
  linkIn,
  PASSWORD,
  type Person,
  registerAndConfirm,
  signIn,
  signInAdmin,
  test,
} from './fixtures';
import { linksIn, type CaughtMail } from '../helpers/smtp-catcher';

/** A reset mail: a link to /reset-password and a 6-digit code. */
const isResetMail = (m: CaughtMail) =>
  /\b[0-9]{6}\b/.test(m.text) && linksIn(m).some((l) => new URL(l).pathname === '/reset-password');

/**
 * Issue 8: every form works with JavaScript off. Each one is posted once with bad input, and the page
 * the server renders shows its error summary and the field's message; then once with good input.
 * Registration, e-mail confirmation and the approval button are in signup.spec.ts.
 */
test.describe.configure({ mode: 'serial' });
test.use({ javaScriptEnabled: false });

const admin: Person = { username: 'a11y-admin', email: 'a11y-admin@gatehouse.test', fullName: 'Ally Admin' };
const walker: Person = { username: 'scriptless', email: 'scriptless@example.test', fullName: 'Noah Script' };
const NEW_PASSWORD = 'a fresh offline passphrase here';
const THIRD_PASSWORD = 'yet another quiet passphrase';

async function expectProblem(page: Page, message: string | RegExp) {
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await expect(page.getByText(message).first()).toBeVisible();
}

async function noJsContext(browser: Browser) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  return { context, page: await context.newPage() };
}

/** The link pages' one-button forms carry the token in a hidden field: a crafted post swaps it. */
async function rewriteToken(page: Page, to: string) {
  const token = await page.locator('input[name="token"]').first().inputValue();
  await rewriteField(page, 'token', token, to);
}

async function requestEmailChange(page: Page, newEmail: string, password: string) {
  await page.goto('/account/email');
  await page.getByLabel('New email address').fill(newEmail);
  await page.getByLabel('Current password').fill(password);
  await page.getByRole('button', { name: 'Change email address' }).click();
  await expect(page.getByRole('heading', { name: 'Change waiting for confirmation' })).toBeVisible();
}

/**
 * A crafted post: the browser sends the real form, and the route swaps one field's value on the way,
 * as a hand-made request would.
 */
async function rewriteField(page: Page, field: string, from: string, to: string) {
  await page.route('**/*', async (route: Route) => {
    const request = route.request();
    const body = request.postData();
    if (request.method() !== 'POST' || !body) return route.continue();
    const needle = `name="${field}"\r\n\r\n${from}\r\n`;
    if (!body.includes(needle)) return route.continue();
    await route.continue({ postData: body.replace(needle, `name="${field}"\r\n\r\n${to}\r\n`) });
  });
}

let adminPage: Page;

test('set-up: the admin approves a new account, all without JavaScript', async ({ browser, mailbox }) => {
  const admins = await noJsContext(browser);
  adminPage = admins.page;
  await signInAdmin(adminPage, mailbox, admin);

  const { context, page } = await noJsContext(browser);
  await registerAndConfirm(page, mailbox, walker);
  await adminPage.goto('/admin/users');
  await approvalQueue(adminPage)
    .getByRole('button', { name: `Approve ${walker.username}` })
    .click();
  await expect(approvalQueue(adminPage).getByText(walker.email)).toHaveCount(0);
  await context.close();
});

test('signed out: login, forgot password, reset by link and by code', async ({ page, mailbox }) => {
  await page.goto('/login');
  // The passkey section is there from the server: its button waits for scripts, and the page says
  // what it needs in a <noscript> (which Chromium driven with scripts off does not display).
  await expect(page.getByRole('region', { name: 'With a passkey' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Use a passkey' })).toBeDisabled();
  expect(await page.content()).toContain('Signing in with a passkey needs JavaScript');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectProblem(page, 'This field is required.');
  await signIn(page, walker.username, 'not the right password');
  await expectProblem(page, 'The email, username or password is not right');
  await expect(page.getByLabel('Email or username')).toHaveValue(walker.username);

  await page.goto('/forgot-password');
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expectProblem(page, 'This field is required.');
  await page.getByLabel('Email address').fill(walker.email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByText('If that address belongs to an account')).toBeVisible();

  const mail = await mailbox.waitForMail(walker.email, { predicate: isResetMail });
  await page.goto(linkIn(mail, '/reset-password'));
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Type it again').fill('does not match at all');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expectProblem(page, /do not match/);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Type it again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();

  // The code from a second mail, typed on the code page.
  await page.goto('/forgot-password');
  await page.getByLabel('Email address').fill(walker.email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByText('If that address belongs to an account')).toBeVisible();
  const second = await mailbox.waitForMail(walker.email, { predicate: isResetMail });
  const code = /\b([0-9]{6})\b/.exec(second.text)![1]!;
  await page.goto('/reset-password');
  await page.getByLabel('Email address').fill(walker.email);
  await page.getByLabel('6-digit code').fill('12ab');
  await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Type it again').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expectProblem(page, 'Enter the 6 digits from the email.');
  await page.getByLabel('6-digit code').fill(code);
  await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Type it again').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();

  await signIn(page, walker.email);
  await expect(page).toHaveURL(/\/account$/);
});

test('signed in: profile, preferences, password, email change, devices, recovery phrase, switchers', async ({
  browser,
  page,
}) => {
  await signIn(page, walker.email);
  await expect(page).toHaveURL(/\/account$/);

  await page.goto('/account/profile');
  await page.getByLabel('Phone number').fill('call me maybe');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expectProblem(page, /phone/i);
  await page.getByLabel('Phone number').fill('+33 1 23 45 67 89');
  // A 10,000-character city, as a crafted post would send it past the field's own limit.
  await rewriteField(page, 'city', 'Lyon', 'L'.repeat(10_000));
  await page.getByLabel('City').fill('Lyon');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expectProblem(page, /Use at most/);
  await page.unrouteAll();
  await page.goto('/account/profile');
  await expect(page.getByLabel('City')).toHaveValue('');
  await page.getByLabel('Phone number').fill('+33 1 23 45 67 89');
  await page.getByLabel('City').fill('Lyon');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Your profile has been saved.')).toBeVisible();

  // Crafted posts to the preferences: an unknown language, then an unknown time zone.
  await page.goto('/account/settings');
  await rewriteField(page, 'locale', 'en', 'xx-klingon');
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expectProblem(page, 'Choose one of the options.');
  await page.unrouteAll();
  await page.goto('/account/settings');
  await page.getByLabel('Time zone').selectOption('Europe/Paris');
  await rewriteField(page, 'timezone', 'Europe/Paris', 'Mars/Olympus_Mons');
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await page.unrouteAll();
  await page.goto('/account/settings');
  await expect(page.getByLabel('Language')).toHaveValue('en');
  await expect(page.getByLabel('Time zone')).not.toHaveValue('Mars/Olympus_Mons');
  await page.getByLabel('Time zone').selectOption('Europe/Paris');
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.getByText('Your preferences have been saved.')).toBeVisible();

  await page.goto('/account/security');
  await page.getByLabel('Current password').fill('not my password at all');
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expectProblem(page, 'This is not your current password.');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password has been changed')).toBeVisible();

  await page.goto('/account/email');
  await page.getByLabel('New email address').fill(walker.email);
  await page.getByLabel('Current password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change email address' }).click();
  await expectProblem(page, 'This is already your address.');
  await page.getByLabel('New email address').fill('scriptless-new@example.test');
  await page.getByLabel('Current password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change email address' }).click();
  await expect(page.getByRole('heading', { name: 'Change waiting for confirmation' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel this change' }).click();
  await expect(page.getByText('No change is waiting.')).toBeVisible();

  // Two other devices: one signed out by its own button, the other by "all others".
  const others = await Promise.all([noJsContext(browser), noJsContext(browser)]);
  for (const other of others) {
    await signIn(other.page, walker.email, NEW_PASSWORD);
    await expect(other.page).toHaveURL(/\/account$/);
  }
  await page.goto('/account/sessions');
  await page
    .getByRole('button', { name: /^Sign out .+/ })
    .first()
    .click();
  await expect(page.getByText('That device has been signed out.')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out all other devices' }).click();
  await expect(page.getByText('All your other devices have been signed out.')).toBeVisible();
  for (const other of others) {
    await other.page.goto('/account');
    await expect(other.page).toHaveURL(/\/login/);
    await other.context.close();
  }

  await page.goto('/account/recovery');
  await page.getByLabel('Your current password').fill('wrong wrong wrong wrong');
  await page.getByRole('button', { name: 'Create a recovery phrase' }).click();
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await page.getByLabel('Your current password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Create a recovery phrase' }).click();
  const phrase = (await page.locator('p[lang="en"][translate="no"]').textContent())!.trim();
  await page.getByLabel('Type the phrase back').fill('twelve wrong words');
  await page.getByRole('button', { name: 'Save the recovery phrase' }).click();
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await page.getByLabel('Type the phrase back').fill(phrase);
  await page.getByRole('button', { name: 'Save the recovery phrase' }).click();
  await expect(page.getByText('Your recovery phrase is saved')).toBeVisible();

  // The footer's switchers are plain forms.
  await page.getByRole('button', { name: 'Français' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('button', { name: 'Dark', exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  // Signed out by another browser: the phrase resets the password without mail.
  const stranger = await noJsContext(browser);
  await stranger.page.goto('/forgot-password/phrase');
  await stranger.page.getByLabel('Email address of your account').fill(walker.email);
  await stranger.page.getByLabel('Recovery phrase').fill('not the phrase at all');
  await stranger.page.getByLabel('New password', { exact: true }).fill(THIRD_PASSWORD);
  await stranger.page.getByLabel('Type the new password again').fill(THIRD_PASSWORD);
  await stranger.page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(stranger.page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await stranger.page.getByLabel('Recovery phrase').fill(phrase);
  await stranger.page.getByLabel('New password', { exact: true }).fill(THIRD_PASSWORD);
  await stranger.page.getByLabel('Type the new password again').fill(THIRD_PASSWORD);
  await stranger.page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(stranger.page).toHaveURL(/\/login\?passwordReset=1/);
  await stranger.context.close();
});

test('resend confirmation: a bad address is refused; the new link arrives and works, the first one no longer does', async ({
  page,
  mailbox,
}) => {
  const late: Person = {
    username: 'scriptless-late',
    email: 'scriptless-late@example.test',
    fullName: 'Lena Late',
  };
  await fillRegistration(page, late);
  const first = await mailbox.waitForMail(late.email);

  await page.goto('/verify-email/resend');
  await page.getByLabel('Email address').fill('no-at-sign');
  await page.getByRole('button', { name: 'Send a new link' }).click();
  await expectProblem(page, 'Enter an email address in the correct format');
  // An address without an account gets the very same answer (S13), and no mail.
  const sent = page.getByText('If that address has an unconfirmed account, a new link is on its way.');
  await page.getByLabel('Email address').fill('nobody-here@example.test');
  await page.getByRole('button', { name: 'Send a new link' }).click();
  await expect(sent).toBeVisible();
  await page.getByLabel('Email address').fill(late.email);
  await page.getByRole('button', { name: 'Send a new link' }).click();
  await expect(sent).toBeVisible();
  const second = await mailbox.waitForMail(late.email);
  expect(second.subject).toBe('Your new confirmation link for Gatehouse');
  // Straight away again: the cooldown answers in the summary, and no third mail is sent.
  await page.getByLabel('Email address').fill(late.email);
  await page.getByRole('button', { name: 'Send a new link' }).click();
  await expectProblem(page, /Please wait \d+ seconds before asking again\./);

  await page.goto(linkIn(first, '/verify-email'));
  await expect(page.getByRole('heading', { name: 'This link is invalid or has expired' })).toBeVisible();
  const mailTo = (address: string) => mailbox.messages.filter((m) => m.envelope.to.includes(address));
  expect(mailTo(late.email)).toHaveLength(2);
  expect(mailTo('nobody-here@example.test')).toHaveLength(0);
  await page.goto(linkIn(second, '/verify-email'));
  // A crafted post with a token no link carries: the summary says so, and the real button still works.
  await rewriteToken(page, 'x'.repeat(300));
  await confirmWithPassword(page);
  await expectProblem(page, 'This link is invalid or has expired');
  await page.unrouteAll();
  // S56: a password that is not the sign-up's confirms nothing, and the link stays usable.
  await confirmWithPassword(page, 'not the password given at sign-up');
  await expectProblem(page, 'This is not the password given at sign-up.');
  await confirmWithPassword(page);
  await expect(page.getByRole('heading', { name: 'Address confirmed' })).toBeVisible();
});

test('email change: the new address confirms, the old one stops a change; a dead link is refused on both pages', async ({
  browser,
  page,
  mailbox,
}) => {
  const moved = 'scriptless-moved@example.test';
  const movedAgain = 'scriptless-moved-again@example.test';
  await signIn(page, walker.email, THIRD_PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
  await requestEmailChange(page, moved, THIRD_PASSWORD);
  const confirmMail = await mailbox.waitForMail(moved);
  const notice = await mailbox.waitForMail(walker.email, { predicate: (m) => m.text.includes(moved) });

  // The new inbox, read on another device.
  const inbox = await noJsContext(browser);
  await inbox.page.goto(linkIn(confirmMail, '/email-change/confirm'));
  await expect(inbox.page.getByText(`Press the button to make ${moved} the address`)).toBeVisible();
  await rewriteToken(inbox.page, 'x'.repeat(300));
  await inbox.page.getByRole('button', { name: 'Confirm new address' }).click();
  await expectProblem(inbox.page, 'This link is invalid or has expired');
  await inbox.page.unrouteAll();

  // The old inbox opens its "this wasn't me" page, but the new one confirms first.
  const oldInbox = await noJsContext(browser);
  await oldInbox.page.goto(linkIn(notice, '/email-change/not-me'));
  await expect(oldInbox.page.getByRole('heading', { name: 'Stop this email change' })).toBeVisible();
  await inbox.page.getByRole('button', { name: 'Confirm new address' }).click();
  await expect(inbox.page.getByRole('heading', { name: 'Address changed' })).toBeVisible();
  await oldInbox.page.getByRole('button', { name: 'Cancel this change and secure my account' }).click();
  await expect(
    oldInbox.page.getByRole('heading', { name: 'This link is invalid or has expired' }),
  ).toBeVisible();
  // The change stands, and the session that asked for it is still signed in.
  await page.goto('/account/email');
  await expect(page.getByRole('definition').first()).toHaveText(moved);

  // A second change, withdrawn while its confirmation page is open: the button finds a dead link.
  await requestEmailChange(page, movedAgain, THIRD_PASSWORD);
  const confirmAgain = await mailbox.waitForMail(movedAgain);
  const noticeAgain = await mailbox.waitForMail(moved, { predicate: (m) => m.text.includes(movedAgain) });
  await inbox.page.goto(linkIn(confirmAgain, '/email-change/confirm'));
  await page.getByRole('button', { name: 'Cancel this change' }).click();
  await expect(page.getByText('No change is waiting.')).toBeVisible();
  await inbox.page.getByRole('button', { name: 'Confirm new address' }).click();
  await expect(
    inbox.page.getByRole('heading', { name: 'This link is invalid or has expired' }),
  ).toBeVisible();

  // The withdrawn change's "this wasn't me" link still works: every device out, a reset mailed.
  await oldInbox.page.goto(linkIn(noticeAgain, '/email-change/not-me'));
  await rewriteToken(oldInbox.page, 'x'.repeat(300));
  await oldInbox.page.getByRole('button', { name: 'Cancel this change and secure my account' }).click();
  await expectProblem(oldInbox.page, 'This link is invalid or has expired');
  await oldInbox.page.unrouteAll();
  await oldInbox.page.getByRole('button', { name: 'Cancel this change and secure my account' }).click();
  await expect(oldInbox.page.getByRole('heading', { name: 'Your account is secured' })).toBeVisible();
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login/);
  const reset = await mailbox.waitForMail(moved, { predicate: isResetMail });
  expect(linkIn(reset, '/reset-password')).toMatch(/token=/);

  await signIn(page, walker.email, THIRD_PASSWORD);
  await expectProblem(page, 'The email, username or password is not right');
  await signIn(page, moved, THIRD_PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
  await Promise.all([inbox.context.close(), oldInbox.context.close()]);
});

test('delete account: no tick and a wrong password are refused; then the account is gone everywhere', async ({
  browser,
  page,
  mailbox,
}) => {
  const email = 'scriptless-moved@example.test';
  await signIn(page, email, THIRD_PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
  const other = await noJsContext(browser);
  await signIn(other.page, walker.username, THIRD_PASSWORD);
  await expect(other.page).toHaveURL(/\/account$/);

  await page.goto('/account/delete');
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expectProblem(page, 'Tick the box to confirm that you want your account deleted.');
  await expect(page.getByText('This field is required.').first()).toBeVisible();
  await page.getByLabel('Current password').fill('not my password at all');
  await page.getByLabel('I understand that my account will be deleted').check();
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expectProblem(page, 'This is not your current password.');
  await other.page.goto('/account');
  await expect(other.page).toHaveURL(/\/account$/);

  await page.getByLabel('Current password').fill(THIRD_PASSWORD);
  await page.getByLabel('I understand that my account will be deleted').check();
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL(/\/login\?deleted=1/);
  await expect(page.getByText('Your account has been deleted')).toBeVisible();
  await mailbox.waitForMail(email, {
    predicate: (m) => m.subject === 'Your Gatehouse account has been deleted',
  });
  await other.page.goto('/account');
  await expect(other.page).toHaveURL(/\/login/);
  await signIn(page, email, THIRD_PASSWORD);
  await expectProblem(page, 'The email, username or password is not right');
  await signIn(page, walker.username, THIRD_PASSWORD);
  await expectProblem(page, 'The email, username or password is not right');
  await other.context.close();
});

test('admin: create a user, who sets a password; then every action of the user page', async ({
  browser,
  mailbox,
}) => {
  const page = adminPage;
  const name = 'made-by-hand';
  const email = 'made-by-hand@example.test';
  await page.goto('/admin/users/new');
  await page.getByLabel('Email address').fill('not an address');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Full name').fill('Hand Made');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expectProblem(page, 'Enter an email address in the correct format');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(
    page.getByText(`${name} has been created and emailed a link to choose a password.`),
  ).toBeVisible();
  const userUrl = new URL(page.url()).pathname;

  const owner = await noJsContext(browser);
  await owner.page.goto(linkIn(await mailbox.waitForMail(email), '/set-password'));
  await owner.page.getByLabel('New password', { exact: true }).fill(PASSWORD);
  await owner.page.getByLabel('Type it again').fill('not the same one');
  await owner.page.getByRole('button', { name: 'Set password' }).click();
  await expectProblem(owner.page, /do not match/);
  await owner.page.getByLabel('New password', { exact: true }).fill(PASSWORD);
  await owner.page.getByLabel('Type it again').fill(PASSWORD);
  await owner.page.getByRole('button', { name: 'Set password' }).click();
  await expect(owner.page.getByText('Your password is set. You can sign in now.')).toBeVisible();
  await signIn(owner.page, email);
  await expect(owner.page).toHaveURL(/\/account$/);

  await page.goto(userUrl);
  await page.getByRole('button', { name: `Lock ${name}` }).click();
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await page.getByLabel('Reason for locking').fill('Checking the console without JavaScript.');
  await page.getByLabel(`Yes, lock ${name}`).check();
  await page.getByRole('button', { name: `Lock ${name}` }).click();
  await expect(page.getByText(`${name} has been locked and signed out everywhere.`)).toBeVisible();
  await page.getByRole('button', { name: `Unlock ${name}` }).click();
  await expect(page.getByText(`${name} has been unlocked.`)).toBeVisible();

  await page.getByRole('button', { name: `Make ${name} an administrator` }).click();
  await expect(page.getByText(`${name} is now an administrator.`)).toBeVisible();
  await page.getByRole('button', { name: `Make ${name} a regular user` }).click();
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await page.getByLabel(`Yes, make ${name} a regular user`).check();
  await page.getByRole('button', { name: `Make ${name} a regular user` }).click();
  await expect(page.getByText(`${name} is no longer an administrator.`)).toBeVisible();

  await page.getByRole('button', { name: `Send ${name} a password reset link` }).click();
  await expect(page.getByText(`A link to choose a password is on its way to ${name}.`)).toBeVisible();

  await signIn(owner.page, email);
  await page.goto(userUrl);
  await page.getByRole('button', { name: `Sign ${name} out everywhere` }).click();
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await page.getByLabel(`Yes, sign ${name} out everywhere`).check();
  await page.getByRole('button', { name: `Sign ${name} out everywhere` }).click();
  await expect(page.getByText(`${name} has been signed out everywhere.`)).toBeVisible();

  await page.getByLabel('Phone number').fill('not a number');
  await page.getByRole('button', { name: `Save profile of ${name}` }).click();
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await page.getByLabel('Phone number').fill('+44 20 7946 0000');
  await page.getByRole('button', { name: `Save profile of ${name}` }).click();
  await expect(page.getByText(`The profile of ${name} has been saved.`)).toBeVisible();

  await page.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await page.getByLabel(`Yes, delete ${name}`).check();
  await page.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(page.getByRole('heading', { name: 'User deleted' })).toBeVisible();
  await owner.context.close();
});

test('admin: the approval queue in bulk, a single reject, resending a confirmation, settings, sign-out', async ({
  browser,
  mailbox,
}) => {
  const page = adminPage;
  const people = ['bulk-one', 'bulk-two', 'to-reject'].map((username) => ({
    username,
    email: `${username}@example.test`,
    fullName: `Queue ${username}`,
  }));
  const { context, page: visitor } = await noJsContext(browser);
  for (const person of people) {
    await registerAndConfirm(visitor, mailbox, person);
  }
  // One more that never confirms its address: the admin sends it a new link.
  await fillRegistration(visitor, {
    username: 'unconfirmed',
    email: 'unconfirmed@example.test',
    fullName: 'Un Confirmed',
  });
  await mailbox.waitForMail('unconfirmed@example.test');
  await context.close();

  await page.goto('/admin/users');
  const queue = approvalQueue(page);
  await queue.getByRole('button', { name: 'Approve selected' }).click();
  // The queue answers in its own alert, above the table.
  await expect(approvalQueue(page).getByRole('alert')).toHaveText('Select at least one account first.');
  await approvalQueue(page).getByLabel('Select bulk-one').check();
  await approvalQueue(page).getByLabel('Select bulk-two').check();
  await approvalQueue(page).getByRole('button', { name: 'Approve selected' }).click();
  await expect(page.getByText('2 accounts approved.')).toBeVisible();

  await approvalQueue(page).getByRole('link', { name: 'to-reject' }).click();
  await page.getByRole('button', { name: 'Reject to-reject' }).click();
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await page.getByLabel('Yes, reject to-reject').check();
  await page.getByRole('button', { name: 'Reject to-reject' }).click();
  await expect(page.getByText('to-reject has been rejected and signed out everywhere.')).toBeVisible();

  await page.goto('/admin/users?q=unconfirmed');
  await page.getByRole('table', { name: 'All users' }).getByRole('link', { name: 'unconfirmed' }).click();
  await page.getByRole('button', { name: 'Send unconfirmed a new confirmation link' }).click();
  await expect(page.getByText('A new confirmation link is on its way to unconfirmed.')).toBeVisible();
  await page.getByRole('button', { name: 'Send unconfirmed a new confirmation link' }).click();
  await expectProblem(page, 'A link was sent a moment ago.');

  await page.goto('/admin/settings');
  await page.getByLabel('Minimum password length').fill('3');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expectProblem(page, 'Enter a whole number from 8 to 128.');
  await page.getByLabel('Minimum password length').fill('16');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Saved: 1 setting changed.')).toBeVisible();
  await page.getByLabel('Minimum password length').fill('15');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Saved: 1 setting changed.')).toBeVisible();

  const mailForm = page
    .locator('form')
    .filter({ has: page.getByRole('button', { name: 'Save mail settings' }) });
  await mailForm.getByLabel('Mail transport').selectOption({ label: 'SMTP' });
  await mailForm.getByRole('button', { name: 'Save mail settings' }).click();
  await expectProblem(page, 'Enter the SMTP host.');
  await mailForm.getByLabel('Mail transport').selectOption({ label: 'SMTP' });
  await mailForm.getByLabel('From address').fill('accounts@gatehouse.test');
  await mailForm.getByLabel('SMTP host').fill('127.0.0.1');
  await mailForm.getByLabel('SMTP port').fill(process.env.E2E_SMTP_PORT!);
  await mailForm.getByLabel('Encryption').selectOption('none');
  await mailForm.getByRole('button', { name: 'Save mail settings' }).click();
  await expect(page.getByText(/^Saved: \d+ settings? changed\.$/)).toBeVisible();
  await page.getByRole('button', { name: 'Send test email' }).click();
  await expect(page.getByText(`Test email sent to ${admin.email} through SMTP`)).toBeVisible();
  // Back to the server environment, as the other specs expect.
  await mailForm.getByLabel('Mail transport').selectOption({ label: 'Server environment' });
  await mailForm.getByRole('button', { name: 'Save mail settings' }).click();
  await expect(page.getByText(/^Saved: \d+ settings? changed\.$/)).toBeVisible();

  await page.goto('/logout');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByText('You are signed out.')).toBeVisible();
});

test.afterAll(async () => {
  await adminPage?.context().close();
});
