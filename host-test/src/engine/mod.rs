//! The embedding: one engine with the pooling allocator and epoch interruption, the
//! component's code (compiled at build time for the embedded component, otherwise compiled
//! once and cached as `.cwasm`), an `InstancePre`, and a fresh `Store` per call, armed with
//! the call's deadline.

mod cache;
mod compiled;
pub(crate) mod reuse;
pub(crate) mod tenant;

use crate::bindings::exports::okta::management as exports;
use crate::bindings::{OktaNodes, OktaNodesPre};
use crate::calls::dynamic::Shapes;
use crate::catalog::describe::ComponentCatalog;
use crate::catalog::{Exports, NodeInfo, read_catalog};
use crate::connection::{Connection, Credential};
use crate::egress::connect::{Pool, PoolLimits};
use crate::egress::deadline::{Deadline, DeadlinePassed, Ticker, timeout_error};
use crate::egress::governor::{Governance, Governor};
use crate::egress::{OrgHooks, Route, TimeoutCaps};
use crate::state::shared::{Fleet, SharedState};
use crate::state::tokens::{Redeemed, Tokens};
use crate::telemetry::{self, OrgLabel};
use crate::wit;
use crate::wit::types::OktaError;
use anyhow::{Context as _, Result};
use serde_json::{Value, json};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use wasmtime::component::{Component, InstancePre, Linker, ResourceTable};
use wasmtime::{
    Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, StoreLimits,
    StoreLimitsBuilder,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// The component this crate was built with, embedded: a binary that links the crate
/// runs wherever it is copied, with no file beside it.
pub static COMPONENT: &[u8] = include_bytes!(env!("OKTA_COMPONENT_WASM"));

/// [`COMPONENT`] compiled at build time for the machine that built the crate, with the
/// host's compile settings; empty when the crate was built for another machine.
static COMPILED: &[u8] = include_bytes!(env!("OKTA_COMPONENT_CWASM"));

/// The compatibility digest ([`compiled::compatibility`]) of the engine that made
/// [`COMPILED`]: a host whose engine has another (another CPU, another configuration) does
/// not load it.
const COMPILED_FOR: &str = env!("OKTA_COMPONENT_COMPATIBILITY");

/// How the host loads and runs the component.
#[derive(Clone, Debug)]
pub struct HostConfig {
    /// A component file to load instead of the embedded [`COMPONENT`] (another build of
    /// the same package); `None`: the embedded one.
    pub component: Option<PathBuf>,
    /// Send every org's traffic to this base URL instead (a mock). Plain http is allowed.
    pub route_to: Option<String>,
    /// The host's caps on the guest's timeouts.
    pub timeouts: TimeoutCaps,
    /// The longest one call may take, every request, retry and wait included; a connection
    /// may ask for less (`deadline_ms`), never more. At most [`MAX_DEADLINE`].
    pub deadline: Duration,
    /// The most instances alive at once.
    pub max_instances: u32,
    /// The most linear memory one instance may use, in bytes.
    pub max_memory: usize,
    /// Where compiled components are cached: a component given by path, or the embedded
    /// one on a machine its build-time code does not fit (see [`Host::compiled_at_build`]);
    /// `None`: the user's cache directory
    /// (`$XDG_CACHE_HOME/okta-nodes` or `~/.cache/okta-nodes`, made private to the user).
    /// A cached file is loaded only from a directory and a file the host's user owns and no
    /// one else may write; otherwise the host compiles, and warns on stderr.
    pub cache_dir: Option<PathBuf>,
    /// The keep-alive connections every call of the host shares.
    pub pool: PoolLimits,
    /// How long a call waits for an instance when `max_instances` are alive; then it fails
    /// with [`NoInstanceFree`] (`call_json`: the node's `timeout` error, retryable).
    pub instance_wait: Duration,
    /// Reuse instances across `call_json` calls of one tenant; `None` (the default): a
    /// fresh instance for every call.
    pub reuse: Option<Reuse>,
    /// How spans and metrics name an org ([`crate::telemetry`]): hashed by default.
    pub org_label: OrgLabel,
    /// Hold each request to its org's rate-limit window as Okta reports it, leaving the
    /// headroom given ([`crate::egress::governor`]); `None` (the default): every request
    /// goes, and a 429 is met by the node.
    pub governor: Option<Governance>,
    /// Where the host keeps what the hosts of a fleet share ([`crate::state::shared`]):
    /// in the host (the default), or in Redis.
    pub shared: SharedState,
}

/// When `call_json` reuses an instance: only for the same connection (the org and the
/// credential), never after an error or a trap, for at most `max_calls` calls, and not
/// after `idle` without one. An idle instance gives its place up to a call that waits for
/// one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reuse {
    /// The most calls one instance runs.
    pub max_calls: u32,
    /// How long an instance waits for its next call.
    pub idle: Duration,
    /// The most idle instances kept for one tenant.
    pub per_tenant: usize,
}

