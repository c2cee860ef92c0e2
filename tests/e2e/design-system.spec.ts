import { join } from 'node:path';
import type { Page } from '@playwright/test';
import {
  approvalQueue,
  expect,
  fillRegistration,
  linkIn,
  PASSWORD,
  registerAndConfirm,
  signIn,
  signInAdmin,
  signInOk,
  test,
  type Person,
} from './fixtures';

/**
 * Issue 17: one design system on every page (docs/design-system.md), /account opening on a security
 * checkup whose rows lead to the pages that fix them, and /admin on an overview whose charts say in
 * words what they draw.
 */
test.describe.configure({ mode: 'serial' });

const admin: Person = { username: 'a11y-admin', email: 'a11y-admin@gatehouse.test', fullName: 'Ally Admin' };
const person: Person = { username: 'ds-person', email: 'ds-person@example.test', fullName: 'Desi Person' };
/** Registers and never confirms: the confirmation page is walked with the link from that mail. */
const unconfirmed: Person = {
  username: 'ds-unconfirmed',
  email: 'ds-unconfirmed@example.test',
  fullName: 'Una Confirmed',
};
/** Created by the admin: the set-password page is walked with the link from that mail. */
const invited = { username: 'ds-invited', email: 'ds-invited@example.test', fullName: 'Ivo Invited' };

const publicPages = [
  '/',
  '/login',
  '/login/two-factor',
  '/register',
  '/register/check-inbox',
  '/forgot-password',
  '/forgot-password/phrase',
  '/reset-password',
  '/reset-password/done',
  '/verify-email',
  '/verify-email/done',
  '/verify-email/resend',
  '/set-password',
  '/email-change/confirm',
  '/email-change/not-me',
  '/no-such-page',
  '/api/docs',
];
const accountPages = [
  '/account',
  '/account/profile',
  '/account/security',
  '/account/email',
  '/account/sessions',
  '/account/settings',
  '/account/recovery',
  '/account/two-factor',
  '/account/passkeys',
  '/account/tokens',
  '/account/activity',
  '/account/invites',
  '/account/export',
  '/account/delete',
  '/logout',
];
const adminPages = [
  '/admin',
  '/admin/users',
  '/admin/users/new',
  '/admin/users/invites',
  '/admin/settings',
  '/admin/mail',
  '/admin/audit',
];

/** Every button of the page that does not carry the design system's marker class, described. */
async function unstyledButtons(page: Page): Promise<string[]> {
  return page
    .locator('button, input[type="submit"], input[type="button"], input[type="reset"], input[type="image"]')
    .evaluateAll((elements) =>
      elements
        .filter((element) => !element.classList.contains('ui-button'))
        .map(
          (element) =>
            `<${element.tagName.toLowerCase()}> "${(element.textContent || (element as HTMLInputElement).value || '').trim()}"`,
        ),
    );
}

async function walk(page: Page, paths: string[]) {
  for (const path of paths) {
    await page.goto(path);
    // The error page is styled too: a page that broke would pass unseen.
    await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Something went wrong');
    expect.soft(await unstyledButtons(page), `buttons without the design system on ${path}`).toEqual([]);
  }
}

test('the walk sees a browser-default button: one added to a page is reported', async ({ page }) => {
  await page.goto('/login');
  expect(await unstyledButtons(page)).toEqual([]);
  await page.evaluate(() => {
    const form = document.querySelector('form')!;
    form.insertAdjacentHTML(
      'beforeend',
      '<button type="submit">Raw</button><input type="submit" value="Raw input">',
    );
  });
  expect(await unstyledButtons(page)).toEqual(['<button> "Raw"', '<input> "Raw input"']);
});

/**
 * The overview's charts in forced colours at `width`: each chart one series named by its own caption
 * (never told apart by colour alone), drawn in the system's text colour, inside the page, and with
 * its table of every day.
 */
async function expectReadableCharts(page: Page, width: number) {
  const charts = page.getByRole('figure');
  await expect(charts).toHaveCount(3);
  const drawn = await charts.evaluateAll((figures) =>
    figures.map((figure) => {
      const line = figure.querySelectorAll('svg path')[1]!;
      const text = getComputedStyle(document.body).color;
      const box = figure.getBoundingClientRect();
      return {
        caption: figure.querySelector('figcaption span')?.textContent?.trim() ?? '',
        stroke: getComputedStyle(line).stroke,
        text,
        inside: box.left >= 0 && box.right <= document.documentElement.clientWidth + 1 && box.width > 0,
        days: figure.querySelectorAll('table tbody tr').length,
      };
    }),
  );
  expect(new Set(drawn.map((chart) => chart.caption)).size).toBe(3);
  for (const chart of drawn) {
    expect(chart.stroke, `${chart.caption} at ${width} px`).toBe(chart.text);
    expect(chart.inside, `${chart.caption} fits ${width} px`).toBe(true);
    expect(chart.days).toBe(30);
  }
}

