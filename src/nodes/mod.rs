//! The nodes: one file per WIT interface. Each builds a request spec from its WIT request
//! and reads Okta's answer into its WIT output; the client sends it.

pub(crate) mod apps;
pub(crate) mod connection;
pub(crate) mod event_hooks;
pub(crate) mod factors;
pub(crate) mod groups;
pub(crate) mod members;
pub(crate) mod objects;
pub(crate) mod operations;
pub(crate) mod picklists;
pub(crate) mod policies;
pub(crate) mod raw;
pub(crate) mod realms;
pub(crate) mod schemas;
pub(crate) mod system_log;
pub(crate) mod triggers;
pub(crate) mod users;
