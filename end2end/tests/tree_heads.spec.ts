import { expect, test } from '@playwright/test';
import * as crypto from 'crypto';
import * as fs from 'fs';
import { applied, newUser, ready, registerClient, screenshotBoth, signedInPage, uniqueNlis, watchConsole } from './support';

/** RFC 8785 canonical JSON of the plain values a head's statement holds. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
}

/** A head stating `statement`, signed with the server's root key as PROTOCOL.md §10 says. */
function signedHead(statement: Record<string, unknown>, seedHex: string): Record<string, unknown> {
  const hash = crypto.createHash('sha256').update(canonical(statement)).digest();
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]);
  const key = crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const publicKey = crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
  return {
    ...statement,
    head_hash: hash.toString('hex'),
    public_key: publicKey.toString('hex'),
    signature: crypto.sign(null, hash, key).toString('hex'),
  };
}

test('the timeline shows inclusion in the latest signed head, and a rewritten head is flagged', async ({ browser }) => {
  const seedFile = process.env.ICATTLE_E2E_SERVER_SEED_FILE ?? '';
  expect(seedFile, 'ICATTLE_E2E_SERVER_SEED_FILE is set by the test script').not.toBe('');
  const farmer = await newUser('FARMER');
  const assessor = await newUser('ASSESSOR');
  const home = await registerClient(farmer, 'Signed Head Station');
  const created = await applied(farmer, 'CREATE_CATTLE', { nlisId: uniqueNlis(), breed: 'Hereford', sex: 'MALE', clientId: home });
  const id: number = created.cattle_id;
  await applied(assessor, 'RECORD_VALUATION', { cattleId: id, amountCents: 210_000, method: 'MARKET' });
  await applied(farmer, 'RECORD_LOCATION', { cattleId: id, latitude: -31.9, longitude: 150.1 });

  // Heads are signed every few seconds: wait until one commits to the animal's third event.
  let head: any;
  await expect
    .poll(
      async () => {
        const answer = await assessor.api.get('/api/heads/latest?animals=true');
        if (answer.status() !== 200) return 0;
        const committed = await answer.json();
        head = committed.head;
        return committed.animal_heads.find((a: any) => a.cattle_id === id)?.sequence ?? 0;
      },
      { timeout: 40_000 },
    )
    .toBe(3);

  const page = await signedInPage(browser, farmer);
  const errors = watchConsole(page);
  await page.goto(`/cattle/${id}`);
  await ready(page);
  const status = page.getByTestId('head-status');
  await expect(status).toHaveAttribute('data-state', 'included', { timeout: 20_000 });
  const shown = Number(await status.getAttribute('data-head'));
  expect(shown).toBeGreaterThanOrEqual(head.number);
  await expect(status).toContainText(`Events 1–3 are included in signed tree head #${shown}`);
  await expect(page.locator('[data-testid="timeline"] li .badge.in-head')).toHaveCount(3);
  await expect(page.locator('[data-testid="timeline"] li[data-sequence="1"] .badge.in-head')).toHaveText(`in head #${shown}`);
  const remembered = await page.evaluate(() => JSON.parse(localStorage.getItem('icattle.tree-head') ?? 'null'));
  expect(remembered.head.number).toBe(shown);
  expect(errors).toEqual([]);
  await screenshotBoth(page, 'timeline-in-signed-head');

  // Now the server serves a head, signed with its own root key, whose partitions were
  // rewritten: it does not extend the head this browser saw, and the browser says so.
  const seen = (await (await farmer.api.get(`/api/heads/${shown}`)).json()) as any;
  const { head_hash, public_key, signature, ...statement } = seen;
  const forged = signedHead(
    {
      ...statement,
      number: seen.number + 1,
      issued_at: new Date().toISOString(),
      partitions: seen.partitions.map((p: any) => ({ ...p, size: p.size + 1, root: 'ab'.repeat(32) })),
      previous_head_hash: head_hash,
    },
    fs.readFileSync(seedFile, 'utf8').trim(),
  );
  expect(forged.public_key).toBe(public_key);
  await page.route(`**/api/cattle/${id}/inclusion`, (route) => route.fulfill({ json: { head: forged, proof: null } }));
  await page.route('**/api/heads/consistency?**', (route) =>
    route.fulfill({
      json: { from: seen, to: forged, partitions: seen.partitions.map((p: any) => ({ partition: p.partition, proof: [] })) },
    }),
  );
  await page.reload();
  await ready(page);
  const warning = page.getByTestId('head-warning');
  await expect(warning).toBeVisible({ timeout: 20_000 });
  await expect(warning).toContainText(`signed tree head #${seen.number + 1}, which is not consistent with head #${shown}`);
  await expect(page.locator('[data-testid="timeline"] li .badge.in-head')).toHaveCount(0);
  const still = await page.evaluate(() => JSON.parse(localStorage.getItem('icattle.tree-head') ?? 'null'));
  expect(still.head.number).toBe(shown);
  await screenshotBoth(page, 'timeline-inconsistent-head');
});
