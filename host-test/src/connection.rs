//! Which org a call reaches, and with what credential.

use crate::wit;
use serde::Deserialize;
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
    /// An OIDC web app a user authorized: the host redeems its grant (through the
    /// component), keeps the access token and the refresh token that replaces the one
    /// spent, and redeems the kept refresh token when the access token expires.
    WebApp(wit::types::AuthorizationCode),
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
            Credential::WebApp(app) => write!(
                f,
                "WebApp {{ client_id: {:?}, client_auth: {:?}, client_secret: <redacted>, grant: <redacted> }}",
                app.client_id, app.client_auth
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
                Credential::WebApp(app) => wit::types::Auth::AuthorizationCode(app.clone()),
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

/// The WIT `access-token` record as JSON; [`token_from_json`] reads it back.
pub(crate) fn token_json(token: &wit::types::AccessToken) -> Value {
    json!({
        "token": token.token,
        "token-type": match token.token_type {
            wit::types::TokenType::Bearer => "bearer",
            wit::types::TokenType::Dpop => "dpop",
        },
        "expires-at": token.expires_at,
        "scopes": token.scopes,
        "dpop-key": token.dpop_key,
    })
}

/// An access token from the JSON [`token_json`] writes.
pub(crate) fn token_from_json(json: &[u8]) -> Option<wit::types::AccessToken> {
    serde_json::from_slice::<TokenJson>(json)
        .ok()
        .map(TokenJson::into_wit)
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
        Credential::AccessToken(token) => json!({ "access-token": token_json(token) }),
        Credential::WebApp(app) => json!({ "authorization-code": {
            "client-id": app.client_id,
            "client-secret": app.client_secret,
            "client-auth": app.client_auth.map(|auth| match auth {
                wit::types::ClientAuth::Basic => "basic",
                wit::types::ClientAuth::Post => "post",
            }),
            "grant": match &app.grant {
                wit::types::Grant::Code(code) => json!({ "code": {
                    "code": code.code,
                    "redirect-uri": code.redirect_uri,
                    "code-verifier": code.code_verifier,
                }}),
                wit::types::Grant::RefreshToken(token) => json!({ "refresh-token": token }),
            },
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

impl Connection {
    /// A connection from the JSON of the WIT `connection` record, as [`connection_json`]
    /// writes it and the catalog's `connection-schema` states: what the Python package and
    /// the sidecar take. `Err` says what is wrong, without any value it was given.
    pub fn from_json(value: &Value) -> Result<Connection, String> {
        let conn = ConnectionJson::deserialize(value).map_err(|e| {
            // serde quotes a string it was given ("..."); a credential is one: each is
            // left out. Names (`...`) and the expected shapes stay.
            let mut out = String::from("conn: ");
            for (i, part) in e.to_string().split('"').enumerate() {
                out.push_str(if i % 2 == 0 { part } else { "a string" });
            }
            out
        })?;
        let credential = match conn.auth {
            AuthJson::ApiToken(token) => Credential::ApiToken(token),
            AuthJson::BearerToken(token) => Credential::Bearer(token),
            AuthJson::ClientCredentials(app) => {
                Credential::ServiceApp(wit::types::ClientCredentials {
                    client_id: app.client_id,
                    private_key: app.private_key,
                    key_id: app.key_id,
                    scopes: app.scopes,
                    dpop: app.dpop.map(|mode| match mode {
                        DpopJson::Off => wit::types::DpopMode::Off,
                        DpopJson::On => wit::types::DpopMode::On,
                        DpopJson::Auto => wit::types::DpopMode::Auto,
                    }),
                    dpop_key: app.dpop_key,
                })
            }
            AuthJson::AccessToken(token) => Credential::AccessToken(token.into_wit()),
            AuthJson::AuthorizationCode(app) => Credential::WebApp(wit::types::AuthorizationCode {
                client_id: app.client_id,
                client_secret: app.client_secret,
                client_auth: app.client_auth.map(|auth| match auth {
                    ClientAuthJson::Basic => wit::types::ClientAuth::Basic,
                    ClientAuthJson::Post => wit::types::ClientAuth::Post,
                }),
                grant: match app.grant {
                    GrantJson::Code(code) => wit::types::Grant::Code(wit::types::CodeGrant {
                        code: code.code,
                        redirect_uri: code.redirect_uri,
                        code_verifier: code.code_verifier,
                    }),
                    GrantJson::RefreshToken(token) => wit::types::Grant::RefreshToken(token),
                },
            }),
        };
        let options = conn.options.unwrap_or_default();
        Ok(Connection {
            domain: conn.domain,
            credential,
            max_retries: options.max_retries,
            max_rate_limit_wait_ms: options.max_rate_limit_wait_ms,
            timeout_ms: options.timeout_ms,
            max_response_bytes: options.max_response_bytes,
            deadline_ms: options.deadline_ms,
        })
    }
}

/// The WIT `connection` record as JSON.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConnectionJson {
    domain: String,
    auth: AuthJson,
    options: Option<OptionsJson>,
}

/// The WIT `auth` variant as JSON.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum AuthJson {
    ApiToken(String),
    BearerToken(String),
    ClientCredentials(AppJson),
    AccessToken(TokenJson),
    AuthorizationCode(WebAppJson),
}

/// The WIT `authorization-code` record as JSON.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct WebAppJson {
    client_id: String,
    client_secret: String,
    client_auth: Option<ClientAuthJson>,
    grant: GrantJson,
}

/// The WIT `client-auth` enum as JSON.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum ClientAuthJson {
    Basic,
    Post,
}

/// The WIT `grant` variant as JSON.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum GrantJson {
    Code(CodeJson),
    RefreshToken(String),
}