impl Default for Reuse {
    fn default() -> Self {
        Reuse {
            max_calls: 1000,
            idle: Duration::from_secs(30),
            per_tenant: 8,
        }
    }
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            component: None,
            route_to: None,
            timeouts: TimeoutCaps::default(),
            deadline: DEFAULT_DEADLINE,
            max_instances: 1000,
            max_memory: 256 << 20,
            cache_dir: None,
            pool: PoolLimits::default(),
            instance_wait: Duration::from_secs(30),
            reuse: None,
            org_label: OrgLabel::default(),
            governor: None,
            shared: SharedState::InProcess,
        }
    }
}

/// The default deadline of a call.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

/// The longest deadline the component takes (`options.deadline-ms`).
pub const MAX_DEADLINE: Duration = Duration::from_secs(3600);

/// What each store holds: WASI, wasi-http, the hook, the limits and the call's deadline.
pub struct Ctx {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: OrgHooks,
    limits: StoreLimits,
    deadline: Deadline,
    /// One of the host's `max_instances` places, given back when the store is dropped.
    _slot: OwnedSemaphorePermit,
}

impl Drop for Ctx {
    fn drop(&mut self) {
        telemetry::instance_held(-1.0);
    }
}

/// No instance became free within [`HostConfig::instance_wait`]: `max_instances` calls were
/// running the whole time. Try again later; nothing was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoInstanceFree {
    /// How long the call waited.
    pub waited: Duration,
    /// The host's instance limit.
    pub max_instances: u32,
}

impl fmt::Display for NoInstanceFree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no instance became free within {} ms: {} calls are running",
            self.waited.as_millis(),
            self.max_instances
        )
    }
}

impl std::error::Error for NoInstanceFree {}

impl Ctx {
    /// Arms a reused instance for its next call, with that call's deadline.
    pub(crate) fn next_call(&mut self, deadline: Deadline) {
        self.deadline = deadline;
        self.hooks.next_call(deadline);
    }

    /// The outbound hook's state: what the call has sent.
    pub fn hooks(&self) -> &OrgHooks {
        &self.hooks
    }

    /// The call's deadline.
    pub fn deadline(&self) -> Deadline {
        self.deadline
    }
}

