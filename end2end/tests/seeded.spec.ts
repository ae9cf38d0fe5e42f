import { expect, test } from '@playwright/test';
import { ready, screenshot, signedInPage, User, watchConsole } from './support';

// Runs against an app that `icattle seed` filled with a herd (`scripts/test.sh` seeds ten
// thousand animals into an app of its own): the pages must open at that size, whole and
// without errors, and every event the animal page lists must verify in the browser.

const password = process.env.ICATTLE_SEED_PASSWORD ?? '';
const animals = process.env.ICATTLE_SEED_ANIMALS ?? '10000';

function seeded(username: string, role: User['role']): User {
  expect(password, 'ICATTLE_SEED_PASSWORD is set by the test script').not.toBe('');
  return { username, password, role, api: undefined as never };
}

test('@seeded an assessor opens the dashboard, the herd list and an animal of the whole seeded herd', async ({ browser }) => {
  const page = await signedInPage(browser, seeded('seed-assessor', 'ASSESSOR'));
  const errors = watchConsole(page);
  await expect(page.getByTestId('head-count')).toContainText(animals);
  await expect(page.getByTestId('feed').locator('li')).not.toHaveCount(0);
  await screenshot(page, 'seeded-dashboard-assessor');

  await page.click('nav >> text=Herd');
  await ready(page);
  await expect(page.getByTestId('herd-count')).toHaveText(`${animals} animals`);
  await expect(page.getByTestId('pager')).toContainText('Page 1 of');
  await page.click('a[rel="next"]');
  await ready(page);
  await expect(page.getByTestId('pager')).toContainText('Page 2 of');
  const rows = page.locator('[data-testid="herd-table"] tbody tr');
  await expect(rows.first()).toBeVisible();
  await screenshot(page, 'seeded-herd-assessor');

  await rows.first().locator('a').first().click();
  await ready(page);
  await expect(page.getByTestId('animal-nlis')).toHaveText(/^S[0-9A-Z]{15}$/);
  const events = page.getByTestId('timeline').locator('li');
  await expect(events).not.toHaveCount(0);
  const listed = await events.count();
  await expect(page.locator('[data-verdict="verified"]')).toHaveCount(listed);
  await screenshot(page, 'seeded-animal-assessor');
  expect(errors).toEqual([]);
});

test('@seeded a seeded farmer sees their own share of the herd', async ({ browser }) => {
  const page = await signedInPage(browser, seeded('seed-farmer-01', 'FARMER'));
  const errors = watchConsole(page);
  const head = Number((await page.getByTestId('head-count').locator('.card-value').innerText()).trim());
  expect(head).toBeGreaterThan(0);
  expect(head).toBeLessThan(Number(animals));
  await page.click('nav >> text=Herd');
  await ready(page);
  await expect(page.getByTestId('herd-count')).toHaveText(`${head} animals`);
  await page.locator('[data-testid="herd-table"] tbody tr').first().locator('a').first().click();
  await ready(page);
  await expect(page.getByTestId('animal-owner')).not.toBeEmpty();
  await screenshot(page, 'seeded-animal-farmer');
  expect(errors).toEqual([]);
});
