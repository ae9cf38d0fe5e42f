import { expect, test } from '@playwright/test';
import {
  adminApi, applied, forgeEvent, newUser, ready, registerClient, screenshotBoth, signedInPage, submit, uniqueNlis, User, watchConsole,
} from './support';

// The operations page: an administrator sees the engines, the alerts and each view's lag,
// pauses a view, watches it fall behind while a farmer works, and resumes it.

const admin: User = {
  username: 'admin',
  password: process.env.ICATTLE_E2E_ADMIN_PASSWORD ?? '',
  role: 'ADMIN',
  api: undefined as never,
};

test('an administrator pauses a view, sees it fall behind, and resumes it', async ({ browser }) => {
  const page = await signedInPage(browser, admin);
  const errors = watchConsole(page);
  await page.click('nav >> text=Operations');
  await expect(page.getByTestId('log-writable')).toHaveAttribute('data-writable', 'true');
  for (const engine of ['BROKER', 'DATABASE', 'CACHE']) {
    await expect(page.locator(`[data-engine="${engine}"]`)).toHaveAttribute('data-state', 'up');
  }
  await expect(page.locator('[data-rule="KAFKA_UNAVAILABLE"]')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('alerts').locator('li')).toHaveCount(4);

  const fraud = page.locator('tr[data-view="fraud_view"]');
  await fraud.getByRole('button', { name: 'Pause' }).click();
  await expect(fraud).toHaveAttribute('data-paused', 'true');
  const farmer = await newUser('FARMER');
  const clientId = await registerClient(farmer, 'Operations Station');
  await applied(farmer, 'CREATE_CATTLE', { nlisId: uniqueNlis(), breed: 'Angus', sex: 'MALE', clientId });
  // The registration and the animal wait for the paused view, longer every second.
  await expect(fraud.getByTestId('lag-events')).toHaveText('2');
  await expect(fraud.getByTestId('lag-seconds')).not.toHaveText('0.0');
  await screenshotBoth(page, 'operations-paused');

  await fraud.getByRole('button', { name: 'Resume' }).click();
  await expect(fraud).toHaveAttribute('data-paused', 'false');
  await expect(fraud.getByTestId('lag-events')).toHaveText('0');
  expect(errors).toEqual([]);
});

test('an administrator verifies the whole log and finds a forged event', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const clientId = await registerClient(farmer, 'Ledger Station');
  const created = await applied(farmer, 'CREATE_CATTLE', { nlisId: uniqueNlis(), breed: 'Angus', sex: 'FEMALE', clientId });
  const forgedId = forgeEvent(created.cattle_id);

  const page = await signedInPage(browser, admin);
  const errors = watchConsole(page);
  await page.goto('/operations');
  await ready(page);
  const panel = page.getByTestId('log-verification');
  await panel.getByTestId('verify-log').click();
  await expect(panel.getByTestId('verification-state')).toHaveAttribute('data-state', 'finished', { timeout: 30_000 });
  await expect(panel.getByTestId('verification-percent')).toHaveText('100 %');
  const forged = panel.locator(`[data-event-id="${forgedId}"]`);
  await expect(forged).toBeVisible();
  await screenshotBoth(page, 'operations-log-verified');
  await forged.locator('a').click();
  await expect(page.getByTestId('animal-nlis')).toBeVisible();
  expect(errors).toEqual([]);
});