impl WasiView for Ctx {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for Ctx {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

/// The loaded component, ready to instantiate.
pub struct Host {
    engine: Engine,
    pre: OktaNodesPre<Ctx>,
    exports: Exports,
    described: tokio::sync::OnceCell<ComponentCatalog>,
    pool: Arc<Pool>,
    slots: Arc<Semaphore>,
    pub(crate) kept: crate::engine::reuse::Kept,
    interfaces: Interfaces,
    route: Option<Route>,
    config: HostConfig,
    pub(crate) tokens: Tokens,
    governor: Option<Arc<Governor>>,
    from_build: bool,
    _ticker: Ticker,
}

/// The typed interfaces' export indices, resolved once per host: `load` one on an instance
/// (a [`RawNode`]) to call it, and only that interface's functions are type-checked.
#[allow(missing_docs)]
pub struct Interfaces {
    pub connection: exports::connection::GuestIndices,
    pub users: exports::users::GuestIndices,
    pub groups: exports::groups::GuestIndices,
    pub apps: exports::apps::GuestIndices,
    pub factors: exports::factors::GuestIndices,
    pub system_log: exports::system_log::GuestIndices,
    pub event_hooks: exports::event_hooks::GuestIndices,
    pub policies: exports::policies::GuestIndices,
    pub realms: exports::realms::GuestIndices,
    pub raw: exports::raw::GuestIndices,
    pub triggers: exports::triggers::GuestIndices,
    pub picklists: exports::picklists::GuestIndices,
    pub catalog: exports::catalog::GuestIndices,
}

impl Interfaces {
    fn new(pre: &InstancePre<Ctx>) -> Result<Self> {
        Ok(Interfaces {
            connection: exports::connection::GuestIndices::new(pre)?,
            users: exports::users::GuestIndices::new(pre)?,
            groups: exports::groups::GuestIndices::new(pre)?,
            apps: exports::apps::GuestIndices::new(pre)?,
            factors: exports::factors::GuestIndices::new(pre)?,
            system_log: exports::system_log::GuestIndices::new(pre)?,
            event_hooks: exports::event_hooks::GuestIndices::new(pre)?,
            policies: exports::policies::GuestIndices::new(pre)?,
            realms: exports::realms::GuestIndices::new(pre)?,
            raw: exports::raw::GuestIndices::new(pre)?,
            triggers: exports::triggers::GuestIndices::new(pre)?,
            picklists: exports::picklists::GuestIndices::new(pre)?,
            catalog: exports::catalog::GuestIndices::new(pre)?,
        })
    }
}

/// One instance with its store, its typed interfaces not yet loaded: cheaper than a
/// [`Node`] when a call uses one interface.
///
/// ```ignore
/// let mut node = host.raw_node(&conn).await?;
/// let users = host.interfaces().users.load(&mut node.store, &node.instance)?;
/// let user = users.call_get_user(&mut node.store, &node.conn, &request).await?;
/// ```
pub struct RawNode {
    /// The store; pass `&mut node.store` to each call.
    pub store: Store<Ctx>,
    /// The instance.
    pub instance: wasmtime::component::Instance,
    /// The WIT connection to pass to each call; it carries the call's deadline.
    pub conn: wit::types::Connection,
}

/// One instance with its store, for typed calls.
pub struct Node {
    /// The store; pass `&mut node.store` to each call.
    pub store: Store<Ctx>,
    /// The typed exports.
    pub nodes: OktaNodes,
    /// The WIT connection to pass to each call; it carries the call's deadline.
    pub conn: wit::types::Connection,
}

impl Node {
    /// The call's deadline. The store stops a guest that runs past it (and the grace) with
    /// [`crate::DeadlinePassed`]; a call may also be dropped at `deadline().stop_at()`.
    pub fn deadline(&self) -> Deadline {
        self.store.data().deadline
    }
}

impl Host {
    /// Loads the component (the embedded one's build-time code when it fits this engine,
    /// else from the `.cwasm` cache when it is current, else compiled) and links WASI and
    /// wasi-http.
    pub fn new(config: HostConfig) -> Result<Self> {
        let engine = engine(&config)?;
        let (component, from_build) = match &config.component {
            None => match embedded(&engine) {
                Some(component) => (component, true),
                None => {
                    let cache_dir = config.cache_dir.as_deref();
                    (cache::load_component(&engine, COMPONENT, cache_dir)?, false)
                }
            },
            Some(path) => {
                let wasm = std::fs::read(path)
                    .with_context(|| format!("reading the component at {}", path.display()))?;
                let cache_dir = config.cache_dir.as_deref();
                (cache::load_component(&engine, &wasm, cache_dir)?, false)
            }
        };
        check_imports(&engine, &component)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        let instance_pre = linker.instantiate_pre(&component)?;
        let interfaces = Interfaces::new(&instance_pre)?;
        let pre = OktaNodesPre::new(instance_pre)?;
        let route = config.route_to.as_deref().map(Route::parse).transpose()?;
        let exports = read_catalog(&engine, &component)?;
        let ticker = Ticker::start(&engine)?;
        let fleet = match &config.shared {
            SharedState::InProcess => None,
            SharedState::Redis(redis) => Some(Arc::new(Fleet::connect(redis)?)),
        };
        let governor = config
            .governor
            .map(|g| Arc::new(Governor::new(g, fleet.clone())));
        Ok(Host {
            engine,
            pre,
            exports,
            described: tokio::sync::OnceCell::new(),
            pool: Arc::new(Pool::new(config.pool)),
            slots: Arc::new(Semaphore::new(config.max_instances as usize)),
            kept: crate::engine::reuse::Kept::new()?,
            interfaces,
            route,
            config,
            tokens: Tokens::new(fleet)?,
            governor,
            from_build,
            _ticker: ticker,
        })
    }

