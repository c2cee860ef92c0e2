import { startSmtpCatcher } from '../helpers/smtp-catcher';
import {
  expect,
  linkIn,
  PASSWORD,
  registerAndConfirm,
  signIn,
  signInAdmin,
  signInOk,
  test,
} from './fixtures';

/**
 * The console an administrator runs the platform from, walked in a real browser with mail read
 * from real SMTP servers: find a pending user and approve them, lock and unlock another (their open
 * session dies at once), create a user who sets their own password, and point mail at another SMTP
 * server, where a wrong password shows that server's own error.
 */
test.describe.configure({ mode: 'serial' });

const admin = {
  username: 'console-admin',
  email: 'console-admin@gatehouse.test',
  fullName: 'Connie Console',
};

test('an admin finds a pending user by search, reads the comment and approves; the user is welcomed', async ({
  browser,
  page,
  mailbox,
}) => {
  const person = {
    username: 'pending-pat',
    email: 'pat.pending@example.test',
    fullName: 'Patricia Pending',
    comment: 'I run the Nantes office.',
  };
  const userContext = await browser.newContext();
  await registerAndConfirm(await userContext.newPage(), mailbox, person);

  await signInAdmin(page, mailbox, admin);
  await page.goto('/admin/users');
  await page.getByLabel('Search by email, username or name').fill('patricia');
  await page.getByLabel('State').selectOption({ label: 'Pending' });
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/q=patricia&state=pending/);
  await expect(page.getByText('Showing 1–1 of 1.')).toBeVisible();
  const row = page
    .getByRole('table', { name: 'All users' })
    .getByRole('row')
    .filter({ hasText: person.email });
  await expect(row).toContainText('Pending');
  await row.getByRole('link', { name: person.username }).click();

  await expect(page.getByRole('heading', { level: 1, name: person.username })).toBeVisible();
  await expect(page.getByText(person.comment)).toBeVisible();
  await page.getByRole('button', { name: `Approve ${person.username}` }).click();
  await expect(page.getByRole('status').filter({ hasText: person.username })).toBeVisible();

  const welcome = await mailbox.waitForMail(person.email, { predicate: (m) => /welcome/i.test(m.subject) });
  expect(linkIn(welcome, '/login')).toBe('/login');
  await signInOk(await userContext.newPage(), person.username);
  await userContext.close();
});

test('locking with a reason ends the open session at once and tells the owner; unlocking lets them back', async ({
  browser,
  page,
  mailbox,
}) => {
  const person = { username: 'lockable-lou', email: 'lou@example.test', fullName: 'Lou Lockable' };
  const userContext = await browser.newContext();
  const userPage = await userContext.newPage();
  await registerAndConfirm(userPage, mailbox, person);

  await signInAdmin(page, mailbox, admin);
  await page.goto('/admin/users?state=pending&q=lockable');
  await page.getByRole('table', { name: 'All users' }).getByRole('link', { name: person.username }).click();
  await expect(page.getByRole('heading', { level: 1, name: person.username })).toBeVisible();
  const userUrl = page.url();
  await page.getByRole('button', { name: `Approve ${person.username}` }).click();
  await mailbox.waitForMail(person.email, { predicate: (m) => /welcome/i.test(m.subject) });
  await signInOk(userPage, person.username);

  // Refused without the confirmation box, then done with it.
  await page.getByLabel('Reason for locking').fill('Payment dispute: contact billing.');
  await page.getByRole('button', { name: `Lock ${person.username}` }).click();
  await expect(page.getByText('Tick the box to confirm.').first()).toBeVisible();
  await page.getByLabel('Reason for locking').fill('Payment dispute: contact billing.');
  await page.getByLabel(`Yes, lock ${person.username}`).check();
  await page.getByRole('button', { name: `Lock ${person.username}` }).click();
  await expect(page.getByText(`${person.username} has been locked and signed out everywhere.`)).toBeVisible();

  // The user's open session is dead on their very next request.
  await userPage.goto('/account');
  await expect(userPage).toHaveURL(/\/login/);
  const notice = await mailbox.waitForMail(person.email, {
    predicate: (m) => m.text.includes('Payment dispute'),
  });
  expect(notice.text).toContain('Payment dispute: contact billing.');
  await signIn(userPage, person.username);
  await expect(userPage).toHaveURL(/\/login/);

  await page.goto(userUrl);
  await page.getByRole('button', { name: `Unlock ${person.username}` }).click();
  await expect(page.getByText(`${person.username} has been unlocked.`)).toBeVisible();
  await signInOk(userPage, person.username);
  await userContext.close();
});

