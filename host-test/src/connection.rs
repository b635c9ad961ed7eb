//! Which org a call reaches, and with what credential.

use crate::wit;
use serde_json::{Value, json};
use std::fmt;

/// A credential for an org. Its `Debug` never shows a token or a key.
#[derive(Clone)]
pub enum Credential {
    /// An Okta API token (`SSWS`).
    ApiToken(String),
    /// An OAuth 2.0 access token (`Bearer`).
    Bearer(String),
    /// An OAuth 2.0 service app: the host mints its token (through the component), keeps
    /// it until a minute before it expires, and passes it to each call.
    ServiceApp(wit::types::ClientCredentials),
    /// A token minted earlier (`connection.get-access-token`).
    AccessToken(wit::types::AccessToken),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::ApiToken(_) => f.write_str("ApiToken(<redacted>)"),
            Credential::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Credential::ServiceApp(app) => write!(
                f,
                "ServiceApp {{ client_id: {:?}, scopes: {:?}, dpop: {:?}, private_key: <redacted> }}",
                app.client_id, app.scopes, app.dpop
            ),
            Credential::AccessToken(token) => write!(
                f,
                "AccessToken {{ token_type: {:?}, expires_at: {:?}, token: <redacted> }}",
                token.token_type, token.expires_at
            ),
        }
    }
}

/// Which org a call reaches, and how.
#[derive(Clone, Debug)]
pub struct Connection {
    /// The org's host, such as `dev-123456.okta.com`.
    pub domain: String,
    /// The credential.
    pub credential: Credential,
    /// Retry and timeout settings; defaults when `None`.
    pub max_retries: Option<u32>,
    /// The longest wait for a rate-limit reset, in milliseconds.
    pub max_rate_limit_wait_ms: Option<u32>,
    /// The connect timeout, in milliseconds.
    pub timeout_ms: Option<u32>,
    /// The largest response body, in bytes.
    pub max_response_bytes: Option<u32>,
    /// The call's deadline, in milliseconds, when shorter than the host's.
    pub deadline_ms: Option<u32>,
}

impl Connection {
    /// A connection with an API token and default options.
    pub fn api_token(domain: impl Into<String>, token: impl Into<String>) -> Self {
        Self::new(domain, Credential::ApiToken(token.into()))
    }

    /// A connection with a bearer token and default options.
    pub fn bearer(domain: impl Into<String>, token: impl Into<String>) -> Self {
        Self::new(domain, Credential::Bearer(token.into()))
    }

    /// A service app connection with default options.
    pub fn service_app(domain: impl Into<String>, app: wit::types::ClientCredentials) -> Self {
        Self::new(domain, Credential::ServiceApp(app))
    }

    /// A connection for the nodes that take none (the event hook triggers): it names no
    /// org that exists (`.invalid`), so nothing could be sent with it.
    pub fn unused() -> Self {
        Self::api_token("unused.invalid", "")
    }

    /// A connection with any credential and default options.
    pub fn new(domain: impl Into<String>, credential: Credential) -> Self {
        Connection {
            domain: domain.into(),
            credential,
            max_retries: None,
            max_rate_limit_wait_ms: None,
            timeout_ms: None,
            max_response_bytes: None,
            deadline_ms: None,
        }
    }

    /// The WIT record passed to the component.
    pub fn to_wit(&self) -> wit::types::Connection {
        wit::types::Connection {
            domain: self.domain.clone(),
            auth: match &self.credential {
                Credential::ApiToken(t) => wit::types::Auth::ApiToken(t.clone()),
                Credential::Bearer(t) => wit::types::Auth::BearerToken(t.clone()),
                Credential::ServiceApp(app) => wit::types::Auth::ClientCredentials(app.clone()),
                Credential::AccessToken(token) => wit::types::Auth::AccessToken(token.clone()),
            },
            options: Some(wit::types::Options {
                max_retries: self.max_retries,
                max_rate_limit_wait_ms: self.max_rate_limit_wait_ms,
                timeout_ms: self.timeout_ms,
                max_response_bytes: self.max_response_bytes,
                deadline_ms: self.deadline_ms,
            })
            .filter(|o| {
                o.max_retries.is_some()
                    || o.max_rate_limit_wait_ms.is_some()
                    || o.timeout_ms.is_some()
                    || o.max_response_bytes.is_some()
                    || o.deadline_ms.is_some()
            }),
        }
    }
}

/// The connection as the JSON of the WIT `connection` record.
pub(crate) fn connection_json(conn: &Connection) -> Value {
    let dpop = |mode: &wit::types::DpopMode| match mode {
        wit::types::DpopMode::Off => "off",
        wit::types::DpopMode::On => "on",
        wit::types::DpopMode::Auto => "auto",
    };
    let auth = match &conn.credential {
        Credential::ApiToken(token) => json!({ "api-token": token }),
        Credential::Bearer(token) => json!({ "bearer-token": token }),
        Credential::ServiceApp(app) => json!({ "client-credentials": {
            "client-id": app.client_id,
            "private-key": app.private_key,
            "key-id": app.key_id,
            "scopes": app.scopes,
            "dpop": app.dpop.as_ref().map(dpop),
            "dpop-key": app.dpop_key,
        }}),
        Credential::AccessToken(token) => json!({ "access-token": {
            "token": token.token,
            "token-type": match token.token_type {
                wit::types::TokenType::Bearer => "bearer",
                wit::types::TokenType::Dpop => "dpop",
            },
            "expires-at": token.expires_at,
            "scopes": token.scopes,
            "dpop-key": token.dpop_key,
        }}),
    };
    let options = json!({
        "max-retries": conn.max_retries,
        "max-rate-limit-wait-ms": conn.max_rate_limit_wait_ms,
        "timeout-ms": conn.timeout_ms,
        "max-response-bytes": conn.max_response_bytes,
        "deadline-ms": conn.deadline_ms,
    });
    let defaults = options
        .as_object()
        .is_some_and(|o| o.values().all(Value::is_null));
    json!({
        "domain": conn.domain,
        "auth": auth,
        "options": if defaults { Value::Null } else { options },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_json_carries_the_credential_kind() {
        let json = connection_json(&Connection::bearer("x.okta.com", "t"));
        assert_eq!(json["auth"], json!({"bearer-token": "t"}));
        assert_eq!(json["options"], Value::Null, "every default: no options");
        let mut tuned = Connection::bearer("x.okta.com", "t");
        tuned.max_retries = Some(0);
        assert_eq!(connection_json(&tuned)["options"]["max-retries"], 0);
    }
}
