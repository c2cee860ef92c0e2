import { readFile } from 'node:fs/promises';
import {
  approvalQueue,
  expect,
  PASSWORD,
  registerAndConfirm,
  signIn,
  signInAdmin,
  signInOk,
  test,
  type Person,
} from './fixtures';

/**
 * A person's own data (decision 031): their activity in their own time zone, the JSON download of
 * everything stored about them, and the admin's CSV of a filtered user list.
 */
test.describe.configure({ mode: 'serial' });

const admin: Person = { username: 'a11y-admin', email: 'a11y-admin@gatehouse.test', fullName: 'Ally Admin' };
const person: Person = { username: 'tokyo-tomo', email: 'tokyo-tomo@example.test', fullName: 'Tomo Tokyo' };
const TIME_ZONE = 'Asia/Tokyo';
const NEW_PASSWORD = 'a brand new passphrase for tomo';

test('activity shows a failed sign-in and a password change in the person’s time zone; the export holds the profile and no secret; the admin downloads a filtered CSV', async ({
  browser,
  mailbox,
}) => {
  const adminPage = await (await browser.newContext()).newPage();
  await signInAdmin(adminPage, mailbox, admin);

  // The browser's time zone is sent with the sign-up and becomes the account's.
  const context = await browser.newContext({ timezoneId: TIME_ZONE });
  const page = await context.newPage();
  await registerAndConfirm(page, mailbox, person);
  await adminPage.goto('/admin/users');
  await approvalQueue(adminPage)
    .getByRole('button', { name: `Approve ${person.username}` })
    .click();
  await mailbox.waitForMail(person.email);

  await signIn(page, person.username, 'not the password at all, sorry');
  await expect(page.getByText('The email, username or password is not right.')).toBeVisible();
  await signInOk(page, person.username);
  await page.goto('/account/security');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password has been changed')).toBeVisible();

  await page
    .getByRole('navigation', { name: /account/i })
    .getByRole('link', { name: 'Activity' })
    .click();
  await expect(page.getByRole('heading', { name: 'Account activity', level: 1 })).toBeVisible();
  await expect(page.getByText(`(${TIME_ZONE})`)).toBeVisible();
  for (const label of ['Failed sign-in attempt', 'Password changed', 'Account approved']) {
    const entry = page.getByRole('listitem').filter({ hasText: label }).first();
    await expect(entry).toBeVisible();
    const time = entry.locator('time');
    const iso = await time.getAttribute('datetime');
    const inTokyo = new Intl.DateTimeFormat('en', {
      dateStyle: 'medium',
      timeStyle: 'medium',
      timeZone: TIME_ZONE,
    }).format(new Date(iso!));
    await expect(time).toHaveText(inTokyo);
  }
  // The approval was an admin's: said so, and nothing of theirs is shown.
  const approved = page.getByRole('listitem').filter({ hasText: 'Account approved' });
  await expect(approved).toContainText('By an administrator');
  await expect(page.locator('main')).not.toContainText(admin.email);
  await expect(page.locator('main')).not.toContainText(admin.username);
  await expect(
    page.getByRole('listitem').filter({ hasText: 'Failed sign-in attempt' }).first(),
  ).toContainText(/Chrom|Linux|from /);

  // Export: the wrong password downloads nothing; the right one downloads the JSON.
  await page.goto('/account/export');
  await page.getByLabel('Current password').fill('wrong wrong wrong wrong');
  await page.getByRole('button', { name: 'Download my data' }).click();
  await expect(page.getByText('That is not your current password. Nothing was downloaded.')).toBeVisible();
  await page.getByLabel('Current password').fill(NEW_PASSWORD);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download my data' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^my-account-data-\d{4}-\d{2}-\d{2}\.json$/);
  const text = await readFile((await download.path())!, 'utf8');
  const data = JSON.parse(text) as {
    profile: { username: string; email: string; fullName: string };
    settings: { timezone: string };
    sessions: unknown[];
    activity: { action: string }[];
    mails: { template: string; subject: string }[];
  };
  expect(data.profile).toMatchObject({
    username: person.username,
    email: person.email,
    fullName: person.fullName,
  });
  expect(data.settings.timezone).toBe(TIME_ZONE);
  expect(data.sessions.length).toBeGreaterThan(0);
  expect(data.activity.map((a) => a.action)).toEqual(
    expect.arrayContaining(['login.failed', 'password.changed']),
  );
  expect(data.mails.map((m) => m.template)).toEqual(
    expect.arrayContaining(['verify-email', 'password-changed']),
  );
  expect(text).not.toMatch(/\$argon2|token=|passwordHash|tokenHash|codeHash/);
  expect(text).not.toContain(admin.email);

  // The admin's CSV of a filtered view: the same search as the page, and nothing else.
  await adminPage.goto(`/admin/users?q=${encodeURIComponent('tokyo-')}&state=active`);
  const [csv] = await Promise.all([
    adminPage.waitForEvent('download'),
    adminPage.getByRole('link', { name: 'Download this list as CSV' }).click(),
  ]);
  const rows = (await readFile((await csv.path())!, 'utf8')).trim().split('\n');
  expect(rows[0]).toContain('username');
  expect(rows.slice(1)).toHaveLength(1);
  expect(rows[1]).toContain(person.email);
  expect(rows.join('\n')).not.toMatch(/password|\$argon2/);
});

test('S45: the user-list CSV is refused to a signed-in non-admin and to a stranger', async ({
  browser,
  request,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInOk(page, person.username, NEW_PASSWORD);
  const refused = await page.request.get('/admin/users/export', { maxRedirects: 0 });
  expect(refused.status()).toBe(403);
  expect(await refused.text()).not.toContain('@');
  const stranger = await request.get('/admin/users/export', { maxRedirects: 0 });
  expect([303, 307]).toContain(stranger.status());
  expect(stranger.headers().location).toMatch(/\/login/);
  await context.close();
});
