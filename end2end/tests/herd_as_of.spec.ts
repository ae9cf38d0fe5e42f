import { expect, test } from '@playwright/test';
import { applied, newUser, ready, registerClient, screenshotBoth, signedInPage, uniqueNlis, watchConsole } from './support';

test('the dashboard shows the herd as it was on a chosen day, following the job to its figures', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const assessor = await newUser('ASSESSOR');
  const home = await registerClient(farmer, 'Lookback Downs');
  const first = await applied(farmer, 'CREATE_CATTLE', { nlisId: uniqueNlis(), breed: 'Angus', sex: 'FEMALE', clientId: home });
  await applied(farmer, 'CREATE_CATTLE', { nlisId: uniqueNlis(), breed: 'Brahman', sex: 'MALE', clientId: home });
  await applied(assessor, 'RECORD_VALUATION', { cattleId: first.cattle_id, amountCents: 210_000, method: 'MARKET' });

  const page = await signedInPage(browser, farmer);
  const errors = watchConsole(page);
  await page.goto('/');
  await ready(page);
  const panel = page.getByTestId('herd-as-of');
  await expect(panel).toContainText('The herd as it was');

  // Today (UTC): the herd as it stands, the same as the live cards above.
  const today = new Date().toISOString().slice(0, 10);
  await page.getByTestId('as-of-day').fill(today);
  await page.getByTestId('show-herd-as-of').click();
  const job = page.getByTestId('as-of-job');
  await expect(job).toHaveAttribute('data-state', 'finished');
  await expect(page.getByTestId('as-of-percent')).toHaveText('100 %');
  await expect(page.getByTestId('as-of-head-count')).toContainText('2');
  await expect(page.getByTestId('as-of-herd-value')).toContainText('$2,100.00');
  await expect(page.getByTestId('head-count')).toContainText('2');
  await expect(panel.locator('[data-chart="as-of-by-breed"]')).toContainText('Brahman');
  await expect(page.getByTestId('as-of-caption')).toContainText(`At the end of ${today}`);
  await screenshotBoth(page, 'dashboard-herd-as-of');

  // Before any of these animals existed: an empty herd, said in words.
  await page.getByTestId('as-of-day').fill('2001-06-30');
  await page.getByTestId('show-herd-as-of').click();
  await expect(page.getByTestId('as-of-caption')).toContainText('At the end of 2001-06-30');
  await expect(page.getByTestId('as-of-head-count')).toContainText('0');
  await expect(panel.locator('[data-chart="as-of-by-status"]')).toContainText('No animals then.');
  expect(errors).toEqual([]);
});
