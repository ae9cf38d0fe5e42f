import { expect, Page, test } from '@playwright/test';
import {
  applied, newUser, openAction, ready, registerClient, screenshot, signedInPage, submit, uniqueNlis,
  watchConsole,
} from './support';

const phone = { width: 390, height: 844 };

/** Whether the page scrolls sideways. */
async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

test('on a phone the herd is a list of cards with owner, status, risk and value, and an animal leads with its timeline', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const client = await registerClient(farmer, 'Pocket Downs');
  const tags = [uniqueNlis(), uniqueNlis(), uniqueNlis()];
  const ids: number[] = [];
  for (const nlisId of tags) {
    ids.push((await applied(farmer, 'CREATE_CATTLE', { nlisId, breed: 'Droughtmaster', sex: 'FEMALE', clientId: client })).cattle_id);
  }
  const page = await signedInPage(browser, farmer, phone.width);
  await page.setViewportSize(phone);
  const errors = watchConsole(page);

  await page.goto(`/herd?owner=${client}`);
  await ready(page);
  await expect(page.locator('table.herd tbody tr')).toHaveCount(3);
  expect(await scrollsSideways(page)).toBe(false);
  for (const tag of tags) {
    const card = page.locator(`tr[data-nlis="${tag}"]`);
    for (const column of ['owner', 'status', 'value', 'risk']) {
      const fact = card.locator(`td[data-column="${column}"]`);
      await expect(fact).toBeVisible();
      const box = await fact.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= phone.width, `${tag} ${column} within the screen`).toBe(true);
    }
  }
  await expect(page.locator(`tr[data-nlis="${tags[0]}"] td[data-column="owner"]`)).toContainText('Pocket Downs');
  // The filters fold away behind one button and open on a tap.
  await expect(page.getByTestId('filters')).toBeHidden();
  await page.getByRole('button', { name: /Filter and sort/ }).click();
  await expect(page.getByTestId('filters')).toBeVisible();
  await screenshot(page, 'herd-cards-phone');

  // The animal page: the timeline starts within the first screen; actions open one at a time.
  await page.goto(`/cattle/${ids[0]}`);
  await ready(page);
  await expect(page.locator('[data-testid="timeline"] li.event')).toHaveCount(1);
  const newest = await page.locator('[data-testid="timeline"] li.event').first().boundingBox();
  expect(newest && newest.y + newest.height < phone.height, `the newest event ends at ${newest && newest.y + newest.height}px`).toBe(true);
  expect(await scrollsSideways(page)).toBe(false);
  await expect(page.locator('form[data-command="RECORD_HEALTH"]')).toBeHidden();
  await submit(page, 'RECORD_HEALTH', { kind: 'VACCINATION', notes: '7-in-1, 2 ml' });
  await expect(page.locator('form[data-command="RECORD_HEALTH"]')).toBeVisible();
  await openAction(page, 'ASSIGN_MOB');
  await expect(page.locator('form[data-command="RECORD_HEALTH"]')).toBeHidden();
  await expect(page.locator('[data-testid="timeline"] li.event')).toHaveCount(2);
  await page.locator('[data-testid="action-bar"] button[data-opens="ASSIGN_MOB"]').click();
  await screenshot(page, 'animal-phone');
  expect(errors).toEqual([]);
});
