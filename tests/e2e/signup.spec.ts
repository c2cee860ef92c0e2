import {
  approvalQueue,
  confirmWithPassword,
  expect,
  fillRegistration,
  linkIn,
  PASSWORD,
  registerAndConfirm,
  signIn,
  test,
} from './fixtures';

/**
 * The first walk every user takes, in a real browser against the production build, with mail read
 * from a real SMTP server: sign up, confirm, wait for approval, get approved, sign in, sign out.
 */
test.describe.configure({ mode: 'serial' });

const admin = { username: 'root-admin', email: 'admin@gatehouse.test', fullName: 'Ada Admin' };

test('S49/S51: register → mail → confirm → pending → admin approves → welcome → sign in → sign out; the old cookie is dead', async ({
  browser,
  mailbox,
}) => {
  // The administrator: an address in ADMIN_EMAILS, active as soon as it is confirmed.
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await registerAndConfirm(adminPage, mailbox, admin);
  await expect(adminPage.getByText('Your account is ready')).toBeVisible();
  await signIn(adminPage, admin.email);
  await expect(adminPage).toHaveURL(/\/account$/);

  // The user signs up and confirms.
  const userContext = await browser.newContext();
  const page = await userContext.newPage();
  const user = {
    username: 'grace',
    email: 'grace@example.test',
    fullName: 'Grace Hopper',
    comment: 'I write compilers <b>and</b> find bugs.',
  };
  await registerAndConfirm(page, mailbox, user);
  await expect(page.getByText('An administrator will review your account')).toBeVisible();

  // Pending: told so only with the right password, and no session.
  await signIn(page, user.username);
  await expect(page.getByText('waiting for an administrator’s approval')).toBeVisible();
  await expect(page).toHaveURL(/\/login/);

  // Every admin is mailed once the address is confirmed, with the comment and a link to the user.
  const adminMail = await mailbox.waitForMail(admin.email, { predicate: (m) => m.text.includes('grace') });
  expect(adminMail.text).toContain('I write compilers <b>and</b> find bugs.');

  // The admin reads the comment (escaped, not rendered as HTML) and approves.
  await adminPage.goto('/admin/users');
  const queue = approvalQueue(adminPage).getByRole('row').filter({ hasText: user.email });
  await expect(queue.locator('blockquote')).toHaveText(user.comment);
  await queue.getByRole('button', { name: `Approve ${user.username}` }).click();
  // Approved: out of the queue, and active in the list of all users.
  await expect(queue).toHaveCount(0);
  await expect(adminPage.getByRole('row', { name: new RegExp(user.email) })).toContainText('Active');

  const welcome = await mailbox.waitForMail(user.email);
  expect(linkIn(welcome, '/login')).toBe('/login');

  // Signed in, the page shows the user's name; the session cookie has the right flags (S49).
  await signIn(page, user.email);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText('Signed in as Grace Hopper')).toBeVisible();
  const cookies = await userContext.cookies();
  const session = cookies.find((c) => c.name.endsWith('authjs.session-token'));
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  const response = await page.request.get('/account');
  expect(response.headers()['cache-control']).toContain('no-store');

  // Sign out; replaying the old cookie in a fresh browser gets nothing (S51).
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?signedOut=1/);
  const replay = await browser.newContext();
  await replay.addCookies([session!]);
  const replayPage = await replay.newPage();
  await replayPage.goto('/account');
  await expect(replayPage).toHaveURL(/\/login\?next=%2Faccount/);
  await expect(replayPage.getByText('Grace Hopper')).toHaveCount(0);

  await Promise.all([adminContext.close(), userContext.close(), replay.close()]);
});

test('a French speaker switches language before signing up and gets the mail in French', async ({
  page,
  mailbox,
}) => {
  await page.goto('/register');
  await page.getByRole('button', { name: 'Français' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créez votre compte');
  // The form's language choice follows the page's.
  await expect(page.getByLabel('Langue', { exact: true })).toHaveValue('fr');
  await page.getByLabel('Nom d’utilisateur').fill('amelie');
  await page.getByLabel('Adresse e-mail').fill('amelie@example.test');
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Saisissez à nouveau le mot de passe').fill(PASSWORD);
  await page.getByLabel('Nom complet').fill('Amélie Poulain');
  await page.getByRole('button', { name: 'Créer le compte' }).click();
  await expect(page.getByRole('heading', { name: 'Consultez votre boîte de réception' })).toBeVisible();
  const mail = await mailbox.waitForMail('amelie@example.test');
  expect(mail.subject).toBe('Confirmez votre adresse e-mail pour Gatehouse');
  expect(mail.html).toContain('lang="fr"');
});

test('the strength hint follows the password as it is typed; the server still decides', async ({ page }) => {
  await page.goto('/register');
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('password');
  await expect(page.getByText('Strength: very weak')).toBeVisible();
  await expect(page.getByText('This is a heavily used password.')).toBeVisible();
  await password.fill('plum kettle orbit sandstone lantern');
  await expect(page.getByText('Strength: strong')).toBeVisible();
});

test('S45: a signed-in non-admin gets 403 at /admin, a stranger the login page', async ({
  browser,
  mailbox,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const stranger = await page.request.get('/admin/users', { maxRedirects: 0 });
  expect(stranger.status()).toBe(307);
  expect(stranger.headers().location).toContain('/login');

  // A fresh account that an admin approves, signed in as a plain user.
  await registerAndConfirm(page, mailbox, {
    username: 'plain',
    email: 'plain@example.test',
    fullName: 'Plain User',
  });
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await signIn(adminPage, admin.email);
  await expect(adminPage).toHaveURL(/\/account$/);
  await adminPage.goto('/admin/users');
  await adminPage.getByRole('button', { name: 'Approve plain' }).click();
  await expect(approvalQueue(adminPage).getByText('plain@example.test')).toHaveCount(0);

  await signIn(page, 'plain');
  await expect(page).toHaveURL(/\/account$/);
  const response = await page.goto('/admin/users');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Access denied' })).toBeVisible();
  await expect(page.getByText('plain@example.test')).toHaveCount(0);
  await Promise.all([context.close(), adminContext.close()]);
});

test.describe('with JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  test('register, see field errors from the server, confirm and sign in', async ({
    browser,
    page,
    mailbox,
  }) => {
    await page.goto('/register');
    await page.getByLabel('Username').fill('nojs');
    await page.getByLabel('Email address').fill('not-an-address');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    // The server rendered the errors: a summary and a message beside each field.
    await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
    await expect(page.getByText('Enter an email address in the correct format')).toHaveCount(2);
    await expect(page.getByLabel('Username')).toHaveValue('nojs');
    await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');

    await fillRegistration(page, { username: 'nojs', email: 'nojs@example.test', fullName: 'No Script' });
    const mail = await mailbox.waitForMail('nojs@example.test');
    await page.goto(linkIn(mail, '/verify-email'));
    await confirmWithPassword(page);
    await expect(page.getByRole('heading', { name: 'Address confirmed' })).toBeVisible();

    const adminContext = await browser.newContext({ javaScriptEnabled: false });
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, admin.email);
    await expect(adminPage).toHaveURL(/\/account$/);
    await adminPage.goto('/admin/users');
    await adminPage.getByRole('button', { name: 'Approve nojs' }).click();
    await mailbox.waitForMail('nojs@example.test');

    await signIn(page, 'nojs@example.test');
    await expect(page.getByText('Signed in as No Script')).toBeVisible();
    await adminContext.close();
  });
});
