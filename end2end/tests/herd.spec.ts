import { expect, test } from '@playwright/test';
import { openHerd, screenshot, uniqueNlis, watchConsole } from './support';

test('the herd page is rendered on the server', async ({ request }) => {
  const response = await request.get('/');
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain('<h1>Herd</h1>');
  expect(html).toContain('data-testid="register-form"');
});

test('an animal registered on one page appears on another without a reload', async ({ browser }) => {
  const farmer = await browser.newPage();
  const watcher = await browser.newPage();
  const errors = [...[farmer, watcher].map(watchConsole)];
  await openHerd(farmer);
  await openHerd(watcher);

  let navigations = 0;
  watcher.on('framenavigated', (frame) => {
    if (frame === watcher.mainFrame()) navigations += 1;
  });

  const nlis = uniqueNlis();
  await farmer.fill('#field-nlisId', nlis);
  await farmer.fill('#field-breed', 'Angus');
  await farmer.selectOption('#field-sex', 'FEMALE');
  await farmer.fill('#field-clientId', '7');
  await farmer.click('button[type="submit"]');
  await expect(farmer.getByTestId('submit-state')).toContainText('PUBLISHED');

  const row = watcher.locator(`tr[data-nlis="${nlis}"]`);
  await expect(row).toBeVisible();
  await expect(row).toContainText('Angus');
  await expect(row).toContainText('client 7');
  expect(navigations).toBe(0);

  await screenshot(farmer, 'herd-after-register-desktop');
  await watcher.setViewportSize({ width: 390, height: 844 });
  await screenshot(watcher, 'herd-live-phone');
  expect(errors.flat()).toEqual([]);
});

test('an invalid NLIS id is shown beside the field and nothing is published', async ({ page }) => {
  const errors = watchConsole(page);
  await openHerd(page);
  const posts: string[] = [];
  page.on('request', (request) => {
    if (request.method() !== 'GET') posts.push(request.url());
  });

  await page.fill('#field-nlisId', 'abc-123');
  await page.fill('#field-breed', 'Hereford');
  await page.selectOption('#field-sex', 'MALE');
  await page.fill('#field-clientId', '3');
  await page.click('button[type="submit"]');

  const message = page.locator('[data-error-for="nlisId"]');
  await expect(message).not.toBeEmpty();
  await expect(message).toContainText(/16/);
  await expect(page.locator('.field.invalid #field-nlisId')).toBeVisible();
  await expect(page.locator('[data-error-for="breed"]')).toBeEmpty();
  // Give a stray request time to show up before asserting there was none.
  await page.waitForTimeout(500);
  expect(posts).toEqual([]);
  await screenshot(page, 'register-invalid-nlis');
  expect(errors).toEqual([]);
});
