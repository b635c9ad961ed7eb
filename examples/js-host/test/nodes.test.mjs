// The JS host against `okta-nodes mock`: a node of every family, errors as plain JSON, no
// token in anything a call returns.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMock } from '../lib/mock.mjs';
import { createOktaNodes } from '../lib/okta-nodes.mjs';

const TOKEN = '00sentinel-js-host-token-7f3a';
let mock;
let okta;
let conn;
const seen = [];

/** Calls a node and keeps what came back, for the check that no token is in any of it. */
async function call(node, input, connection = conn) {
  const outcome = await okta.callNode(node, connection, input);
  seen.push(JSON.stringify(outcome));
  return outcome;
}

before(async () => {
  mock = await startMock({ token: TOKEN });
  okta = await createOktaNodes({ route: mock.url });
  conn = { domain: 'dev-000000.okta.com', auth: { 'api-token': TOKEN } };
});

after(async () => {
  await okta?.close();
  await mock?.stop();
});

describe('a node of every family', () => {
  test('connection', async () => {
    const { ok } = await call('connection.test-connection', {});
    assert.equal(ok['principal-login'], 'admin@example.com');
  });

  test('users: create, get by login, list across pages', async () => {
    for (const n of [1, 2, 3]) {
      const { ok } = await call('users.create-user', {
        profile: { login: `js${n}@example.com`, email: `js${n}@example.com`, 'first-name': 'Js', 'last-name': `User${n}` },
        password: { value: 'Js!Passw0rd-1' },
        activate: true,
      });
      assert.equal(ok.status, 'active');
    }
    const { ok: user } = await call('users.get-user', { 'user-id': 'js2@example.com' });
    assert.equal(user.profile['last-name'], 'User2');
    assert.equal(user.raw === null, false, 'a single user carries raw');
    const { ok: page } = await call('users.list-users', { page: { limit: 2, 'fetch-all': true } });
    assert.ok(page.items.length >= 4, `${page.items.length} users`);
    assert.equal(page['next-cursor'], null);
    assert.ok(page.items.every((u) => u.raw === null), 'a list leaves raw out');
  });

  test('groups and apps', async () => {
    const { ok: groups } = await call('groups.list-groups', { q: 'Engineering' });
    const { ok: user } = await call('users.get-user', { 'user-id': 'js1@example.com' });
    const joined = await call('groups.add-user-to-group', {
      'group-id': groups.items[0].id,
      'user-id': user.id,
    });
    assert.ok('ok' in joined, JSON.stringify(joined));
    const { ok: apps } = await call('apps.list-apps', { q: 'Slack' });
    assert.equal(apps.items[0].label, 'Slack');
  });

  test('factors, system log, event hooks, policies, realms, raw', async () => {
    assert.ok('ok' in (await call('factors.list-factors', { 'user-id': 'admin@example.com' })));
    const { ok: log } = await call('system-log.list-events', {
      filter: 'eventType eq "user.lifecycle.create"',
      page: { 'fetch-all': true },
    });
    assert.ok(log.items.length >= 3);
    assert.ok('ok' in (await call('event-hooks.list-event-hooks', {})));
    assert.ok('ok' in (await call('policies.list-policies', { 'policy-type': 'password' })));
    assert.ok('ok' in (await call('realms.list-realms', {})));
    const { ok: raw } = await call('raw.request', { method: 'get', path: '/api/v1/users/me' });
    assert.equal(raw.status, 200);
  });

  test('triggers and picklists', async () => {
    const { ok: first } = await call('triggers.poll-new-users', { since: '2000-01-01T00:00:00.000Z' });
    assert.ok(first.users.length >= 3);
    const { ok: again } = await call('triggers.poll-new-users', { state: first.state });
    assert.equal(again.users.length, 0, 'each user once');
    const { ok: answer } = await okta.callNode('triggers.answer-verification', null, {
      headers: [{ name: 'X-Okta-Verification-Challenge', value: 'rBP1MrAX12ZLyCbFW3R6' }],
    });
    assert.equal(JSON.parse(answer).verification, 'rBP1MrAX12ZLyCbFW3R6');
    const { ok: choices } = await call('picklists.select-user', { search: 'js' });
    assert.ok(choices.choices.some((c) => c.label === 'Js User1 (js1@example.com)'));
  });
});

