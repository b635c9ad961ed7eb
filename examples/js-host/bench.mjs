// Figures for the JS host (BENCHMARKS.md), against `okta-nodes mock` started as a child:
// get-user p50 / p99 through the host and with Node's fetch (keep-alive, the JSON parsed)
// in the same process; start-up and instantiation; and how a 1 ms timer fares during 200
// calls with the component on the caller's thread and in a worker.
//
//   npm run bench    (OKTA_NODES_PROFILE=release npm run build first, for a release mock)

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { startMock } from './lib/mock.mjs';
import { loadComponent } from './lib/component.mjs';
import { createOktaNodes, DEFAULTS } from './lib/okta-nodes.mjs';
import { timerDuring } from './lib/drift.mjs';

const CALLS = 2_000;
const mock = await startMock();
const conn = { domain: 'dev-000000.okta.com', auth: { 'api-token': mock.token } };
const input = { 'user-id': 'admin@example.com' };

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99) };
}

async function sample(n, once) {
  for (let i = 0; i < n / 10; i++) await once();
  const times = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await once();
    times.push((performance.now() - started) * 1000);
  }
  return stats(times);
}

const admin = (await (await fetch(`${mock.url}/api/v1/users/admin@example.com`, {
  headers: { authorization: `SSWS ${mock.token}` },
})).json()).id;
const native = await sample(CALLS, async () => {
  const res = await fetch(`${mock.url}/api/v1/users/${admin}`, {
    headers: { authorization: `SSWS ${mock.token}`, accept: 'application/json' },
  });
  await res.json();
});

let started = performance.now();
const okta = await createOktaNodes({ route: mock.url });
const startup = performance.now() - started;
const host = await sample(CALLS, () => okta.callNode('users.get-user', conn, input));
const instantiate = [];
for (let i = 0; i < 20; i++) instantiate.push(await okta.instantiate());
const worker = await timerDuring(async () => {
  for (let i = 0; i < 200; i++) await okta.callNode('users.get-user', conn, input);
});
await okta.close();

const shapes = JSON.parse(readFileSync(new URL('gen/shapes.json', import.meta.url), 'utf8'));
started = performance.now();
const here = await loadComponent({
  shapes,
  route: { protocol: 'http:', host: new URL(mock.url).host },
  caps: DEFAULTS,
});
const firstInstance = performance.now() - started;
const mainThread = await timerDuring(async () => {
  for (let i = 0; i < 200; i++) await here.call({ node: 'users.get-user', conn, input });
});
await mock.stop();

const us = (x) => `${Math.round(x)} µs`;
const ms = (x) => `${x.toFixed(1)} ms`;
console.log(`# JS host, Node ${process.version}, ${cpus().length} vCPUs, ${cpus()[0].model.trim()}\n`);
console.log('| figure | Node fetch (keep-alive) | JS host | ratio |');
console.log('|---|---|---|---|');
console.log(
  `| get-user p50 / p99 | ${us(native.p50)} / ${us(native.p99)} | ${us(host.p50)} / ${us(host.p99)} | ${(host.p50 / native.p50).toFixed(2)}× |`,
);
console.log(`| createOktaNodes (one worker: compile and instantiate) | | ${ms(startup)} | |`);
console.log(`| compile and instantiate on the caller's thread | | ${ms(firstInstance)} | |`);
console.log(`| instantiate again (core modules compiled) p50 | | ${ms(stats(instantiate).p50)} | |`);
for (const [where, d] of [
  ["component on the caller's thread", mainThread],
  ['component in a worker', worker],
]) {
  console.log(
    `| 200 calls, ${where}: a 1 ms timer fired / longest gap | | ${d.ticks} times / ${ms(d.gap)} (calls took ${ms(d.took)}) | |`,
  );
}
