import { expect, Page, test } from '@playwright/test';
import { baseURL, newUser, ready, screenshotBoth, signedInPage, unique, User, watchConsole } from './support';

/** Signs in through the sign-in page of a fresh context; the page after the attempt. */
async function signInPage(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/sign-in');
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
  await page.fill('#field-username', username);
  await page.fill('#field-password', password);
  await page.click('[data-testid="sign-in-form"] button[type="submit"]');
}

test('an admin makes a farmer on the users page, the farmer signs in, and the admin resets, disables and promotes them', async ({ browser }) => {
  const admin = await newUser('ADMIN');
  const adminPage = await signedInPage(browser, admin);
  const errors = watchConsole(adminPage);
  await expect(adminPage.getByTestId('admin-hint')).toContainText('Users page');
  await adminPage.click('nav >> text=Users');
  await ready(adminPage);
  await expect(adminPage.getByTestId('users')).toBeVisible();
  const own = adminPage.locator(`[data-testid="account"][data-username="${admin.username}"]`);
  await expect(own).toContainText('(you)');
  await expect(own.getByTestId('toggle-disabled')).toHaveCount(0);

  // Every wrong field is named at once, beside the field.
  const made = adminPage.getByTestId('new-user-form');
  await made.locator('[name="username"]').fill('No Spaces!');
  await made.locator('[name="password"]').fill('short');
  await made.locator('button[type="submit"]').click();
  await expect(made.locator('[data-error-for="username"]')).toContainText('3 to 64 characters');
  await expect(made.locator('[data-error-for="password"]')).toContainText('at least 10 characters');

  const farmer = { username: `e2e-made-${unique(6).toLowerCase()}`, password: `first-${unique(10)}` };
  await made.locator('[name="username"]').fill(farmer.username);
  await made.locator('[name="password"]').fill(farmer.password);
  await made.locator('select[name="role"]').selectOption('FARMER');
  await made.locator('button[type="submit"]').click();
  await expect(adminPage.getByTestId('users-said')).toContainText(`Made ${farmer.username}: they can sign in now as a farmer.`);
  const row = adminPage.locator(`[data-testid="account"][data-username="${farmer.username}"]`);
  await expect(row.getByTestId('account-state')).toHaveText('Active');
  await expect(row).toContainText(`by ${admin.username}`);
  await expect(made.locator('[data-error-for="username"]')).toHaveText('');

  // The farmer signs in with what the admin chose.
  const farmerPage = await signedInPage(browser, { ...farmer, role: 'FARMER' } as User);
  await expect(farmerPage.getByTestId('user')).toHaveAttribute('data-role', 'farmer');
  await expect(farmerPage.locator('nav >> text=Users')).toHaveCount(0);
  await farmerPage.goto('/users');
  await expect(farmerPage.getByTestId('forbidden')).toContainText('Only administrators manage users.');

  // A reset password ends the farmer's session and must be replaced at the next sign-in.
  await row.getByTestId('reset-password').click();
  const reset = row.getByTestId('reset-form');
  await reset.locator('[name="password"]').fill('short');
  await reset.locator('button[type="submit"]').click();
  await expect(reset.locator('[data-error-for="password"]')).toContainText('at least 10 characters');
  const temporary = `reset-${unique(10)}`;
  await reset.locator('[name="password"]').fill(temporary);
  await reset.locator('button[type="submit"]').click();
  await expect(adminPage.getByTestId('users-said')).toContainText(`${farmer.username}'s password is reset`);
  await expect(row.getByTestId('account-state')).toHaveText('Chooses a new password at sign-in');
  await expect(farmerPage.getByTestId('live-status')).not.toHaveAttribute('data-live', 'connected', { timeout: 20_000 });
  const fresh = await browser.newContext({ baseURL });
  const again = await fresh.newPage();
  await signInPage(again, farmer.username, farmer.password);
  await expect(again.locator('[data-error-for="password"]')).toContainText('wrong password');
  await signInPage(again, farmer.username, temporary);
  await expect(again.getByTestId('password-required')).toBeVisible();

  // Promoted to assessor, from the next request on.
  await row.locator('select[name="role"]').selectOption('ASSESSOR');
  await expect(adminPage.getByTestId('users-said')).toContainText(`${farmer.username} is now an assessor.`);
  await expect(row.locator('select[name="role"]')).toHaveValue('ASSESSOR');

  // Disabled: the farmer cannot sign in until enabled again.
  await row.getByTestId('toggle-disabled').click();
  await expect(adminPage.getByTestId('users-said')).toContainText(`${farmer.username} is disabled`);
  await expect(row).toHaveAttribute('data-disabled', 'true');
  await expect(row.getByTestId('account-state')).toHaveText('Disabled');
  await signInPage(again, farmer.username, temporary);
  await expect(again.locator('[role="alert"]').filter({ hasText: 'disabled' }).first()).toBeVisible();
  await screenshotBoth(adminPage, 'users');
  await expect(row.getByTestId('new-key')).toHaveCount(0);
  await row.getByTestId('toggle-disabled').click();
  await expect(row).toHaveAttribute('data-disabled', 'false');
  await expect(row.getByTestId('toggle-disabled')).toHaveText('Disable');

  // A new signing key: the old one is revoked on the key stream, the new one registered.
  const before = await (await adminPage.request.get('/api/keys')).json();
  await row.getByTestId('new-key').click();
  await expect(adminPage.getByTestId('users-said')).toContainText(`${farmer.username} signs with a new key from now`);
  const after = await (await adminPage.request.get('/api/keys')).json();
  expect(after.length).toBe(before.length + 1);
  expect(after.filter((key: any) => key.revoked_from).length).toBe(before.filter((key: any) => key.revoked_from).length + 1);

  expect(errors).toEqual([]);
  await fresh.close();
  await farmerPage.context().close();
  await adminPage.context().close();
});
