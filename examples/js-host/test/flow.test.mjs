// run-flow.mjs and `okta-nodes flow` run the onboarding flow against fresh mocks and print
// the same steps, line for line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { cliPath, startMock } from '../lib/mock.mjs';
import { MAX_CALLS, runFlow, substitute } from '../lib/flow.mjs';

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

test('a value spliced into an expression stays one literal, as in the Rust host', () => {
  const outputs = { vars: { login: 'nobody@example.com" or status eq "ACTIVE', n: 3, list: ['x'] } };
  const out = substitute(
    { search: 'profile.login eq "${vars.login}"', filter: 'n gt ${vars.n}', q: '${vars.login} x' },
    outputs,
  );
  assert.equal(out.search, 'profile.login eq "nobody@example.com\\" or status eq \\"ACTIVE"');
  assert.equal(out.filter, 'n gt 3');
  assert.equal(out.q, 'nobody@example.com" or status eq "ACTIVE x');
  assert.throws(() => substitute({ search: 'x eq ${vars.login}' }, outputs), /outside a string literal/);
  assert.throws(() => substitute({ search: 'x eq ${vars.list}' }, outputs), /outside a string literal/);
});

test('a run of a flow is bounded in calls, before the step that would pass it', async () => {
  const flow = {
    package: 'okta:management@0.6.0',
    name: 'too many',
    vars: { users: Array.from({ length: MAX_CALLS + 1 }, (_, i) => ({ id: `00u${i}` })) },
    steps: [
      { id: 'ping', node: 'connection.test-connection' },
      { id: 'each', node: 'users.get-user', 'for-each': '${vars.users}', input: { 'user-id': '${item.id}' } },
    ],
  };
  const called = [];
  const call = async (node) => called.push(node) && { ok: {} };
  await assert.rejects(runFlow(flow, { package: 'okta:management@0.6.0', call }), /at most 10000/);
  assert.deepEqual(called, ['connection.test-connection']);
});
