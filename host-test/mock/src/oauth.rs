//! OAuth 2.0 for service apps, as the org authorization server and the API check it: the
//! token endpoint (`client_credentials` with `private_key_jwt`, RFC 7523), DPoP (RFC 9449)
//! with nonces on both the token endpoint and the API, tokens that expire on the mock's
//! clock, and the scope each API route needs (the management spec's `security` entries:
//! `okta.users.read` for a `GET` under `/api/v1/users`, `okta.users.manage` for a write).
//! API tokens keep working beside it. Web apps (the authorization code flow, refresh
//! tokens that rotate) are in [`web`].

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

pub mod web;

/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/oauth2/v1/token";

/// How long a token lives by default, in seconds (Okta's org authorization server: an hour).
pub const TOKEN_LIFETIME: u64 = 3600;

/// How far a JWT's `iat` may be from the mock's clock.
const SKEW: u64 = 300;

/// A registered service app.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceApp {
    /// The client id.
    pub client_id: String,
    /// Its public keys, as JWKs (with `kid` when Okta would have one).
    pub keys: Vec<Value>,
    /// The scopes granted to it.
    pub scopes: Vec<String>,
    /// Whether its token requests must carry a DPoP proof.
    pub dpop: bool,
}

impl ServiceApp {
    /// Reads a registration: `{"client-id", "keys": [JWK...], "key": JWK or "public-key":
    /// PEM (SPKI, RSA or EC P-256), "scopes", "dpop"}`.
    pub fn from_json(value: &Value) -> Result<ServiceApp, String> {
        let client_id = value["client-id"]
            .as_str()
            .filter(|id| !id.is_empty())
            .ok_or("a service app needs a `client-id`")?
            .to_string();
        let keys: Vec<Value> = match (&value["keys"], &value["key"], &value["public-key"]) {
            (Value::Array(keys), _, _) => keys.clone(),
            (_, key @ Value::Object(_), _) => vec![key.clone()],
            (_, _, Value::String(pem)) => vec![jwk_of_pem(pem)?],
            _ => {
                return Err(
                    "a service app needs `key` (a public JWK), `keys` or `public-key` (PEM)".into(),
                );
            }
        };
        for key in &keys {
            public_key(key).ok_or("each key must be a public RSA or EC P-256 JWK")?;
        }
        let scopes = value["scopes"]
            .as_array()
            .ok_or("a service app needs `scopes`")?
            .iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect();
        Ok(ServiceApp {
            client_id,
            keys,
            scopes,
            dpop: value["dpop"].as_bool().unwrap_or(false),
        })
    }
}

/// The public JWK of a PEM public key (SPKI: `-----BEGIN PUBLIC KEY-----`).
fn jwk_of_pem(pem: &str) -> Result<Value, String> {
    use rsa::pkcs8::DecodePublicKey as _;
    use rsa::traits::PublicKeyParts as _;
    if let Ok(key) = rsa::RsaPublicKey::from_public_key_pem(pem.trim()) {
        return Ok(json!({
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(key.e().to_bytes_be()),
        }));
    }
    let key = p256::PublicKey::from_public_key_pem(pem.trim())
        .map_err(|_| "public-key is not an RSA or EC P-256 public key (PEM, SPKI)".to_string())?;
    serde_json::from_str(&key.to_jwk_string()).map_err(|e| e.to_string())
}

/// A token the mock issued.
#[derive(Clone, Debug)]
struct Issued {
    scopes: Vec<String>,
    expires_at: u64,
    /// The thumbprint of the key a DPoP token is bound to.
    jkt: Option<String>,
}

/// The authorization server's state.
#[derive(Debug)]
pub struct OAuth {
    /// Service apps by client id.
    pub apps: BTreeMap<String, ServiceApp>,
    tokens: HashMap<String, Issued>,
    /// Every `jti` seen in an accepted assertion or proof.
    jtis: HashSet<String>,
    /// The DPoP nonce both servers ask for.
    nonce: String,
    /// Seconds added to the system clock.
    pub clock_offset: u64,
    /// Tokens issued so far.
    pub issued: u64,
    /// How long the next tokens live, in seconds.
    pub token_lifetime: u64,
    /// Whether the API asks DPoP proofs for a nonce too (the token endpoint always does).
    pub api_nonce: bool,
    /// Web apps, their codes and refresh tokens.
    pub web: web::WebState,
}

