// The Okta nodes for a JavaScript engine: `createOktaNodes(...)` runs the component in
// worker threads, and `callNode(id, conn, input)` calls a node with the JSON `call_json`
// and the catalog use. The caller's event loop never waits on a call.

import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { nodeError } from './errors.mjs';

const GEN = new URL('../gen/', import.meta.url);

/** Where the host's limits start: what `HostConfig` has in the Rust host. */
export const DEFAULTS = Object.freeze({
  connectMs: 30_000,
  firstByteMs: 60_000,
  betweenBytesMs: 30_000,
  rateLimitWaitMs: 2_000,
  deadlineMs: 120_000,
  graceMs: 5_000,
});

/**
 * Which tenant a connection is: a digest of its org and credential (null without one). An
 * instance serves one tenant; the secret is not kept on this side.
 */
function tenantOf(conn) {
  if (conn === null || typeof conn !== 'object') return null;
  const key = JSON.stringify([String(conn.domain ?? '').toLowerCase(), conn.auth ?? null]);
  return createHash('sha256').update(key).digest('hex');
}


/** The node's `timeout` error for a call the host stopped: the worker was ended. */
function stopped(node, deadlineMs) {
  // A write may have been sent: only a read is safe to send again.
  return nodeError(
    'timeout',
    `${node} did not end within its deadline of ${deadlineMs} ms; the host stopped it`,
  );
}

/**
 * Starts the host.
 *
 * - `route`: a base URL (`http://127.0.0.1:8080`) every org's requests go to instead, for
 *   a mock; without it a call reaches its org over HTTPS.
 * - `timeouts`: `{connectMs, firstByteMs, betweenBytesMs}`, caps on what the component asks.
 * - `rateLimitWaitMs`: the longest a call waits for a rate-limit window inside the worker;
 *   a longer wait returns `rate-limited` with `reset-at` for the engine to schedule.
 * - `deadlineMs`: the longest a call may take (the component ends it then).
 * - `graceMs`: how long past `deadlineMs` a call may run before its worker is ended and
 *   replaced (the call gets the node's `timeout` error).
 * - `workers`: how many calls run at once (each worker has one instance).
 */
