//! The service-app token cache. An instance is fresh per call, so a token cannot live in
//! it: the host mints one through the component (`connection.get-access-token`), keeps it
//! per (org, client, scopes, keys), passes it to each call as an `access-token`, and mints
//! again a minute before it expires. Concurrent calls share one mint (single flight): the
//! first takes the slot's lock and mints, the others wait for its token. With a fleet
//! ([`crate::state::shared`]) the hosts share tokens too: a host takes the token another
//! kept, and only the host holding the fleet's lock mints.
//!
//! An app whose token came back DPoP-bound though its connection left the mode to Okta
//! (`auto`) needs DPoP: the host remembers it (and tells the fleet), and asks for DPoP at
//! once next time instead of being refused first.

use crate::egress::deadline::Deadline;
use crate::engine::tenant::{Tenant, TenantKey};
use crate::state::shared::Fleet;
use crate::wit::types::{AccessToken, ClientCredentials, DpopMode, OktaError, TokenType};
use anyhow::Result;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long before its expiry a token is replaced.
pub const REFRESH_BEFORE: u64 = 60;

/// How often a host waiting for another host's mint looks for its token.
const FLEET_POLL: Duration = Duration::from_millis(20);

/// The longest a host holds the fleet's lock to mint an app's token.
const MAX_MINT_LOCK: Duration = Duration::from_secs(15);

/// A mint's result: a token, Okta's refusal, or the host's failure.
type Minted = Result<Result<AccessToken, OktaError>>;

/// One cached token, or none yet.
type Slot = Arc<tokio::sync::Mutex<Option<AccessToken>>>;

/// Tokens by connection.
pub(crate) struct Tokens {
    key: TenantKey,
    slots: Mutex<HashMap<Tenant, Slot>>,
    /// Apps found to need DPoP.
    dpop: Mutex<HashSet<Tenant>>,
    fleet: Option<Arc<Fleet>>,
}

/// Each part of a connection that names a token's tenant, framed.
fn parts(org: &str, app: &ClientCredentials) -> [Vec<u8>; 7] {
    let mut scopes = app.scopes.clone();
    scopes.sort();
    let dpop = format!("{:?}", app.dpop.unwrap_or(DpopMode::Auto));
    // An absent value and any given one differ in their first byte.
    let given = |value: &Option<String>| match value {
        Some(value) => format!("+{value}"),
        None => "-".to_string(),
    };
    [
        org.as_bytes().to_vec(),
        app.client_id.as_bytes().to_vec(),
        app.private_key.as_bytes().to_vec(),
        given(&app.key_id).into_bytes(),
        scopes.join(" ").into_bytes(),
        dpop.into_bytes(),
        given(&app.dpop_key).into_bytes(),
    ]
}

impl Tokens {
    /// An empty cache with its own digest key, sharing with `fleet` when there is one.
    pub(crate) fn new(fleet: Option<Arc<Fleet>>) -> anyhow::Result<Self> {
        Ok(Tokens {
            key: TenantKey::new()?,
            slots: Mutex::default(),
            dpop: Mutex::default(),
            fleet,
        })
    }

    /// What a cached token is for: the org and everything the app authenticates with.
    fn tenant(&self, domain: &str, app: &ClientCredentials) -> Tenant {
        let org = crate::egress::normalize_org(domain);
        self.key.tenant(parts(&org, app).iter().map(Vec::as_slice))
    }

