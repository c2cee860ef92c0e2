import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from '@playwright/test';
import type { SmtpCatcher } from '../helpers/smtp-catcher';
import { approvalQueue, expect, PASSWORD, registerAndConfirm, signInAdmin, signInOk, test } from './fixtures';

/**
 * Personal access tokens in a real browser with JavaScript off (the forms are plain posts), mail
 * read from the SMTP catcher: a token is made with the password, shown once, listed, revoked by its
 * owner; an admin revokes another person's token from the account's admin page.
 */
test.describe.configure({ mode: 'serial' });

const admin = { username: 'tokens-admin', email: 'tokens-admin@gatehouse.test', fullName: 'Tom Admin' };

async function noJsUser(browser: Browser, mailbox: SmtpCatcher, name: string) {
  const email = `${name}@example.test`;
  const setup = await browser.newContext();
  await registerAndConfirm(await setup.newPage(), mailbox, {
    username: name,
    email,
    fullName: `${name} Person`,
  });
  const adminPage = await setup.newPage();
  await signInAdmin(adminPage, mailbox, admin);
  await adminPage.goto('/admin/users');
  await adminPage.getByRole('button', { name: `Approve ${name}` }).click();
  await expect(approvalQueue(adminPage).getByText(email)).toHaveCount(0);
  await mailbox.waitForMail(email);
  await setup.close();

  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInOk(page, email);
  return { context, page, email };
}

/**
 * The rules of tests/e2e/a11y.spec.ts, on a state only this spec reaches: the token table of an
 * account's admin page (axe needs JavaScript in the page).
 */
async function expectNoAxeViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .setLegacyMode()
    .options({ resultTypes: ['violations'] })
    .analyze();
  expect(violations.map((v) => v.id)).toEqual([]);
}

async function createToken(page: Page, name: string): Promise<string> {
  await page.goto('/account/tokens');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Expires after').selectOption('7');
  await page.getByLabel('Change your profile and settings (profile:write)').check();
  await page.getByLabel('Your current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByText('Copy it now: this is the only time it is shown.')).toBeVisible();
  const token = (await page.locator('#new-access-token').textContent()) ?? '';
  expect(token).toMatch(/^gth_[A-Za-z0-9_-]{43}$/);
  return token;
}

test('without JavaScript: a token needs the password, is shown once, listed, mailed about and revoked', async ({
  browser,
  mailbox,
}) => {
  const { context, page, email } = await noJsUser(browser, mailbox, 'tokenowner');

  await page.goto('/account/tokens');
  await expect(page.getByRole('heading', { name: 'Access tokens', level: 1 })).toBeVisible();
  // Administrator scopes are not even offered to a plain user.
  await expect(page.getByLabel(/admin:read/)).toHaveCount(0);

  await page.getByLabel('Name').fill('Backup script');
  await page.getByLabel('Your current password').fill('not the password at all');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await expect(page.getByText('That password is not right.').first()).toBeVisible();
  await expect(page.locator('#new-access-token')).toHaveCount(0);
  // The password is never sent back into the form.
  await expect(page.getByLabel('Your current password')).toHaveValue('');

  const token = await createToken(page, 'Backup script');

  const notice = await mailbox.waitForMail(email);
  expect(notice.subject).toBe('A new access token was created for your Gatehouse account');
  expect(notice.text).toContain('Backup script');
  expect(notice.text).toContain('profile:read, profile:write');
  expect(notice.text + notice.html).not.toContain(token);

  // Shown once: the next visit lists it by its first characters only.
  await page.goto('/account/tokens');
  await expect(page.locator('#new-access-token')).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText(token);
  const item = page
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: 'Backup script' }) });
  await expect(item).toContainText(token.slice(0, 8));
  await expect(item).toContainText('profile:read, profile:write');
  await expect(item).toContainText('Never');

  await item.getByRole('button', { name: 'Revoke Backup script' }).click();
  await expect(page.getByText('The token has been revoked.')).toBeVisible();
  await expect(page.getByText('You have no access tokens.')).toBeVisible();
  const revoked = await mailbox.waitForMail(email);
  expect(revoked.subject).toBe('An access token of your Gatehouse account was revoked');
  await context.close();
});

test("an admin sees another person's tokens on their admin page and revokes one; the owner is told", async ({
  browser,
  mailbox,
}) => {
  const { context, page, email } = await noJsUser(browser, mailbox, 'tokenholder');
  const token = await createToken(page, 'Deploy bot');
  await mailbox.waitForMail(email);

  // With JavaScript, unlike the owner: the revoke button works both ways, and axe needs it.
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await signInAdmin(adminPage, mailbox, admin);
  await adminPage.goto('/admin/users?q=tokenholder');
  await adminPage
    .getByRole('table', { name: 'All users' })
    .getByRole('link', { name: 'tokenholder' })
    .click();
  const section = adminPage.getByRole('region', { name: 'Access tokens' });
  await expect(section.getByRole('rowheader', { name: 'Deploy bot' })).toBeVisible();
  await expect(section).toContainText(token.slice(0, 8));
  await expect(section).not.toContainText(token);
  await expectNoAxeViolations(adminPage);
  await section.getByRole('button', { name: 'Revoke the token Deploy bot' }).click();
  await expect(adminPage.getByText('The token has been revoked and its owner told by email.')).toBeVisible();
  await expect(adminPage.getByText('tokenholder has no access tokens.')).toBeVisible();

  const mail = await mailbox.waitForMail(email);
  expect(mail.text).toContain('An administrator of Gatehouse revoked the access token “Deploy bot”');
  await page.goto('/account/tokens');
  await expect(page.getByText('You have no access tokens.')).toBeVisible();

  await Promise.all([context.close(), adminContext.close()]);
});
