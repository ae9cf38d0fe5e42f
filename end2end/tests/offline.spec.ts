import { expect, Page, Route, test } from '@playwright/test';
import {
  applied, fillAndSend, newUser, ready, registerClient, screenshotBoth, signedInPage, uniqueNlis, watchConsole,
} from './support';

/** Opens the animal page once online, under the service worker, so a copy is kept. */
async function openedOnce(page: Page, id: number): Promise<void> {
  // The worker is active once it has kept the app's files. It claims the open page when it
  // activates; a page that is not controlled by then is once it loads again.
  await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state ?? 'none'),
    { message: 'the service worker is active', timeout: 45_000 }).toBe('activated');
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
    await page.reload();
    await ready(page);
  }
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the page is controlled').toBe(true);
  await page.goto(`/cattle/${id}`);
  await ready(page);
}

/** Fills a form and sends it with no connection: it is QUEUED, not sent. */
async function queue(page: Page, command: string, values: Record<string, string>): Promise<void> {
  const f = await fillAndSend(page, command, values);
  await expect(f.locator('[data-status="QUEUED"]')).toBeVisible();
}

/** How many events of the animal the log holds. */
async function eventsInLog(page: Page, id: number): Promise<number> {
  const response = await page.context().request.get(`/api/cattle/${id}/from-log`);
  expect(response.status()).toBe(200);
  return (await response.json()).events;
}

test('offline, a farmer records health and a location; back online they are sent once each, even when sent twice', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const assessor = await newUser('ASSESSOR');
  const home = await registerClient(farmer, 'Dry Creek');
  const created = await applied(farmer, 'CREATE_CATTLE', { nlisId: uniqueNlis(), breed: 'Angus', sex: 'FEMALE', clientId: home });
  const id: number = created.cattle_id;

  const assessorPage = await signedInPage(browser, assessor);
  await assessorPage.goto(`/cattle/${id}`);
  await ready(assessorPage);
  await expect(assessorPage.getByTestId('animal-health')).toHaveText('0');

  const farmerPage = await signedInPage(browser, farmer);
  const errors = watchConsole(farmerPage);
  await openedOnce(farmerPage, id);

  // No signal: the page opens from the copy the service worker kept, and its forms work.
  await farmerPage.context().setOffline(true);
  const reloaded = await farmerPage.reload();
  expect(reloaded?.fromServiceWorker()).toBe(true);
  await expect(farmerPage.locator('main[data-hydrated="true"]')).toBeVisible();
  expect(await farmerPage.evaluate(() => navigator.onLine)).toBe(false);
  await queue(farmerPage, 'RECORD_HEALTH', { kind: 'TREATMENT', notes: 'foot rot, zinc bath', weightKg: '398' });
  await queue(farmerPage, 'RECORD_LOCATION', { latitude: '-27.4705', longitude: '153.0260' });
  await expect(farmerPage.getByTestId('outbox-link')).toHaveText('Outbox (2)');
  await farmerPage.getByTestId('outbox-link').click();
  const entries = farmerPage.getByTestId('outbox-entry');
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0)).toContainText(`Record health for animal ${id}`);
  await expect(entries.nth(1)).toContainText(`Record location for animal ${id}`);
  await expect(entries.nth(0).locator('[data-state="WAITING"]')).toBeVisible();
  await screenshotBoth(farmerPage, 'outbox-offline');
  // The log has none of them yet.
  expect(await eventsInLog(assessorPage, id)).toBe(1);

  // Back online, every command's first answer is lost on the way: the registry records it,
  // the browser never hears, so the outbox sends it again. The second answer names the first.
  const sends = new Map<string, number>();
  const retries: string[] = [];
  await farmerPage.route('**/api/submit_command*', async (route: Route) => {
    const commandId: string = route.request().postDataJSON().command_id;
    const send = (sends.get(commandId) ?? 0) + 1;
    sends.set(commandId, send);
    const response = await route.fetch();
    if (send === 1) {
      await route.abort('connectionreset');
      return;
    }
    retries.push(await response.text());
    await route.fulfill({ response });
  });
  await farmerPage.context().setOffline(false);
  // The health record reached the registry, though the farmer's browser did not hear it.
  await expect(assessorPage.getByTestId('animal-health')).toHaveText('1', { timeout: 20_000 });
  // The farmer presses "Send now" until nothing waits (the outbox also tries by itself).
  const sendNow = farmerPage.getByTestId('outbox-send');
  await expect(async () => {
    if (await sendNow.isEnabled()) await sendNow.click();
    await expect(farmerPage.getByTestId('outbox-empty')).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(assessorPage.getByTestId('animal-location')).toContainText('-27.47050, 153.02600', { timeout: 20_000 });
  await expect(farmerPage.getByTestId('outbox-link')).toHaveCount(0);

  // Each was sent twice and is in the log once: the retries were answered with the originals.
  expect([...sends.values()]).toEqual([2, 2]);
  expect(retries).toHaveLength(2);
  for (const answer of retries) expect(answer).toContain('DUPLICATE');
  expect(await eventsInLog(assessorPage, id)).toBe(3);
  await expect(assessorPage.getByTestId('animal-health')).toHaveText('1');
  expect(errors.filter((e) => !e.includes('net::ERR_') && !e.includes('WebSocket'))).toEqual([]);
});

test('a queued command the registry refuses on arrival stays in the outbox with the reason', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const home = await registerClient(farmer, 'Gidgee Flat');
  const created = await applied(farmer, 'CREATE_CATTLE', { nlisId: uniqueNlis(), breed: 'Brahman', sex: 'MALE', clientId: home });
  const id: number = created.cattle_id;
  const farmerPage = await signedInPage(browser, farmer);
  await openedOnce(farmerPage, id);

  await farmerPage.context().setOffline(true);
  await queue(farmerPage, 'RECORD_LOCATION', { latitude: '-23.7000', longitude: '133.8800' });
  // Meanwhile, from another device, the animal is recorded dead.
  await applied(farmer, 'CHANGE_STATUS', { cattleId: id, status: 'DECEASED', reason: 'snake bite' });

  await farmerPage.context().setOffline(false);
  await farmerPage.getByTestId('outbox-link').click();
  const entry = farmerPage.getByTestId('outbox-entry');
  await expect(entry.locator('[data-state="REFUSED"]')).toContainText(/Refused: .*(dead|deceased)/i, { timeout: 20_000 });
  await expect(farmerPage.getByTestId('outbox-link')).toHaveText('Outbox (1)');
  // It stays through a reload: the browser keeps it until the farmer lets it go.
  await farmerPage.reload();
  await ready(farmerPage);
  await expect(entry.locator('[data-state="REFUSED"]')).toBeVisible();
  await screenshotBoth(farmerPage, 'outbox-refused');
  await entry.getByTestId('outbox-discard').click();
  await expect(farmerPage.getByTestId('outbox-empty')).toBeVisible();
  expect(await eventsInLog(farmerPage, id)).toBe(2);
});
