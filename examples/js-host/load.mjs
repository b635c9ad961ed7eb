// The JS host under load (BENCHMARKS.md): `okta-nodes mock --latency-ms 50` as a child (Okta
// answers in 50-300 ms), 1,000 get-user calls in flight at once through createOktaNodes
// with 8 workers, and the same calls with Node's fetch in the same process: throughput,
// p50 / p99 of a call, the process's peak RSS over idle per call in flight; and
// createOktaNodes' start-up with 1 and with 8 workers.
//
//   npm run load    (LOAD_LATENCY_MS=200 for a slower org; LOAD_ROUNDS: calls per slot, 2)

import { cpus } from 'node:os';
import { startMock } from './lib/mock.mjs';
import { createOktaNodes } from './lib/okta-nodes.mjs';

const IN_FLIGHT = 1_000;
const WORKERS = 8;
const latency = Number(process.env.LOAD_LATENCY_MS ?? 50);
const rounds = Number(process.env.LOAD_ROUNDS ?? 2);
// Okta's rate limits off, as in `cargo okta-load`: what is measured is the client.
const mock = await startMock({
  extra: ['--latency-ms', String(latency), '--rate-limit-scale', '0', '--concurrency-limit', '0', '--log-capacity', '1'],
});
const conn = { domain: 'dev-000000.okta.com', auth: { 'api-token': mock.token } };

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99) };
}

/** `IN_FLIGHT` loops of `rounds` calls each, at once: every call timed, RSS sampled. */
async function load(call) {
  const idle = process.memoryUsage().rss;
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const times = [];
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let i = 0; i < rounds; i++) {
        const began = performance.now();
        if (!(await call())) failed += 1;
        times.push(performance.now() - began);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  return { perSecond: times.length / seconds, ...stats(times), failed, perCall: (peak - idle) / IN_FLIGHT };
}

const admin = (await (await fetch(`${mock.url}/api/v1/users/admin@example.com`, {
  headers: { authorization: `SSWS ${mock.token}` },
})).json()).id;
const native = await load(async () => {
  const res = await fetch(`${mock.url}/api/v1/users/${admin}`, {
    headers: { authorization: `SSWS ${mock.token}`, accept: 'application/json' },
  });
  return (await res.json()).id === admin;
});

let started = performance.now();
const one = await createOktaNodes({ route: mock.url });
const startOne = performance.now() - started;
await one.close();
started = performance.now();
const okta = await createOktaNodes({ route: mock.url, workers: WORKERS });
const startMany = performance.now() - started;
const input = { 'user-id': admin };
const host = await load(async () => 'ok' in (await okta.callNode('users.get-user', conn, input)));
await okta.close();
await mock.stop();

const ms = (x) => `${x.toFixed(1)} ms`;
const kib = (x) => `${Math.round(x / 1024)} KiB`;
console.log(`# JS host under load, Node ${process.version}, ${cpus().length} vCPUs, ${cpus()[0].model.trim()}`);
console.log(`mock latency ${latency} ms; ${IN_FLIGHT} calls in flight, ${rounds} each\n`);
console.log('| side | calls/s | p50 | p99 | RSS per call in flight | failed |');
console.log('|---|---|---|---|---|---|');
for (const [side, r] of [
  ['Node fetch (keep-alive)', native],
  [`JS host, ${WORKERS} workers`, host],
]) {
  console.log(`| ${side} | ${r.perSecond.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p99)} | ${kib(r.perCall)} | ${r.failed} |`);
}
console.log(`\ncreateOktaNodes: 1 worker ${ms(startOne)}, ${WORKERS} workers ${ms(startMany)}`);
if (native.failed + host.failed > 0) process.exit(1);
