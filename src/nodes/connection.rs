//! The `connection` interface: `test-connection`, and the tokens a host keeps.

use crate::client::error::invalid_input;
use crate::client::spec::RequestSpec;
use crate::client::{Client, Transport};
use crate::nodes::objects;
use crate::wit::connection::{ConnectionInfo, TokenGrant};
use crate::wit::types::{AccessToken, OktaError};

/// `connection.test-connection`: one cheap authenticated call.
pub(crate) fn test_connection<T: Transport>(
    client: &mut Client<T>,
) -> Result<ConnectionInfo, OktaError> {
    let api_token = client.connection().credential.is_api_token();
    let spec = if api_token {
        RequestSpec::get("/api/v1/users/me".into())
    } else {
        RequestSpec::get("/api/v1/users".into()).query("limit", 1)
    };
    let resp = client.send(&spec)?;
    let rate_limit_remaining = resp
        .header("x-rate-limit-remaining")
        .and_then(|v| v.trim().parse().ok());
    let (principal_id, principal_login) = if api_token {
        let me = objects::parse(&resp.body, "the current user")?;
        (
            objects::text(&me, "id"),
            me.get("profile").and_then(|p| objects::text(p, "login")),
        )
    } else {
        (None, None)
    };
    Ok(ConnectionInfo {
        domain: client.connection().domain.clone(),
        principal_id,
        principal_login,
        rate_limit_remaining,
    })
}

/// `connection.get-access-token`: the token a service app connection calls with, minted
/// now, for the host to keep.
pub(crate) fn get_access_token<T: Transport>(
    client: &mut Client<T>,
) -> Result<AccessToken, OktaError> {
    Ok(client.access_token()?.to_wit())
}

/// `connection.get-token-grant`: a web app's grant redeemed now, with the refresh token
/// that replaces the one given, for the host (or the engine) to keep.
pub(crate) fn get_token_grant<T: Transport>(
    client: &mut Client<T>,
) -> Result<TokenGrant, OktaError> {
    if !client.connection().credential.is_web_app() {
        return Err(invalid_input(
            "auth: a token grant comes from an authorization-code connection",
        ));
    }
    let access_token = client.access_token()?.to_wit();
    Ok(TokenGrant {
        access_token,
        refresh_token: client.refresh_token(),
    })
}