/// The WIT `code-grant` record as JSON.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CodeJson {
    code: String,
    redirect_uri: String,
    code_verifier: Option<String>,
}

/// The WIT `client-credentials` record as JSON.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AppJson {
    client_id: String,
    private_key: String,
    key_id: Option<String>,
    scopes: Vec<String>,
    dpop: Option<DpopJson>,
    dpop_key: Option<String>,
}

/// The WIT `dpop-mode` enum as JSON.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum DpopJson {
    Off,
    On,
    Auto,
}

/// The WIT `access-token` record as JSON.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TokenJson {
    token: String,
    token_type: TokenTypeJson,
    expires_at: Option<u64>,
    scopes: Vec<String>,
    dpop_key: Option<String>,
}

impl TokenJson {
    fn into_wit(self) -> wit::types::AccessToken {
        wit::types::AccessToken {
            token: self.token,
            token_type: match self.token_type {
                TokenTypeJson::Bearer => wit::types::TokenType::Bearer,
                TokenTypeJson::Dpop => wit::types::TokenType::Dpop,
            },
            expires_at: self.expires_at,
            scopes: self.scopes,
            dpop_key: self.dpop_key,
        }
    }
}

/// The WIT `token-type` enum as JSON.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum TokenTypeJson {
    Bearer,
    Dpop,
}

/// The WIT `options` record as JSON.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct OptionsJson {
    max_retries: Option<u32>,
    max_rate_limit_wait_ms: Option<u32>,
    timeout_ms: Option<u32>,
    max_response_bytes: Option<u32>,
    deadline_ms: Option<u32>,
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

    #[test]
    fn a_connection_reads_back_from_its_json_and_no_value_is_ever_quoted() {
        let mut tuned = Connection::service_app(
            "x.okta.com",
            wit::types::ClientCredentials {
                client_id: "0oa1".into(),
                private_key: "SENTINEL-KEY".into(),
                key_id: Some("k1".into()),
                scopes: vec!["okta.users.read".into()],
                dpop: Some(wit::types::DpopMode::Auto),
                dpop_key: None,
            },
        );
        tuned.deadline_ms = Some(5000);
        let json = connection_json(&tuned);
        assert_eq!(
            connection_json(&Connection::from_json(&json).unwrap()),
            json
        );
        let web = Connection::new(
            "x.okta.com",
            Credential::WebApp(wit::types::AuthorizationCode {
                client_id: "0oaweb".into(),
                client_secret: "SENTINEL-SECRET".into(),
                client_auth: Some(wit::types::ClientAuth::Post),
                grant: wit::types::Grant::Code(wit::types::CodeGrant {
                    code: "SENTINEL-CODE".into(),
                    redirect_uri: "https://e/cb".into(),
                    code_verifier: None,
                }),
            }),
        );
        let json = connection_json(&web);
        assert_eq!(json["auth"]["authorization-code"]["client-auth"], "post");
        assert_eq!(
            connection_json(&Connection::from_json(&json).unwrap()),
            json
        );
        assert!(!format!("{web:?}").contains("SENTINEL"));
        for bad in [
            json!({"domain": "x", "auth": {"api-token": 7}}),
            json!({"domain": "x", "auth": {"sentinel-secret": "SENTINEL"}}),
            json!({"domain": "x", "auth": {"api-token": "SENTINEL"}, "extra": "SENTINEL"}),
            json!("SENTINEL"),
        ] {
            let err = Connection::from_json(&bad).unwrap_err();
            assert!(!err.contains("SENTINEL"), "{err}");
        }
    }
}
