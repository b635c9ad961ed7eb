//! The token cache of service apps and web apps. An instance is fresh per call, so a token
//! cannot live in it: the host mints one through the component (a service app's with
//! `connection.get-access-token`; a web app's grant redeemed with
//! `connection.get-token-grant`), keeps it per (org, credential), passes it to each call as
//! an `access-token`, and mints again a minute before it expires. Concurrent calls share
//! one mint (single flight): the first takes the slot's lock and mints, the others wait for
//! its token. With a fleet ([`crate::state::shared`]) the hosts share tokens too: a host
//! takes the token another kept, and only the host holding the fleet's lock mints.
//!
//! A web app's grant is spent when redeemed (a code once; a refresh token Okta rotates):
//! the host keeps the refresh token each redemption gives — in the fleet too — and redeems
//! that one next, so no grant is ever sent twice and two hosts never spend one together.
//!
//! A service app whose token came back DPoP-bound though its connection left the mode to
//! Okta (`auto`) needs DPoP: the host remembers it (and tells the fleet), and asks for
//! DPoP at once next time instead of being refused first.

use crate::connection::Credential;
use crate::egress::deadline::Deadline;
use crate::engine::tenant::{Tenant, TenantKey};
use crate::state::shared::Fleet;
use crate::wit::types::{AccessToken, DpopMode, Grant, OktaError, TokenType};
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

/// What a mint gave: the access token, and for a web app the refresh token to redeem next.
#[derive(Clone, Debug)]
pub(crate) struct Redeemed {
    /// The access token.
    pub token: AccessToken,
    /// The refresh token that replaces the one spent, if the grant has one.
    pub refresh: Option<String>,
}

/// A mint's result: what it gave, Okta's refusal, or the host's failure.
pub(crate) type Minted = Result<Result<Redeemed, OktaError>>;

/// What a slot keeps: the token, and the refresh token a web app redeems next.
#[derive(Default)]
struct Kept {
    token: Option<AccessToken>,
    refresh: Option<String>,
}

/// One tenant's kept tokens.
type Slot = Arc<tokio::sync::Mutex<Kept>>;

/// Tokens by connection.
pub(crate) struct Tokens {
    key: TenantKey,
    slots: Mutex<HashMap<Tenant, Slot>>,
    /// Service apps found to need DPoP.
    dpop: Mutex<HashSet<Tenant>>,
    fleet: Option<Arc<Fleet>>,
}

