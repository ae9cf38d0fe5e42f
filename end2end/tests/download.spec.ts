import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { applied, newUser, ready, registerClient, screenshotDir, signedInPage, uniqueNlis } from './support';

interface Fetched {
  url: string;
  kind: string;
  encoding: string;
  transferred: number;
  decoded: number;
}

/** What a first visit to an animal's page downloads, as sent (compressed) and as used. */
test('the animal page arrives compressed, and its assets are revalidated instead of downloaded again', async ({ browser }) => {
  const farmer = await newUser('FARMER');
  const home = await registerClient(farmer, 'Download Downs');
  const created = await applied(farmer, 'CREATE_CATTLE', { nlisId: uniqueNlis(), breed: 'Angus', sex: 'MALE', clientId: home });
  const id: number = created.cattle_id;

  // Signed in once; then a browser with the session but nothing cached visits the animal.
  const signedIn = await signedInPage(browser, farmer);
  const state = await signedIn.context().storageState();
  await signedIn.context().close();
  const context = await browser.newContext({ storageState: state, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const fetched: Fetched[] = [];
  page.on('requestfinished', async (request) => {
    const response = await request.response();
    if (!response) return;
    const sizes = await request.sizes();
    // Chromium keeps no body over its buffer size (the debug wasm is 15 MB): such a body is
    // asked for again, uncompressed, once the page is loaded.
    const body = await response.body().catch(() => undefined);
    fetched.push({
      url: new URL(request.url()).pathname,
      kind: request.resourceType(),
      encoding: (await response.headerValue('content-encoding')) ?? 'identity',
      transferred: sizes.responseBodySize,
      decoded: body?.length ?? -1,
    });
  });
  await page.goto(`/cattle/${id}`);
  await ready(page);
  await expect(page.getByTestId('animal-nlis')).toBeVisible();
  // The browser checked the animal's event itself: the wasm arrived and runs.
  await expect(page.locator('[data-verdict="verified"]')).toHaveCount(1);

  for (const file of fetched.filter((f) => f.decoded < 0)) {
    const plain = await context.request.get(file.url, { headers: { 'Accept-Encoding': 'identity' } });
    file.decoded = (await plain.body()).length;
  }
  const wasm = fetched.find((f) => f.url.endsWith('.wasm'));
  expect(wasm, 'the page fetched its wasm').toBeDefined();
  for (const asset of ['.wasm', '.js', '.css']) {
    const file = fetched.find((f) => f.url.startsWith('/pkg/') && f.url.endsWith(asset));
    expect(file, `the page fetched its ${asset}`).toBeDefined();
    expect(['br', 'gzip'], `${file?.url} sent compressed`).toContain(file?.encoding);
    expect(file!.transferred, `${file?.url} smaller on the wire`).toBeLessThan(file!.decoded);
  }
  const document = fetched.find((f) => f.kind === 'document');
  expect(['br', 'gzip'], 'the page itself sent compressed').toContain(document?.encoding);

  const total = (pick: (f: Fetched) => number) => fetched.reduce((sum, f) => sum + pick(f), 0);
  const figures = {
    page: `/cattle/${id}`,
    transferred_bytes: total((f) => f.transferred),
    decoded_bytes: total((f) => f.decoded),
    wasm_transferred_bytes: wasm!.transferred,
    wasm_decoded_bytes: wasm!.decoded,
    requests: fetched,
  };
  fs.mkdirSync(screenshotDir, { recursive: true });
  fs.writeFileSync(path.join(screenshotDir, 'animal-page-transfer.json'), JSON.stringify(figures, null, 2));
  console.log(`animal page: ${figures.transferred_bytes} B transferred, ${figures.decoded_bytes} B decoded; wasm ${figures.wasm_transferred_bytes} of ${figures.wasm_decoded_bytes} B`);

  // Kept, but asked about before use: unchanged, the answer is 304 without a body.
  const asset = await page.request.get(wasm!.url);
  expect(asset.headers()['cache-control']).toBe('no-cache');
  const lastModified = asset.headers()['last-modified'];
  expect(lastModified, 'the wasm says when it changed').toBeTruthy();
  const again = await page.request.get(wasm!.url, { headers: { 'If-Modified-Since': lastModified } });
  expect(again.status()).toBe(304);
  expect((await again.body()).length).toBe(0);
  // A file that is not there, or outside the assets' directory, is not found; nothing else.
  expect((await page.request.get('/pkg/no-such-file.wasm')).status()).toBe(404);
  expect((await page.request.get('/pkg/..%2F..%2FCargo.toml')).status()).toBe(404);
  await context.close();
});
