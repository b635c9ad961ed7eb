//! OAuth 2.0 for web apps (OIDC web applications), as the org authorization server runs
//! it: `/oauth2/v1/authorize` (the authorization code flow with PKCE), the token endpoint's
//! `authorization_code` and `refresh_token` grants with `client_secret_basic` or
//! `client_secret_post`, and `/oauth2/v1/revoke`.
//!
//! As Okta does (the OAuth spec's `TokenRequestAuthorizationCode`, `TokenResponse`; Okta's
//! refresh token rotation guide):
//! - a code lives 300 seconds and is used once; its `redirect_uri` must be the one it was
//!   issued for, and with a `code_challenge` the `code_verifier` must hash to it (S256);
//! - a refresh token comes with `offline_access`; each use rotates it: a new refresh token
//!   is issued and the used one stays valid for the app's leeway (30 seconds by default),
//!   after which its reuse is detected: the newest refresh token of its grant and every
//!   access token issued since the sign-in are revoked;
//! - a revoked refresh token revokes its grant.
//!
//! The mock has no sign-in page: `/authorize` signs the org's admin in and consents at once,
//! redirecting to the app with the code.

use super::{Issued, OAuth, oauth_error};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The authorize endpoint's path.
pub const AUTHORIZE_PATH: &str = "/oauth2/v1/authorize";

/// The revoke endpoint's path.
pub const REVOKE_PATH: &str = "/oauth2/v1/revoke";

/// How long a code lives, in seconds.
const CODE_LIFETIME: u64 = 300;

/// How a web app authenticates at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// `Authorization: Basic` with the client id and secret.
    Basic,
    /// `client_id` and `client_secret` in the form.
    Post,
}

/// A registered web app.
#[derive(Clone, Debug, PartialEq)]
pub struct WebApp {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// How it authenticates at the token endpoint.
    pub auth: ClientAuth,
    /// Where codes may be sent.
    pub redirect_uris: Vec<String>,
    /// The scopes granted to it.
    pub scopes: Vec<String>,
    /// How long a rotated refresh token stays valid, in seconds.
    pub leeway: u64,
}

