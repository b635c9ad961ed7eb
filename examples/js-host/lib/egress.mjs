// The outgoing handler the component gets in place of the shim's: a call reaches only its
// org, over HTTPS (or the route to a mock), with every timeout capped.

import { http } from '@bytecodealliance/preview2-shim';

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