    /// Whether the host runs the code compiled for the embedded component when the crate
    /// was built (no compile, no cache read); `false` for a component file, on a machine
    /// whose engine differs from the builder's (another CPU), or for a cross-compiled
    /// build.
    pub fn compiled_at_build(&self) -> bool {
        self.from_build
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The WIT package the component's nodes belong to, such as `okta:management@0.6.0`.
    pub fn package(&self) -> &str {
        &self.exports.package
    }

    /// Whether `call_json` reuses instances, and how.
    pub(crate) fn reuse(&self) -> Option<Reuse> {
        self.config.reuse
    }

    /// The instances alive now: running a call, waiting on the network, or kept for reuse.
    pub fn instances_in_use(&self) -> usize {
        (self.config.max_instances as usize).saturating_sub(self.slots.available_permits())
    }

    /// The instances kept for reuse now.
    pub fn kept_instances(&self) -> usize {
        self.kept.len()
    }

    /// The nodes the component exports.
    pub(crate) fn nodes(&self) -> &[NodeInfo] {
        &self.exports.nodes
    }

    /// The component's own catalog (`catalog.nodes()` and `catalog.schema()`), read once
    /// from an instance that reaches no org, then kept.
    pub async fn describe(&self) -> Result<&ComponentCatalog> {
        self.described
            .get_or_try_init(|| async {
                let unused = Connection::unused();
                let mut store = self.store(&unused, self.deadline_of(&unused)).await?;
                let nodes = self.pre.instantiate_async(&mut store).await?;
                let catalog = nodes.okta_management_catalog();
                let list = catalog.call_nodes(&mut store).await?;
                let schema = catalog.call_schema(&mut store).await?;
                let schema =
                    serde_json::from_str(&schema).context("the component's schema is not JSON")?;
                Ok(ComponentCatalog::new(list, schema))
            })
            .await
    }

    /// The compiled component.
    pub fn component(&self) -> &Component {
        self.pre.instance_pre().component()
    }

    /// A call's deadline, starting now: the host's, or the connection's when shorter. Made
    /// once when a call begins, it covers everything the call waits for (a free instance,
    /// the token slot, the mint, every exchange).
    pub fn deadline_of(&self, conn: &Connection) -> Deadline {
        let length = conn
            .deadline_ms
            .map(|ms| Duration::from_millis(ms.into()))
            .map_or(self.config.deadline, |asked| {
                asked.min(self.config.deadline)
            })
            .min(MAX_DEADLINE);
        Deadline::after(length)
    }

    /// The connection as the guest gets it: with the time left of the call's deadline (at
    /// least a millisecond, so a call whose time has run out ends as a typed `timeout`).
    /// A deadline the component refuses (0, or past [`MAX_DEADLINE`]) is passed as given:
    /// the node says why, as the schema does.
    pub(crate) fn bounded(&self, conn: &Connection, deadline: Deadline) -> Connection {
        let left = deadline.time_left().unwrap_or_default().as_millis().max(1);
        let left = u32::try_from(left).unwrap_or(u32::MAX);
        let refused = |&ms: &u32| ms == 0 || u128::from(ms) > MAX_DEADLINE.as_millis();
        Connection {
            deadline_ms: Some(conn.deadline_ms.filter(refused).unwrap_or(left)),
            ..conn.clone()
        }
    }

    /// A fresh store whose calls may reach only `conn`'s org, armed with the call's
    /// deadline. At `max_instances` live stores it waits for one to end, for at most
    /// `instance_wait` and never past the deadline.
    pub(crate) async fn store(
        &self,
        conn: &Connection,
        deadline: Deadline,
    ) -> Result<Store<Ctx>, NoInstanceFree> {
        let wait = self
            .config
            .instance_wait
            .min(deadline.time_left().unwrap_or_default());
        let busy = NoInstanceFree {
            waited: wait,
            max_instances: self.config.max_instances,
        };
        // An idle kept instance gives its place up before a call waits.
        let free = self.slots.clone().try_acquire_owned().or_else(|_| {
            self.kept.evict_one();
            self.slots.clone().try_acquire_owned()
        });
        let slot = match free {
            Ok(slot) => slot,
            Err(_) => {
                telemetry::instance_awaited(1.0);
                let waited = tokio::time::timeout(wait, self.slots.clone().acquire_owned()).await;
                telemetry::instance_awaited(-1.0);
                waited.map_err(|_| busy)?.map_err(|_| busy)?
            }
        };
        telemetry::instance_held(1.0);
        let ctx = Ctx {
            table: ResourceTable::new(),
            wasi: WasiCtx::builder().inherit_stderr().build(),
            http: WasiHttpCtx::new(),
            hooks: OrgHooks::new(
                Some(conn.domain.clone()),
                self.route.clone(),
                self.config.timeouts,
            )
            .until(deadline)
            .pooled(self.pool.clone())
            .labelled(self.org_label(&conn.domain))
            .governed(
                self.governor.clone(),
                match self.governor {
                    Some(_) => self.kept.tenant(conn),
                    None => crate::engine::tenant::Tenant::ZERO,
                },
            ),
            limits: StoreLimitsBuilder::new()
                .memory_size(self.config.max_memory)
                .instances(16)
                .build(),
            deadline,
            _slot: slot,
        };
        let mut store = Store::new(&self.engine, ctx);
        store.limiter(|ctx| &mut ctx.limits);
        deadline.arm(&mut store);
        Ok(store)
    }

    /// Instantiates the component for one call against `conn`'s org; the call's deadline
    /// starts now and covers the wait for an instance and a service app's mint too. A
    /// service app's connection carries the host's cached token (see [`Host::authorized`]);
    /// when the org refuses to mint one, the node gets the connection as given and reports
    /// the refusal as its typed error.
    pub async fn node(&self, conn: &Connection) -> Result<Node> {
        let deadline = self.deadline_of(conn);
        let conn = self.authorized_or_given(conn, deadline).await?;
        self.node_until(&conn, deadline).await
    }

    /// Instantiates the component with the connection as it is: a service app's call then
    /// mints its own token (for an engine that keeps tokens itself).
    pub async fn node_uncached(&self, conn: &Connection) -> Result<Node> {
        self.node_until(conn, self.deadline_of(conn)).await
    }

    /// Instantiates the component for a call whose deadline is already running.
    pub(crate) async fn node_until(&self, conn: &Connection, deadline: Deadline) -> Result<Node> {
        let conn = self.bounded(conn, deadline);
        let mut store = self.store(&conn, deadline).await?;
        let nodes = self.pre.instantiate_async(&mut store).await?;
        Ok(Node {
            store,
            nodes,
            conn: conn.to_wit(),
        })
    }

    /// The connection a typed call is made with: a service app's with the cached token, or
    /// as given when no token could be had (the node then reports why, typed).
    async fn authorized_or_given(
        &self,
        conn: &Connection,
        deadline: Deadline,
    ) -> Result<Connection> {
        Ok(match self.authorized_until(conn, deadline).await? {
            Ok(authorized) => authorized,
            Err(_) => conn.clone(),
        })
    }

    /// Instantiates the component for one call against `conn`'s org, like [`Host::node`],
    /// without loading any typed interface: load the one the call uses from
    /// [`Host::interfaces`].
    pub async fn raw_node(&self, conn: &Connection) -> Result<RawNode> {
        let deadline = self.deadline_of(conn);
        let conn = self.authorized_or_given(conn, deadline).await?;
        let conn = self.bounded(&conn, deadline);
        let mut store = self.store(&conn, deadline).await?;
        let instance = self.instance(&mut store).await?;
        Ok(RawNode {
            store,
            instance,
            conn: conn.to_wit(),
        })
    }

    /// The typed interfaces' export indices, for a [`RawNode`].
    pub fn interfaces(&self) -> &Interfaces {
        &self.interfaces
    }

    /// Instantiates the component for a dynamic call.
    pub(crate) async fn instance(
        &self,
        store: &mut Store<Ctx>,
    ) -> Result<wasmtime::component::Instance> {
        Ok(self.pre.instance_pre().instantiate_async(store).await?)
    }

    /// The connection a call is made with: a service app's gets its cached token (minted
    /// when there is none, or it expires within
    /// [`REFRESH_BEFORE`](crate::state::tokens::REFRESH_BEFORE) seconds); any other is
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
        let mint = |credential| {
            let conn = Connection {
                credential,
                ..conn.clone()
            };
            async move { self.mint(&conn, deadline).await }
        };
        let Some(token) = self
            .tokens
            .token(&conn.domain, &conn.credential, deadline, false, mint)
            .await
        else {
            return Ok(Ok(conn.clone()));
        };
        Ok(token?.map(|redeemed| Connection {
            credential: Credential::AccessToken(redeemed.token),
            ..conn.clone()
        }))
    }