impl WebApp {
    /// Reads a registration: `{"client-id", "client-secret", "redirect-uris": [...],
    /// "scopes", "token-endpoint-auth-method": "client_secret_basic" |
    /// "client_secret_post", "leeway": seconds}`.
    pub fn from_json(value: &Value) -> Result<WebApp, String> {
        let text = |name: &str| {
            value[name]
                .as_str()
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .ok_or(format!("a web app needs `{name}`"))
        };
        let list = |name: &str| -> Vec<String> {
            value[name]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let auth = match value["token-endpoint-auth-method"].as_str() {
            None | Some("client_secret_basic") => ClientAuth::Basic,
            Some("client_secret_post") => ClientAuth::Post,
            Some(other) => return Err(format!("a web app's auth method is not {other}")),
        };
        Ok(WebApp {
            client_id: text("client-id")?,
            client_secret: text("client-secret")?,
            auth,
            redirect_uris: list("redirect-uris"),
            scopes: list("scopes"),
            leeway: value["leeway"].as_u64().unwrap_or(30),
        })
    }

    /// The registration as [`WebApp::from_json`] reads it, without the secret.
    pub fn to_json(&self) -> Value {
        json!({
            "client-id": self.client_id,
            "redirect-uris": self.redirect_uris,
            "scopes": self.scopes,
            "token-endpoint-auth-method": match self.auth {
                ClientAuth::Basic => "client_secret_basic",
                ClientAuth::Post => "client_secret_post",
            },
            "leeway": self.leeway,
        })
    }
}

/// A code issued by `/authorize`, not yet used.
#[derive(Clone, Debug)]
pub(super) struct Code {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    challenge: Option<String>,
    expires_at: u64,
}

/// A refresh token of a grant.
#[derive(Clone, Debug)]
pub(super) struct Refresh {
    client_id: String,
    scopes: Vec<String>,
    grant: u64,
    /// When it was rotated (used), if it was.
    rotated_at: Option<u64>,
}

/// What the web flows keep.
#[derive(Debug, Default)]
pub struct WebState {
    /// Web apps by client id.
    pub apps: HashMap<String, WebApp>,
    codes: HashMap<String, Code>,
    refresh: HashMap<String, Refresh>,
    /// The access tokens each grant issued.
    grants: HashMap<u64, Vec<String>>,
    next_grant: u64,
    /// Refresh tokens issued so far.
    pub refresh_issued: u64,
    /// Codes redeemed, and refresh tokens redeemed, so far.
    pub redeemed: (u64, u64),
    /// Reuses of a rotated refresh token after its leeway.
    pub reuses_detected: u64,
}

/// A form's fields.
type Form = HashMap<String, String>;

fn random(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

/// A redirect to `uri` with these query parameters.
fn redirect(uri: &str, params: &[(&str, &str)]) -> Response {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().filter(|(_, v)| !v.is_empty()))
        .finish();
    let sep = if uri.contains('?') { '&' } else { '?' };
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("{uri}{sep}{query}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

impl OAuth {
    /// Registers (or replaces) a web app.
    pub fn register_web(&mut self, app: WebApp) {
        self.web.apps.insert(app.client_id.clone(), app);
    }

    /// `GET /oauth2/v1/authorize`: signs the admin in and redirects with a code. An unknown
    /// client or a redirect URI it does not have is refused on the page (400), as Okta
    /// refuses it; other errors go back to the app.
    pub fn authorize_code(&mut self, query: &str) -> Response {
        let params: Form = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let param = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
        let Some(app) = self.web.apps.get(param("client_id")).cloned() else {
            return oauth_error(400, "invalid_client", "The client_id is not valid.", &[]);
        };
        let redirect_uri = param("redirect_uri");
        if !app.redirect_uris.iter().any(|uri| uri == redirect_uri) {
            return oauth_error(
                400,
                "invalid_request",
                "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.",
                &[],
            );
        }
        let state = param("state");
        let fail = |error: &str, description: &str| {
            redirect(
                redirect_uri,
                &[
                    ("error", error),
                    ("error_description", description),
                    ("state", state),
                ],
            )
        };
        if param("response_type") != "code" {
            return fail(
                "unsupported_response_type",
                "The response type is not supported by the authorization server.",
            );
        }
        let scopes: Vec<String> = param("scope")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let granted = |s: &String| {
            app.scopes.contains(s) || matches!(s.as_str(), "openid" | "offline_access")
        };
        if scopes.is_empty() || !scopes.iter().all(granted) {
            return fail(
                "invalid_scope",
                "One or more scopes are not configured for the authorization server resource.",
            );
        }
        let challenge = match (param("code_challenge"), param("code_challenge_method")) {
            ("", _) => None,
            (challenge, "S256") => Some(challenge.to_string()),
            _ => {
                return fail("invalid_request", "'code_challenge_method' must be S256.");
            }
        };
        let code = random("mock-code-");
        self.web.codes.insert(
            code.clone(),
            Code {
                client_id: app.client_id,
                redirect_uri: redirect_uri.to_string(),
                scopes,
                challenge,
                expires_at: self.now() + CODE_LIFETIME,
            },
        );
        redirect(redirect_uri, &[("code", &code), ("state", state)])
    }

    /// The web app a token request authenticates as, by the app's own method.
    fn web_client(&self, form: &Form, authorization: Option<&str>) -> Result<WebApp, Response> {
        let refused = || oauth_error(401, "invalid_client", "Client authentication failed.", &[]);
        let basic = authorization
            .and_then(|a| a.strip_prefix("Basic "))
            .and_then(|b| STANDARD.decode(b.trim()).ok())
            .and_then(|b| String::from_utf8(b).ok());
        let (method, id, secret) = match (basic, form.get("client_secret")) {
            (Some(pair), None) => {
                let (id, secret) = pair.split_once(':').ok_or_else(refused)?;
                (ClientAuth::Basic, id.to_string(), secret.to_string())
            }
            (None, Some(secret)) => {
                let id = form.get("client_id").ok_or_else(refused)?;
                (ClientAuth::Post, id.clone(), secret.clone())
            }
            _ => return Err(refused()),
        };
        let app = self.web.apps.get(&id).ok_or_else(refused)?;
        if app.client_secret != secret || app.auth != method {
            return Err(refused());
        }
        Ok(app.clone())
    }

    /// The token endpoint's `authorization_code` and `refresh_token` grants.
    pub(super) fn web_token(&mut self, form: &Form, authorization: Option<&str>) -> Response {
        let app = match self.web_client(form, authorization) {
            Ok(app) => app,
            Err(refused) => return refused,
        };
        let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
        let invalid_grant = |description: &str| oauth_error(400, "invalid_grant", description, &[]);
        let now = self.now();
        let (scopes, grant) = match field("grant_type") {
            "authorization_code" => {
                let Some(code) = self.web.codes.remove(field("code")) else {
                    return invalid_grant("The authorization code is invalid or has expired.");
                };
                if code.client_id != app.client_id || code.expires_at <= now {
                    return invalid_grant("The authorization code is invalid or has expired.");
                }
                if code.redirect_uri != field("redirect_uri") {
                    return invalid_grant(
                        "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
                    );
                }
                if let Some(challenge) = &code.challenge {
                    let hashed = URL_SAFE_NO_PAD.encode(Sha256::digest(field("code_verifier")));
                    if &hashed != challenge {
                        return invalid_grant("PKCE verification failed.");
                    }
                }
                self.web.next_grant += 1;
                self.web.redeemed.0 += 1;
                (code.scopes, self.web.next_grant)
            }
            "refresh_token" => {
                let token = field("refresh_token");
                let Some(refresh) = self.web.refresh.get(token).cloned() else {
                    return invalid_grant("The refresh token is invalid or expired.");
                };
                if refresh.client_id != app.client_id {
                    return invalid_grant("The refresh token is invalid or expired.");
                }
                if let Some(at) = refresh.rotated_at
                    && now > at + app.leeway
                {
                    self.web.reuses_detected += 1;
                    self.revoke_grant(refresh.grant);
                    return invalid_grant("The refresh token is invalid or expired.");
                }
                if let Some(used) = self.web.refresh.get_mut(token) {
                    used.rotated_at.get_or_insert(now);
                }
                self.web.redeemed.1 += 1;
                (refresh.scopes, refresh.grant)
            }
            _ => {
                return oauth_error(
                    400,
                    "unsupported_grant_type",
                    "The authorization grant type is not supported by the authorization server.",
                    &[],
                );
            }
        };
        let access = random("mock-at-");
        let api_scopes: Vec<String> = scopes
            .iter()
            .filter(|s| !matches!(s.as_str(), "openid" | "offline_access"))
            .cloned()
            .collect();
        self.tokens.insert(
            access.clone(),
            Issued {
                scopes: api_scopes,
                expires_at: now + self.token_lifetime,
                jkt: None,
            },
        );
        self.issued += 1;
        self.web
            .grants
            .entry(grant)
            .or_default()
            .push(access.clone());
        let mut answer = json!({
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
            "access_token": access,
            "scope": scopes.join(" "),
        });
        if scopes.iter().any(|s| s == "offline_access") {
            let refresh = random("mock-rt-");
            self.web.refresh.insert(
                refresh.clone(),
                Refresh {
                    client_id: app.client_id.clone(),
                    scopes: scopes.clone(),
                    grant,
                    rotated_at: None,
                },
            );
            self.web.refresh_issued += 1;
            answer["refresh_token"] = refresh.into();
        }
        if scopes.iter().any(|s| s == "openid") {
            answer["id_token"] = random("mock-id-").into();
        }
        axum::Json(answer).into_response()
    }

    /// Revokes a grant: its refresh tokens and every access token it issued.
    fn revoke_grant(&mut self, grant: u64) {
        self.web.refresh.retain(|_, r| r.grant != grant);
        for access in self.web.grants.remove(&grant).unwrap_or_default() {
            self.tokens.remove(&access);
        }
    }

    /// `POST /oauth2/v1/revoke`: a refresh token revokes its grant, an access token itself;
    /// an unknown token is answered 200 too (RFC 7009).
    pub fn revoke(&mut self, form: &[u8], authorization: Option<&str>) -> Response {
        let form: Form = form_urlencoded::parse(form).into_owned().collect();
        if let Err(refused) = self.web_client(&form, authorization) {
            return refused;
        }
        let token = form.get("token").map(String::as_str).unwrap_or_default();
        if let Some(refresh) = self.web.refresh.get(token) {
            let grant = refresh.grant;
            self.revoke_grant(grant);
        } else {
            self.tokens.remove(token);
        }
        StatusCode::OK.into_response()
    }
}