impl Default for OAuth {
    fn default() -> Self {
        OAuth {
            apps: BTreeMap::new(),
            tokens: HashMap::new(),
            jtis: HashSet::new(),
            nonce: format!("nonce-{}", uuid::Uuid::new_v4().simple()),
            clock_offset: 0,
            issued: 0,
            token_lifetime: TOKEN_LIFETIME,
            api_nonce: false,
            web: web::WebState::default(),
        }
    }
}

/// The scope a route needs, from the management spec's `security` entries; `None` for a
/// route no token may use (the mock's own) or that needs none.
pub fn required_scope(method: &str, path: &str) -> Option<&'static str> {
    let rest = path.strip_prefix("/api/v1/")?;
    let read = matches!(method, "GET" | "HEAD");
    let family = rest.split('/').next()?;
    let pick = |r: &'static str, m: &'static str| Some(if read { r } else { m });
    match family {
        "users" if rest.ends_with("/factors/questions") => None,
        "users" => pick("okta.users.read", "okta.users.manage"),
        "groups" => pick("okta.groups.read", "okta.groups.manage"),
        "apps" => pick("okta.apps.read", "okta.apps.manage"),
        "logs" => Some("okta.logs.read"),
        "eventHooks" => pick("okta.eventHooks.read", "okta.eventHooks.manage"),
        "policies" => pick("okta.policies.read", "okta.policies.manage"),
        "realms" => pick("okta.realms.read", "okta.realms.manage"),
        "meta" if rest.starts_with("meta/types/user") => {
            pick("okta.userTypes.read", "okta.userTypes.manage")
        }
        _ => None,
    }
}

/// An OAuth error answer (RFC 6749 §5.2), with extra headers.
fn oauth_error(
    status: u16,
    error: &str,
    description: &str,
    headers: &[(&'static str, &str)],
) -> Response {
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response();
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().insert(*name, value);
        }
    }
    response
}

/// An API refusal: Okta's error body and a `WWW-Authenticate` challenge.
fn api_refusal(
    status: u16,
    code: &str,
    summary: &str,
    challenge: String,
    nonce: Option<&str>,
) -> Response {
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED),
        axum::Json(json!({
            "errorCode": code,
            "errorSummary": summary,
            "errorLink": code,
            "errorId": format!("oaemock{}", uuid::Uuid::new_v4().simple()),
            "errorCauses": [],
        })),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert("www-authenticate", value);
    }
    if let Some(nonce) = nonce.and_then(|n| HeaderValue::from_str(n).ok()) {
        response.headers_mut().insert("dpop-nonce", nonce);
    }
    response
}

/// A public key from a JWK.
enum PublicKey {
    Rsa(Box<rsa::pkcs1v15::VerifyingKey<Sha256>>),
    Ec(p256::ecdsa::VerifyingKey),
}

fn b64_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

fn public_key(jwk: &Value) -> Option<PublicKey> {
    match jwk["kty"].as_str()? {
        "RSA" => {
            let n = rsa::BigUint::from_bytes_be(&b64_decode(jwk["n"].as_str()?)?);
            let e = rsa::BigUint::from_bytes_be(&b64_decode(jwk["e"].as_str()?)?);
            let key = rsa::RsaPublicKey::new(n, e).ok()?;
            Some(PublicKey::Rsa(Box::new(rsa::pkcs1v15::VerifyingKey::new(
                key,
            ))))
        }
        "EC" if jwk["crv"] == "P-256" => {
            let public = json!({"kty": "EC", "crv": "P-256", "x": jwk["x"], "y": jwk["y"]});
            let key = p256::PublicKey::from_jwk_str(&public.to_string()).ok()?;
            Some(PublicKey::Ec(p256::ecdsa::VerifyingKey::from(key)))
        }
        _ => None,
    }
}

/// The RFC 7638 thumbprint of a public JWK.
pub fn thumbprint(jwk: &Value) -> Option<String> {
    let canonical = match jwk["kty"].as_str()? {
        "RSA" => format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            jwk["e"].as_str()?,
            jwk["n"].as_str()?
        ),
        "EC" => format!(
            r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
            jwk["crv"].as_str()?,
            jwk["x"].as_str()?,
            jwk["y"].as_str()?
        ),
        _ => return None,
    };
    Some(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())))
}