    /// A web app's grant redeemed now through the host's store (`connection.get-token-grant`
    /// by `call_json`): the access token and the refresh token the host keeps from now on,
    /// which the host redeems next (an engine without a fleet store keeps it to reconnect
    /// after a restart). `None` for any other credential.
    pub(crate) async fn redeem_now(
        &self,
        conn: &Connection,
        deadline: Deadline,
    ) -> Option<Result<Result<Redeemed, OktaError>>> {
        let Credential::WebApp(_) = &conn.credential else {
            return None;
        };
        let mint = |credential| {
            let conn = Connection {
                credential,
                ..conn.clone()
            };
            async move { self.mint(&conn, deadline).await }
        };
        self.tokens
            .token(&conn.domain, &conn.credential, deadline, true, mint)
            .await
    }

    /// Mints through the component, by the call's deadline: a service app's token, or a
    /// web app's grant redeemed (with the refresh token that replaces it).
    async fn mint(&self, conn: &Connection, deadline: Deadline) -> crate::state::tokens::Minted {
        let mut node = match self.node_until(conn, deadline).await {
            Ok(node) => node,
            Err(err) => match err.downcast_ref::<NoInstanceFree>() {
                Some(busy) => return Ok(Err(timeout_error(busy.to_string()))),
                None => return Err(err),
            },
        };
        let connection = node.nodes.okta_management_connection();
        let mint = async {
            match &conn.credential {
                Credential::WebApp(_) => connection
                    .call_get_token_grant(&mut node.store, &node.conn)
                    .await
                    .map(|granted| {
                        granted.map(|grant| Redeemed {
                            token: grant.access_token,
                            refresh: grant.refresh_token,
                        })
                    }),
                _ => connection
                    .call_get_access_token(&mut node.store, &node.conn)
                    .await
                    .map(|minted| {
                        minted.map(|token| Redeemed {
                            token,
                            refresh: None,
                        })
                    }),
            }
        };
        match tokio::time::timeout_at(deadline.stop_at().into(), mint).await {
            Ok(Ok(minted)) => {
                if minted.is_ok() {
                    telemetry::token_minted(&self.org_label(&conn.domain));
                }
                Ok(minted)
            }
            Ok(Err(err)) if err.downcast_ref::<DeadlinePassed>().is_none() => Err(err.into()),
            Ok(Err(_)) | Err(_) => Ok(Err(deadline.passed_while("minting the app's token"))),
        }
    }

