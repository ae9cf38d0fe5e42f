import { expect, Page, test } from '@playwright/test';
import {
  applied, expectNoReload, markDocument, newUser, ready, registerClient, screenshotBoth, submit,
  signedInPage, unique, uniqueNlis, watchConsole,
} from './support';

/** Chooses a bulk action on the herd page, fills its boxes and applies it to the selection. */
async function applyToSelected(page: Page, action: string, values: Record<string, string>) {
  const panel = page.getByTestId('bulk-actions');
  await panel.locator('select[name="bulk-action"]').selectOption(action);
  const form = panel.locator(`form[data-bulk="${action}"]`);
  for (const [name, value] of Object.entries(values)) await form.locator(`[name="${name}"]`).fill(value);
  await form.locator('button[type="submit"]').click();
}

test('a farmer moves a mob of 30 to a paddock in one action and the assessor sees all 30 move live', async ({ browser }) => {
  test.setTimeout(180_000);
  const farmer = await newUser('FARMER');
  const assessor = await newUser('ASSESSOR');
  const client = await registerClient(farmer, 'Mob Downs');
  const breed = `Mobtest${unique(5)}`;
  const mob = `Weaners ${unique(4)}`;
  const tags = Array.from({ length: 30 }, () => uniqueNlis());
  // Four at a time: the API waits for at most four applied answers at once per instance.
  for (let i = 0; i < tags.length; i += 4) {
    await Promise.all(tags.slice(i, i + 4).map((nlisId) =>
      applied(farmer, 'CREATE_CATTLE', { nlisId, breed, sex: 'FEMALE', clientId: client })));
  }

  // The farmer selects every animal of the breed, beyond the page, and drafts them into a mob.
  const farm = await signedInPage(browser, farmer);
  const errors = [watchConsole(farm)];
  await farm.goto(`/herd?breed=${breed}`);
  await ready(farm);
  await expect(farm.getByTestId('herd-count')).toContainText('30 animals');
  await expect(farm.locator('table.herd tbody tr')).toHaveCount(25);
  await farm.getByTestId('select-matching').click();
  await expect(farm.getByTestId('bulk-selected')).toContainText('30 animals selected');
  await applyToSelected(farm, 'mob', { mob });
  await expect(farm.getByTestId('bulk-tally')).toHaveText('30 done', { timeout: 60_000 });

  // The assessor opens the mob, 50 to a page: every animal, none in a paddock yet.
  const desk = await signedInPage(browser, assessor);
  errors.push(watchConsole(desk));
  await desk.goto(`/herd?mob=${encodeURIComponent(mob)}&per=50`);
  await ready(desk);
  await expect(desk.locator('table.herd tbody tr')).toHaveCount(30);
  await expect(desk.locator('[data-column="paddock"]', { hasText: 'River flat' })).toHaveCount(0);
  await markDocument(desk);

  // The farmer picks the mob from the filter, selects it, and moves it in one action.
  await farm.goto('/herd');
  await ready(farm);
  await farm.locator('select[name="mob"]').selectOption(mob);
  await farm.locator('[data-testid="filters"] button[type="submit"]').click();
  // The filter form is a plain GET form: the page loads again and hydrates.
  await expect(farm).toHaveURL(/mob=/);
  await ready(farm);
  await expect(farm.getByTestId('herd-count')).toContainText('30 animals');
  // The mob's growth is said beside it: nobody has weighed these animals yet.
  await expect(farm.getByTestId('mob-gain')).toContainText(`Mob ${mob}: no animal weighed twice`);
  await farm.getByTestId('select-matching').click();
  await expect(farm.getByTestId('bulk-selected')).toContainText('30 animals selected');
  await applyToSelected(farm, 'move', { paddock: 'River flat', latitude: '-27.4705', longitude: '153.0260' });
  await expect(farm.getByTestId('bulk-progress')).toBeVisible();
  await expect(farm.getByTestId('bulk-tally')).toHaveText('30 done', { timeout: 60_000 });
  await expect(farm.locator('[data-testid="bulk-results"] li[data-outcome="done"]')).toHaveCount(30);

  // The assessor's open list shows all 30 in the paddock, without a reload.
  await expect(desk.locator('[data-column="paddock"]', { hasText: 'River flat' })).toHaveCount(30, { timeout: 30_000 });
  await expect(desk.locator('[data-column="mob"]', { hasText: mob })).toHaveCount(30);
  await expectNoReload(desk);
  await screenshotBoth(farm, 'herd-bulk-move-done');
  await screenshotBoth(desk, 'herd-mob-moved-assessor');
  expect(errors.flat()).toEqual([]);
});

