//! The `connection` interface's `test-connection` node.

use crate::client::connection::AuthKind;
use crate::client::spec::RequestSpec;
use crate::client::{Client, Transport};
use crate::nodes::objects;
use crate::wit::connection::ConnectionInfo;
use crate::wit::types::OktaError;

/// `connection.test-connection`: one cheap authenticated call.
pub(crate) fn test_connection<T: Transport>(
    client: &mut Client<T>,
) -> Result<ConnectionInfo, OktaError> {
    let spec = match client.connection().kind {
        AuthKind::ApiToken => RequestSpec::get("/api/v1/users/me".into()),
        AuthKind::Bearer => RequestSpec::get("/api/v1/users".into()).query("limit", 1),
    };
    let resp = client.send(&spec)?;
    let rate_limit_remaining = resp
        .header("x-rate-limit-remaining")
        .and_then(|v| v.trim().parse().ok());
    let (principal_id, principal_login) = match client.connection().kind {
        AuthKind::ApiToken => {
            let me = objects::parse(&resp.body, "the current user")?;
            (
                objects::text(&me, "id"),
                me.get("profile").and_then(|p| objects::text(p, "login")),
            )
        }
        AuthKind::Bearer => (None, None),
    };
    Ok(ConnectionInfo {
        domain: client.connection().domain.clone(),
        principal_id,
        principal_login,
        rate_limit_remaining,
    })
}
