//! Who a call acts for, as the key that finds its cached token and its kept instances: the
//! org and the whole credential, digested with HMAC-SHA-256 under a key the host makes at
//! random when it starts, and compared in full. Identity never rests on a short hash, and
//! no credential is kept as a key.

use ring::hmac;
use ring::rand::SystemRandom;
use std::fmt;

/// A tenant: a 256-bit keyed digest of an org and a credential.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Tenant([u8; 32]);

impl fmt::Debug for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tenant(<digest>)")
    }
}

impl Tenant {
    /// No tenant named: every call that names none shares it.
    pub(crate) const ZERO: Tenant = Tenant([0; 32]);

    /// A short label for spans and logs: which calls act for the same tenant, and nothing
    /// that would find the tenant.
    pub(crate) fn label(&self) -> String {
        crate::telemetry::tenant_label(&self.0)
    }

    /// The whole digest in hex: a tenant's name in a store the hosts of a fleet share.
    pub(crate) fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The host's digest key.
pub(crate) struct TenantKey(hmac::Key);

impl TenantKey {
    /// A key from the system's random source.
    pub(crate) fn new() -> anyhow::Result<Self> {
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &SystemRandom::new())
            .map_err(|_| anyhow::anyhow!("the system's random source failed"))?;
        Ok(TenantKey(key))
    }

    /// A key every host derives alike (from a fleet's seal key), so they name a tenant alike.
    pub(crate) fn from_bytes(key: &[u8; 32]) -> Self {
        TenantKey(hmac::Key::new(hmac::HMAC_SHA256, key))
    }

    /// The tenant that `parts` name together. Each part goes in with its length, so no two
    /// different lists of parts read the same.
    pub(crate) fn tenant<'a>(&self, parts: impl IntoIterator<Item = &'a [u8]>) -> Tenant {
        let mut context = hmac::Context::with_key(&self.0);
        for part in parts {
            context.update(&(part.len() as u64).to_be_bytes());
            context.update(part);
        }
        let mut digest = [0; 32];
        digest.copy_from_slice(context.sign().as_ref());
        Tenant(digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_framed_and_keys_differ() {
        let key = TenantKey::new().unwrap();
        let ab: [&[u8]; 2] = [b"a", b"bc"];
        let ba: [&[u8]; 2] = [b"ab", b"c"];
        assert_ne!(key.tenant(ab), key.tenant(ba));
        assert_eq!(key.tenant(ab), key.tenant(ab));
        let other = TenantKey::new().unwrap();
        assert_ne!(
            key.tenant(ab),
            other.tenant(ab),
            "each host has its own key"
        );
        assert_eq!(format!("{:?}", key.tenant(ab)), "Tenant(<digest>)");
    }
}
