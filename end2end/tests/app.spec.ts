import { expect, Page, test } from '@playwright/test';
import {
  applied, expectNoReload, forgeEvent, form, markDocument, newUser, openAction, ready, registerClient, screenshot,
  screenshotBoth, signedInPage, submit, uniqueNlis, uniquePic, watchConsole,
} from './support';

test('a visitor is sent to sign in, and a wrong password is said beside the field', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
  await page.click('[data-testid="sign-in-form"] button[type="submit"]');
  await expect(page.locator('[data-error-for="username"]')).toContainText('enter your username');
  await page.fill('#field-username', 'nobody');
  await page.fill('#field-password', 'wrong password');
  await page.click('[data-testid="sign-in-form"] button[type="submit"]');
  await expect(page.locator('[data-error-for="password"]')).toContainText('wrong password');
  await screenshotBoth(page, 'sign-in');
  expect(errors).toEqual([]);
});

test('a farmer works the herd while an assessor watches live, and the valuation comes back live', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const assessor = await newUser('ASSESSOR');
  const home = await registerClient(farmer, 'Bindi Station');
  const buyer = await registerClient(farmer, 'Coolabah Downs');

  const farmerPage = await signedInPage(browser, farmer);
  const assessorPage = await signedInPage(browser, assessor);
  const errors = [watchConsole(farmerPage), watchConsole(assessorPage)];
  await expect(assessorPage.getByTestId('dashboard')).toBeVisible();
  await markDocument(assessorPage);

  // The farmer registers an animal on the herd page; it is APPLIED and listed.
  await farmerPage.click('nav >> text=Herd');
  await ready(farmerPage);
  const nlis = uniqueNlis();
  // Typed as people type it (lower case, spaced), the day picked from the calendar.
  const typed = `${nlis.slice(0, 8).toLowerCase()} ${nlis.slice(8).toLowerCase()}`;
  await expect(form(farmerPage, 'CREATE_CATTLE').locator('[name="birthDate"]')).toHaveAttribute('type', 'date');
  await submit(farmerPage, 'CREATE_CATTLE', { nlisId: typed, breed: 'Wagyu', sex: 'FEMALE', clientId: String(home), birthDate: '2024-08-15' });
  const row = farmerPage.locator(`tr[data-nlis="${nlis}"]`);
  await expect(row).toContainText('Bindi Station');

  // The assessor's dashboard shows it without a reload.
  const feed = assessorPage.getByTestId('feed');
  await expect(feed.locator('li', { hasText: nlis }).first()).toContainText('Registered');
  await expectNoReload(assessorPage);

  // Both open the animal page.
  await row.locator('a').click();
  await ready(farmerPage);
  await expect(farmerPage.getByTestId('animal-nlis')).toHaveText(nlis);
  await feed.locator('li', { hasText: nlis }).first().locator('a').click();
  await ready(assessorPage);
  await markDocument(assessorPage);

  // Each change by the farmer appears on the assessor's page live.
  await submit(farmerPage, 'TRANSFER_OWNERSHIP', { toClientId: String(buyer), priceCents: '2150.00' });
  await expect(assessorPage.getByTestId('animal-owner')).toContainText('Coolabah Downs');
  // The sale is said by the buyer's name, as people say it.
  await expect(farmerPage.locator('[data-testid="timeline"] .event-words').first()).toHaveText('Sold to Coolabah Downs for $2,150.00');
  await submit(farmerPage, 'RECORD_HEALTH', { kind: 'VACCINATION', notes: '7-in-1 booster', weightKg: '412' });
  await expect(assessorPage.getByTestId('animal-health')).toHaveText('1');
  await submit(farmerPage, 'RECORD_LOCATION', { latitude: '-26.5686', longitude: '148.7875' });
  await expect(assessorPage.getByTestId('animal-location')).toContainText('-26.56860, 148.78750');
  await expectNoReload(assessorPage);

  // The assessor values it; the farmer's page shows the value live.
  await markDocument(farmerPage);
  await submit(assessorPage, 'RECORD_VALUATION', { amountCents: '2400.00', method: 'MARKET' });
  await expect(farmerPage.getByTestId('animal-value')).toHaveText('$2,400.00');
  await expectNoReload(farmerPage);

  // Every event of the timeline verifies in the browser.
  const badges = farmerPage.locator('[data-testid="timeline"] [data-verdict]');
  await expect(badges).toHaveCount(5);
  await expect(farmerPage.locator('[data-verdict="verified"]')).toHaveCount(5);

  await screenshotBoth(farmerPage, 'animal-farmer');
  await screenshotBoth(assessorPage, 'animal-assessor');
  await farmerPage.click('nav >> text=Herd');
  await ready(farmerPage);
  await screenshotBoth(farmerPage, 'herd-farmer');
  await assessorPage.click('nav >> text=Dashboard');
  await ready(assessorPage);
  await expect(assessorPage.locator('[data-chart="value-trend"]')).toBeVisible();
  await screenshotBoth(assessorPage, 'dashboard-assessor');
  await farmerPage.click('nav >> text=Dashboard');
  await ready(farmerPage);
  await screenshotBoth(farmerPage, 'dashboard-farmer');
  await assessorPage.click('nav >> text=Herd');
  await ready(assessorPage);
  await screenshotBoth(assessorPage, 'herd-assessor');
  expect(errors.flat()).toEqual([]);
});

