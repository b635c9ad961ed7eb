// The outgoing handler the component gets in place of the shim's: a call reaches only its
// org, over HTTPS (or the route to a mock), with every timeout capped.

import { http } from '@bytecodealliance/preview2-shim';

const MS = 1_000_000n;

/**
 * A `wasi:http/outgoing-handler#handle` that refuses (`HTTP-request-denied`) a request to
 * anything but `org()` (the running call's org, lowercase; null between calls) or over
 * anything but HTTPS; sends an admitted one to `route` (`{protocol, host}`) when set; and
 * caps the connect, first-byte and between-bytes timeouts at `caps` (milliseconds),
 * whatever the component asks (the shim's own default is 600 s).
 */
export function guardedHandle({ route, caps, org }) {
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
    for (const [get, set, cap] of [
      ['connectTimeout', 'setConnectTimeout', caps.connectMs],
      ['firstByteTimeout', 'setFirstByteTimeout', caps.firstByteMs],
      ['betweenBytesTimeout', 'setBetweenBytesTimeout', caps.betweenBytesMs],
    ]) {
      const asked = capped[get]();
      const most = BigInt(cap) * MS;
      capped[set](asked === undefined || asked > most ? most : asked);
    }
    return http.outgoingHandler.handle(request, capped);
  };
}