test('an admin creates a user, who sets their own password from the mail and signs in', async ({
  browser,
  page,
  mailbox,
}) => {
  await signInAdmin(page, mailbox, admin);
  await page.goto('/admin/users/new');
  await page.getByLabel('Email address').fill('newcomer@example.test');
  await page.getByLabel('Username').fill('newcomer-nia');
  await page.getByLabel('Full name').fill('Nia Newcomer');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(
    page.getByText('newcomer-nia has been created and emailed a link to choose a password.'),
  ).toBeVisible();

  // The same address again: a field error, and nobody is mailed about it.
  await page.goto('/admin/users/new');
  await page.getByLabel('Email address').fill('newcomer@example.test');
  await page.getByLabel('Username').fill('newcomer-two');
  await page.getByLabel('Full name').fill('Nia Again');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByText('An account with this email address already exists.').first()).toBeVisible();

  const mail = await mailbox.waitForMail('newcomer@example.test');
  const userPage = await (await browser.newContext()).newPage();
  await userPage.goto(linkIn(mail, '/set-password'));
  await userPage.getByLabel('New password', { exact: true }).fill(PASSWORD);
  await userPage.getByLabel('Type it again').fill(PASSWORD);
  await userPage.getByRole('button', { name: 'Set password' }).click();
  await signInOk(userPage, 'newcomer-nia');
  // The refused duplicate sent nothing, to anyone at that address.
  await expect(mailbox.waitForMail('newcomer@example.test', { timeoutMs: 1_500 })).rejects.toThrow();
});

test('SMTP settings: a test email reaches the new server; a wrong password shows its error', async ({
  page,
  mailbox,
}) => {
  const server = await startSmtpCatcher({ requireAuth: { user: 'relay-user', pass: 'relay-pass-123' } });
  try {
    await signInAdmin(page, mailbox, admin);
    await page.goto('/admin/settings');
    const mailForm = page
      .locator('form')
      .filter({ has: page.getByRole('button', { name: 'Save mail settings' }) });
    await mailForm.getByLabel('Mail transport').selectOption({ label: 'SMTP' });
    await mailForm.getByLabel('From address').fill('console@gatehouse.test');
    await mailForm.getByLabel('SMTP host').fill('127.0.0.1');
    await mailForm.getByLabel('SMTP port').fill(String(server.port));
    await mailForm.getByLabel('Encryption').selectOption('none');
    await mailForm.getByLabel('SMTP username').fill('relay-user');
    await mailForm.getByLabel('SMTP password', { exact: true }).fill('relay-pass-123');
    await mailForm.getByRole('button', { name: 'Save mail settings' }).click();
    await expect(page.getByText(/^Saved: \d+ settings? changed\.$/)).toBeVisible();
    // The password is never sent back: the form only says it is set.
    await expect(page.locator('body')).not.toContainText('relay-pass-123');
    await expect(mailForm.getByLabel('SMTP password', { exact: true })).toHaveValue('');

    await page.getByRole('button', { name: 'Send test email' }).click();
    await expect(
      page.getByText(/Test email sent to console-admin@gatehouse\.test through SMTP/),
    ).toBeVisible();
    const test = await server.waitForMail(admin.email);
    expect(test.from.address).toBe('console@gatehouse.test');

    await mailForm.getByLabel('SMTP password', { exact: true }).fill('not-the-password');
    await mailForm.getByRole('button', { name: 'Save mail settings' }).click();
    await expect(page.getByText(/^Saved: 1 setting changed\.$/)).toBeVisible();
    await page.getByRole('button', { name: 'Send test email' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'There is a problem' })).toContainText('535');
    await expect(page.getByRole('alert').filter({ hasText: 'There is a problem' })).toContainText(
      'Authentication credentials invalid',
    );
  } finally {
    // Back to the server environment (the run's own catcher) for the specs that follow.
    await page.goto('/admin/settings');
    const mailForm = page
      .locator('form')
      .filter({ has: page.getByRole('button', { name: 'Save mail settings' }) });
    await mailForm.getByLabel('Mail transport').selectOption({ label: 'Server environment' });
    await mailForm.getByRole('button', { name: 'Save mail settings' }).click();
    await expect(page.getByText(/^Saved: \d+ settings? changed\.$/)).toBeVisible();
    await server.stop();
  }
  await page.getByRole('button', { name: 'Send test email' }).click();
  await mailbox.waitForMail(admin.email, {
    predicate: (m) => m.from.address === 'accounts@gatehouse.test' && /test/i.test(m.subject),
  });
});

test('bad input in the console is a message, an empty list or a 404, never a 500', async ({
  page,
  mailbox,
}) => {
  await signInAdmin(page, mailbox, admin);
  const long = 'x'.repeat(10_000);
  const ok = [
    '/admin/users?page=-5',
    '/admin/users?page=99999999999999999999',
    '/admin/users?page=abc&state=superuser&sort=password',
    `/admin/users?q=${encodeURIComponent('%_\'"\\')}`,
    `/admin/users?q=${long}`,
    '/admin/mail?status=exploded&page=-1',
    '/admin/audit?from=yesterday&to=2026-02-30&action=nope',
    `/admin/audit?actor=${long}&cursor=garbage`,
  ];
  for (const url of ok) {
    const response = await page.goto(url);
    expect(response?.status(), url).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }), url).toBeVisible();
  }
  await page.goto(`/admin/users?q=${long}`);
  await expect(page.getByText('Your search was cut to its first 254 characters.')).toBeVisible();
  await expect(page.getByText('No users match.')).toBeVisible();
  for (const url of ['/admin/users/not-a-uuid', '/admin/users/00000000-0000-0000-0000-000000000000']) {
    expect((await page.goto(url))?.status(), url).toBe(404);
  }
});
