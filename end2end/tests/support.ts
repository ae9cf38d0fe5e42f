import { APIRequestContext, Browser, expect, Page, request as playwrightRequest } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Where screenshots go: Playwright empties test-results/ on every run. */
export const screenshotDir = path.join(__dirname, '..', 'screenshots');
export const baseURL = process.env.ICATTLE_URL ?? 'http://127.0.0.1:3000';
const adminPassword = process.env.ICATTLE_E2E_ADMIN_PASSWORD ?? '';

/** A short random suffix so reruns never collide. */
export function unique(length = 8): string {
  return Array.from({ length }, () => '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'[Math.floor(Math.random() * 34)]).join('');
}

/** A fresh NLIS id (16 upper-case alphanumerics). */
export function uniqueNlis(): string {
  return `E2E${unique(13)}`;
}

/** A fresh PIC (8 upper-case alphanumerics). */
export function uniquePic(): string {
  return `Q${unique(7)}`;
}

export interface User {
  username: string;
  password: string;
  role: 'FARMER' | 'ASSESSOR' | 'ADMIN';
  api: APIRequestContext;
}

async function session(username: string, password: string): Promise<APIRequestContext> {
  const anonymous = await playwrightRequest.newContext({ baseURL });
  const response = await anonymous.post('/api/session', { data: { username, password } });
  expect(response.status(), `sign-in of ${username}`).toBe(200);
  const { token } = await response.json();
  await anonymous.dispose();
  return playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
}

/** An API session of the first administrator. */
export async function adminApi(): Promise<APIRequestContext> {
  expect(adminPassword, 'ICATTLE_E2E_ADMIN_PASSWORD is set by the test script').not.toBe('');
  return session('admin', adminPassword);
}

/** A new user of `role`, made by the first administrator, with an API session of its own. */
export async function newUser(role: User['role']): Promise<User> {
  expect(adminPassword, 'ICATTLE_E2E_ADMIN_PASSWORD is set by the test script').not.toBe('');
  const admin = await session('admin', adminPassword);
  const username = `e2e-${role.toLowerCase()}-${unique(6).toLowerCase()}`;
  const password = `pw-${unique(12)}`;
  const created = await admin.post('/api/users', { data: { username, password, role } });
  expect(created.status(), await created.text()).toBe(201);
  await admin.dispose();
  return { username, password, role, api: await session(username, password) };
}

/** Sends a command as `user` and waits until the golden record applied it. */
export async function applied(user: User, type: string, data: object): Promise<any> {
  const response = await user.api.post('/api/commands?wait=applied&timeout_ms=20000', { data: { type, data } });
  const body = await response.json();
  expect(response.status(), JSON.stringify(body)).toBe(200);
  return body;
}

/** Registers a client for a farmer (with a fresh client id): its id. */
export async function registerClient(farmer: User, name: string): Promise<number> {
  return (await registerClientWithPic(farmer, name)).id;
}

/** Registers a client for a farmer (fresh client id and PIC): both. */
export async function registerClientWithPic(farmer: User, name: string): Promise<{ id: number; pic: string }> {
  const id = 100_000 + Math.floor(Math.random() * 800_000_000);
  const pic = uniquePic();
  await applied(farmer, 'REGISTER_CLIENT', { clientId: id, name, pic });
  return { id, pic };
}

/** Opens a new browser context signed in as `user` through the sign-in page. */
export async function signedInPage(browser: Browser, user: User, width = 1280): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width, height: 900 } });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
  await page.fill('#field-username', user.username);
  await page.fill('#field-password', user.password);
  await page.click('[data-testid="sign-in-form"] button[type="submit"]');
  await expect(page.getByTestId('user')).toContainText(user.username);
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-live', 'connected');
  return page;
}

/** Waits for hydration and the live connection after a navigation. */
export async function ready(page: Page): Promise<void> {
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-live', 'connected');
}

/** Collects console errors and uncaught exceptions of a page, to assert there were none. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Marks the page's document, to prove later that it was never reloaded. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((window as any).__icattleMark = 'kept'));
}

/** Fails unless the page still holds the document marked earlier. */
export async function expectNoReload(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as any).__icattleMark)).toBe('kept');
}

/** Saves a full-page screenshot under end2end/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Saves the page at desktop and at phone width. */
export async function screenshotBoth(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, `${name}-desktop`);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize(size);
}

/** Publishes a forged event for the animal straight to Kafka (scripts/forge_event.py). */
export function forgeEvent(cattleId: number): string {
  const brokers = process.env.ICATTLE_E2E_BROKERS ?? '127.0.0.1:9092';
  const topic = process.env.ICATTLE_E2E_TOPIC ?? 'icattle.cattle.events';
  return execFileSync('python3', [path.join(__dirname, '..', '..', 'scripts', 'forge_event.py'),
    '--brokers', brokers, '--topic', topic, '--cattle-id', String(cattleId)]).toString().trim();
}

/** The form of `command` on the page. */
export const form = (page: Page, command: string) => page.locator(`form[data-command="${command}"]`);

/** Opens the action of `command` from the page's action bar, when the page has one. */
export async function openAction(page: Page, command: string): Promise<void> {
  const opener = page.locator(`[data-testid="action-bar"] button[data-opens="${command}"]`);
  if ((await opener.count()) === 0) return;
  if ((await opener.getAttribute('aria-expanded')) !== 'true') await opener.click();
  await expect(opener).toHaveAttribute('aria-expanded', 'true');
}

/** Fills a form's boxes and sends it: the form. */
export async function fillAndSend(page: Page, command: string, values: Record<string, string>) {
  await openAction(page, command);
  const f = form(page, command);
  for (const [name, value] of Object.entries(values)) {
    const box = f.locator(`[name="${name}"]`);
    // Rarely needed boxes wait behind the form's "More" toggle, as a person would find them.
    if ((await box.evaluate((el) => el.closest('details:not([open])') !== null))) {
      await f.locator('details.more-fields > summary').click();
    }
    if ((await box.evaluate((el) => el.tagName)) === 'SELECT') await box.selectOption(value);
    else await box.fill(value);
  }
  await f.locator('button[type="submit"]').click();
  return f;
}

/** Fills and sends a form, then waits until the golden record applied its event. */
export async function submit(page: Page, command: string, values: Record<string, string>) {
  const f = await fillAndSend(page, command, values);
  // PUBLISHED may turn into APPLIED before the test looks: the golden record is that quick.
  await expect(f.locator('[data-status="PUBLISHED"], [data-status="APPLIED"]')).toBeVisible();
  await expect(f.locator('[data-status="APPLIED"]')).toBeVisible({ timeout: 20_000 });
}
