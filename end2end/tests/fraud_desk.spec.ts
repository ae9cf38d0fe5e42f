import { expect, test } from '@playwright/test';
import {
  applied, markDocument, expectNoReload, newUser, ready, registerClient, screenshotBoth, signedInPage,
  uniqueNlis, watchConsole,
} from './support';

test('an impossible journey shows on the assessor\'s fraud desk live, is resolved there, and the farmer sees the outcome', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const assessor = await newUser('ASSESSOR');
  const client = await registerClient(farmer, 'Bindi Station');
  const nlis = uniqueNlis();
  const created = await applied(farmer, 'CREATE_CATTLE', { nlisId: nlis, breed: 'Angus', sex: 'FEMALE', clientId: client });
  const cattleId = created.cattle_id;
  await applied(farmer, 'RECORD_LOCATION', { cattleId, latitude: -27.47, longitude: 153.03 });

  const desk = await signedInPage(browser, assessor);
  const errors = watchConsole(desk);
  await desk.click('nav >> text=Fraud desk');
  await ready(desk);
  await expect(desk.getByTestId('fraud-desk')).toBeVisible();
  await markDocument(desk);
  const card = desk.locator('[data-testid="alert"]', { hasText: nlis });
  await expect(card).toHaveCount(0);

  const farmerPage = await signedInPage(browser, farmer);
  await farmerPage.goto(`/cattle/${cattleId}`);
  await ready(farmerPage);
  await expect(farmerPage.getByTestId('open-alerts')).toHaveText('No open alerts.');

  // Perth a moment after Brisbane: the detector raises an alert, and the desk shows it live.
  await applied(farmer, 'RECORD_LOCATION', { cattleId, latitude: -31.95, longitude: 115.86 });
  await expect(card).toBeVisible({ timeout: 20_000 });
  await expect(card).toContainText('Impossible journey');
  await expect(card).toContainText('HIGH');
  await expect(card).toContainText('Bindi Station');
  await expect(card.locator('.evidence')).toContainText('speedKmh');
  await expect(desk.getByTestId('fraud-count')).toBeVisible();
  await expectNoReload(desk);
  await expect(farmerPage.getByTestId('open-alerts')).toContainText('Impossible journey (HIGH)', { timeout: 20_000 });
  await expect(farmerPage.locator('form[data-command="RESOLVE_FRAUD_ALERT"]')).toHaveCount(0);

  // The filters keep it or hide it.
  await desk.getByTestId('filter-rule').selectOption('PRICE_ANOMALY');
  await expect(card).toHaveCount(0);
  await desk.getByTestId('filter-rule').selectOption('LOCATION_ANOMALY');
  await desk.getByTestId('filter-owner').fill(nlis.toLowerCase());
  await expect(card).toBeVisible();
  await screenshotBoth(desk, 'fraud-desk');

  // Resolved through the card's form: it leaves the open alerts, and the farmer's page follows.
  const resolve = card.locator('form[data-command="RESOLVE_FRAUD_ALERT"]');
  await resolve.locator('select[name="resolution"]').selectOption('DISMISSED');
  await resolve.locator('[name="notes"]').fill('collar swapped between two animals');
  await resolve.locator('button[type="submit"]').click();
  await expect(card).toHaveCount(0, { timeout: 20_000 });
  await desk.getByTestId('filter-state').selectOption('resolved');
  await expect(card.getByTestId('alert-state')).toContainText('Resolved as a false positive');
  await expect(farmerPage.getByTestId('open-alerts')).toHaveText('No open alerts.', { timeout: 20_000 });
  await expect(farmerPage.locator('.timeline')).toContainText('FRAUD_ALERT_RESOLVED');
  await expectNoReload(desk);
  // Loaded whole, the desk (and its count in the navigation) hydrates without a complaint.
  await desk.goto('/fraud');
  await ready(desk);
  await desk.getByTestId('filter-state').selectOption('all');
  await expect(card.getByTestId('alert-state')).toContainText('Resolved as a false positive');
  expect(errors).toEqual([]);

  // Farmers read their own animals' alerts, not the desk.
  await farmerPage.goto('/fraud');
  await expect(farmerPage.getByTestId('forbidden')).toContainText('The fraud desk is for assessors');
  await expect(farmerPage.locator('nav >> text=Fraud desk')).toHaveCount(0);
});

test('a tag registered twice and a value far outside its breed reach the desk with their evidence', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const assessor = await newUser('ASSESSOR');
  const home = await registerClient(farmer, 'Wirra Downs');
  const other = await registerClient(farmer, 'Wirra North');
  // A breed of this test's own, so its peers are the thirty animals valued here.
  const breed = `Murray Grey ${uniqueNlis().slice(-6)}`;
  const herd: number[] = [];
  const tags: string[] = [];
  for (let n = 0; n < 31; n++) {
    tags.push(uniqueNlis());
    const created = await applied(farmer, 'CREATE_CATTLE', { nlisId: tags[n], breed, sex: 'FEMALE', clientId: home });
    herd.push(created.cattle_id);
  }
  for (const [n, cattleId] of herd.slice(0, 30).entries()) {
    await applied(assessor, 'RECORD_VALUATION', { cattleId, amountCents: 180_000 + 1_000 * n, method: 'MARKET' });
  }

  const desk = await signedInPage(browser, assessor);
  const errors = watchConsole(desk);
  await desk.goto('/fraud');
  await ready(desk);
  await markDocument(desk);

  // The same tag for the farmer's other client: refused, and raised on the animal holding it.
  const nlis = tags[0];
  const again = await farmer.api.post('/api/commands', {
    data: { type: 'CREATE_CATTLE', data: { nlisId: nlis, breed, sex: 'FEMALE', clientId: other } },
  });
  expect(again.status()).toBe(409);
  const claim = desk.locator('[data-testid="alert"]', { hasText: 'Tag registered twice' }).filter({ hasText: nlis });
  await expect(claim).toBeVisible({ timeout: 20_000 });
  await expect(claim).toContainText('CRITICAL');
  await expect(claim.locator('.evidence')).toContainText(`claimedFor${other}`);

  // Nine times the breed's median, in one valuation of an unverified animal.
  const dear = herd[30];
  await applied(assessor, 'RECORD_VALUATION', { cattleId: dear, amountCents: 1_800_000, method: 'MARKET' });
  const outlier = desk.locator(`[data-testid="alert"]:has(a[href="/cattle/${dear}"])`, { hasText: 'Value far outside breed and herd' });
  await expect(outlier).toBeVisible({ timeout: 20_000 });
  await expect(outlier.locator('.evidence')).toContainText('breed median');
  await expect(outlier.locator('.evidence')).toContainText('herd peers');
  await expectNoReload(desk);
  await desk.getByTestId('filter-rule').selectOption('VALUATION_OUTLIER');
  await expect(outlier).toBeVisible();
  await screenshotBoth(desk, 'fraud-desk-outlier');
  expect(errors).toEqual([]);
});
