import { expect, test } from '@playwright/test';
import {
  applied, expectNoReload, markDocument, newUser, openAction, ready, registerClient, registerClientWithPic,
  screenshotBoth, signedInPage, uniqueNlis, watchConsole,
} from './support';

test('a farmer offers an animal to another farmer\'s client by PIC, and that farmer accepts it live', async ({ browser }) => {
  const seller = await newUser('FARMER');
  const buyer = await newUser('FARMER');
  const home = await registerClient(seller, 'Seller Springs');
  const theirs = await registerClientWithPic(buyer, 'Buyer Downs');
  const nlis = uniqueNlis();
  const created = await applied(seller, 'CREATE_CATTLE', { nlisId: nlis, breed: 'Hereford', sex: 'FEMALE', clientId: home });
  const id: number = created.cattle_id;

  const sellerPage = await signedInPage(browser, seller);
  const buyerPage = await signedInPage(browser, buyer);
  const errors = [watchConsole(sellerPage), watchConsole(buyerPage)];
  await buyerPage.click('nav >> text=Herd');
  await ready(buyerPage);
  await markDocument(buyerPage);
  await expect(buyerPage.getByTestId('offers')).toHaveCount(0);

  // The seller's own clients are the only choices; another farmer's is found by its PIC.
  await sellerPage.goto(`/cattle/${id}`);
  await ready(sellerPage);
  await openAction(sellerPage, 'TRANSFER_OWNERSHIP');
  const choices = sellerPage.locator('form[data-command="TRANSFER_OWNERSHIP"] select[name="toClientId"] option');
  await expect(choices).toHaveCount(1);
  const lookup = sellerPage.getByTestId('pic-lookup');
  await lookup.locator('[name="pic"]').fill('QZZZ0000');
  await lookup.locator('button').click();
  await expect(lookup.locator('[data-error-for="pic"]')).toContainText('No client is registered with PIC QZZZ0000');
  await lookup.locator('[name="pic"]').fill(theirs.pic.toLowerCase());
  await lookup.locator('button').click();
  await expect(sellerPage.getByTestId('pic-found')).toContainText(`PIC ${theirs.pic} is client ${theirs.id}`);
  const offer = sellerPage.locator('.offer-by-pic form[data-command="TRANSFER_OWNERSHIP"]');
  await offer.locator('[name="priceCents"]').fill('1850.00');
  await offer.locator('button[type="submit"]').click();

  // The animal stays the seller's, waiting; the buyer sees the offer without a reload.
  await expect(sellerPage.getByTestId('pending-transfer')).toContainText(`client ${theirs.id}`);
  await expect(sellerPage.getByTestId('animal-owner')).toContainText('Seller Springs');
  const incoming = buyerPage.getByTestId('offers-incoming');
  await expect(incoming).toContainText(nlis);
  await expect(incoming).toContainText('$1,850.00');
  await expectNoReload(buyerPage);
  await screenshotBoth(sellerPage, 'animal-offer-waiting');
  await screenshotBoth(buyerPage, 'herd-offer-incoming');

  // The buyer accepts: the animal joins their herd, and leaves the seller's.
  await incoming.locator('form[data-command="ACCEPT_TRANSFER"] button').click();
  await expect(buyerPage.locator(`tr[data-nlis="${nlis}"]`)).toContainText('Buyer Downs');
  await expect(buyerPage.getByTestId('offers')).toHaveCount(0);
  await expect(sellerPage.getByTestId('forbidden')).toBeVisible();
  await expectNoReload(buyerPage);
  expect(errors.flat()).toEqual([]);
});

test('the dashboard asks the server at most once a second however many updates arrive', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const home = await registerClient(farmer, 'Busy Bend');
  const created = await applied(farmer, 'CREATE_CATTLE', { nlisId: uniqueNlis(), breed: 'Angus', sex: 'MALE', clientId: home });
  const id: number = created.cattle_id;
  const page = await signedInPage(browser, farmer);
  const errors = watchConsole(page);
  await expect(page.getByTestId('dashboard')).toBeVisible();

  const fetches: number[] = [];
  page.on('request', (r) => { if (r.url().includes('herd_dashboard')) fetches.push(Date.now()); });
  const weighings = 40;
  const start = Date.now();
  await Promise.all(Array.from({ length: weighings }, (_, i) => farmer.api.post('/api/commands', {
    data: { type: 'RECORD_HEALTH', data: { cattleId: id, kind: 'WEIGHING', notes: `weighing ${i}`, weightKg: 400 + i } },
  })));
  const last = await applied(farmer, 'RECORD_HEALTH', { cattleId: id, kind: 'WEIGHING', notes: 'last weighing', weightKg: 450 });
  const lastApplied = Date.now();
  // The last change is fetched too: a fetch after it was applied, at the end of a pause.
  await expect.poll(() => fetches.filter((t) => t >= lastApplied).length, { timeout: 5_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('feed')).toContainText('Health record');
  const seconds = (Math.max(...fetches) - start) / 1000;
  expect(fetches.length, `${fetches.length} fetches in ${seconds.toFixed(1)} s for ${weighings + 1} changes`)
    .toBeLessThanOrEqual(Math.ceil(seconds) + 1);
  expect(fetches.length).toBeLessThan(weighings);
  expect(last.status).toBe('APPLIED');
  expect(errors).toEqual([]);
});

test('a user chooses a new password, and only the new one signs in afterwards', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const page = await signedInPage(browser, farmer);
  const errors = watchConsole(page);
  await page.getByTestId('user').click();
  await ready(page);
  const form = page.getByTestId('password-form');
  await form.locator('button[type="submit"]').click();
  await expect(form.locator('[data-error-for="currentPassword"]')).toContainText('enter your current password');
  await expect(form.locator('[data-error-for="newPassword"]')).toContainText('at least 10');
  await form.locator('[name="currentPassword"]').fill('not my password');
  await form.locator('[name="newPassword"]').fill('paddock gate 42');
  await form.locator('[name="repeatPassword"]').fill('paddock gate 24');
  await form.locator('button[type="submit"]').click();
  await expect(form.locator('[data-error-for="repeatPassword"]')).toContainText('does not match');
  await form.locator('[name="repeatPassword"]').fill('paddock gate 42');
  await form.locator('button[type="submit"]').click();
  await expect(form.locator('[data-error-for="currentPassword"]')).toContainText('is not your current password');
  await form.locator('[name="currentPassword"]').fill(farmer.password);
  await form.locator('button[type="submit"]').click();
  await expect(page.getByTestId('password-changed')).toContainText('Your password is changed');
  await screenshotBoth(page, 'password-changed');

  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible();
  await page.fill('#field-username', farmer.username);
  await page.fill('#field-password', farmer.password);
  await page.click('[data-testid="sign-in-form"] button[type="submit"]');
  await expect(page.locator('[data-error-for="password"]')).toContainText('wrong password');
  await page.fill('#field-password', 'paddock gate 42');
  await page.click('[data-testid="sign-in-form"] button[type="submit"]');
  await expect(page.getByTestId('user')).toContainText(farmer.username);
  expect(errors).toEqual([]);
});
