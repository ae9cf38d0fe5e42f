import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import {
  newUser, ready, registerClientWithPic, screenshotBoth, signedInPage, uniqueNlis, watchConsole,
} from './support';

/** A 50-row herd file, as an NLIS export writes it, with three bad rows at lines 8, 21 and 40. */
function herdFile(pic: string): { csv: string; nlis: string[] } {
  const nlis: string[] = [];
  const lines = ['RFID,NLISID,Breed Description,Gender,DOB,Current PIC'];
  for (let n = 0; n < 50; n++) {
    const id = uniqueNlis();
    nlis.push(id);
    const line = lines.length + 1;
    if (line === 8) lines.push(`982 ${n},${id},Angus,calf,1/2/2023,${pic}`);
    else if (line === 21) lines.push(`982 ${n},${id.slice(0, 9)},Angus,cow,1/2/2023,${pic}`);
    else if (line === 40) lines.push(`982 ${n},${id},Hereford,bull,31/02/2023,${pic}`);
    else lines.push(`982 ${n},${id.toLowerCase()},${n % 2 ? 'Angus' : 'Hereford'},${n % 2 ? 'steer' : 'heifer'},${1 + (n % 28)}/${1 + (n % 12)}/2023,${pic.toLowerCase()}`);
  }
  return { csv: lines.join('\n') + '\n', nlis };
}

test('a farmer imports a herd file: bad rows named beside them, the rest registered once', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const client = await registerClientWithPic(farmer, 'Import Flats');
  const { csv } = herdFile(client.pic);
  const file = { name: 'herd.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) };

  const page = await signedInPage(browser, farmer);
  const errors = watchConsole(page);
  await page.click('nav >> text=Import');
  await ready(page);
  await page.getByTestId('import-file').setInputFiles(file);
  await expect(page.getByTestId('import-summary')).toContainText('50 rows: 47 ready to import, 3 with problems');
  await expect(page.getByTestId('import-row-8')).toHaveAttribute('data-state', 'invalid');
  await expect(page.getByTestId('import-row-8')).toContainText('Gender: "calf" is not a sex');
  await expect(page.getByTestId('import-row-21')).toContainText('must be exactly 16 upper-case letters or digits');
  await expect(page.getByTestId('import-row-40')).toContainText('DOB: "31/02/2023" is not a day of the calendar');
  await expect(page.getByTestId('import-row-2')).toHaveAttribute('data-state', 'ready');
  await expect(page.locator('[data-testid="import-rows"] tr[data-state="invalid"]')).toHaveCount(3);
  await screenshotBoth(page, 'import-preview');

  await page.getByTestId('import-send').click();
  const done = page.getByTestId('import-done');
  await expect(done).toContainText('Imported 47 · already registered 0 · with problems 3 · refused 0 · not sent 0');
  await expect(page.getByTestId('import-row-2')).toHaveAttribute('data-state', 'imported');
  await expect(page.getByTestId('import-row-8')).toHaveAttribute('data-state', 'invalid');
  await screenshotBoth(page, 'import-done');

  // The report, downloaded: a line per row saying what became of it.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('import-report').click(),
  ]);
  const report = fs.readFileSync(await download.path(), 'utf-8').trim().split('\n');
  expect(report).toHaveLength(51);
  expect(report[0]).toBe('line,NLIS ID,outcome,cattle id,event id,detail');
  expect(report.filter((line) => line.includes(',imported,'))).toHaveLength(47);
  expect(report[7]).toContain('8,');
  expect(report[7]).toContain(',invalid,');

  // The same file again registers nothing new.
  await page.getByTestId('import-file').setInputFiles({ ...file, name: 'herd-again.csv' });
  await expect(page.getByTestId('import-summary')).toContainText('47 ready to import');
  await page.getByTestId('import-send').click();
  await expect(done).toContainText('Imported 0 · already registered 47 · with problems 3');
  await expect(page.getByTestId('import-row-2')).toHaveAttribute('data-state', 'already-registered');

  // The herd holds the 47, once each.
  await expect.poll(async () => (await (await farmer.api.get('/api/search?limit=100')).json()).total).toBe(47);
  expect(errors).toEqual([]);
});

test('a file that is not a herd file is refused by what is wrong with it, and only farmers import', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  await registerClientWithPic(farmer, 'Paper Downs');
  const page = await signedInPage(browser, farmer);
  await page.goto('/import');
  await ready(page);
  await page.getByTestId('import-file').setInputFiles({
    name: 'notes.csv', mimeType: 'text/csv', buffer: Buffer.from('Tag,Colour\nA1,red\n'),
  });
  await expect(page.getByTestId('import-file-error')).toContainText('the file has no NLIS ID column');
  await expect(page.getByTestId('import-preview')).toHaveCount(0);

  const assessor = await newUser('ASSESSOR');
  const theirs = await signedInPage(browser, assessor);
  await theirs.goto('/import');
  await ready(theirs);
  await expect(theirs.getByTestId('forbidden')).toContainText('Only farmers import herds');
  await expect(theirs.locator('nav >> text=Import')).toHaveCount(0);
});
