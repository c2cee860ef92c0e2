import { approvalQueue, expect, linkIn, PASSWORD, signInAdmin, test, type Person } from './fixtures';

/**
 * Issue 8's "must show", as one story: a French speaker signs up with the switcher on French, gets
 * the mail in French, is approved, chooses the dark theme and Paris time, and sees the times of
 * their devices in that zone, not in the browser's (New York here) nor the server's.
 * (signup.spec.ts and account-recovery.spec.ts check parts of this on their own.)
 */
const admin: Person = { username: 'a11y-admin', email: 'a11y-admin@gatehouse.test', fullName: 'Ally Admin' };

test('a French speaker signs up in French, gets French mail, picks dark and Paris, sees Paris times', async ({
  browser,
  mailbox,
}) => {
  const context = await browser.newContext({ timezoneId: 'America/New_York' });
  const page = await context.newPage();
  await page.goto('/register');
  await page.getByRole('button', { name: 'Français' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await page.getByLabel('Nom d’utilisateur').fill('gaspard');
  await page.getByLabel('Adresse e-mail').fill('gaspard@example.test');
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Saisissez à nouveau le mot de passe').fill(PASSWORD);
  await page.getByLabel('Nom complet').fill('Gaspard Lefèvre');
  await page.getByRole('button', { name: 'Créer le compte' }).click();
  await expect(page.getByRole('heading', { name: 'Consultez votre boîte de réception' })).toBeVisible();

  const mail = await mailbox.waitForMail('gaspard@example.test');
  expect(mail.subject).toBe('Confirmez votre adresse e-mail pour Gatehouse');
  await page.goto(linkIn(mail, '/verify-email'));
  await page.getByLabel('Mot de passe choisi à l’inscription', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Confirmer mon adresse e-mail' }).click();
  await expect(page.getByRole('heading', { name: 'Adresse confirmée' })).toBeVisible();

  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await signInAdmin(adminPage, mailbox, admin);
  await adminPage.goto('/admin/users');
  await approvalQueue(adminPage).getByRole('button', { name: 'Approve gaspard' }).click();
  await expect(approvalQueue(adminPage).getByText('gaspard@example.test')).toHaveCount(0);
  await adminContext.close();
  const welcome = await mailbox.waitForMail('gaspard@example.test');
  expect(welcome.subject).toBe('Bienvenue sur Gatehouse');

  await page.goto('/login');
  await page.getByLabel('E-mail ou nom d’utilisateur').fill('gaspard');
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/account$/);

  await page.goto('/account/settings');
  // Registered from a New York browser: that is the zone the account starts with.
  await expect(page.getByLabel('Fuseau horaire')).toHaveValue('America/New_York');
  await page.getByLabel('Thème').selectOption('dark');
  await page.getByLabel('Fuseau horaire').selectOption('Europe/Paris');
  await page.getByRole('button', { name: 'Enregistrer les préférences' }).click();
  await expect(page.getByText('Vos préférences ont été enregistrées.')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  await page.goto('/account/sessions');
  const times = page.locator('main time');
  await expect(times.first()).toBeVisible();
  for (const time of await times.all()) {
    const instant = new Date((await time.getAttribute('datetime'))!);
    const inParis = new Intl.DateTimeFormat('fr', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'Europe/Paris',
    }).format(instant);
    await expect(time).toHaveText(inParis);
  }
  await context.close();
});
