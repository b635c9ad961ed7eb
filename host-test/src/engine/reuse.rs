//! Instances kept between `call_json` calls of one tenant, when the host is told to
//! ([`crate::HostConfig::reuse`]). An instance is kept only after a call that succeeded;
//! it serves only the connection it was made for, is dropped after `max_calls` calls or
//! `idle` without one, and gives its place up to any call that waits for an instance.

use crate::connection::Connection;
use crate::connection::connection_json;
use crate::engine::tenant::{Tenant, TenantKey};
use crate::engine::{Ctx, Reuse};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;
use wasmtime::Store;
use wasmtime::component::Instance;

/// An instance between calls.
pub(crate) struct Idle {
    pub store: Store<Ctx>,
    pub instance: Instance,
    /// The calls it has run.
    pub calls: u32,
    since: Instant,
}

impl Idle {
    /// An instance that has just run its `calls`-th call.
    pub fn new(store: Store<Ctx>, instance: Instance, calls: u32) -> Self {
        Idle {
            store,
            instance,
            calls,
            since: Instant::now(),
        }
    }
}

/// The kept instances, by tenant.
pub(crate) struct Kept {
    key: TenantKey,
    idle: Mutex<HashMap<Tenant, Vec<Idle>>>,
}

impl Kept {
    /// No instance kept yet, and a digest key of its own.
    pub fn new() -> anyhow::Result<Self> {
        Ok(Kept {
            key: TenantKey::new()?,
            idle: Mutex::default(),
        })
    }

    /// Who an instance serves: the org and the credential, never the options.
    pub fn tenant(&self, conn: &Connection) -> Tenant {
        let org = crate::egress::normalize_org(&conn.domain);
        let auth = connection_json(conn)["auth"].to_string();
        self.key.tenant([org.as_bytes(), auth.as_bytes()])
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Tenant, Vec<Idle>>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The tenant's most recently used instance that is still fresh.
    pub fn take(&self, tenant: Tenant, reuse: &Reuse) -> Option<Idle> {
        let mut stale = Vec::new();
        let found = {
            let mut idle = self.lock();
            let list = idle.get_mut(&tenant)?;
            let mut found = None;
            while let Some(kept) = list.pop() {
                if kept.since.elapsed() < reuse.idle {
                    found = Some(kept);
                    break;
                }
                stale.push(kept);
            }
            found
        };
        // Instances are dropped outside the lock.
        drop(stale);
        found
    }

    /// Keeps an instance after a successful call, within the limits.
    pub fn put(&self, tenant: Tenant, kept: Idle, reuse: &Reuse) {
        if kept.calls >= reuse.max_calls {
            return;
        }
        let mut idle = self.lock();
        let list = idle.entry(tenant).or_default();
        if list.len() < reuse.per_tenant {
            list.push(kept);
        }
    }

    /// Drops the longest idle instance of any tenant, so that its place can serve a call
    /// that waits. Returns whether there was one.
    pub fn evict_one(&self) -> bool {
        let evicted = {
            let mut idle = self.lock();
            let oldest = idle
                .iter()
                .filter_map(|(tenant, list)| list.first().map(|k| (*tenant, k.since)))
                .min_by_key(|(_, since)| *since)
                .map(|(tenant, _)| tenant);
            oldest.and_then(|tenant| {
                let list = idle.get_mut(&tenant)?;
                let kept = list.remove(0);
                if list.is_empty() {
                    idle.remove(&tenant);
                }
                Some(kept)
            })
        };
        evicted.is_some()
    }

    /// The instances kept now.
    pub fn len(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }
}
