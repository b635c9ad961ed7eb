// One instance of the component and the calls into it: JSON in, JSON out. The shim's HTTP
// blocks the thread this runs on during a call, so okta-nodes.mjs runs it in a worker.

import { readFile } from 'node:fs/promises';
import { cli, clocks, http, io, random } from '@bytecodealliance/preview2-shim';
import { instantiate } from '../gen/okta.js';
import { guardedHandle, orgRefusal } from './egress.mjs';
import { nodeError } from './errors.mjs';
import { camel, ShapeError, toJs, toJson } from './shapes.mjs';

const gen = new URL('../gen/', import.meta.url);

/** What an operation's node id starts with: `operations.<operationId>`. */
export const OPERATION = 'operations.';

// The component sees no environment variables or arguments of the process: a token in
// the environment stays out of its reach.
cli._setEnv({});
cli._setArgs([]);

// The core modules are compiled once; an instance is cheap to make again from them.
const compiled = new Map();
async function getCoreModule(path) {
  if (!compiled.has(path)) {
    compiled.set(path, WebAssembly.compile(await readFile(new URL(path, gen))));
  }
  return compiled.get(path);
}

/** The org a connection names, as the component reads its `domain`. */
function orgOf(conn) {
  const domain = typeof conn?.domain === 'string' ? conn.domain.trim() : '';
  return domain.replace(/^https:\/\//i, '').replace(/\/$/, '').toLowerCase();
}

function isEmpty(input) {
  return (
    input === undefined ||
    input === null ||
    (typeof input === 'object' && !Array.isArray(input) && Object.keys(input).length === 0)
  );
}

/**
 * Loads the component: `shapes` (gen/shapes.json), `route` (`{protocol, host}` or null)
 * and `caps` (milliseconds: `connectMs`, `firstByteMs`, `betweenBytesMs`,
 * `rateLimitWaitMs`, `deadlineMs`). Returns `call({node, conn, input})`, which gives
 * `{ok}`, `{err}` or `{fail}` (a failure of the host: an unknown node, a trap), and
 * `instantiate()`, which makes the instance again and gives the milliseconds it took.
 */
export async function loadComponent({ shapes, route, caps }) {
  const { types, nodes } = shapes;
  const operations = new Set(shapes.operations ?? []);
  let org = null;
  const imports = {
    'wasi:cli/environment': cli.environment,
    'wasi:cli/exit': cli.exit,
    'wasi:cli/stderr': cli.stderr,
    'wasi:cli/stdin': cli.stdin,
    'wasi:cli/stdout': cli.stdout,
    'wasi:cli/terminal-input': cli.terminalInput,
    'wasi:cli/terminal-output': cli.terminalOutput,
    'wasi:cli/terminal-stderr': cli.terminalStderr,
    'wasi:cli/terminal-stdin': cli.terminalStdin,
    'wasi:cli/terminal-stdout': cli.terminalStdout,
    'wasi:clocks/monotonic-clock': clocks.monotonicClock,
    'wasi:clocks/wall-clock': clocks.wallClock,
    'wasi:http/outgoing-handler': { handle: guardedHandle({ route, caps, org: () => org }) },
    'wasi:http/types': http.types,
    'wasi:io/error': io.error,
    'wasi:io/poll': io.poll,
    'wasi:io/streams': io.streams,
    'wasi:random/insecure-seed': random.insecureSeed,
    'wasi:random/random': random.random,
  };

  let instance = null;
  async function fresh() {
    const started = performance.now();
    instance = await instantiate(getCoreModule, imports);
    return performance.now() - started;
  }

  /**
   * The connection with the host's caps on the rate-limit wait and the deadline. A value the
   * component refuses (past its own bound) is passed as given, so the node says why, as the
   * Rust host does.
   */
  function bounded(conn) {
    if (conn === null || typeof conn !== 'object' || Array.isArray(conn)) return conn;
    const options = { ...(conn.options ?? {}) };
    for (const [name, most, bound] of [
      ['max-rate-limit-wait-ms', caps.rateLimitWaitMs, 300_000],
      ['deadline-ms', caps.deadlineMs, 3_600_000],
    ]) {
      const asked = options[name];
      const refused = typeof asked === 'number' && asked > bound;
      options[name] = refused || (typeof asked === 'number' && asked < most) ? asked : most;
    }
    return { ...conn, options };
  }

  function callNow({ node, conn, input }) {
    // An operation's node runs through `operations.call`: its input as JSON text in, JSON
    // text out, as the Rust host's call_json does it.
    if (operations.has(node)) {
      const request = { 'operation-id': node.slice(OPERATION.length), input: JSON.stringify(input ?? {}) };
      const reply = callNow({ node: 'operations.call', conn, input: request });
      return 'ok' in reply ? { ok: JSON.parse(reply.ok) } : reply;
    }
    const shape = nodes[node];
    if (!shape) return { fail: `no node \`${node}\`; the catalog lists them all` };
    const [ok, err] = types[shape.result].result;
    const takes = (param) => shape.params.some(([name]) => name === param);
    if (!takes('request') && !isEmpty(input)) {
      return { err: nodeError('invalid-input', `${node} takes no request`) };
    }
    let args;
    try {
      args = shape.params.map(([name, type]) =>
        name === 'conn'
          ? toJs(types, type, bounded(conn), 'conn')
          : toJs(types, type, input ?? {}, 'request', shape.json),
      );
    } catch (e) {
      if (e instanceof ShapeError) return { err: nodeError('invalid-input', e.message) };
      throw e;
    }
    const [iface, fn] = node.split('.');
    org = takes('conn') ? orgOf(conn) : null;
    try {
      const out = instance[camel(iface)][camel(fn)](...args);
      return { ok: ok === null ? null : toJson(types, ok, out) };
    } catch (e) {
      // jco throws a node's error as it is (older versions wrap it, in `payload`); a
      // trap is an Error.
      const payload = e instanceof Error ? e.payload : e;
      if (payload !== undefined && payload !== null && typeof payload === 'object') {
        return { err: err === null ? null : toJson(types, err, payload) };
      }
      // A trap: the instance is not used again.
      instance = null;
      return { fail: `${node} trapped: ${e?.message ?? e}` };
    } finally {
      org = null;
    }
  }

  // One tenant per instance: the tenant (a digest of the connection's org and credential)
  // whose calls this instance has served; a call for another gets a fresh instance. A call
  // without a connection (an event hook trigger) runs in whichever instance there is.
  let tenant = null;

  await fresh();
  return {
    /** Runs a call; `message.tenant` is its connection's digest (null: none). */
    async call(message) {
      // Where the org resolves is checked before the call, as the Rust host checks it
      // before it connects; a route to a mock goes where it was told.
      const shape = nodes[operations.has(message.node) ? 'operations.call' : message.node];
      if (!route && shape?.params.some(([name]) => name === 'conn')) {
        const refused = await orgRefusal(orgOf(message.conn));
        if (refused) return { err: nodeError('transport', refused), instantiated: null };
      }
      let instantiated = null;
      if (instance === null || (message.tenant && tenant && message.tenant !== tenant)) {
        instantiated = await fresh();
        tenant = null;
      }
      tenant = message.tenant ?? tenant;
      return { ...callNow(message), instantiated };
    },
    async instantiate() {
      tenant = null;
      return fresh();
    },
  };
}