describe('errors', () => {
  test('operations by operationId: the same JSON as call_json', async () => {
    assert.ok(okta.nodes().includes('operations.addGroup'));
    assert.ok(!okta.nodes().includes('operations.call'));
    const { ok: created } = await call('operations.addGroup', { body: { profile: { name: 'By operation' } } });
    assert.equal(created.status, 200);
    assert.equal(created.body.profile.name, 'By operation');
    const { ok: got } = await call('operations.getGroup', { groupId: created.body.id });
    assert.equal(got.body.id, created.body.id);
    const { ok: page } = await call('operations.listGroups', { page: { limit: 1 } });
    assert.equal(page.body.length, 1);
    assert.match(page['next-cursor'], /^\/api\/v1\/groups\?/);
    const { err } = await call('operations.getGroup', { groupId: created.body.id, nope: 1 });
    assert.equal(err.kind, 'invalid-input');
    assert.match(err.message, /`nope`/);
    await assert.rejects(okta.callNode('operations.noSuchOperation', conn, {}), /no node/);
    await assert.rejects(okta.callNode('operations.call', conn, {}), /no node/);
  });

  test('a typed not-found, as plain JSON', async () => {
    const { err } = await call('users.get-user', { 'user-id': 'nobody@example.com' });
    assert.equal(err.kind, 'not-found');
    assert.equal(err['error-code'], 'E0000007');
    assert.equal(err.retryable, false);
    assert.doesNotThrow(() => JSON.stringify(err));
  });

  test('a wrong-shaped input is the node\'s invalid-input, naming the field', async () => {
    const { err } = await call('users.list-users', { page: { limit: 'ten' } });
    assert.equal(err.kind, 'invalid-input');
    assert.match(err.message, /request\.page\.limit/);
    assert.equal(err.attempts, 0);
    const { err: unknown } = await call('users.get-user', { 'user-idx': 'x' });
    assert.match(unknown.message, /no field `user-idx`/);
  });

  test('a string field takes a string; a field that holds JSON takes an object or its text', async () => {
    for (const wrong of [{ a: 1 }, ['a'], true, 7]) {
      const { err } = await call('users.get-user', { 'user-id': wrong });
      assert.equal(err?.kind, 'invalid-input', JSON.stringify(wrong));
      assert.match(err.message, /request\.user-id must be a string/);
    }
    for (const extra of [{ costCenter: 'R&D' }, '{"costCenter": "R&D"}']) {
      const { ok } = await call('groups.create-group', { name: `JSON ${typeof extra}`, 'profile-extra': extra });
      assert.ok(ok?.id, JSON.stringify(extra));
    }
    const { err } = await call('groups.create-group', { name: 'Seven', 'profile-extra': 7 });
    assert.match(err.message, /request\.profile-extra must be JSON/);
  });

  test('a connection without options takes every default', async () => {
    const { ok } = await call('users.get-user', { 'user-id': 'admin@example.com' }, {
      domain: 'dev-000000.okta.com',
      auth: { 'api-token': TOKEN },
    });
    assert.equal(ok.profile.login, 'admin@example.com');
  });

  test('a wrong token is unauthorized; an unknown node is the host\'s error', async () => {
    const { err } = await call('users.get-user', { 'user-id': 'admin@example.com' }, {
      domain: 'dev-000000.okta.com',
      auth: { 'api-token': `${TOKEN}-wrong` },
    });
    assert.equal(err.kind, 'unauthorized');
    await assert.rejects(okta.callNode('users.no-such-node', conn, {}), /no node/);
  });

  test('no token in any output or error', () => {
    assert.ok(seen.length >= 15, `${seen.length} outcomes`);
    for (const text of seen) assert.ok(!text.includes(TOKEN), text);
  });
});

test('with the shim\'s and jco\'s debug logging asked for, nothing printed shows the token', async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const file = join(await mkdtemp(join(tmpdir(), 'okta-js-host-')), 'call.mjs');
  await writeFile(file, `
    import { createOktaNodes } from ${JSON.stringify(new URL('../lib/okta-nodes.mjs', import.meta.url).href)};
    const okta = await createOktaNodes({ route: process.argv[2] });
    const conn = { domain: 'dev-000000.okta.com', auth: { 'api-token': process.argv[3] } };
    console.log(JSON.stringify(await okta.callNode('users.get-user', conn, { 'user-id': 'admin@example.com' })));
    await okta.close();
  `);
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [file, mock.url, TOKEN],
    { env: { ...process.env, JCO_DEBUG: '1', PREVIEW2_SHIM_DEBUG: '1' } },
  );
  assert.match(stdout, /"principal-id"|"profile"/);
  assert.ok(!stdout.includes(TOKEN) && !stderr.includes(TOKEN), stderr.slice(0, 500));
});

test('an instance serves one tenant: another org or credential gets a fresh one', async () => {
  const tenants = [
    { domain: 'dev-000000.okta.com', auth: { 'api-token': TOKEN } },
    { domain: 'dev-111111.okta.com', auth: { 'api-token': TOKEN } },
  ];
  const input = { 'user-id': 'admin@example.com' };
  const one = await createOktaNodes({ route: mock.url, workers: 1 });
  const two = await createOktaNodes({ route: mock.url, workers: 2 });
  try {
    for (const conn of [tenants[0], tenants[0], tenants[1], tenants[0]]) {
      assert.ok('ok' in (await one.callNode('users.get-user', conn, input)));
    }
    assert.equal(one.instantiations, 1 + 2, 'a fresh instance at each change of tenant');
    for (const conn of [tenants[0], tenants[1], tenants[0], tenants[1], tenants[1]]) {
      assert.ok('ok' in (await two.callNode('users.get-user', conn, input)));
    }
    assert.equal(two.instantiations, 2, 'each tenant keeps its own worker');
  } finally {
    await one.close();
    await two.close();
  }
});
