// The WIT `okta-error` record as JSON, for the errors the host itself gives (nothing was
// sent, or the host stopped the call): the one place its shape is written on this side.

/** A node's error of `kind` with `message`, not to be sent again as it is. */
export function nodeError(kind, message) {
  return {
    kind,
    message,
    status: null,
    'error-code': null,
    'error-causes': [],
    'error-id': null,
    'request-id': null,
    'reset-at': null,
    retryable: false,
    attempts: 0,
  };
}