    /// The same, as every host of the fleet names it; `None` when tokens are not shared.
    fn fleet_tenant(&self, domain: &str, app: &ClientCredentials) -> Option<(&Fleet, Tenant)> {
        let fleet = self.fleet.as_deref()?;
        let org = crate::egress::normalize_org(domain);
        let tenant = fleet.tenant(parts(&org, app).iter().map(Vec::as_slice))?;
        Some((fleet, tenant))
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A token that does not expire within [`REFRESH_BEFORE`] seconds.
fn fresh(token: &AccessToken) -> bool {
    token
        .expires_at
        .is_none_or(|at| at > unix_now() + REFRESH_BEFORE)
}

impl Tokens {
    fn slot(&self, domain: &str, app: &ClientCredentials) -> Slot {
        let tenant = self.tenant(domain, app);
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(tenant).or_default().clone()
    }

    /// The app's token: the cached one while it does not expire within
    /// [`REFRESH_BEFORE`] seconds, else the fleet's, else the one `mint` makes (given the
    /// app's credentials, DPoP on when the app is known to need it), kept. One mint at a
    /// time per app — per fleet when tokens are shared: the others wait for its token,
    /// until `deadline` (a `timeout` error, typed). A refused mint is the refusal; nothing
    /// is kept.
    pub(crate) async fn token<Mint>(
        &self,
        domain: &str,
        app: &ClientCredentials,
        deadline: Deadline,
        mint: impl FnOnce(ClientCredentials) -> Mint,
    ) -> Minted
    where
        Mint: Future<Output = Minted>,
    {
        let slot = self.slot(domain, app);
        let Ok(mut cached) = tokio::time::timeout_at(deadline.at.into(), slot.lock()).await else {
            return Ok(Err(
                deadline.passed_while("another call was minting the app's token")
            ));
        };
        if let Some(token) = cached.as_ref().filter(|t| fresh(t)) {
            return Ok(Ok(token.clone()));
        }
        let shared = self.fleet_tenant(domain, app);
        let mut locked = None;
        if let Some((fleet, tenant)) = &shared {
            loop {
                let left = deadline.time_left();
                if left.is_none() {
                    return Ok(Err(
                        deadline.passed_while("another host was minting the app's token")
                    ));
                }
                match fleet.token(tenant, left).await {
                    Some(Some(token)) if fresh(&token) => {
                        *cached = Some(token.clone());
                        return Ok(Ok(token));
                    }
                    Some(_) => {}
                    None => break,
                }
                let holder = fleet.holder();
                // A host that dies holding the lock holds it no longer than this.
                let ttl = left.unwrap_or_default().min(MAX_MINT_LOCK);
                match fleet.lock(tenant, &holder, ttl, left).await {
                    Some(true) => {
                        // Another host may have kept its token just before it let go.
                        if let Some(Some(token)) = fleet.token(tenant, deadline.time_left()).await
                            && fresh(&token)
                        {
                            fleet.unlock(tenant, &holder).await;
                            *cached = Some(token.clone());
                            return Ok(Ok(token));
                        }
                        locked = Some(holder);
                        break;
                    }
                    Some(false) => tokio::time::sleep(FLEET_POLL).await,
                    None => break,
                }
            }
        }
        let minted = self.mint(domain, app, deadline, mint).await;
        if let Some((fleet, tenant)) = &shared {
            if let Ok(Ok(token)) = &minted {
                let until = token
                    .expires_at
                    .map_or(unix_now() + 3600, |at| at.saturating_sub(REFRESH_BEFORE));
                fleet.keep(tenant, token, until).await;
            }
            if let Some(holder) = locked {
                fleet.unlock(tenant, &holder).await;
            }
        }
        let minted = minted?;
        if let Ok(token) = &minted {
            *cached = Some(token.clone());
        }
        Ok(minted)
    }

    /// Mints with DPoP on when the app is known to need it, and learns it when the token
    /// comes back DPoP-bound though the connection left the mode to Okta.
    async fn mint<Mint>(
        &self,
        domain: &str,
        app: &ClientCredentials,
        deadline: Deadline,
        mint: impl FnOnce(ClientCredentials) -> Mint,
    ) -> Minted
    where
        Mint: Future<Output = Minted>,
    {
        let auto = app.dpop.unwrap_or(DpopMode::Auto) == DpopMode::Auto;
        let tenant = self.tenant(domain, app);
        let mut known = self.dpops().contains(&tenant);
        let shared = self.fleet_tenant(domain, app);
        if auto
            && !known
            && let Some((fleet, shared)) = &shared
        {
            known = fleet.needs_dpop(shared, deadline.time_left()).await == Some(true);
        }
        let mut given = app.clone();
        if auto && known {
            given.dpop = Some(DpopMode::On);
        }
        let minted = mint(given).await?;
        if auto
            && !known
            && let Ok(token) = &minted
            && token.token_type == TokenType::Dpop
        {
            self.dpops().insert(tenant);
            if let Some((fleet, shared)) = &shared {
                fleet.mark_dpop(shared).await;
            }
        }
        Ok(minted)
    }

    fn dpops(&self) -> std::sync::MutexGuard<'_, HashSet<Tenant>> {
        self.dpop.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets the app's cached token if it is still `token` (Okta refused it), so the
    /// next call mints another; a token another call has already replaced stays.
    pub(crate) async fn forget(&self, domain: &str, app: &ClientCredentials, token: &str) {
        let slot = self.slot(domain, app);
        let mut cached = slot.lock().await;
        if cached.as_ref().is_some_and(|t| t.token == token) {
            *cached = None;
        }
        if let Some((fleet, tenant)) = self.fleet_tenant(domain, app) {
            fleet.forget(&tenant, token).await;
        }
    }
}