export async function createOktaNodes({
  route,
  timeouts = {},
  rateLimitWaitMs = DEFAULTS.rateLimitWaitMs,
  deadlineMs = DEFAULTS.deadlineMs,
  graceMs = DEFAULTS.graceMs,
  workers = 1,
} = {}) {
  let shapes;
  try {
    shapes = JSON.parse(readFileSync(new URL('shapes.json', GEN), 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error('gen/ is not built: run `npm run build` first');
    throw error;
  }
  const operations = new Set(shapes.operations ?? []);
  const caps = {
    connectMs: timeouts.connectMs ?? DEFAULTS.connectMs,
    firstByteMs: timeouts.firstByteMs ?? DEFAULTS.firstByteMs,
    betweenBytesMs: timeouts.betweenBytesMs ?? DEFAULTS.betweenBytesMs,
    rateLimitWaitMs,
    deadlineMs,
  };
  const target = route ? new URL(route) : null;
  const data = {
    shapes,
    caps,
    route: target && { protocol: target.protocol, host: target.host },
  };

  let seq = 0;
  const idle = [];
  const queue = [];
  const all = new Set();

  function spawn() {
    return new Promise((resolve, reject) => {
      // An empty environment: nothing of the process's reaches the component, and the
      // shim's PREVIEW2_SHIM_DEBUG (which logs each request, its Authorization header
      // among them) and jco's JCO_DEBUG stay off.
      const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
        workerData: data,
        env: {},
      });
      const pending = new Map();
      const slot = { worker, pending, tenant: null, dead: false };
      // Every worker, ready or starting, so that close() ends them all.
      all.add(slot);
      worker.on('message', (message) => {
        if (message.type === 'ready') {
          resolve(slot);
          return;
        }
        const waiting = pending.get(message.seq);
        pending.delete(message.seq);
        waiting?.(message);
      });
      // A worker that dies (an error it did not catch, or an exit) fails its call and is
      // replaced; it never goes back to the idle list.
      const died = (why) => {
        if (slot.dead || closing) return;
        slot.dead = true;
        all.delete(slot);
        reject(new Error(why));
        for (const waiting of pending.values()) waiting({ fail: why });
        pending.clear();
        if (started) replace();
      };
      worker.on('error', (error) => died(`a worker failed: ${error?.message ?? error}`));
      worker.on('exit', (code) => died(`a worker ended (exit code ${code})`));
    });
  }

  /** Starts a worker in place of one that was ended or died. */
  function replace() {
    instantiations += 1;
    spawn().then((fresh) => (closing ? fresh.worker.terminate() : release(fresh)), () => {});
  }

  function release(slot) {
    const next = queue.shift();
    if (next) next(slot);
    else idle.push(slot);
  }

  /** An idle worker, one whose instance serves `tenant` if there is one. */
  function acquire(tenant) {
    const mine = idle.findIndex((slot) => slot.tenant === tenant);
    const at = mine !== -1 ? mine : idle.findIndex((slot) => slot.tenant === null);
    const [slot] = idle.splice(at !== -1 ? at : idle.length - 1, 1);
    return slot ? Promise.resolve(slot) : new Promise((resolve) => queue.push(resolve));
  }

  /** Sends one message to a worker; past `limitMs` the worker is ended and replaced. */
  function send(slot, message, limitMs, onStop) {
    return new Promise((resolve) => {
      const id = ++seq;
      const timer = setTimeout(async () => {
        slot.pending.delete(id);
        slot.dead = true;
        all.delete(slot);
        await slot.worker.terminate();
        resolve(onStop());
        replace();
      }, limitMs);
      slot.pending.set(id, (reply) => {
        clearTimeout(timer);
        if (!slot.dead) release(slot);
        resolve(reply);
      });
      slot.worker.postMessage({ ...message, seq: id });
    });
  }

  let instantiations = workers;
  let closing = false;
  let started = false;
  try {
    await Promise.all(Array.from({ length: workers }, () => spawn().then(release)));
  } catch (error) {
    closing = true;
    await Promise.all([...all].map((slot) => slot.worker.terminate()));
    throw error;
  }
  started = true;

  return {
    /** The package the component implements, such as `okta:management@0.6.0`. */
    package: shapes.package,

    /** Every node id: the typed nodes in WIT order, then each operation's. */
    nodes: () => [...Object.keys(shapes.nodes).filter((id) => id !== 'operations.call'), ...operations],

    /**
     * Calls a node: `{ok: output}` or `{err: okta-error}`, both plain JSON (WIT names;
     * a u64 is a number, or a string past 2^53). Rejects only for a failure of the host
     * (an unknown node, a trap).
     */
    async callNode(id, conn, input) {
      if (closing) throw new Error('the host is closed');
      const known = operations.has(id) || (id in shapes.nodes && id !== 'operations.call');
      if (!known) throw new Error(`no node \`${id}\`; the catalog lists them all`);
      const tenant = tenantOf(conn);
      const slot = await acquire(tenant);
      if (tenant !== null) slot.tenant = tenant;
      const reply = await send(
        slot,
        { type: 'call', node: id, conn, input, tenant },
        deadlineMs + graceMs,
        () => ({ err: stopped(id, deadlineMs) }),
      );
      if (typeof reply.instantiated === 'number') instantiations += 1;
      if ('fail' in reply) throw new Error(reply.fail);
      return 'ok' in reply ? { ok: reply.ok } : { err: reply.err };
    },

    /** How many instances the workers have made or are making (see the .d.ts). */
    get instantiations() {
      return instantiations;
    },

    /** Makes a worker's instance again and says how long it took, in milliseconds. */
    async instantiate() {
      const slot = await acquire(null);
      slot.tenant = null;
      const reply = await send(slot, { type: 'instantiate' }, 60_000, () => ({ fail: 'stopped' }));
      return reply.ok;
    },

    /** Ends every worker. */
    async close() {
      closing = true;
      await Promise.all([...all].map((slot) => slot.worker.terminate()));
      all.clear();
      idle.length = 0;
    },
  };
}
