import { expect, test } from '@playwright/test';
import {
  fillAndSend, form, newUser, openAction, ready, registerClient, screenshot, signedInPage, submit,
  uniqueNlis, watchConsole,
} from './support';

test('a farmer with one client registers without choosing, hears it in plain words, and records where the phone is', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const client = await registerClient(farmer, 'Lone Gum');
  const page = await signedInPage(browser, farmer);
  const errors = watchConsole(page);
  await page.goto('/herd');
  await ready(page);

  // The only client is already the owner; a client's own number waits behind "More".
  const register = form(page, 'CREATE_CATTLE');
  await expect(register.locator('[name="clientId"]')).toHaveValue(String(client));
  const number = form(page, 'REGISTER_CLIENT').locator('[name="clientId"]');
  expect(await number.evaluate((el) => el.closest('details.more-fields') !== null)).toBe(true);
  await expect(number).toBeHidden();

  const nlis = uniqueNlis();
  await fillAndSend(page, 'CREATE_CATTLE', { nlisId: nlis, breed: 'Angus', sex: 'MALE' });
  const saved = register.locator('[data-status="APPLIED"]');
  await expect(saved).toBeVisible({ timeout: 20_000 });
  await expect(saved).toContainText('Saved — everyone sees it now.');
  // The event id is there for whoever asks, not in everyone's way.
  const eventId = await saved.getAttribute('data-event-id');
  await expect(saved.locator('code')).toBeHidden();
  await saved.locator('summary').click();
  await expect(saved.locator('code')).toHaveText(eventId!);
  // Ready for the next animal of the same client.
  await expect(register.locator('[name="clientId"]')).toHaveValue(String(client));
  await expect(register.locator('[name="nlisId"]')).toHaveValue('');

  const href = await page.locator(`tr[data-nlis="${nlis}"] a`).first().getAttribute('href');
  await page.goto(href!);
  await ready(page);
  const first = page.locator('[data-testid="timeline"] li.event').last();
  await expect(first.locator('.event-type')).toHaveText('Registered');
  await expect(first.locator('.event-type')).toHaveAttribute('data-event-type', 'CATTLE_CREATED');
  // When, on the reader's clock and in words: no ISO instant with its T and Z.
  const when = first.locator('time');
  await expect(when).not.toHaveText(/^$/);
  await expect(when).not.toHaveText(/\d{4}-\d{2}-\d{2}T|Z$/);
  await expect(when).toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}T.*Z$/);

  // A new animal with a tag and an owner is not suspect, only not yet checked; the page
  // says why and what would raise its confidence, and the rules are a link away.
  await expect(page.getByTestId('risk')).toHaveText('MEDIUM');
  await expect(page.getByTestId('risk-why')).toContainText('only its tag, read when it was registered');
  await expect(page.getByTestId('raise-confidence')).toContainText('NLIS database check (+20)');
  await page.getByTestId('score-parts').locator('summary').click();
  await expect(page.getByTestId('score-parts')).toContainText('Tag read when it was registered');
  await expect(page.getByTestId('score-parts')).toContainText('+40');

  // In the paddock the phone says where it is, once the farmer lets it.
  await page.context().grantPermissions(['geolocation']);
  await page.context().setGeolocation({ latitude: -27.4698, longitude: 153.0251, accuracy: 12 });
  await openAction(page, 'RECORD_LOCATION');
  const location = form(page, 'RECORD_LOCATION');
  await location.getByTestId('use-position').click();
  await expect(location.locator('[name="latitude"]')).toHaveValue('-27.469800');
  await expect(location.locator('[name="longitude"]')).toHaveValue('153.025100');
  await expect(location.getByTestId('position-state')).toContainText('within 12 m');
  await screenshot(page, 'location-from-device');
  await submit(page, 'RECORD_LOCATION', { paddock: 'Creek paddock' });
  await expect(page.locator('[data-testid="timeline"] .event-words').first()).toContainText('Moved to Creek paddock (-27.4698, 153.0251)');

  // A weighing draws the weight chart; the daily gain waits for a second one a day later.
  await expect(page.getByTestId('daily-gain')).toContainText('Weigh it twice');
  await submit(page, 'RECORD_HEALTH', { kind: 'WEIGHING', notes: 'yard scales', weightKg: '412.5' });
  const weights = page.locator('[data-chart="weights"]');
  await expect(weights).toHaveAttribute('data-points', '1');
  await expect(weights.locator('figcaption')).toContainText('412.5 kg');
  await expect(page.getByTestId('daily-gain')).toContainText('Weigh it again a day or more later');

  await page.getByRole('link', { name: 'How animals are scored' }).click();
  await expect(page).toHaveURL(/\/scoring$/);
  await expect(page.locator('tr[data-check="NLIS"]')).toContainText('+20');
  await expect(page.locator('tr[data-alert="DUPLICATE_NLIS"]')).toContainText('−50');
  await expect(page.getByTestId('scoring')).toContainText('MEDIUM when an alert is open, or when nothing is against the animal');
  await screenshot(page, 'scoring');
  expect(errors).toEqual([]);
});