test('a forged event shows broken on the animal page, decided in the browser', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const home = await registerClient(farmer, 'Forge Flat');
  const created = await applied(farmer, 'CREATE_CATTLE', { nlisId: uniqueNlis(), breed: 'Angus', sex: 'MALE', clientId: home });
  const id: number = created.cattle_id;
  await applied(farmer, 'RECORD_HEALTH', { cattleId: id, kind: 'INSPECTION', notes: 'sound' });
  const forgedId = forgeEvent(id);
  // The golden record refuses it too; wait for that so the page lists it.
  await expect.poll(async () => (await (await farmer.api.get(`/api/events/${forgedId}/status`)).json()).status, { timeout: 20_000 }).toBe('REJECTED');

  const page = await signedInPage(browser, farmer);
  const errors = watchConsole(page);
  const requests: string[] = [];
  const answers: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('response', async (response) => {
    if (response.url().includes('/api/animal_details')) answers.push(await response.text());
  });
  await page.goto(`/cattle/${id}`);
  await ready(page);
  const forged = page.locator(`li[data-event-id="${forgedId}"] [data-verdict]`);
  await expect(forged).toHaveAttribute('data-verdict', 'broken');
  await expect(forged).toContainText('broken:');
  // The fraud detector raised the forgery as an alert: a signed event of the chain itself.
  await expect(page.getByTestId('open-alerts')).toContainText('Record failed verification (CRITICAL)', { timeout: 20_000 });
  await expect(page.locator('[data-verdict="verified"]')).toHaveCount(3);
  // Nothing the page fetched carried a verdict: only envelopes and the public keys.
  expect(requests.some((url) => url.includes('/api/keys'))).toBe(true);
  expect(requests.filter((url) => /\/status|from-log/.test(url))).toEqual([]);
  for (const body of answers) expect(body).not.toMatch(/REJECTED|PAYLOAD_HASH|verdict/);
  const html = await (await page.request.get(`/cattle/${id}`)).text();
  expect(html).not.toContain('data-verdict="broken"');
  await screenshotBoth(page, 'animal-forged');
  expect(errors).toEqual([]);
});

test('a farmer cannot see or act on another farmer\'s animal', async ({ browser }) => {
  const owner = await newUser('FARMER');
  const other = await newUser('FARMER');
  const home = await registerClient(owner, 'Private Creek');
  const nlis = uniqueNlis();
  const created = await applied(owner, 'CREATE_CATTLE', { nlisId: nlis, breed: 'Brahman', sex: 'MALE', clientId: home });
  const id: number = created.cattle_id;

  const page = await signedInPage(browser, other);
  const errors = watchConsole(page);
  await page.goto(`/cattle/${id}`);
  await ready(page);
  await expect(page.getByTestId('forbidden')).toBeVisible();
  await expect(page.locator('form[data-command]')).toHaveCount(0);
  await page.goto('/herd');
  await ready(page);
  await expect(page.locator(`tr[data-nlis="${nlis}"]`)).toHaveCount(0);
  expect((await page.request.get(`/api/cattle/${id}`)).status()).toBe(403);
  // Sent as the page itself would (its cookie and its origin), so the 403 is the herd rule's.
  const command = await page.request.post('/api/commands', {
    headers: { Origin: new URL(page.url()).origin },
    data: { type: 'RECORD_HEALTH', data: { cattleId: id, kind: 'TREATMENT', notes: 'not mine' } },
  });
  expect(command.status()).toBe(403);
  expect(await command.json()).not.toHaveProperty('field');
  await screenshotBoth(page, 'animal-forbidden');
  expect(errors).toEqual([]);
});