    /// Forgets a service app's or web app's kept token if it is still `token` (Okta
    /// refused it), so the next call mints another; a token another call has already
    /// replaced stays.
    pub async fn forget_token(&self, conn: &Connection, token: &str) {
        self.tokens
            .forget(&conn.domain, &conn.credential, token)
            .await;
    }

    /// How spans and metrics name `domain`'s org.
    pub fn org_label(&self, domain: &str) -> String {
        self.config
            .org_label
            .of(&crate::egress::normalize_org(domain))
    }

    /// Every node, in WIT order.
    pub fn catalog(&self) -> &[NodeInfo] {
        self.nodes()
    }

    /// Every node's parameters and result as JSON shapes, for hosts in other languages
    /// (`examples/js-host`) that turn the JSON of [`Host::call_json`] into their own
    /// bindings' values: `{"package", "types": [...], "nodes": {"users.get-user":
    /// {"params": [["conn", 4], ["request", 9]], "result": 12, "json": []}}}`; the numbers
    /// index `types` ([`Shapes`]), and `json` lists the request's places whose string holds
    /// JSON ([`ComponentCatalog::json_places`](crate::ComponentCatalog::json_places)).
    /// `nodes` has `operations.call` too, and `operations` lists every
    /// `operations.<operationId>` node it runs: the node's input, as JSON text, is the
    /// `input` of its `operation-request`, and its output the JSON text it returns.
    pub async fn shapes(&self) -> Result<Value> {
        let described = self.describe().await?;
        let mut shapes = Shapes::default();
        let nodes: serde_json::Map<String, Value> = self
            .nodes()
            .iter()
            .chain(&self.exports.operations)
            .map(|node| {
                let params: Vec<Value> = node
                    .func
                    .params()
                    .map(|(name, ty)| json!([name, shapes.add(&ty)]))
                    .collect();
                let result = node.func.results().next().map(|ty| shapes.add(&ty));
                let places = described.json_places(&node.id);
                (
                    node.id.clone(),
                    json!({ "params": params, "result": result, "json": places }),
                )
            })
            .collect();
        let operations: Vec<&str> = described
            .nodes
            .iter()
            .map(|n| n.id.as_str())
            .filter(|id| crate::catalog::operation_of(id).is_some())
            .collect();
        Ok(json!({
            "package": self.package(),
            "types": shapes.into_types(),
            "nodes": nodes,
            "operations": operations,
        }))
    }

