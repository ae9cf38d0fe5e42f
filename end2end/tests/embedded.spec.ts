import { expect, test } from '@playwright/test';
import { newUser, ready, screenshot, signedInPage, submit, uniqueNlis, uniquePic, watchConsole } from './support';

// Runs against the README's run path (`scripts/test.sh` starts the app with no engine
// configured: SQLite and the Apache Kafka broker the app starts itself). A new user's first
// actions once froze that path for minutes; here each must be APPLIED promptly.

test('@embedded a new farmer registers a client and an animal, and a new assessor values it', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const assessor = await newUser('ASSESSOR');
  const farmerPage = await signedInPage(browser, farmer);
  const errors = [watchConsole(farmerPage)];

  await farmerPage.click('nav >> text=Herd');
  await ready(farmerPage);
  const clientId = String(100_000 + Math.floor(Math.random() * 800_000_000));
  await submit(farmerPage, 'REGISTER_CLIENT', { clientId, name: 'Bindi Station', pic: uniquePic() });
  const nlis = uniqueNlis();
  await submit(farmerPage, 'CREATE_CATTLE', { nlisId: nlis, breed: 'Angus', sex: 'FEMALE', clientId });
  const row = farmerPage.locator(`tr[data-nlis="${nlis}"]`);
  await expect(row).toContainText('Bindi Station');
  await row.locator('a').click();
  await ready(farmerPage);
  await expect(farmerPage.getByTestId('animal-nlis')).toHaveText(nlis);
  const animalUrl = farmerPage.url();

  const assessorPage = await signedInPage(browser, assessor);
  errors.push(watchConsole(assessorPage));
  await assessorPage.goto(animalUrl);
  await ready(assessorPage);
  await submit(assessorPage, 'RECORD_VALUATION', { amountCents: '1875.00', method: 'MARKET' });
  await expect(farmerPage.getByTestId('animal-value')).toHaveText('$1,875.00');
  await expect(farmerPage.locator('[data-verdict="verified"]')).toHaveCount(2);
  await screenshot(farmerPage, 'embedded-animal-farmer');
  expect(errors.flat()).toEqual([]);
});
