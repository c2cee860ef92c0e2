import type { Page } from '@playwright/test';
import {
  confirmWithPassword,
  expect,
  fillRegistration,
  linkIn,
  PASSWORD,
  signIn,
  signInAdmin,
  signInOk,
  test,
  type Person,
} from './fixtures';

/**
 * Each sign-up mode (decision 030), walked in a browser against the production build, with the mode
 * set the way an admin sets it, in /admin/settings. The modes are platform-wide, so every test puts
 * back the default (approval, no domain rules) for the specs that follow.
 */
test.describe.configure({ mode: 'serial' });

const admin: Person = { username: 'a11y-admin', email: 'a11y-admin@gatehouse.test', fullName: 'Ally Admin' };

type Policy = { mode: string; allowed?: string; blocked?: string; usersMayInvite?: boolean };

async function setPolicy(page: Page, policy: Policy) {
  await page.goto('/admin/settings');
  await page.getByLabel('Who may sign up').selectOption({ label: policy.mode });
  await page.getByLabel('Allowed email domains').fill(policy.allowed ?? '');
  await page.getByLabel('Blocked email domains').fill(policy.blocked ?? '');
  await page.getByLabel('Users may invite people too').setChecked(policy.usersMayInvite ?? false);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(
    page
      .getByText(/^Saved: \d+ settings? changed\.$/)
      .or(page.getByText('Nothing to save: every value is as it was.')),
  ).toBeVisible();
}

const DEFAULT: Policy = { mode: 'Anyone, with an administrator’s approval' };

/** Fills the sign-up form and submits it, without expecting success. */
async function submitRegistration(page: Page, person: Person, { withEmail = true } = {}) {
  await page.getByLabel('Username').fill(person.username);
  if (withEmail) await page.getByLabel('Email address').fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Type the password again').fill(PASSWORD);
  await page.getByLabel('Full name').fill(person.fullName);
  await page.getByRole('button', { name: 'Create account' }).click();
}

test.beforeEach(async ({ page, mailbox }) => {
  await signInAdmin(page, mailbox, admin);
});

test.afterEach(async ({ page }) => {
  await setPolicy(page, DEFAULT);
});

test('open: a confirmed account is active at once, no approval', async ({ page, browser, mailbox }) => {
  await setPolicy(page, { mode: 'Anyone: accounts are active once the address is confirmed' });
  const visitor = await (await browser.newContext()).newPage();
  const person = { username: 'open-olga', email: 'open-olga@example.test', fullName: 'Olga Open' };
  await fillRegistration(visitor, person);
  await visitor.goto(linkIn(await mailbox.waitForMail(person.email), '/verify-email'));
  await confirmWithPassword(visitor);
  await expect(visitor.getByText('Your account is ready')).toBeVisible();
  await signInOk(visitor, person.username);
});

test('approval: a confirmed account waits for an administrator', async ({ browser, mailbox }) => {
  const visitor = await (await browser.newContext()).newPage();
  const person = { username: 'approval-abe', email: 'approval-abe@example.test', fullName: 'Abe Approval' };
  await fillRegistration(visitor, person);
  await visitor.goto(linkIn(await mailbox.waitForMail(person.email), '/verify-email'));
  await confirmWithPassword(visitor);
  await expect(visitor.getByText('An administrator will review your account')).toBeVisible();
  await signIn(visitor, person.username);
  await expect(visitor.getByText('waiting for an administrator’s approval')).toBeVisible();
});