/// Each part of a credential that names a token's tenant, framed; `None` for a credential
/// the host does not mint for.
fn parts(org: &str, credential: &Credential) -> Option<Vec<Vec<u8>>> {
    // An absent value and any given one differ in their first byte.
    let given = |value: &Option<String>| match value {
        Some(value) => format!("+{value}"),
        None => "-".to_string(),
    };
    Some(match credential {
        Credential::ServiceApp(app) => {
            let mut scopes = app.scopes.clone();
            scopes.sort();
            let dpop = format!("{:?}", app.dpop.unwrap_or(DpopMode::Auto));
            vec![
                org.as_bytes().to_vec(),
                app.client_id.as_bytes().to_vec(),
                app.private_key.as_bytes().to_vec(),
                given(&app.key_id).into_bytes(),
                scopes.join(" ").into_bytes(),
                dpop.into_bytes(),
                given(&app.dpop_key).into_bytes(),
            ]
        }
        Credential::WebApp(app) => {
            let grant = match &app.grant {
                Grant::Code(code) => vec![
                    b"code".to_vec(),
                    code.code.as_bytes().to_vec(),
                    code.redirect_uri.as_bytes().to_vec(),
                    given(&code.code_verifier).into_bytes(),
                ],
                Grant::RefreshToken(token) => vec![b"refresh".to_vec(), token.as_bytes().to_vec()],
            };
            let mut parts = vec![
                org.as_bytes().to_vec(),
                b"web".to_vec(),
                app.client_id.as_bytes().to_vec(),
                app.client_secret.as_bytes().to_vec(),
                format!("{:?}", app.client_auth).into_bytes(),
            ];
            parts.extend(grant);
            parts
        }
        Credential::ApiToken(_) | Credential::Bearer(_) | Credential::AccessToken(_) => {
            return None;
        }
    })
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
    /// An empty cache with its own digest key, sharing with `fleet` when there is one.
    pub(crate) fn new(fleet: Option<Arc<Fleet>>) -> anyhow::Result<Self> {
        Ok(Tokens {
            key: TenantKey::new()?,
            slots: Mutex::default(),
            dpop: Mutex::default(),
            fleet,
        })
    }

    /// What a kept token is for: the org and everything the credential holds.
    fn tenant(&self, domain: &str, credential: &Credential) -> Option<Tenant> {
        let org = crate::egress::normalize_org(domain);
        let parts = parts(&org, credential)?;
        Some(self.key.tenant(parts.iter().map(Vec::as_slice)))
    }

    /// The same, as every host of the fleet names it; `None` when tokens are not shared.
    fn fleet_tenant(&self, domain: &str, credential: &Credential) -> Option<(&Fleet, Tenant)> {
        let fleet = self.fleet.as_deref()?;
        let org = crate::egress::normalize_org(domain);
        let parts = parts(&org, credential)?;
        let tenant = fleet.tenant(parts.iter().map(Vec::as_slice))?;
        Some((fleet, tenant))
    }

    fn slot(&self, tenant: Tenant) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(tenant).or_default().clone()
    }

    /// The credential's token: the kept one while it does not expire within
    /// [`REFRESH_BEFORE`] seconds, else the fleet's, else the one `mint` makes (given the
    /// credential to mint with: a service app's with DPoP on when it is known to need it,
    /// a web app's with the refresh token kept from its last redemption), kept. One mint at
    /// a time per credential — per fleet when tokens are shared: the others wait for its
    /// token, until `deadline` (a `timeout` error, typed). A refused mint is the refusal;
    /// nothing is kept. `now`: mint even when a kept token is fresh (a web app's grant
    /// redeemed on request). What it gives carries the refresh token kept now. `None`: the
    /// credential is not one the host mints for.
    pub(crate) async fn token<Mint>(
        &self,
        domain: &str,
        credential: &Credential,
        deadline: Deadline,
        now: bool,
        mint: impl FnOnce(Credential) -> Mint,
    ) -> Option<Minted>
    where
        Mint: Future<Output = Minted>,
    {
        let tenant = self.tenant(domain, credential)?;
        let slot = self.slot(tenant);
        let Ok(mut kept) = tokio::time::timeout_at(deadline.at.into(), slot.lock()).await else {
            return Some(Ok(Err(
                deadline.passed_while("another call was minting the app's token")
            )));
        };
        let kept_now = |kept: &Kept, token: AccessToken| Redeemed {
            token,
            refresh: kept.refresh.clone(),
        };
        if let Some(token) = kept.token.clone().filter(|t| !now && fresh(t)) {
            return Some(Ok(Ok(kept_now(&kept, token))));
        }
        let shared = self.fleet_tenant(domain, credential);
        let mut locked = None;
        if let Some((fleet, tenant)) = &shared {
            loop {
                let left = deadline.time_left();
                if left.is_none() {
                    return Some(Ok(Err(
                        deadline.passed_while("another host was minting the app's token")
                    )));
                }
                match fleet.token(tenant, left).await {
                    Some(Some(token)) if !now && fresh(&token) => {
                        kept.token = Some(token.clone());
                        if let Some(Some(refresh)) =
                            fleet.refresh(tenant, deadline.time_left()).await
                        {
                            kept.refresh = Some(refresh);
                        }
                        return Some(Ok(Ok(kept_now(&kept, token))));
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
                            && !now
                            && fresh(&token)
                        {
                            fleet.unlock(tenant, &holder).await;
                            kept.token = Some(token.clone());
                            return Some(Ok(Ok(kept_now(&kept, token))));
                        }
                        // The fleet's refresh token is the newest: another host may have
                        // spent the one this host kept.
                        if let Some(Some(refresh)) =
                            fleet.refresh(tenant, deadline.time_left()).await
                        {
                            kept.refresh = Some(refresh);
                        }
                        locked = Some(holder);
                        break;
                    }
                    Some(false) => tokio::time::sleep(FLEET_POLL).await,
                    None => break,
                }
            }
        }
        let minted = self
            .mint(
                tenant,
                credential,
                kept.refresh.clone(),
                deadline,
                &shared,
                mint,
            )
            .await;
        if let Some((fleet, tenant)) = &shared {
            if let Ok(Ok(redeemed)) = &minted {
                let until = redeemed
                    .token
                    .expires_at
                    .map_or(unix_now() + 3600, |at| at.saturating_sub(REFRESH_BEFORE));
                if let Some(refresh) = &redeemed.refresh {
                    fleet.keep_refresh(tenant, refresh).await;
                }
                fleet.keep(tenant, &redeemed.token, until).await;
            }
            if let Some(holder) = locked {
                fleet.unlock(tenant, &holder).await;
            }
        }
        Some(minted.map(|minted| {
            minted.map(|redeemed| {
                kept.token = Some(redeemed.token.clone());
                if redeemed.refresh.is_some() {
                    kept.refresh = redeemed.refresh;
                }
                kept_now(&kept, redeemed.token)
            })
        }))
    }

    /// Mints with what the credential needs now: a service app with DPoP on when it is
    /// known to need it (learning it when the token comes back DPoP-bound though the
    /// connection left the mode to Okta); a web app with `refresh`, the refresh token kept
    /// from its last redemption, instead of the grant it was given.
    async fn mint<Mint>(
        &self,
        tenant: Tenant,
        credential: &Credential,
        refresh: Option<String>,
        deadline: Deadline,
        shared: &Option<(&Fleet, Tenant)>,
        mint: impl FnOnce(Credential) -> Mint,
    ) -> Minted
    where
        Mint: Future<Output = Minted>,
    {
        let app = match credential {
            Credential::ServiceApp(app) => app,
            Credential::WebApp(app) => {
                let mut given = app.clone();
                if let Some(refresh) = refresh {
                    given.grant = Grant::RefreshToken(refresh);
                }
                return mint(Credential::WebApp(given)).await;
            }
            other => return mint(other.clone()).await,
        };
        let auto = app.dpop.unwrap_or(DpopMode::Auto) == DpopMode::Auto;
        let mut known = self.dpops().contains(&tenant);
        if auto
            && !known
            && let Some((fleet, shared)) = shared
        {
            known = fleet.needs_dpop(shared, deadline.time_left()).await == Some(true);
        }
        let mut given = app.clone();
        if auto && known {
            given.dpop = Some(DpopMode::On);
        }
        let minted = mint(Credential::ServiceApp(given)).await?;
        if auto
            && !known
            && let Ok(redeemed) = &minted
            && redeemed.token.token_type == TokenType::Dpop
        {
            self.dpops().insert(tenant);
            if let Some((fleet, shared)) = shared {
                fleet.mark_dpop(shared).await;
            }
        }
        Ok(minted)
    }

    fn dpops(&self) -> std::sync::MutexGuard<'_, HashSet<Tenant>> {
        self.dpop.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets the credential's kept token if it is still `token` (Okta refused it), so the
    /// next call mints another; a token another call has already replaced stays. A web
    /// app's refresh token stays: it is what the next mint redeems.
    pub(crate) async fn forget(&self, domain: &str, credential: &Credential, token: &str) {
        let Some(tenant) = self.tenant(domain, credential) else {
            return;
        };
        let slot = self.slot(tenant);
        let mut kept = slot.lock().await;
        if kept.token.as_ref().is_some_and(|t| t.token == token) {
            kept.token = None;
        }
        if let Some((fleet, tenant)) = self.fleet_tenant(domain, credential) {
            fleet.forget(&tenant, token).await;
        }
    }
}
