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

pub mod calls;
pub mod catalog;
pub mod connection;
pub mod egress;
pub mod engine;
pub mod flow;
pub mod state;
pub mod telemetry;

pub use calls::{MAX_INPUT_BYTES, Outcome};
pub use catalog::NodeInfo;
pub use catalog::describe::ComponentCatalog;
pub use connection::{Connection, Credential};
pub use egress::connect::{Pool, PoolLimits};
pub use egress::deadline::{Deadline, DeadlinePassed};
pub use egress::{Route, TimeoutCaps};
pub use engine::{
    COMPONENT, DEFAULT_DEADLINE, Host, HostConfig, Interfaces, MAX_DEADLINE, NoInstanceFree, Node,
    RawNode, Reuse,
};
pub use telemetry::OrgLabel;

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
        apps, catalog, connection, event_hooks, factors, groups, operations, picklists, policies,
        raw, realms, system_log, triggers, types, users,
    };
}