/// A compact JWT's header and claims, when its signature verifies with `jwk`.
fn verified(jwt: &str, jwk: &Value) -> Option<(Value, Value)> {
    let mut parts = jwt.split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let input = &jwt[..header.len() + 1 + claims.len()];
    let signature = b64_decode(signature)?;
    let header_json: Value = serde_json::from_slice(&b64_decode(header)?).ok()?;
    let ok = match (public_key(jwk)?, header_json["alg"].as_str()?) {
        (PublicKey::Rsa(key), "RS256") => rsa::pkcs1v15::Signature::try_from(&signature[..])
            .is_ok_and(|s| key.verify(input.as_bytes(), &s).is_ok()),
        (PublicKey::Ec(key), "ES256") => p256::ecdsa::Signature::from_slice(&signature)
            .is_ok_and(|s| key.verify(input.as_bytes(), &s).is_ok()),
        _ => false,
    };
    ok.then(|| {
        Some((
            header_json,
            serde_json::from_slice(&b64_decode(claims)?).ok()?,
        ))
    })
    .flatten()
}

/// The header of a compact JWT, unverified (to find its key).
fn header_of(jwt: &str) -> Option<Value> {
    serde_json::from_slice(&b64_decode(jwt.split('.').next()?)?).ok()
}

/// Why a DPoP proof was refused.
enum ProofError {
    /// The nonce is missing or stale: ask again with the current one.
    Nonce,
    /// Anything else, in words.
    Invalid(&'static str),
}

impl OAuth {
    /// The access tokens issued so far (for a test that looks for them where they must
    /// not be).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.tokens.keys().cloned().collect()
    }

