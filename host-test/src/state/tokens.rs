//! The service-app token cache. An instance is fresh per call, so a token cannot live in
//! it: the host mints one through the component (`connection.get-access-token`), keeps it
//! per (org, client, scopes, keys), passes it to each call as an `access-token`, and mints
//! again a minute before it expires. Concurrent calls share one mint (single flight): the
//! first takes the slot's lock and mints, the others wait for its token.

use crate::egress::deadline::Deadline;
use crate::engine::tenant::{Tenant, TenantKey};
use crate::wit::types::{AccessToken, ClientCredentials, OktaError};
use anyhow::Result;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// How long before its expiry a token is replaced.
pub const REFRESH_BEFORE: u64 = 60;

/// One cached token, or none yet.
type Slot = Arc<tokio::sync::Mutex<Option<AccessToken>>>;

/// Tokens by connection.
pub(crate) struct Tokens {
    key: TenantKey,
    slots: Mutex<HashMap<Tenant, Slot>>,
}

impl Tokens {
    /// An empty cache with its own digest key.
    pub(crate) fn new() -> anyhow::Result<Self> {
        Ok(Tokens {
            key: TenantKey::new()?,
            slots: Mutex::default(),
        })
    }

    /// What a cached token is for: the org and everything the app authenticates with.
    fn tenant(&self, domain: &str, app: &ClientCredentials) -> Tenant {
        let org = crate::egress::normalize_org(domain);
        let mut scopes = app.scopes.clone();
        scopes.sort();
        let scopes = scopes.join(" ");
        let dpop = format!("{:?}", app.dpop);
        // An absent value and any given one differ in their first byte.
        let given = |value: &Option<String>| match value {
            Some(value) => format!("+{value}"),
            None => "-".to_string(),
        };
        let (key_id, dpop_key) = (given(&app.key_id), given(&app.dpop_key));
        self.key.tenant([
            org.as_bytes(),
            app.client_id.as_bytes(),
            app.private_key.as_bytes(),
            key_id.as_bytes(),
            scopes.as_bytes(),
            dpop.as_bytes(),
            dpop_key.as_bytes(),
        ])
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Tokens {
    fn slot(&self, domain: &str, app: &ClientCredentials) -> Slot {
        let tenant = self.tenant(domain, app);
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(tenant).or_default().clone()
    }

    /// The app's token: the cached one while it does not expire within
    /// [`REFRESH_BEFORE`] seconds, else the one `mint` makes, kept. One mint at a time per
    /// app: the others wait for its token, until `deadline` (a `timeout` error, typed). A
    /// refused mint is the refusal; nothing is kept.
    pub(crate) async fn token<Mint>(
        &self,
        domain: &str,
        app: &ClientCredentials,
        deadline: Deadline,
        mint: impl FnOnce() -> Mint,
    ) -> Result<Result<AccessToken, OktaError>>
    where
        Mint: Future<Output = Result<Result<AccessToken, OktaError>>>,
    {
        let slot = self.slot(domain, app);
        let Ok(mut cached) = tokio::time::timeout_at(deadline.at.into(), slot.lock()).await else {
            return Ok(Err(
                deadline.passed_while("another call was minting the app's token")
            ));
        };
        let fresh = |token: &AccessToken| {
            token
                .expires_at
                .is_none_or(|at| at > unix_now() + REFRESH_BEFORE)
        };
        if let Some(token) = cached.as_ref().filter(|t| fresh(t)) {
            return Ok(Ok(token.clone()));
        }
        let minted = mint().await?;
        if let Ok(token) = &minted {
            *cached = Some(token.clone());
        }
        Ok(minted)
    }

    /// Forgets the app's cached token if it is still `token` (Okta refused it), so the
    /// next call mints another; a token another call has already replaced stays.
    pub(crate) async fn forget(&self, domain: &str, app: &ClientCredentials, token: &str) {
        let slot = self.slot(domain, app);
        let mut cached = slot.lock().await;
        if cached.as_ref().is_some_and(|t| t.token == token) {
            *cached = None;
        }
    }
}
