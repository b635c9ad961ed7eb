// The sidecar from a client generated from its OpenAPI document: start the mock and
// `okta-nodes serve`, fetch /v1/openapi.json, generate types with openapi-typescript,
// compile client.ts with tsc (and check that wrong.ts does not compile), then call three
// nodes and a node's error through it.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const bin = process.env.OKTA_NODES_BIN ?? join(root, 'target', 'debug', 'okta-nodes');
const secret = 'sidecar-client-secret';
const tool = (name) => join(here, 'node_modules', '.bin', name);

if (!process.env.OKTA_NODES_BIN) {
  const built = spawnSync('cargo', ['build', '--quiet', '--package', 'okta-nodes'], { cwd: root, stdio: 'inherit' });
  assert.equal(built.status, 0, 'cargo build --package okta-nodes');
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function until(url, init) {
  for (let i = 0; i < 600; i++) {
    try {
      const response = await fetch(url, init);
      if (response.ok) return response;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

const [mockPort, sidecarPort] = [await freePort(), await freePort()];
const children = [
  spawn(bin, ['mock', '--port', String(mockPort), '--quiet'], { stdio: 'ignore' }),
  spawn(bin, ['serve', '--listen', `127.0.0.1:${sidecarPort}`, '--route-to', `http://127.0.0.1:${mockPort}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, OKTA_NODES_SECRET: secret },
  }),
];
try {
  const base = `http://127.0.0.1:${sidecarPort}`;
  await until(`http://127.0.0.1:${mockPort}/mock/requests`, { headers: { Authorization: 'SSWS 00mock-api-token' } });
  const document = await (await until(`${base}/v1/openapi.json`, { headers: { Authorization: `Bearer ${secret}` } })).json();
  mkdirSync(join(here, 'gen'), { recursive: true });
  writeFileSync(join(here, 'gen', 'openapi.json'), JSON.stringify(document));
  const generated = spawnSync(tool('openapi-typescript'), ['gen/openapi.json', '-o', 'gen/sidecar.d.ts', '--default-non-nullable', 'false'], { cwd: here, encoding: 'utf8' });
  assert.equal(generated.status, 0, generated.stderr);
  const flags = ['--strict', '--module', 'nodenext', '--target', 'es2022', '--skipLibCheck'];
  const compiled = spawnSync(tool('tsc'), [...flags, '--outDir', 'gen', 'client.ts'], { cwd: here, encoding: 'utf8' });
  assert.equal(compiled.status, 0, compiled.stdout);
  const wrong = spawnSync(tool('tsc'), [...flags, '--noEmit', 'wrong.ts'], { cwd: here, encoding: 'utf8' });
  assert.notEqual(wrong.status, 0, 'wrong.ts compiles');
  // Each wrong line is an error: the field the request does not have, and the node the
  // sidecar does not serve (among 800 paths, tsc may name it or give up on the type).
  assert.match(wrong.stdout, /wrong\.ts\(7,\d+\): error TS\d+: .*user_id/);
  assert.match(wrong.stdout, /wrong\.ts\(8,\d+\): error TS\d+/);

  const { run } = await import(join(here, 'gen', 'client.js'));
  const connection = { domain: 'dev-000000.okta.com', auth: { 'api-token': '00mock-api-token' } };
  const answer = await run(base, secret, connection);
  assert.deepEqual(answer, {
    login: 'ada.lovelace@example.com',
    group: 'From a generated client',
    members: 0,
    missing: { status: 404, kind: 'not-found' },
  });
  console.log('a client generated from the sidecar\'s OpenAPI document called three nodes:', JSON.stringify(answer));
} finally {
  for (const child of children) child.kill('SIGTERM');
}
