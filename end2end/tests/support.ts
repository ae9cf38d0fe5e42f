import { expect, Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

/** Where screenshots go: Playwright empties test-results/ on every run. */
export const screenshotDir = path.join(__dirname, '..', 'screenshots');

/** A fresh NLIS id (16 upper-case alphanumerics) so reruns never collide. */
export function uniqueNlis(): string {
  const random = Array.from({ length: 13 }, () =>
    '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'[Math.floor(Math.random() * 34)],
  ).join('');
  return `E2E${random}`;
}

/** Collects console errors and failed requests of a page, to assert there were none. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Opens the herd page and waits for hydration and the live connection. */
export async function openHerd(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-live', 'connected');
}

/** Saves a full-page screenshot under end2end/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}