    /// Seconds since the epoch on the mock's clock.
    pub fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            + self.clock_offset
    }

    /// Revokes every token issued so far (as an admin revoking an app's tokens).
    pub fn revoke_tokens(&mut self) {
        self.tokens.clear();
    }

    /// Registers (or replaces) a service app.
    pub fn register(&mut self, app: ServiceApp) {
        self.apps.insert(app.client_id.clone(), app);
    }

    /// Checks a DPoP proof for `htm` and `htu` (and `ath` for `token`); returns the
    /// thumbprint of its key.
    fn check_proof(
        &mut self,
        proof: &str,
        htm: &str,
        htu: &str,
        token: Option<&str>,
        nonce_required: bool,
    ) -> Result<String, ProofError> {
        let header = header_of(proof).ok_or(ProofError::Invalid("The DPoP proof is not a JWT."))?;
        if header["typ"] != "dpop+jwt" {
            return Err(ProofError::Invalid("The DPoP proof typ must be dpop+jwt."));
        }
        let jwk = header["jwk"].clone();
        if jwk.get("d").is_some() {
            return Err(ProofError::Invalid("The DPoP proof jwk is a private key."));
        }
        let (_, claims) = verified(proof, &jwk)
            .ok_or(ProofError::Invalid("The DPoP proof signature is invalid."))?;
        let now = self.now();
        let iat = claims["iat"].as_u64().unwrap_or(0);
        if claims["htm"] != htm {
            return Err(ProofError::Invalid(
                "The DPoP proof htm does not match the request.",
            ));
        }
        if claims["htu"] != htu {
            return Err(ProofError::Invalid(
                "The DPoP proof htu does not match the request.",
            ));
        }
        if iat + SKEW < now || iat > now + SKEW {
            return Err(ProofError::Invalid(
                "The DPoP proof iat is outside the allowed window.",
            ));
        }
        if let Some(token) = token {
            let ath = URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()));
            if claims["ath"] != ath.as_str() {
                return Err(ProofError::Invalid(
                    "The DPoP proof ath does not match the access token.",
                ));
            }
        }
        if nonce_required && claims["nonce"] != self.nonce.as_str() {
            return Err(ProofError::Nonce);
        }
        let jti = claims["jti"]
            .as_str()
            .filter(|j| !j.is_empty())
            .ok_or(ProofError::Invalid("The DPoP proof has no jti."))?;
        if !self.jtis.insert(format!("dpop:{jti}")) {
            return Err(ProofError::Invalid("The DPoP proof jti was already used."));
        }
        thumbprint(&jwk).ok_or(ProofError::Invalid(
            "The DPoP proof jwk is not a public key.",
        ))
    }

    /// `POST /oauth2/v1/token` on the org `host`: `client_credentials` for a service app
    /// here, the web apps' `authorization_code` and `refresh_token` in [`web`].
    pub fn token(
        &mut self,
        host: &str,
        form: &[u8],
        dpop: Option<&str>,
        authorization: Option<&str>,
    ) -> Response {
        let fields: HashMap<String, String> = form_urlencoded::parse(form).into_owned().collect();
        let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
        if matches!(field("grant_type"), "authorization_code" | "refresh_token") {
            return self.web_token(&fields, authorization);
        }
        let bad = |error: &str, description: &str| oauth_error(400, error, description, &[]);
        let unknown_client =
            |description: &str| oauth_error(401, "invalid_client", description, &[]);
        if field("grant_type") != "client_credentials" {
            return bad(
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            );
        }
        if field("client_assertion_type")
            != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        {
            return unknown_client(
                "Client authentication failed: client_assertion_type is missing or wrong.",
            );
        }
        let assertion = field("client_assertion");
        let Some(header) = header_of(assertion) else {
            return unknown_client("The client_assertion is not a JWT.");
        };
        // The app is named by the unverified `iss`; the signature then proves it.
        let claims: Value = assertion
            .split('.')
            .nth(1)
            .and_then(b64_decode)
            .and_then(|c| serde_json::from_slice(&c).ok())
            .unwrap_or(Value::Null);
        let Some(app) = claims["iss"]
            .as_str()
            .and_then(|iss| self.apps.get(iss))
            .cloned()
        else {
            return unknown_client("The client_id is not valid.");
        };
        let kid = header["kid"].as_str();
        let verified_claims = app
            .keys
            .iter()
            .filter(|key| kid.is_none_or(|kid| key["kid"].as_str().is_none_or(|k| k == kid)))
            .find_map(|key| verified(assertion, key));
        let Some((_, claims)) = verified_claims else {
            return unknown_client("The client_assertion signature is invalid.");
        };
        let now = self.now();
        let audience = format!("https://{host}{TOKEN_PATH}");
        if claims["sub"] != app.client_id.as_str() {
            return unknown_client("The client_assertion sub must be the client_id.");
        }
        if claims["aud"] != audience.as_str() {
            return unknown_client(
                "The audience of the client_assertion is not the token endpoint.",
            );
        }
        if claims["exp"].as_u64().is_none_or(|exp| exp <= now) {
            return unknown_client("The client_assertion token is expired.");
        }
        if claims["iat"].as_u64().is_some_and(|iat| iat > now + SKEW) {
            return unknown_client("The client_assertion was issued in the future.");
        }
        let Some(jti) = claims["jti"].as_str().filter(|j| !j.is_empty()) else {
            return unknown_client("The client_assertion has no jti.");
        };
        if self.jtis.contains(&format!("assertion:{jti}")) {
            return unknown_client("The client_assertion token has already been used.");
        }
        let asked: Vec<String> = field("scope")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if asked.is_empty() || asked.iter().any(|s| !app.scopes.contains(s)) {
            return bad(
                "invalid_scope",
                "One or more scopes are not configured for the authorization server resource.",
            );
        }
        let jkt = match (dpop, app.dpop) {
            (None, true) => {
                return bad(
                    "invalid_dpop_proof",
                    "The DPoP proof JWT header is missing.",
                );
            }
            (None, false) => None,
            (Some(proof), _) => match self.check_proof(proof, "POST", &audience, None, true) {
                Ok(jkt) => Some(jkt),
                Err(ProofError::Nonce) => {
                    let nonce = self.nonce.clone();
                    return oauth_error(
                        400,
                        "use_dpop_nonce",
                        "Authorization server requires nonce in DPoP proof.",
                        &[("dpop-nonce", &nonce)],
                    );
                }
                Err(ProofError::Invalid(why)) => return bad("invalid_dpop_proof", why),
            },
        };
        self.jtis.insert(format!("assertion:{jti}"));
        let token = format!("mock-at-{}", uuid::Uuid::new_v4().simple());
        let token_type = if jkt.is_some() { "DPoP" } else { "Bearer" };
        self.tokens.insert(
            token.clone(),
            Issued {
                scopes: asked.clone(),
                expires_at: now + self.token_lifetime,
                jkt,
            },
        );
        self.issued += 1;
        let mut response = axum::Json(json!({
            "token_type": token_type,
            "expires_in": self.token_lifetime,
            "access_token": token,
            "scope": asked.join(" "),
        }))
        .into_response();
        // Okta hands a DPoP client the nonce to use next with its token too.
        if token_type == "DPoP"
            && let Ok(nonce) = HeaderValue::from_str(&self.nonce)
        {
            response.headers_mut().insert("dpop-nonce", nonce);
        }
        response
    }

    /// Checks an API request that carries an access token (`Bearer` or `DPoP`): the token,
    /// its binding and proof, and the scope the route needs.
    pub fn authorize(
        &mut self,
        method: &str,
        path: &str,
        host: &str,
        authorization: &str,
        dpop: Option<&str>,
    ) -> Result<(), Response> {
        let realm = format!("realm=\"https://{host}\"");
        let invalid = |scheme: &str, description: &str| {
            api_refusal(
                401,
                "E0000011",
                "Invalid token provided",
                format!(
                    "{scheme} {realm}, error=\"invalid_token\", error_description=\"{description}\""
                ),
                None,
            )
        };
        let (scheme, token) = authorization.split_once(' ').unwrap_or(("", ""));
        let Some(issued) = self.tokens.get(token).cloned() else {
            return Err(invalid("Bearer", "The access token is invalid."));
        };
        if issued.expires_at <= self.now() {
            return Err(invalid("Bearer", "The access token is expired."));
        }
        match (scheme, &issued.jkt) {
            ("Bearer", None) => {}
            ("DPoP", Some(jkt)) => {
                let Some(proof) = dpop else {
                    return Err(invalid("DPoP", "The DPoP proof is missing."));
                };
                let htu = format!("https://{host}{path}");
                let nonce_required = self.api_nonce;
                match self.check_proof(proof, method, &htu, Some(token), nonce_required) {
                    Ok(key) if &key == jkt => {}
                    Ok(_) => {
                        return Err(invalid(
                            "DPoP",
                            "The DPoP proof key is not the one the token is bound to.",
                        ));
                    }
                    Err(ProofError::Nonce) => {
                        let nonce = self.nonce.clone();
                        return Err(api_refusal(
                            401,
                            "E0000011",
                            "Invalid token provided",
                            format!(
                                "DPoP {realm}, error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\""
                            ),
                            Some(&nonce),
                        ));
                    }
                    Err(ProofError::Invalid(why)) => return Err(invalid("DPoP", why)),
                }
            }
            ("Bearer", Some(_)) => {
                return Err(invalid(
                    "DPoP",
                    "A DPoP-bound access token must be sent with the DPoP scheme.",
                ));
            }
            _ => return Err(invalid("Bearer", "The access token is invalid.")),
        }
        if let Some(scope) = required_scope(method, path)
            && !issued.scopes.iter().any(|s| s == scope)
        {
            return Err(api_refusal(
                403,
                "E0000006",
                "You do not have permission to perform the requested action",
                format!(
                    "Bearer authorization_uri=\"https://{host}/oauth2/v1/authorize\", {realm}, scope=\"{scope}\", error=\"insufficient_scope\", error_description=\"The access token provided does not contain the required scopes.\", resource=\"{path}\""
                ),
                None,
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_need_the_scopes_the_spec_names() {
        for (method, path, scope) in [
            ("GET", "/api/v1/users", Some("okta.users.read")),
            ("POST", "/api/v1/users", Some("okta.users.manage")),
            ("GET", "/api/v1/users/me", Some("okta.users.read")),
            (
                "POST",
                "/api/v1/users/00u1/lifecycle/suspend",
                Some("okta.users.manage"),
            ),
            (
                "DELETE",
                "/api/v1/users/00u1/sessions",
                Some("okta.users.manage"),
            ),
            ("GET", "/api/v1/users/00u1/factors", Some("okta.users.read")),
            (
                "POST",
                "/api/v1/users/00u1/factors",
                Some("okta.users.manage"),
            ),
            ("GET", "/api/v1/users/00u1/factors/questions", None),
            (
                "PUT",
                "/api/v1/groups/00g1/users/00u1",
                Some("okta.groups.manage"),
            ),
            ("GET", "/api/v1/groups/00g1/users", Some("okta.groups.read")),
            ("POST", "/api/v1/apps/0oa1/users", Some("okta.apps.manage")),
            ("GET", "/api/v1/logs", Some("okta.logs.read")),
            (
                "POST",
                "/api/v1/eventHooks/who/lifecycle/verify",
                Some("okta.eventHooks.manage"),
            ),
            ("GET", "/api/v1/policies", Some("okta.policies.read")),
            ("GET", "/api/v1/realms", Some("okta.realms.read")),
            (
                "GET",
                "/api/v1/meta/types/user",
                Some("okta.userTypes.read"),
            ),
            ("GET", "/mock/outbox", None),
        ] {
            assert_eq!(required_scope(method, path), scope, "{method} {path}");
        }
    }

    #[test]
    fn thumbprints_follow_rfc_7638() {
        // RFC 7638 §3.1's example key and thumbprint.
        let jwk = json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        assert_eq!(
            thumbprint(&jwk).as_deref(),
            Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        );
    }
}
