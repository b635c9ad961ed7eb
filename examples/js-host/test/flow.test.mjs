// run-flow.mjs and `okta-nodes flow` run the onboarding flow against fresh mocks and print
// the same steps, line for line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { cliPath, startMock } from '../lib/mock.mjs';

const run = promisify(execFile);
const flow = fileURLToPath(new URL('../../flows/onboarding.json', import.meta.url));

test('the onboarding flow from Node prints what the Rust CLI prints', async () => {
  const mock = await startMock();
  let rust;
  try {
    rust = await run(cliPath(), [
      'flow', flow,
      '--domain', 'dev-000000.okta.com',
      '--token', mock.token,
      '--route-to', mock.url,
    ]);
  } finally {
    await mock.stop();
  }
  const js = await run(process.execPath, [
    fileURLToPath(new URL('../run-flow.mjs', import.meta.url)),
    flow,
  ]);
  const steps = (text) => text.split('\n').filter((line) => line.trim() !== '');
  assert.equal(steps(rust.stdout).length, 18, rust.stdout);
  assert.deepEqual(steps(js.stdout), steps(rust.stdout));
  assert.equal(js.stderr, '');
  assert.ok(!js.stdout.includes(mock.token), 'no token printed');
});
