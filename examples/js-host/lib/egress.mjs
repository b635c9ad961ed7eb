// The outgoing handler the component gets in place of the shim's: a call reaches only its
// org, over HTTPS (or the route to a mock), with every timeout capped; and the check of
// where the org's name resolves, made before each call.

import { lookup as dnsLookup } from 'node:dns/promises';
import { http } from '@bytecodealliance/preview2-shim';

function refusalV4([a, b, c]) {
  if (a === 0) return '"this network" (0.0.0.0/8)';
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && (b & 0xf0) === 16) || (a === 192 && b === 168)) return 'private';
  if (a === 169 && b === 254) return 'link-local, where cloud metadata services listen';
  if (a === 100 && (b & 0xc0) === 64) return 'shared address space (CGNAT, 100.64.0.0/10)';
  if (a === 192 && b === 0 && c === 0) return 'IETF protocol assignments (192.0.0.0/24)';
  if ((a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) {
    return 'documentation';
  }
  if (a === 198 && (b & 0xfe) === 18) return 'benchmarking (198.18.0.0/15)';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved (240.0.0.0/4 and broadcast)';
  return null;
}

/** `a.b.c.d` as four octets, or null. */
function octets(text) {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p))) return null;
  const out = parts.map(Number);
  return out.some((n) => n > 255) ? null : out;
}

/** An IPv6 address as eight 16-bit segments (an embedded `a.b.c.d` read too), or null. */
function segments(text) {
  let t = text.replace(/%.*$/, '');
  const tail = [];
  if (t.includes('.')) {
    const colon = t.lastIndexOf(':');
    const four = colon >= 0 ? octets(t.slice(colon + 1)) : null;
    if (!four) return null;
    tail.push((four[0] << 8) | four[1], (four[2] << 8) | four[3]);
    t = t.slice(0, colon + 1);
    if (!t.endsWith('::')) t = t.slice(0, -1);
  }
  const read = (part) =>
    part === '' ? [] : part.split(':').map((h) => (/^[0-9a-f]{1,4}$/i.test(h) ? parseInt(h, 16) : NaN));
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const head = read(halves[0]);
  const rest = halves.length === 2 ? read(halves[1]) : [];
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const out = [...head, ...Array(8 - given).fill(0), ...rest, ...tail];
  return out.some(Number.isNaN) ? null : out;
}

function refusalV6(s) {
  const starts = (prefix) => prefix.every((x, i) => s[i] === x);
  const embedded = (hi, lo) => [hi >> 8, hi & 255, lo >> 8, lo & 255];
  if (s.every((x) => x === 0)) return 'unspecified';
  if (starts([0, 0, 0, 0, 0, 0, 0, 1])) return 'loopback';
  // ::ffff:a.b.c.d reaches the IPv4 address it carries, as do ::ffff:0:a.b.c.d
  // (IPv4-translated), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
  if (starts([0, 0, 0, 0, 0, 0xffff])) return refusalV4(embedded(s[6], s[7]));
  if (starts([0, 0, 0, 0, 0xffff, 0])) return refusalV4(embedded(s[6], s[7]));
  if (starts([0, 0, 0, 0, 0, 0])) return 'IPv4-compatible (deprecated, ::/96)';
  if (starts([0x64, 0xff9b, 0, 0, 0, 0])) return refusalV4(embedded(s[6], s[7]));
  if (s[0] === 0x2002) return refusalV4(embedded(s[1], s[2]));
  if (starts([0x64, 0xff9b, 1])) return 'local-use NAT64 (64:ff9b:1::/48)';
  if (starts([0x2001, 0])) return 'Teredo (2001::/32)';
  if (starts([0x2001, 0xdb8])) return 'documentation (2001:db8::/32)';
  if (starts([0x100, 0, 0, 0])) return 'discard (100::/64)';
  if ((s[0] & 0xfe00) === 0xfc00) return 'unique local (fc00::/7), where cloud metadata may listen';
  if ((s[0] & 0xffc0) === 0xfe80) return 'link-local (fe80::/10)';
  if ((s[0] & 0xffc0) === 0xfec0) return 'site-local (fec0::/10)';
  if ((s[0] & 0xff00) === 0xff00) return 'multicast';
  return null;
}

/**
 * Why a sandboxed call may not reach the address `ip` (text); null when it may. The Rust
 * host's table (host-test/src/connect.rs), held to the same cases
 * (host-test/tests/data/addresses.json). Text that is no address is refused.
 */
export function refusal(ip) {
  const four = octets(ip);
  if (four) return refusalV4(four);
  const eight = segments(ip);
  return eight ? refusalV6(eight) : 'not an IP address';
}

/** The message of the error a call gets when its org resolves where it may not go. */
export const PROHIBITED =
  "the host denied the request: the org's name resolves to an address a call may not reach " +
  '(loopback, private, link-local or metadata)';

/**
 * Why a call may not go to `org`: it resolves (by `lookup`, node's by default) to an
 * address `refusal` refuses; null when every address passes or the name does not resolve
 * (the call then reports that itself). The shim connects by name, so unlike the Rust host
 * this cannot pin the checked address: an org with any refused address is refused whole.
 */
export async function orgRefusal(org, lookup = dnsLookup) {
  let addresses;
  try {
    addresses = await lookup(org, { all: true, verbatim: true });
  } catch {
    return null;
  }
  return addresses.some(({ address }) => refusal(address) !== null) ? PROHIBITED : null;
}

const MS = 1_000_000n;

/**
 * A `wasi:http/outgoing-handler#handle` that refuses (`HTTP-request-denied`) a request to
 * anything but `org()` (the running call's org, lowercase; null between calls) or over
 * anything but HTTPS; sends an admitted one to `route` (`{protocol, host}`) when set; and
 * caps the connect, first-byte and between-bytes timeouts at `caps` (milliseconds),
 * whatever the component asks (the shim's own default is 600 s). `send` is the handler
 * an admitted request goes to (the shim's).
 */
export function guardedHandle({ route, caps, org, send = http.outgoingHandler.handle }) {
  return function handle(request, options) {
    const scheme = request.scheme();
    const authority = (request.authority() ?? '').toLowerCase();
    const allowed = org();
    if (allowed === null || authority !== allowed || scheme?.tag !== 'HTTPS') {
      return { tag: 'err', val: { tag: 'HTTP-request-denied' } };
    }
    if (route) {
      request.setScheme({ tag: route.protocol === 'https:' ? 'HTTPS' : 'HTTP' });
      request.setAuthority(route.host);
    }
    const capped = options ?? new http.types.RequestOptions();
    // preview2-shim 0.26 starts the first-byte timeout only once the headers are in: the
    // wait for them is bounded by the socket's idle timeout, which it takes from the
    // connect timeout. So the connect timeout is held to the first-byte cap as well.
    for (const [get, set, cap] of [
      ['connectTimeout', 'setConnectTimeout', Math.min(caps.connectMs, caps.firstByteMs)],
      ['firstByteTimeout', 'setFirstByteTimeout', caps.firstByteMs],
      ['betweenBytesTimeout', 'setBetweenBytesTimeout', caps.betweenBytesMs],
    ]) {
      const asked = capped[get]();
      const most = BigInt(cap) * MS;
      capped[set](asked === undefined || asked > most ? most : asked);
    }
    return send(request, capped);
  };
}