let personId = '';

test('no page shows a browser-default button: signed out, as a person and as an administrator', async ({
  browser,
  mailbox,
}) => {
  test.setTimeout(240_000);
  const visitor = await browser.newContext();
  await walk(await visitor.newPage(), publicPages);
  await visitor.close();

  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await signInAdmin(adminPage, mailbox, admin);
  const personContext = await browser.newContext();
  const personPage = await personContext.newPage();
  await registerAndConfirm(personPage, mailbox, person);
  // The approval queue is on the page while it is walked: its Approve and bulk buttons count.
  await walk(adminPage, adminPages);
  await adminPage.goto('/admin/users');
  const row = approvalQueue(adminPage).getByRole('row').filter({ hasText: person.email });
  personId = (await row.getByRole('link', { name: person.username }).getAttribute('href'))!.split('/').pop()!;
  await walk(adminPage, [`/admin/users/${personId}`]);
  await adminPage.goto('/admin/users');
  await approvalQueue(adminPage)
    .getByRole('button', { name: `Approve ${person.username}` })
    .click();
  await expect(approvalQueue(adminPage).getByText(person.email)).toHaveCount(0);

  await signInOk(personPage, person.email);
  await walk(personPage, accountPages);

  // The pages opened from mail, each with a live link from a real mail: their one-button forms show
  // only then. Looking is free (S43), so walking them changes nothing.
  const links: string[] = [];
  const linkVisitor = await browser.newContext();
  const visitorPage = await linkVisitor.newPage();
  await fillRegistration(visitorPage, unconfirmed);
  links.push(linkIn(await mailbox.waitForMail(unconfirmed.email), '/verify-email'));
  await visitorPage.goto('/forgot-password');
  await visitorPage.getByLabel('Email address').fill(person.email);
  await visitorPage.getByRole('button', { name: 'Send me a link' }).click();
  await expect(visitorPage.getByText('If that address belongs to an account')).toBeVisible();
  links.push(
    linkIn(
      await mailbox.waitForMail(person.email, { predicate: (m) => /reset/i.test(m.subject) }),
      '/reset-password',
    ),
  );
  await adminPage.goto('/admin/users/new');
  await adminPage.getByLabel('Email address').fill(invited.email);
  await adminPage.getByLabel('Username').fill(invited.username);
  await adminPage.getByLabel('Full name').fill(invited.fullName);
  await adminPage.getByRole('button', { name: 'Create user' }).click();
  await expect(adminPage.getByText(`${invited.username} has been created`)).toBeVisible();
  links.push(linkIn(await mailbox.waitForMail(invited.email), '/set-password'));
  const newEmail = 'ds-person-moved@example.test';
  await personPage.goto('/account/email');
  await personPage.getByLabel('New email address').fill(newEmail);
  await personPage.getByLabel('Current password').fill(PASSWORD);
  await personPage.getByRole('button', { name: 'Change email address' }).click();
  await expect(personPage.getByRole('heading', { name: 'Change waiting for confirmation' })).toBeVisible();
  links.push(
    linkIn(await mailbox.waitForMail(newEmail), '/email-change/confirm'),
    linkIn(
      await mailbox.waitForMail(person.email, { predicate: (m) => m.text.includes(newEmail) }),
      '/email-change/not-me',
    ),
  );
  for (const link of links) {
    await visitorPage.goto(link);
    // The form that acts on the link is on the page, with its button.
    await expect(visitorPage.locator('input[type="hidden"][name="token"]').first()).toBeAttached();
    expect
      .soft(await unstyledButtons(visitorPage), `buttons without the design system on ${link}`)
      .toEqual([]);
    await expect(visitorPage.locator('.ui-button').first()).toBeVisible();
  }
  // Cancelled, so the checkup below finds the address as it was.
  await personPage.goto('/account/email');
  await personPage.getByRole('button', { name: 'Cancel this change' }).click();
  await expect(personPage.getByRole('heading', { name: 'Change waiting for confirmation' })).toHaveCount(0);
  await linkVisitor.close();
  await personContext.close();
  await adminContext.close();
});

