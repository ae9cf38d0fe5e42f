import { expect, test } from '@playwright/test';
import { applied, newUser, ready, registerClient, screenshotBoth, signedInPage, uniqueNlis, watchConsole } from './support';

test('the timeline slider shows the animal as it was, later events greyed, and back to now', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const assessor = await newUser('ASSESSOR');
  const home = await registerClient(farmer, 'Yesterday Creek');
  const created = await applied(farmer, 'CREATE_CATTLE', { nlisId: uniqueNlis(), breed: 'Murray Grey', sex: 'FEMALE', clientId: home });
  const id: number = created.cattle_id;
  await applied(farmer, 'RECORD_HEALTH', { cattleId: id, kind: 'WEIGHING', notes: 'yard scales', weightKg: 388 });
  await applied(assessor, 'RECORD_VALUATION', { cattleId: id, amountCents: 190_000, method: 'MARKET' });
  await applied(farmer, 'RECORD_LOCATION', { cattleId: id, latitude: -33.2, longitude: 148.6 });

  const page = await signedInPage(browser, farmer);
  const errors = watchConsole(page);
  await page.goto(`/cattle/${id}`);
  await ready(page);
  const caption = page.getByTestId('history-caption');
  const facts = page.getByTestId('history-facts');
  await expect(caption).toContainText('Now: after event #4');
  await expect(facts).toContainText('$1,900.00');

  // Back to just after registration: not valued, never weighed, nothing greyed before it.
  await page.getByTestId('history-slider').fill('1');
  await expect(caption).toContainText('As it was after event #1 (Registered)');
  await expect(facts).toContainText('not valued');
  await expect(facts).not.toContainText('388 kg');
  await expect(page.locator('[data-testid="timeline"] li.later')).toHaveCount(3);
  await expect(page.locator('[data-testid="timeline"] li[data-sequence="1"]')).not.toHaveClass(/later/);

  // After the weighing: its weight, still no value; the server's as_of agrees.
  await page.getByTestId('history-slider').fill('2');
  await expect(facts).toContainText('388 kg');
  await expect(facts).toContainText('not valued');
  await expect(page.locator('[data-testid="timeline"] li.later')).toHaveCount(2);
  const then = await (await page.request.get(`/api/cattle/${id}?as_of=2`)).json();
  expect(then.state.weight_kg).toBe(388);
  expect(then.state.current_valuation).toBeNull();
  await screenshotBoth(page, 'animal-as-it-was');

  await page.getByRole('button', { name: 'Back to now' }).click();
  await expect(caption).toContainText('Now: after event #4');
  await expect(page.locator('[data-testid="timeline"] li.later')).toHaveCount(0);
  expect(errors).toEqual([]);
});