test('a bulk action names a bad field before sending and reports each animal it could not act on', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const client = await registerClient(farmer, 'Check Creek');
  const breed = `Bulkcheck${unique(5)}`;
  const [kept, dead] = [uniqueNlis(), uniqueNlis()];
  await applied(farmer, 'CREATE_CATTLE', { nlisId: kept, breed, sex: 'MALE', clientId: client });
  const deadId = (await applied(farmer, 'CREATE_CATTLE', { nlisId: dead, breed, sex: 'MALE', clientId: client })).cattle_id;
  await applied(farmer, 'CHANGE_STATUS', { cattleId: deadId, status: 'DECEASED', reason: 'died in the drought' });

  const page = await signedInPage(browser, farmer);
  const errors = watchConsole(page);
  await page.goto(`/herd?breed=${breed}`);
  await ready(page);
  await page.getByLabel(`Select ${kept}`).check();
  await page.getByLabel(`Select ${dead}`).check();
  await expect(page.getByTestId('bulk-selected')).toContainText('2 animals selected');

  // A latitude off the globe is named beside its box; nothing is sent.
  await applyToSelected(page, 'move', { paddock: 'Top paddock', latitude: '200', longitude: '153' });
  const move = page.locator('form[data-bulk="move"]');
  await expect(move.locator('[data-error-for="latitude"]')).not.toBeEmpty();
  await expect(page.getByTestId('bulk-progress')).toHaveCount(0);

  // Corrected, it moves the animal it can and says why not the dead one.
  await move.locator('[name="latitude"]').fill('-27.5');
  await move.locator('button[type="submit"]').click();
  await expect(page.getByTestId('bulk-tally')).toHaveText('1 done · 1 refused', { timeout: 30_000 });
  const results = page.getByTestId('bulk-results');
  await expect(results.locator(`li[data-nlis="${kept}"]`)).toHaveAttribute('data-outcome', 'done');
  await expect(results.locator(`li[data-nlis="${dead}"]`)).toContainText('deceased');
  await screenshotBoth(page, 'herd-bulk-refused');
  expect(errors).toEqual([]);
});

test('a treatment with a withholding period shows on the animal and in the herd list\'s filter', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const client = await registerClient(farmer, 'Withhold Creek');
  const [treated, clean] = [uniqueNlis(), uniqueNlis()];
  const id = (await applied(farmer, 'CREATE_CATTLE', { nlisId: treated, breed: 'Brangus', sex: 'MALE', clientId: client })).cattle_id;
  await applied(farmer, 'CREATE_CATTLE', { nlisId: clean, breed: 'Brangus', sex: 'MALE', clientId: client });

  const page = await signedInPage(browser, farmer);
  const errors = watchConsole(page);
  await page.goto(`/cattle/${id}`);
  await ready(page);
  await expect(page.getByTestId('animal-withholding')).toHaveText('none');
  await submit(page, 'RECORD_HEALTH', {
    kind: 'TREATMENT', product: 'Oxytetracycline', dose: '10 ml', route: 'intramuscular', batch: 'B-2291', withholdingDays: '28',
  });
  const until = new Date(Date.now() + 28 * 86_400_000).toISOString().slice(0, 10);
  await expect(page.getByTestId('animal-withholding')).toHaveText(`in withholding until ${until}`);
  // The timeline says what was given, in words.
  await expect(page.locator('[data-testid="timeline"] .event-words').first())
    .toHaveText('Treated — Oxytetracycline, 10 ml, intramuscular, batch B-2291, withholding 28 days');

  // The herd list marks it, and its filter keeps it and drops the untreated one.
  await page.goto(`/herd?owner=${client}`);
  await ready(page);
  await expect(page.locator(`tr[data-nlis="${treated}"] [data-testid="in-withholding"]`)).toHaveText(`in withholding until ${until}`);
  await expect(page.locator(`tr[data-nlis="${clean}"] [data-testid="in-withholding"]`)).toHaveCount(0);
  await page.locator('select[name="withholding"]').selectOption('in');
  await page.locator('[data-testid="filters"] button[type="submit"]').click();
  await expect(page).toHaveURL(/withholding=in/);
  await ready(page);
  await expect(page.locator('table.herd tbody tr')).toHaveCount(1);
  await expect(page.locator(`tr[data-nlis="${treated}"]`)).toBeVisible();
  await screenshotBoth(page, 'herd-in-withholding');
  expect(errors).toEqual([]);
});
