// What the host holds a call to: only its org, capped timeouts, its deadline, a short
// rate-limit wait; and the caller's event loop runs while calls do.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { http } from '@bytecodealliance/preview2-shim';
import { readFileSync } from 'node:fs';
import { guardedHandle, orgRefusal, PROHIBITED, refusal } from '../lib/egress.mjs';
import { startMock } from '../lib/mock.mjs';
import { createOktaNodes } from '../lib/okta-nodes.mjs';
import { timerDuring } from '../lib/drift.mjs';

const ORG = 'dev-000000.okta.com';
const caps = { connectMs: 1_000, firstByteMs: 2_000, betweenBytesMs: 3_000 };

function request(scheme, authority) {
  const req = new http.types.OutgoingRequest(new http.types.Fields());
  req.setScheme(scheme);
  req.setAuthority(authority);
  req.setPathWithQuery('/api/v1/users/me');
  return req;
}

test('the address table refuses what the Rust host refuses: the same cases', () => {
  const cases = JSON.parse(readFileSync(new URL('../../../host-test/tests/data/addresses.json', import.meta.url)));
  for (const address of cases.refused) assert.notEqual(refusal(address), null, `${address} is allowed`);
  for (const address of cases.allowed) assert.equal(refusal(address), null, `${address}: ${refusal(address)}`);
  assert.notEqual(refusal('not-an-address'), null);
});

test('an org that resolves where a call may not go is refused, whichever of its addresses', async () => {
  const resolving = (...addresses) => async () => addresses.map((address) => ({ address }));
  assert.equal(await orgRefusal('dev-1.okta.com', resolving('169.254.169.254')), PROHIBITED);
  assert.equal(await orgRefusal('dev-1.okta.com', resolving('52.1.2.3', '10.0.0.7')), PROHIBITED);
  assert.equal(await orgRefusal('dev-1.okta.com', resolving('::ffff:0:7f00:1')), PROHIBITED);
  assert.equal(await orgRefusal('dev-1.okta.com', resolving('52.1.2.3', '2600:1f18::1')), null);
  const unresolved = async () => {
    throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
  };
  assert.equal(await orgRefusal('nowhere.invalid', unresolved), null, 'the call reports it');
  assert.equal(await orgRefusal('localhost'), PROHIBITED, 'by the system resolver');
});

test('the egress guard admits only the call\'s org over HTTPS, routed and capped', () => {
  const sent = [];
  const handle = guardedHandle({
    route: { protocol: 'http:', host: '127.0.0.1:9' },
    caps,
    org: () => ORG,
    send: (req, options) => sent.push({ req, options }) && { tag: 'ok', val: 'sent' },
  });
  const denied = { tag: 'err', val: { tag: 'HTTP-request-denied' } };
  assert.deepEqual(handle(request({ tag: 'HTTPS' }, 'evil.example.com'), undefined), denied);
  assert.deepEqual(handle(request({ tag: 'HTTPS' }, `${ORG}.evil.example.com`), undefined), denied);
  assert.deepEqual(handle(request({ tag: 'HTTP' }, ORG), undefined), denied);
  assert.equal(sent.length, 0, 'nothing refused went out');

  const asked = new http.types.RequestOptions();
  asked.setFirstByteTimeout(600_000_000_000n);
  asked.setBetweenBytesTimeout(5_000_000n);
  assert.deepEqual(handle(request({ tag: 'HTTPS' }, 'DEV-000000.okta.com'), asked), { tag: 'ok', val: 'sent' });
  const [{ req, options }] = sent;
  assert.equal(req.authority(), '127.0.0.1:9');
  assert.equal(req.scheme().tag, 'HTTP');
  assert.equal(options.connectTimeout(), 1_000_000_000n, 'capped');
  assert.equal(options.firstByteTimeout(), 2_000_000_000n, 'capped');
  assert.equal(options.betweenBytesTimeout(), 5_000_000n, 'a shorter wish stands');

  const quick = guardedHandle({
    caps: { ...caps, firstByteMs: 300 },
    org: () => ORG,
    send: (_, options) => options,
  });
  const held = quick(request({ tag: 'HTTPS' }, ORG), undefined);
  assert.equal(held.connectTimeout(), 300_000_000n, 'the wait for headers is held to first-byte');

  const between = guardedHandle({ caps, org: () => null, send: () => assert.fail('sent') });
  assert.deepEqual(between(request({ tag: 'HTTPS' }, ORG), undefined), denied, 'no call, no org');
});

