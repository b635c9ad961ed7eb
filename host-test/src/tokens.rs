//! The service-app token cache. An instance is fresh per call, so a token cannot live in
//! it: the host mints one through the component (`connection.get-access-token`), keeps it
//! per (org, client, scopes, keys), passes it to each call as an `access-token`, and mints
//! again a minute before it expires. Concurrent calls share one mint (single flight): the
//! first takes the slot's lock and mints, the others wait for its token.

use crate::host::{Connection, Credential, Host};
use crate::wit::types::{AccessToken, ClientCredentials, OktaError};
use anyhow::Result;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// How long before its expiry a token is replaced.
pub const REFRESH_BEFORE: u64 = 60;

/// One cached token, or none yet.
type Slot = Arc<tokio::sync::Mutex<Option<AccessToken>>>;

/// Tokens by connection.
#[derive(Default)]
pub(crate) struct Tokens {
    slots: Mutex<HashMap<u64, Slot>>,
}

/// What a cached token is for: the org and everything the app authenticates with. The
/// key text is hashed, never kept here.
fn slot_key(domain: &str, app: &ClientCredentials) -> u64 {
    let mut hasher = DefaultHasher::new();
    crate::hooks::normalize_org(domain).hash(&mut hasher);
    app.client_id.hash(&mut hasher);
    app.private_key.hash(&mut hasher);
    app.key_id.hash(&mut hasher);
    let mut scopes = app.scopes.clone();
    scopes.sort();
    scopes.hash(&mut hasher);
    format!("{:?}", app.dpop).hash(&mut hasher);
    app.dpop_key.hash(&mut hasher);
    hasher.finish()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Tokens {
    fn slot(&self, key: u64) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(key).or_default().clone()
    }
}

impl Host {
    /// The connection a call is made with: a service app's gets its cached token (minted
    /// when there is none, or it expires within [`REFRESH_BEFORE`] seconds); any other is
    /// passed as it is. A mint the org refuses is the refusal, typed.
    pub async fn authorized(&self, conn: &Connection) -> Result<Result<Connection, OktaError>> {
        let Credential::ServiceApp(app) = &conn.credential else {
            return Ok(Ok(conn.clone()));
        };
        let slot = self.tokens.slot(slot_key(&conn.domain, app));
        let mut cached = slot.lock().await;
        let fresh = |token: &AccessToken| {
            token
                .expires_at
                .is_none_or(|at| at > unix_now() + REFRESH_BEFORE)
        };
        let token = match cached.as_ref().filter(|t| fresh(t)) {
            Some(token) => token.clone(),
            None => {
                let mut node = self.node_uncached(conn).await?;
                let minted = node
                    .nodes
                    .okta_management_connection()
                    .call_get_access_token(&mut node.store, &node.conn)
                    .await?;
                match minted {
                    Ok(token) => {
                        *cached = Some(token.clone());
                        token
                    }
                    Err(refused) => return Ok(Err(refused)),
                }
            }
        };
        Ok(Ok(Connection {
            credential: Credential::AccessToken(token),
            ..conn.clone()
        }))
    }

    /// Forgets a service app's cached token if it is still `token` (Okta refused it), so
    /// the next call mints another; a token another call has already replaced stays.
    pub async fn forget_token(&self, conn: &Connection, token: &str) {
        let Credential::ServiceApp(app) = &conn.credential else {
            return;
        };
        let slot = self.tokens.slot(slot_key(&conn.domain, app));
        let mut cached = slot.lock().await;
        if cached.as_ref().is_some_and(|t| t.token == token) {
            *cached = None;
        }
    }
}
