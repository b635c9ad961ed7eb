//! The service-app token cache. An instance is fresh per call, so a token cannot live in
//! it: the host mints one through the component (`connection.get-access-token`), keeps it
//! per (org, client, scopes, keys), passes it to each call as an `access-token`, and mints
//! again a minute before it expires. Concurrent calls share one mint (single flight): the
//! first takes the slot's lock and mints, the others wait for its token.

use crate::connection::{Connection, Credential};
use crate::egress::deadline::{Deadline, DeadlinePassed, timeout_error};
use crate::engine::tenant::{Tenant, TenantKey};
use crate::engine::{Host, NoInstanceFree};
use crate::wit::types::{AccessToken, ClientCredentials, OktaError};
use anyhow::Result;
use std::collections::HashMap;
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
}

impl Host {
    /// The connection a call is made with: a service app's gets its cached token (minted
    /// when there is none, or it expires within [`REFRESH_BEFORE`] seconds); any other is
    /// passed as it is. A mint the org refuses is the refusal, typed. The wait for another
    /// call's mint and the mint itself are held to the connection's deadline, starting now.
    pub async fn authorized(&self, conn: &Connection) -> Result<Result<Connection, OktaError>> {
        self.authorized_until(conn, self.deadline_of(conn)).await
    }

    /// [`Host::authorized`] within a call's running deadline: the wait for the token slot,
    /// for an instance to mint in, and the mint all end by it (a `timeout` error, typed).
    pub(crate) async fn authorized_until(
        &self,
        conn: &Connection,
        deadline: Deadline,
    ) -> Result<Result<Connection, OktaError>> {
        let Credential::ServiceApp(app) = &conn.credential else {
            return Ok(Ok(conn.clone()));
        };
        let passed = |while_: &str| {
            timeout_error(format!(
                "{} while {while_}",
                DeadlinePassed {
                    deadline: deadline.length
                }
            ))
        };
        let slot = self.tokens.slot(&conn.domain, app);
        let Ok(mut cached) = tokio::time::timeout_at(deadline.at.into(), slot.lock()).await else {
            return Ok(Err(passed("another call was minting the app's token")));
        };
        let fresh = |token: &AccessToken| {
            token
                .expires_at
                .is_none_or(|at| at > unix_now() + REFRESH_BEFORE)
        };
        let token = match cached.as_ref().filter(|t| fresh(t)) {
            Some(token) => token.clone(),
            None => {
                let mut node = match self.node_until(conn, deadline).await {
                    Ok(node) => node,
                    Err(err) => match err.downcast_ref::<NoInstanceFree>() {
                        Some(busy) => return Ok(Err(timeout_error(busy.to_string()))),
                        None => return Err(err),
                    },
                };
                let mint = node
                    .nodes
                    .okta_management_connection()
                    .call_get_access_token(&mut node.store, &node.conn);
                let minted = match tokio::time::timeout_at(deadline.stop_at().into(), mint).await {
                    Ok(Ok(minted)) => minted,
                    Ok(Err(err)) if err.downcast_ref::<DeadlinePassed>().is_none() => {
                        return Err(err.into());
                    }
                    Ok(Err(_)) | Err(_) => return Ok(Err(passed("minting the app's token"))),
                };
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
        let slot = self.tokens.slot(&conn.domain, app);
        let mut cached = slot.lock().await;
        if cached.as_ref().is_some_and(|t| t.token == token) {
            *cached = None;
        }
    }
}