/** A loopback server whose connections `serve` handles; `close()` ends them all. */
async function serverOf(serve) {
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    serve(socket);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** A server that accepts connections and never answers. */
const silentServer = () => serverOf(() => {});

test('a silent org ends the call at the first-byte cap, and at the deadline', async (t) => {
  const silent = await silentServer();
  const conn = { domain: ORG, auth: { 'api-token': 'x' }, options: { 'max-retries': 0 } };
  const capped = await createOktaNodes({ route: silent.url, timeouts: { firstByteMs: 300 } });
  const bounded = await createOktaNodes({ route: silent.url, deadlineMs: 700 });
  try {
    let started = performance.now();
    const { err } = await capped.callNode('users.get-user', conn, { 'user-id': 'a' });
    t.diagnostic(`first-byte cap of 300 ms: ${err.kind} after ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(err.kind, 'timeout', JSON.stringify(err));
    started = performance.now();
    const { err: late } = await bounded.callNode('users.get-user', conn, { 'user-id': 'a' });
    t.diagnostic(`deadline of 700 ms: ${late.kind} after ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(late.kind, 'timeout', JSON.stringify(late));
  } finally {
    await capped.close();
    await bounded.close();
    silent.close();
  }
});

/**
 * A server that starts an answer and never finishes its headers, a line at a time: the
 * socket is never idle, and the shim's first-byte timer never starts, so only the host's
 * own deadline ends the call.
 */
const drippingServer = () =>
  serverOf((socket) => {
    socket.write('HTTP/1.1 200 OK\r\n');
    const drip = setInterval(() => socket.write('X-Drip: 1\r\n'), 50);
    socket.on('close', () => clearInterval(drip));
    socket.on('error', () => clearInterval(drip));
  });

test('a call the component cannot end has its worker replaced at the deadline and grace', async (t) => {
  const dripping = await drippingServer();
  const okta = await createOktaNodes({ route: dripping.url, deadlineMs: 700, graceMs: 300 });
  try {
    const conn = { domain: ORG, auth: { 'api-token': 'x' } };
    for (const _ of [1, 2]) {
      const started = performance.now();
      const { err } = await okta.callNode('users.get-user', conn, { 'user-id': 'a' });
      t.diagnostic(`stopped after ${(performance.now() - started).toFixed(0)} ms`);
      assert.equal(err.kind, 'timeout');
      assert.match(err.message, /the host stopped it/);
      assert.equal(err.retryable, false);
    }
    assert.equal(okta.instantiations, 3, 'one worker to start, one for each stopped call');
  } finally {
    await okta.close();
    dripping.close();
  }
});

test('a long rate-limit wait returns rate-limited with reset-at, as plain JSON', async (t) => {
  const mock = await startMock({ extra: ['--fault', '{"effect":"rate-limit","reset-seconds":30}'] });
  const okta = await createOktaNodes({ route: mock.url, rateLimitWaitMs: 1_000 });
  try {
    const conn = { domain: ORG, auth: { 'api-token': mock.token } };
    const started = performance.now();
    const { err } = await okta.callNode('users.get-user', conn, { 'user-id': 'admin@example.com' });
    t.diagnostic(`rate-limited after ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(err.kind, 'rate-limited', JSON.stringify(err));
    assert.equal(typeof err['reset-at'], 'number');
    assert.ok(err['reset-at'] * 1000 > Date.now(), 'the reset is ahead');
    assert.equal(JSON.parse(JSON.stringify(err))['reset-at'], err['reset-at']);
  } finally {
    await okta.close();
    await mock.stop();
  }
});

test('the caller\'s event loop runs while calls do', async (t) => {
  const mock = await startMock();
  const okta = await createOktaNodes({ route: mock.url });
  const conn = { domain: ORG, auth: { 'api-token': mock.token } };
  try {
    const calls = 200;
    const { ticks, gap, took } = await timerDuring(async () => {
      for (let i = 0; i < calls; i++) {
        const { ok } = await okta.callNode('users.get-user', conn, { 'user-id': 'admin@example.com' });
        assert.equal(ok.profile.login, 'admin@example.com');
      }
    });
    t.diagnostic(
      `${calls} calls in ${took.toFixed(0)} ms; a 1 ms timer fired ${ticks} times, longest gap ${gap.toFixed(1)} ms`,
    );
    // On the caller's thread the timer fired 2–5 times in 200 calls.
    assert.ok(ticks >= calls / 4, `${ticks} ticks`);
  } finally {
    await okta.close();
    await mock.stop();
  }
});
