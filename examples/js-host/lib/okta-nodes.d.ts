/**
 * The Okta nodes for a JavaScript engine. Inputs and outputs are the JSON that
 * `okta-nodes call` and the Rust host's `call_json` use, described by the component's JSON
 * Schema (`okta-nodes list --schema`); the jco bindings underneath are typed, with the WIT
 * docs, in `gen/types/`.
 */

/** JSON as the nodes take and give it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The WIT `connection` record as JSON: `{domain, auth: {"api-token": "..."}, options?}`. */
export interface Connection {
  domain: string;
  auth: { [kind: string]: Json };
  options?: { [option: string]: number } | null;
}

/** The WIT `okta-error` record as JSON (WIT field names). */
export interface OktaError {
  kind: string;
  message: string;
  status: number | null;
  'error-code': string | null;
  'error-causes': string[];
  'error-id': string | null;
  'request-id': string | null;
  /** When a rate-limit window resets (Unix seconds): schedule the retry then. */
  'reset-at': number | null;
  retryable: boolean;
  attempts: number;
}

/** A node's answer. */
export type Outcome = { ok: Json } | { err: OktaError };

/** How the host holds calls. */
export interface Options {
  /** A base URL every org's requests go to instead (a mock); without it, HTTPS to the org. */
  route?: string;
  /** Caps on what the component asks, in milliseconds. */
  timeouts?: { connectMs?: number; firstByteMs?: number; betweenBytesMs?: number };
  /** The longest wait for a rate-limit window inside a call (default 2000 ms). */
  rateLimitWaitMs?: number;
  /** The longest a call may take (default 120000 ms). */
  deadlineMs?: number;
  /** How long past `deadlineMs` a call may run before its worker is replaced (default 5000 ms). */
  graceMs?: number;
  /** How many calls run at once, one worker thread each (default 1). */
  workers?: number;
}

/** A running host. */
export interface OktaNodes {
  /** The WIT package the component implements, such as `okta:management@0.6.0`. */
  readonly package: string;
  /** Every node id: the typed nodes (`users.create-user`) in WIT order, then each operation's (`operations.createGroupRule`). */
  nodes(): string[];
  /** Calls a node; rejects only for a failure of the host (an unknown node, a trap). */
  callNode(id: string, conn: Connection | null, input?: Json): Promise<Outcome>;
  /**
   * How many instances the workers have made or are making: one each to start, one per
   * change of tenant, one per worker replaced.
   */
  readonly instantiations: number;
  /** Makes a worker's instance again; resolves with the milliseconds it took. */
  instantiate(): Promise<number>;
  /** Ends every worker. */
  close(): Promise<void>;
}

/** The host's limits when none are given. */
export const DEFAULTS: Readonly<{
  connectMs: number;
  firstByteMs: number;
  betweenBytesMs: number;
  rateLimitWaitMs: number;
  deadlineMs: number;
  graceMs: number;
}>;

/** Starts the worker threads and resolves when each has its instance. */
export function createOktaNodes(options?: Options): Promise<OktaNodes>;