test('every form shows field errors without a round trip, and the server\'s when those checks are bypassed', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const assessor = await newUser('ASSESSOR');
  const home = await registerClient(farmer, 'Check Creek');
  const created = await applied(farmer, 'CREATE_CATTLE', { nlisId: uniqueNlis(), breed: 'Angus', sex: 'FEMALE', clientId: home });
  const id: number = created.cattle_id;

  const bad: Record<string, Record<string, string>> = {
    CREATE_CATTLE: { nlisId: 'abc-123', breed: 'Angus' },
    REGISTER_CLIENT: { name: 'Bad Pic', pic: 'pic!' },
    TRANSFER_OWNERSHIP: { priceCents: 'lots' },
    RECORD_HEALTH: { notes: 'no kind chosen', weightKg: '-5' },
    RECORD_LOCATION: { latitude: '123', longitude: '200' },
    ADD_VERIFICATION: {},
    CHANGE_STATUS: {},
    RECORD_VALUATION: { amountCents: '-10' },
  };
  const farmerPage = await signedInPage(browser, farmer);
  const assessorPage = await signedInPage(browser, assessor);
  const errors = [watchConsole(farmerPage), watchConsole(assessorPage)];
  const posts: string[] = [];
  for (const page of [farmerPage, assessorPage]) page.on('request', (r) => { if (r.url().includes('submit_command')) posts.push(r.url()); });

  async function check(page: Page, command: string) {
    await openAction(page, command);
    const f = form(page, command);
    for (const [name, value] of Object.entries(bad[command])) await f.locator(`[name="${name}"]`).fill(value);
    await f.locator('button[type="submit"]').click();
    await expect(f.locator('[data-error-for]:not(:empty)').first()).toBeVisible();
    await expect(f.locator('[data-status="REFUSED"]')).toBeVisible();
    await page.waitForTimeout(300);
    expect(posts, `${command} checked in the browser`).toEqual([]);
    // Now past the browser's checks: the server names the fields itself.
    await f.evaluate((el) => el.setAttribute('data-browser-checks', 'off'));
    await f.locator('button[type="submit"]').click();
    await expect.poll(() => posts.length).toBe(1);
    await expect(f.locator('[data-status="REFUSED"]')).toContainText('server found problems');
    await expect(f.locator('[data-error-for]:not(:empty)').first()).toBeVisible();
    posts.length = 0;
  }

  await farmerPage.goto('/herd');
  await ready(farmerPage);
  await check(farmerPage, 'CREATE_CATTLE');
  // Every problem at once: the tag's own beside the fields left empty.
  await expect(form(farmerPage, 'CREATE_CATTLE').locator('[data-error-for="nlisId"]')).toContainText('16');
  await check(farmerPage, 'REGISTER_CLIENT');
  await screenshot(farmerPage, 'herd-form-errors-desktop');
  await farmerPage.goto(`/cattle/${id}`);
  await ready(farmerPage);
  for (const command of ['TRANSFER_OWNERSHIP', 'RECORD_HEALTH', 'RECORD_LOCATION', 'ADD_VERIFICATION', 'CHANGE_STATUS']) {
    await check(farmerPage, command);
  }
  await screenshotBoth(farmerPage, 'animal-form-errors');
  await assessorPage.goto(`/cattle/${id}`);
  await ready(assessorPage);
  await check(assessorPage, 'RECORD_VALUATION');
  await check(assessorPage, 'ADD_VERIFICATION');
  expect(errors.flat()).toEqual([]);
});
