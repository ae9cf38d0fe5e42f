import { expect, test } from '@playwright/test';
import {
  applied, expectNoReload, markDocument, newUser, ready, registerClient, screenshot, screenshotBoth, signedInPage,
  submit, uniqueNlis, watchConsole,
} from './support';

test('typing part of a breed with a typo in the search box finds the farmer\'s own animal and no one else\'s', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const neighbour = await newUser('FARMER');
  const home = await registerClient(farmer, 'Bindi Station');
  const next = await registerClient(neighbour, 'Coolabah Creek');
  const angus = uniqueNlis();
  const hereford = uniqueNlis();
  const theirs = uniqueNlis();
  await applied(farmer, 'CREATE_CATTLE', { nlisId: angus, breed: 'Angus', sex: 'FEMALE', clientId: home });
  await applied(farmer, 'CREATE_CATTLE', { nlisId: hereford, breed: 'Hereford', sex: 'MALE', clientId: home });
  await applied(neighbour, 'CREATE_CATTLE', { nlisId: theirs, breed: 'Angus', sex: 'MALE', clientId: next });

  const page = await signedInPage(browser, farmer);
  const errors = watchConsole(page);
  await ready(page);
  const box = page.getByTestId('search-box');
  const hit = (nlis: string) => page.getByTestId('search-suggestions').locator(`[data-nlis="${nlis}"]`);
  // "agnu": the start of "Angus" with two letters swapped.
  await box.pressSequentially('agnu', { delay: 60 });
  await expect(hit(angus)).toBeVisible({ timeout: 20_000 });
  await expect(hit(angus)).toContainText('Bindi Station');
  await expect(hit(hereford)).toHaveCount(0);
  await expect(hit(theirs)).toHaveCount(0);
  await screenshot(page, 'search-suggestions-desktop');

  // Enter opens the whole results page, with the counts beside each filter.
  await box.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=agnu/);
  await ready(page);
  const results = page.getByTestId('search-hits');
  await expect(results.locator(`[data-nlis="${angus}"]`)).toBeVisible();
  await expect(results.locator(`[data-nlis="${theirs}"]`)).toHaveCount(0);
  await expect(page.getByTestId('search-breed')).toContainText('Angus (1)');
  await screenshotBoth(page, 'search');

  // As you type on the results page, and with a filter that leaves nothing.
  const words = page.getByTestId('search-words');
  await words.fill('herefrod');
  await expect(results.locator(`[data-nlis="${hereford}"]`)).toBeVisible({ timeout: 20_000 });
  await expect(page).toHaveURL(/q=herefrod/);
  await page.getByTestId('search-sex').selectOption('FEMALE');
  await expect(page.getByTestId('search-count')).toContainText('0 animals match');
  // A place filter missing a part is named, not ignored.
  await page.goto('/search?q=angus&lat=-27.4&km=10');
  await ready(page);
  await expect(page.getByTestId('search-error')).toContainText('lon: a place filter needs lat, lon and km together');
  expect(errors).toEqual([]);
});

test('a change made in another browser shows up in the open results', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const assessor = await newUser('ASSESSOR');
  const client = await registerClient(farmer, 'Wattle Flat');
  const nlis = uniqueNlis();
  const created = await applied(farmer, 'CREATE_CATTLE', { nlisId: nlis, breed: 'Wagyu', sex: 'FEMALE', clientId: client });

  // The assessor looks for it within 5 km of Brisbane, where it has not been seen yet.
  const desk = await signedInPage(browser, assessor);
  await desk.goto(`/search?q=${nlis}&lat=-27.47&lon=153.03&km=5`);
  await ready(desk);
  await expect(desk.getByTestId('search-count')).toContainText('0 animals match');
  await markDocument(desk);

  const farmerPage = await signedInPage(browser, farmer);
  await farmerPage.goto(`/cattle/${created.cattle_id}`);
  await ready(farmerPage);
  await submit(farmerPage, 'RECORD_LOCATION', { latitude: '-27.4698', longitude: '153.0251' });

  const hit = desk.getByTestId('search-hits').locator(`[data-nlis="${nlis}"]`);
  await expect(hit).toBeVisible({ timeout: 20_000 });
  await expect(hit).toContainText('km away');
  await expect(hit).toContainText('Wattle Flat');
  await expectNoReload(desk);
  await screenshotBoth(desk, 'search-near');
});
