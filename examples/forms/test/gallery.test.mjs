// The gallery in a real headless browser (Debian's chromium, driven by puppeteer-core):
// every node's form renders from the catalog with no console error and no "Option N"
// chooser, every secret field is a password input, every field the engine keeps is hidden,
// and submitting the node's example (the form's starting data) against a freshly seeded mock
// succeeds (a node without an example, such as get-access-token, which needs a service app's
// connection, is rendered only). Of the operations' nodes (`operations.<operationId>`, whose
// examples are built from the spec's own, with other orgs' ids), a sample from the mock's
// served tags is rendered and checked the same way, not run. SCREENSHOTS=dir keeps a picture
// of each form.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { startMock } from '../../js-host/lib/mock.mjs';
import { cliPath, startGallery } from '../serve.mjs';

const catalog = JSON.parse(readFileSync(new URL('../gen/catalog.json', import.meta.url)));
const defs = catalog.schema.$defs;
const browserPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const shots = process.env.SCREENSHOTS;

let browser;
before(async () => {
  assert.ok(existsSync(browserPath), `no browser at ${browserPath}: run ./install-browser.sh`);
  browser = await puppeteer.launch({
    executablePath: browserPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  if (shots) mkdirSync(shots, { recursive: true });
});
after(async () => browser?.close());

/** The names of a def's secret properties, at any depth. */
function secrets(schema, seen = new Set(), out = new Set()) {
  if (!schema || typeof schema !== 'object') return out;
  if (schema.$ref) {
    const name = schema.$ref.replace('#/$defs/', '');
    if (!seen.has(name)) {
      seen.add(name);
      secrets(defs[name], seen, out);
    }
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const cases = [property, ...(property.anyOf ?? [])];
    if (cases.some((c) => c.format === 'password')) out.add(name);
    secrets(property, seen, out);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    for (const c of schema[key] ?? []) secrets(c, seen, out);
  }
  return out;
}

/** The operations whose forms are rendered: one or more of each tag the mock serves. */
const OPERATIONS = new Set([
  'operations.createGroupRule', 'operations.listGroupRules', 'operations.assignRoleToUser',
  'operations.assignRoleToGroup', 'operations.activateGroupRule', 'operations.getUserSchema',
  'operations.assignGroupToApplication', 'operations.updateGroupAssignmentToApplication',
  'operations.createApplication', 'operations.createUser', 'operations.uploadApplicationLogo',
  'operations.createNetworkZone',
]);

const rendered = catalog.nodes.filter((n) => !n.id.startsWith('operations.') || OPERATIONS.has(n.id));
test('the sample of operations is in the catalog', () => {
  assert.equal(rendered.filter((n) => n.id.startsWith('operations.')).length, OPERATIONS.size);
});

for (const node of rendered) {
  const runs = Boolean(node.example) && !node.id.startsWith('operations.');
  test(`${node.id}: the form renders${runs ? ' and its example runs' : ''}`, async () => {
    const mock = await startMock({ cli: cliPath() });
    const gallery = await startGallery({
      org: { domain: 'dev-000000.okta.com', token: mock.token, route: mock.url },
    });
    const page = await browser.newPage();
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${gallery.url}/?node=${node.id}`, { waitUntil: 'load' });
      await page.waitForSelector('button[type=submit]');
      const text = await page.$eval('main', (m) => m.innerText);
      assert.doesNotMatch(text, /Option \d/, 'a chooser without names');
      // Every input for a secret field is a password input.
      const inputs = await page.$$eval('main input', (all) =>
        all.map((i) => ({ id: i.id, type: i.type })),
      );
      const secret = secrets(node['input-schema'] ? { $ref: `#/$defs/${node['input-schema']}` } : null);
      for (const { id, type } of inputs) {
        const field = id.split('_').at(-1);
        if (secret.has(field)) assert.equal(type, 'password', `${id} is a secret`);
      }
      for (const note of node.fields.filter((f) => f['engine-kept'])) {
        const id = `root_${note.pointer.slice(1).replaceAll('/', '_')}`;
        const shown = await page.$$eval(`[id="${id}"]`, (all) => all.filter((e) => e.type !== 'hidden').length);
        assert.equal(shown, 0, `${id} is the engine's`);
      }
      if (shots) await page.screenshot({ path: `${shots}/${node.id}.png`, fullPage: true });
      if (runs) {
        await page.click('button[type=submit]');
        await page.waitForSelector('#output', { timeout: 30_000 });
        const outcome = await page.$eval('#output', (o) => [o.dataset.outcome, o.textContent]);
        assert.equal(outcome[0], 'ok', outcome[1]);
      }
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
      await gallery.close();
      await mock.stop();
    }
  });
}