test('the account checkup: each row says where the person stands and links to the page that fixes it', async ({
  browser,
}) => {
  const context = await browser.newContext({
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
  });
  const page = await context.newPage();
  // A failed sign-in first: the checkup reports it.
  await signIn(page, person.email, 'not the password at all');
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await signInOk(page, person.email);

  const checkup = page.getByRole('region', { name: 'Security checkup' });
  const row = (term: string) =>
    checkup.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]');
  await expect(row('Email address')).toContainText(`${person.email}, confirmed on`);
  await expect(row('Password')).toContainText('Last changed');
  await expect(row('Recovery phrase')).toContainText('Not set up');
  await expect(row('Two-step sign-in')).toContainText('Off: your password alone signs you in.');
  // The walk above left this person signed in on another device too.
  await expect(row('Devices signed in')).toContainText('2 devices; this one is Firefox on Linux');
  await expect(row('Last sign-in')).toContainText('from Firefox on Linux');
  await expect(row('Last failed sign-in')).toContainText('from Firefox on Linux');

  const links: [string, string, string][] = [
    ['Email address', 'Change your email address', '/account/email'],
    ['Password', 'Change your password', '/account/security'],
    ['Recovery phrase', 'Set up a recovery phrase', '/account/recovery'],
    ['Two-step sign-in', 'Set up two-step sign-in', '/account/two-factor'],
    ['Devices signed in', 'Review your devices', '/account/sessions'],
    ['Last sign-in', 'Not you? Review your devices', '/account/sessions'],
    ['Last failed sign-in', 'Not you? Change your password', '/account/security'],
  ];
  for (const [term, name, path] of links) {
    await row(term).getByRole('link', { name }).click();
    await expect(page).toHaveURL(new RegExp(`${path}$`));
    await page.goBack();
  }
  await expect(page.getByRole('region', { name: 'Profile' })).toContainText(person.fullName);

  // Saving a recovery phrase turns its row to done.
  await page.goto('/account/recovery');
  await page.getByLabel('Your current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create a recovery phrase' }).click();
  const phrase = (await page.locator('p[lang="en"]').textContent())!.trim();
  await page.getByLabel('Type the phrase back').fill(phrase);
  await page.getByRole('button', { name: 'Save the recovery phrase' }).click();
  await expect(page.getByText('Your recovery phrase is saved.')).toBeVisible();
  await page.goto('/account');
  await expect(row('Recovery phrase')).toContainText('Saved');
  await expect(
    row('Recovery phrase').getByRole('link', { name: 'Replace your recovery phrase' }),
  ).toBeVisible();
  await context.close();
});

test('the admin overview: waiting accounts first with the queue, charts with their text alternative, without JavaScript', async ({
  browser,
  mailbox,
}) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInAdmin(page, mailbox, admin);
  await page.goto('/admin');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overview');
  const accounts = page.getByRole('region', { name: 'Accounts' });
  await expect(accounts.locator('li').first()).toContainText('Pending');
  // Other specs of the run may leave someone waiting: the count is theirs, the sentence is always there.
  await expect(accounts).toContainText(/(No account is|\d+ accounts? (is|are)) waiting for approval\./);

  const activity = page.getByRole('region', { name: 'The last 30 days' });
  const charts = activity.getByRole('figure');
  await expect(charts).toHaveCount(3);
  // Not "Failed sign-ins per day": the caption starts with the title.
  const signIns = charts.filter({ has: page.locator('figcaption', { hasText: /^Sign-ins per day/ }) });
  // The drawing is hidden from assistive technology; the caption says it in words.
  await expect(signIns.locator('[aria-hidden="true"] svg')).toHaveCount(1);
  await expect(signIns.locator('figcaption')).toContainText(/in the last 30 days/);
  // And every day is in a table, behind a disclosure that needs no script.
  await signIns.getByText('Show the numbers').click();
  const table = signIns.getByRole('table', { name: 'Sign-ins per day', exact: true });
  await expect(table).toBeVisible();
  await expect(table.locator('tbody tr')).toHaveCount(30);

  await expect(
    page
      .getByRole('region', { name: 'Mail in the last 24 hours' })
      .getByRole('link', { name: 'See the mail that failed' }),
  ).toHaveAttribute('href', '/admin/mail?status=failed');
  const events = page.getByRole('region', { name: 'Latest security events' });
  await expect(events.getByRole('link', { name: 'Open the audit log' })).toHaveAttribute(
    'href',
    '/admin/audit',
  );
  await context.close();
});

test('forced colours: buttons keep their outline; the overviews are photographed at 360 and 1280 px', async ({
  browser,
  mailbox,
}, testInfo) => {
  const context = await browser.newContext({ forcedColors: 'active' });
  const page = await context.newPage();
  await signInAdmin(page, mailbox, admin);
  for (const path of ['/account', '/admin']) {
    await page.goto(path);
    const borders = await page
      .locator('.ui-button:not([class*="link"])')
      .evaluateAll((buttons) => buttons.map((button) => getComputedStyle(button).borderTopStyle));
    expect(borders.length).toBeGreaterThan(0);
    expect(new Set(borders)).toEqual(new Set(['solid']));
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      if (path === '/admin') await expectReadableCharts(page, width);
      await page.screenshot({
        path: join(testInfo.project.outputDir, 'screenshots', `${path.slice(1)}-${width}-forced-colors.png`),
        fullPage: true,
      });
    }
  }
  await context.close();
});