test('invite only: sign-up needs the link, the address is bound, the link works once, a revoked one never', async ({
  page,
  browser,
  mailbox,
}) => {
  await setPolicy(page, { mode: 'Only people who were invited' });
  const stranger = await (await browser.newContext()).newPage();
  await stranger.goto('/register');
  await expect(stranger.getByText('You can sign up here only with an invitation.')).toBeVisible();
  await expect(stranger.getByRole('button', { name: 'Create account' })).toHaveCount(0);

  await page.goto('/admin/users');
  await page.getByRole('link', { name: 'Invite people' }).click();
  await page.getByLabel('Email address to invite').fill('invited-ivy@example.test');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText('Invitation sent to invited-ivy@example.test.')).toBeVisible();
  const invitation = await mailbox.waitForMail('invited-ivy@example.test');
  expect(invitation.text).toContain('An administrator of');
  expect(invitation.text).not.toContain(admin.email);
  const link = linkIn(invitation, '/register');

  const invited = await (await browser.newContext()).newPage();
  await invited.goto(link);
  // The token left the address bar for a cookie scoped to the page (S35).
  await expect(invited).toHaveURL(/\/register$/);
  await expect(invited.getByText('Your account will use the address invited-ivy@example.test')).toBeVisible();
  await expect(invited.getByLabel('Email address')).toHaveCount(0);
  await submitRegistration(
    invited,
    { username: 'invited-ivy', email: 'ignored@example.test', fullName: 'Ivy Invited' },
    { withEmail: false },
  );
  await expect(invited.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
  const welcome = await mailbox.waitForMail('invited-ivy@example.test');
  expect(linkIn(welcome, '/login')).toBe('/login');
  await signInOk(invited, 'invited-ivy@example.test');

  // Single use: the same link, in another browser, opens nothing.
  const again = await (await browser.newContext()).newPage();
  await again.goto(link);
  await expect(again.getByText('This invitation link is invalid, expired or already used.')).toBeVisible();
  await expect(again.getByRole('button', { name: 'Create account' })).toHaveCount(0);

  // Revoked before use: dead too.
  await page.goto('/admin/users/invites');
  await page.getByLabel('Email address to invite').fill('revoked-rex@example.test');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText('Invitation sent to revoked-rex@example.test.')).toBeVisible();
  const revokedLink = linkIn(await mailbox.waitForMail('revoked-rex@example.test'), '/register');
  await page.reload();
  await page.getByRole('button', { name: 'Revoke the invitation to revoked-rex@example.test' }).click();
  await expect(page.getByText('Invitation revoked. Its link no longer works.')).toBeVisible();
  const late = await (await browser.newContext()).newPage();
  await late.goto(revokedLink);
  await expect(late.getByText('This invitation link is invalid, expired or already used.')).toBeVisible();
});

test('closed: the page says so, and a form opened before closing is refused', async ({ page, browser }) => {
  const early = await (await browser.newContext()).newPage();
  await early.goto('/register');
  await setPolicy(page, { mode: 'Nobody: sign-up is closed' });
  await submitRegistration(early, {
    username: 'closed-cleo',
    email: 'closed-cleo@example.test',
    fullName: 'Cleo',
  });
  await expect(early.getByText('Sign-up is closed. No account was created.')).toBeVisible();

  const late = await (await browser.newContext()).newPage();
  await late.goto('/register');
  await expect(
    late.getByText('Sign-up is closed. If you need an account, ask an administrator.'),
  ).toBeVisible();
  await expect(late.getByRole('button', { name: 'Create account' })).toHaveCount(0);
});

test('domains: a blocked one and one outside the allow-list are refused by domain alone; an allowed subdomain signs up', async ({
  page,
  browser,
  mailbox,
}) => {
  await setPolicy(page, { ...DEFAULT, allowed: 'allowed.test', blocked: 'guests.allowed.test' });
  const visitor = await (await browser.newContext()).newPage();
  const refusal = 'Addresses at this domain cannot be used to sign up here.';

  await visitor.goto('/register');
  await submitRegistration(visitor, {
    username: 'guest-gus',
    email: 'gus@guests.allowed.test',
    fullName: 'Gus',
  });
  await expect(visitor.getByText(refusal).first()).toBeVisible();
  // An address with an account (the admin's) outside the list gets the very same answer: nothing is revealed.
  await visitor.goto('/register');
  await submitRegistration(visitor, { username: 'taken-tess', email: admin.email, fullName: 'Tess' });
  await expect(visitor.getByText(refusal).first()).toBeVisible();

  await visitor.goto('/register');
  await submitRegistration(visitor, {
    username: 'staff-sam',
    email: 'sam@eu.allowed.test',
    fullName: 'Sam Staff',
  });
  await expect(visitor.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
  await mailbox.waitForMail('sam@eu.allowed.test');
});
