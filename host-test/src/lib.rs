//! The reference embedding of the `okta-management` component: the wasmtime host library
//! an engine embeds. The `okta-nodes` CLI (`host-test/cli`) and the mock Okta
//! (`host-test/mock`, crate `okta-mock`) are crates of their own, so an engine that embeds
//! this library compiles no web server.
//!
//! ```no_run
//! use okta_host::{Connection, Host, HostConfig};
//! use okta_host::wit::users::GetUserRequest;
//!
//! # async fn run() -> anyhow::Result<()> {
//! let host = Host::new(HostConfig::default())?;
//! let conn = Connection::api_token("dev-123456.okta.com", std::env::var("OKTA_API_TOKEN")?);
//! let mut node = host.node(&conn).await?;
//! let request = GetUserRequest { user_id: "ada@example.com".into(), expand: None };
//! match node.nodes.okta_management_users().call_get_user(&mut node.store, &node.conn, &request).await? {
//!     Ok(user) => println!("{} is {:?}", user.id, user.status),
//!     Err(error) => eprintln!("{error:?}"),
//! }
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod cache;
pub mod catalog;
pub mod connect;
pub mod deadline;
pub mod describe;
pub mod dynamic;
pub mod flow;
pub mod hooks;
pub mod host;
mod reuse;
mod tenant;
pub mod tokens;

pub use catalog::{MAX_INPUT_BYTES, NodeInfo, Outcome};
pub use connect::{Pool, PoolLimits};
pub use deadline::{Deadline, DeadlinePassed};
pub use describe::ComponentCatalog;
pub use hooks::{Route, TimeoutCaps};
pub use host::{
    COMPONENT_WASM, Connection, Credential, DEFAULT_DEADLINE, Host, HostConfig, Interfaces,
    MAX_DEADLINE, NoInstanceFree, Node, RawNode, Reuse,
};

/// Typed bindings to the component's exports.
pub mod bindings {
    #![allow(missing_docs)]
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "okta-nodes",
        exports: { default: async },
    });
}

/// The WIT types, by interface.
pub mod wit {
    pub use crate::bindings::exports::okta::management::{
        apps, catalog, connection, event_hooks, factors, groups, picklists, policies, raw, realms,
        system_log, triggers, types, users,
    };
}
