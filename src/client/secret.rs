//! A secret value (a token, a client secret, a key): only the `Authorization` header and
//! the signer read it.

use std::fmt;

/// A credential. Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub(crate) fn new(value: String) -> Self {
        Secret(value)
    }

    /// The value, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}