test('an administrator rebuilds every view beside the live one while a farmer keeps working', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const clientId = await registerClient(farmer, 'Rebuild Station');
  const nlis = uniqueNlis();
  const created = await applied(farmer, 'CREATE_CATTLE', { nlisId: nlis, breed: 'Angus', sex: 'FEMALE', clientId });
  const farmerPage = await signedInPage(browser, farmer);
  const farmerErrors = watchConsole(farmerPage);
  await farmerPage.goto(`/cattle/${created.cattle_id}`);
  await expect(farmerPage.getByTestId('animal-nlis')).toHaveText(nlis);

  const page = await signedInPage(browser, admin);
  const errors = watchConsole(page);
  await page.goto('/operations');
  await ready(page);
  const rebuild = page.locator('[data-testid="view-rebuild"][data-view="golden_record"]');
  await expect(rebuild.getByTestId('rebuild-view')).toBeEnabled();
  await rebuild.getByTestId('rebuild-view').click();
  // The farmer's page keeps working while the copy replays and replaces the live view.
  await submit(farmerPage, 'RECORD_HEALTH', { kind: 'VACCINATION', notes: 'during the rebuild', weightKg: '388' });
  await expect(farmerPage.getByTestId('animal-health')).toHaveText('1');
  await expect(rebuild.getByTestId('rebuild-state')).toHaveAttribute('data-state', 'finished', { timeout: 60_000 });
  await expect(rebuild.getByTestId('rebuild-percent')).toHaveText('100 %');
  await expect(rebuild.getByTestId('rebuild-view')).toBeEnabled();
  // The fraud view is rebuilt the same way, from its own row.
  const fraud = page.locator('[data-testid="view-rebuild"][data-view="fraud_view"]');
  await fraud.getByTestId('rebuild-view').click();
  await expect(fraud.getByTestId('rebuild-state')).toHaveAttribute('data-state', 'finished', { timeout: 60_000 });
  await expect(fraud.getByTestId('rebuild-percent')).toHaveText('100 %');
  // So are the cache's keys, the search index and the audit archive, each into a new
  // generation, and the fraud detector's own fold.
  for (const view of ['cache_view', 'search_index', 'audit_archive', 'fraud_detector']) {
    const row = page.locator(`[data-testid="view-rebuild"][data-view="${view}"]`);
    await row.getByTestId('rebuild-view').click();
    await expect(row.getByTestId('rebuild-state')).toHaveAttribute('data-state', 'finished', { timeout: 60_000 });
    await expect(row.getByTestId('rebuild-percent')).toHaveText('100 %');
  }
  await screenshotBoth(page, 'operations-rebuilt');
  // After the swap the rebuilt view serves the farmer, the health record included.
  await farmerPage.reload();
  await ready(farmerPage);
  await expect(farmerPage.getByTestId('animal-health')).toHaveText('1');
  await submit(farmerPage, 'RECORD_LOCATION', { latitude: '-26.5686', longitude: '148.7875' });
  // The rebuilt search index finds the animal.
  await farmerPage.goto(`/search?q=${nlis}`);
  await ready(farmerPage);
  await expect(farmerPage.getByTestId('search-hits').locator(`[data-nlis="${nlis}"]`)).toBeVisible();
  expect(errors).toEqual([]);
  expect(farmerErrors).toEqual([]);
});

test('an administrator reads the consumer groups and the key registry: whose each key is, and a disabled holder\'s key signs nothing new', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const page = await signedInPage(browser, admin);
  const errors = watchConsole(page);
  await page.goto('/operations');
  await ready(page);
  // Kafka's view of the views' groups: each listed once a view has reported a position
  // (asked of Kafka at most every 5 s), none with members (they read by assignment).
  await registerClient(farmer, 'Group Station');
  const groups = page.getByTestId('consumer-group-list');
  await expect(async () => {
    await page.reload();
    await ready(page);
    await expect(groups.locator('tr[data-group$="icattle.golden-record"]')).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(groups.locator('tr[data-group$="icattle.golden-record"] td').nth(2)).toHaveText('0');
  await expect(groups.locator('tr[data-group$="icattle.search-index"]')).toBeVisible();
  const keys = page.getByTestId('signing-key-list');
  await expect(keys.locator('tr[data-holder="iCattle server"]')).toContainText("anyone's events");
  const row = keys.locator(`tr[data-holder="${farmer.username}"]`);
  await expect(row).toContainText('farmer');
  await expect(row).toContainText('their own events');
  await expect(row).toHaveAttribute('data-disabled', 'false');
  const api = await adminApi();
  const disabled = await api.post(`/api/users/${farmer.username}/disabled`, { data: { disabled: true } });
  expect(disabled.status(), await disabled.text()).toBe(204);
  await api.dispose();
  await page.reload();
  await ready(page);
  await expect(row).toHaveAttribute('data-disabled', 'true');
  await expect(row).toContainText('signs nothing new');
  // Enabled again, the farmer gets a new key; the revoked one stays listed, revoked.
  const again = await adminApi();
  const enabled = await again.post(`/api/users/${farmer.username}/disabled`, { data: { disabled: false } });
  expect(enabled.status(), await enabled.text()).toBe(204);
  await again.dispose();
  await page.reload();
  await ready(page);
  await expect(row).toHaveCount(2);
  await expect(keys.locator(`tr[data-holder="${farmer.username}"][data-disabled="true"]`)).toContainText('revoked');
  await expect(keys.locator(`tr[data-holder="${farmer.username}"][data-disabled="false"]`)).toContainText('in use');
  await page.getByTestId('signing-keys').scrollIntoViewIfNeeded();
  await screenshotBoth(page, 'operations-signing-keys');
  expect(errors).toEqual([]);
});

test('a farmer is told the operations are for administrators', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const page = await signedInPage(browser, farmer);
  await expect(page.locator('nav >> text=Operations')).toHaveCount(0);
  await page.goto('/operations');
  await expect(page.getByTestId('forbidden')).toContainText('Only administrators');
});