    /// Whether the component has a node of this id: a typed node, or an operation its own
    /// catalog lists (read once, at the first operation asked for).
    pub async fn knows(&self, id: &str) -> bool {
        self.listed(id).await.is_some()
    }

    /// The node of this id, if the component has it: [`Host::find_node`], and for an
    /// operation also in the component's own catalog.
    pub(crate) async fn listed(&self, id: &str) -> Option<&NodeInfo> {
        let node = self.find_node(id)?;
        match crate::catalog::operation_of(id) {
            None => Some(node),
            Some(_) => self
                .describe()
                .await
                .is_ok_and(|c| c.node(id).is_some())
                .then_some(node),
        }
    }

    /// Looks a node up by id: a typed node, or an operation's (`operations.<operationId>`),
    /// which `operations.call` runs.
    pub fn find_node(&self, id: &str) -> Option<&NodeInfo> {
        self.exports.find(id)
    }
}

/// What a freed instance's linear memory keeps resident: its slot is reset by writing back
/// only the pages the call dirtied (found with Linux's `PAGEMAP_SCAN` where the kernel has
/// it, 6.7 and later), not by `madvise`, so the next instance in the slot takes no page
/// faults for them. A call dirties about 60 KiB; an idle warm slot keeps at most this much.
const MEMORY_KEEP_RESIDENT: usize = 1 << 20;

/// The same for a freed instance's tables.
const TABLE_KEEP_RESIDENT: usize = 64 << 10;

/// The engine: the compile settings the embedded code was made with ([`compiled::config`])
/// and the pooling allocator (slots reset in place, see [`MEMORY_KEEP_RESIDENT`]).
fn engine(config: &HostConfig) -> Result<Engine> {
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(config.max_instances)
        .total_core_instances(config.max_instances.saturating_mul(4))
        .total_memories(config.max_instances.saturating_mul(2))
        .total_tables(config.max_instances.saturating_mul(4))
        .total_stacks(config.max_instances)
        .max_memory_size(config.max_memory)
        .linear_memory_keep_resident(MEMORY_KEEP_RESIDENT)
        .table_keep_resident(TABLE_KEEP_RESIDENT)
        .pagemap_scan(wasmtime::Enabled::Auto);
    let mut wasm = compiled::config();
    wasm.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Ok(Engine::new(&wasm)?)
}

/// The embedded component's code, when it was compiled for an engine like `engine`.
fn embedded(engine: &Engine) -> Option<Component> {
    let made_for: u64 = COMPILED_FOR.parse().ok()?;
    if COMPILED.is_empty() || made_for != compiled::compatibility(engine) {
        return None;
    }
    // SAFETY: the code was made by this crate's build script with `precompile_component`
    // for an engine whose compatibility digest is this one's, and is part of the binary
    // itself; wasmtime checks its header and settings again before loading it.
    unsafe { Component::deserialize(engine, COMPILED) }.ok()
}

/// Refuses a component that imports more than an HTTP client needs.
fn check_imports(engine: &Engine, component: &Component) -> Result<()> {
    const ALLOWED: &[&str] = &[
        "wasi:http/",
        "wasi:io/",
        "wasi:clocks/",
        "wasi:random/",
        "wasi:cli/",
    ];
    for (name, _) in component.component_type().imports(engine) {
        anyhow::ensure!(
            ALLOWED.iter().any(|prefix| name.starts_with(prefix)),
            "the component imports {name}, which this host does not provide"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_time_code_is_loaded_only_by_an_engine_like_the_builders() {
        let same = Engine::new(&compiled::config()).unwrap();
        assert!(embedded(&same).is_some());
        let mut other = compiled::config();
        other.epoch_interruption(false);
        assert!(embedded(&Engine::new(&other).unwrap()).is_none());
    }

    #[test]
    fn connection_debug_hides_the_token() {
        let conn = Connection::api_token("dev-1.okta.com", "00SENTINEL");
        let debug = format!("{conn:?} {:?}", Connection::bearer("x", "eyJSENTINEL"));
        assert!(!debug.contains("SENTINEL"), "{debug}");
        assert!(debug.contains("dev-1.okta.com"));
    }
}
