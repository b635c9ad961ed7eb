//! Credentials: a fixed API or bearer token; a service app's client credentials, whose
//! access token is minted with a signed assertion (`private_key_jwt`, RFC 7523) and bound
//! to a key with DPoP (RFC 9449) when asked or when Okta requires it; a web app's grant (a
//! code or a refresh token, RFC 6749 §4.1 and §6, with PKCE, RFC 7636), redeemed with
//! its client secret; or a token minted earlier. Each attempt of a request gets its authorization here, with a fresh DPoP proof
//! and the server's latest nonce; the client only asks.

use crate::client::error::{challenge_param, decode, invalid_input, oauth_error};
use crate::client::jose::{self, EcKey, SigningKey, htu};
use crate::client::secret::Secret;
use crate::client::spec::{Method, RequestSpec, Response, Retry};
use crate::client::{Client, Transport, encode};
use crate::wit::types::{self as wit, Auth, DpopMode, OktaError, TokenType};
use serde_json::{Value, json};
use std::time::UNIX_EPOCH;

/// The org authorization server's token endpoint.
pub(crate) const TOKEN_PATH: &str = "/oauth2/v1/token";

/// How long a client assertion is valid.
const ASSERTION_LIFETIME: u64 = 300;

/// The most scopes a service app connection asks for.
const MAX_SCOPES: usize = 64;

/// A checked credential.
#[derive(Clone, Debug)]
pub(crate) enum Credential {
    /// A fixed `Authorization` value: `SSWS <token>` or `Bearer <token>`.
    Fixed(Secret),
    /// A service app: a token is minted on first use.
    ServiceApp(Box<ServiceApp>),
    /// A token minted earlier.
    Token(Box<Token>),
    /// A web app's grant: a token is redeemed on first use.
    WebApp(Box<WebApp>),
}

/// A web app's credentials and the grant it redeems.
#[derive(Clone, Debug)]
pub(crate) struct WebApp {
    client_id: String,
    client_secret: Secret,
    post: bool,
    grant: Grant,
}

/// What a web app redeems.
#[derive(Clone, Debug)]
enum Grant {
    /// A code, its redirect URI and PKCE verifier.
    Code {
        code: Secret,
        redirect_uri: String,
        verifier: Option<Secret>,
    },
    /// A refresh token.
    Refresh(Secret),
}

/// A service app's client credentials.
#[derive(Clone, Debug)]
pub(crate) struct ServiceApp {
    client_id: String,
    key: SigningKey,
    key_id: Option<String>,
    scopes: Vec<String>,
    dpop: DpopMode,
    dpop_key: Option<EcKey>,
}

/// An access token and the key it is bound to, for DPoP.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    value: Secret,
    dpop: Option<EcKey>,
    expires_at: Option<u64>,
    scopes: Vec<String>,
}

/// What a call keeps while it authenticates: the token it minted, whether a mint is under
/// way (and with which DPoP key), and the nonces each server gave.
#[derive(Debug, Default)]
pub(crate) struct Session {
    token: Option<Token>,
    /// The refresh token a web app's redemption gave, to redeem next.
    refresh: Option<Secret>,
    minting: Option<Option<EcKey>>,
    token_nonce: Option<String>,
    api_nonce: Option<String>,
}

/// Checks a token and strips a pasted scheme prefix. The error never quotes the token.
/// The longest access or API token a request carries (Okta's are 1 to 4 KB): a longer one
/// would crowd the request's header budget. The caller's is `invalid-input`, a token
/// endpoint's `decode`.
pub(crate) const MAX_TOKEN: usize = 16 << 10;

/// The longest DPoP nonce taken from a server (Okta's are tens of bytes); a longer one is
/// `decode`, never put in a proof.
pub(crate) const MAX_NONCE: usize = 1 << 10;

fn bare_token<'a>(field: &str, token: &'a str, scheme: &str) -> Result<&'a str, OktaError> {
    let token = token.trim();
    if token.eq_ignore_ascii_case(scheme) {
        return Err(invalid_input(format!("auth.{field} is empty")));
    }
    let token = match token.get(..scheme.len() + 1) {
        Some(prefix) if prefix.eq_ignore_ascii_case(&format!("{scheme} ")) => {
            token[scheme.len() + 1..].trim_start()
        }
        _ => token,
    };
    if token.is_empty() {
        return Err(invalid_input(format!("auth.{field} is empty")));
    }
    if token.len() > MAX_TOKEN {
        return Err(invalid_input(format!(
            "auth.{field} is longer than {MAX_TOKEN} bytes"
        )));
    }
    if token
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || !c.is_ascii())
    {
        return Err(invalid_input(format!(
            "auth.{field} contains spaces or characters a token cannot have"
        )));
    }
    Ok(token)
}

impl Credential {
    /// Checks a WIT credential. Nothing is sent when this fails.
    pub(crate) fn from_wit(auth: &Auth) -> Result<Self, OktaError> {
        Ok(match auth {
            Auth::ApiToken(token) => Credential::Fixed(Secret::new(format!(
                "SSWS {}",
                bare_token("api-token", token, "SSWS")?
            ))),
            Auth::BearerToken(token) => Credential::Fixed(Secret::new(format!(
                "Bearer {}",
                bare_token("bearer-token", token, "Bearer")?
            ))),
            Auth::ClientCredentials(app) => {
                Credential::ServiceApp(Box::new(ServiceApp::from_wit(app)?))
            }
            Auth::AccessToken(token) => Credential::Token(Box::new(Token::from_wit(token)?)),
            Auth::AuthorizationCode(app) => Credential::WebApp(Box::new(WebApp::from_wit(app)?)),
        })
    }

    /// Whether the credential is a web app's grant.
    pub(crate) fn is_web_app(&self) -> bool {
        matches!(self, Credential::WebApp(_))
    }

    /// Whether the credential is an API token (`SSWS`), which acts for an admin user.
    pub(crate) fn is_api_token(&self) -> bool {
        matches!(self, Credential::Fixed(secret) if secret.expose().starts_with("SSWS "))
    }
}

impl ServiceApp {
    fn from_wit(app: &wit::ClientCredentials) -> Result<Self, OktaError> {
        let client_id = app.client_id.trim();
        if client_id.is_empty() || client_id.len() > 256 || !encode::is_wire_safe(client_id) {
            return Err(invalid_input(
                "auth.client-id must be the app's client id, such as 0oa1b2c3d4",
            ));
        }
        let scopes: Vec<String> = app
            .scopes
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if scopes.is_empty() {
            return Err(invalid_input(
                "auth.scopes is empty: name the scopes the app was granted, such as okta.users.read",
            ));
        }
        if scopes.len() > MAX_SCOPES
            || scopes
                .iter()
                .any(|s| s.len() > 128 || !s.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(invalid_input(format!(
                "auth.scopes takes at most {MAX_SCOPES} scopes, each printable and without spaces"
            )));
        }
        let key_id = match app.key_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(kid) if kid.len() <= 256 && kid.bytes().all(|b| b.is_ascii_graphic()) => {
                Some(kid.to_string())
            }
            Some(_) => return Err(invalid_input("auth.key-id is not a key id")),
        };
        Ok(ServiceApp {
            client_id: client_id.to_string(),
            key: SigningKey::parse("auth.private-key", &app.private_key)?,
            key_id,
            scopes,
            dpop: app.dpop.unwrap_or(DpopMode::Auto),
            dpop_key: app
                .dpop_key
                .as_deref()
                .map(|key| EcKey::parse("auth.dpop-key", key))
                .transpose()?,
        })
    }
}

/// A printable value of at most `max` bytes without spaces, or `invalid-input` naming
/// `field` (never quoting the value).
fn printable(field: &str, value: &str, max: usize) -> Result<String, OktaError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid_input(format!("auth.{field} is empty")));
    }
    if value.len() > max || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid_input(format!(
            "auth.{field} is not a value of at most {max} printable characters without spaces"
        )));
    }
    Ok(value.to_string())
}

impl WebApp {
    fn from_wit(app: &wit::AuthorizationCode) -> Result<Self, OktaError> {
        let client_id = printable("client-id", &app.client_id, 256)?;
        if !encode::is_wire_safe(&client_id) {
            return Err(invalid_input(
                "auth.client-id must be the app's client id, such as 0oa1b2c3d4",
            ));
        }
        let grant = match &app.grant {
            wit::Grant::Code(code) => {
                let verifier = match code.code_verifier.as_deref().map(str::trim) {
                    None | Some("") => None,
                    // RFC 7636 §4.1: 43 to 128 unreserved characters.
                    Some(v)
                        if (43..=128).contains(&v.len())
                            && v.bytes().all(|b| {
                                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
                            }) =>
                    {
                        Some(Secret::new(v.to_string()))
                    }
                    Some(_) => {
                        return Err(invalid_input(
                            "auth.grant.code.code-verifier must be 43 to 128 letters, digits or -._~ (RFC 7636)",
                        ));
                    }
                };
                Grant::Code {
                    code: Secret::new(printable("grant.code.code", &code.code, 4096)?),
                    redirect_uri: printable("grant.code.redirect-uri", &code.redirect_uri, 2048)?,
                    verifier,
                }
            }
            wit::Grant::RefreshToken(token) => Grant::Refresh(Secret::new(printable(
                "grant.refresh-token",
                token,
                MAX_TOKEN,
            )?)),
        };
        Ok(WebApp {
            client_id,
            client_secret: Secret::new(printable("client-secret", &app.client_secret, 1024)?),
            post: app.client_auth == Some(wit::ClientAuth::Post),
            grant,
        })
    }

    /// The token request's form and, for `client_secret_basic`, its `Authorization`.
    fn redeem(&self) -> (String, Option<Secret>) {
        let mut fields = match &self.grant {
            Grant::Code {
                code,
                redirect_uri,
                verifier,
            } => {
                let mut fields = vec![
                    ("grant_type", "authorization_code".to_string()),
                    ("code", code.expose().to_string()),
                    ("redirect_uri", redirect_uri.clone()),
                ];
                if let Some(verifier) = verifier {
                    fields.push(("code_verifier", verifier.expose().to_string()));
                }
                fields
            }
            Grant::Refresh(token) => vec![
                ("grant_type", "refresh_token".to_string()),
                ("refresh_token", token.expose().to_string()),
            ],
        };
        if self.post {
            fields.push(("client_id", self.client_id.clone()));
            fields.push(("client_secret", self.client_secret.expose().to_string()));
            return (encode::query_string(&fields), None);
        }
        use base64::Engine as _;
        let pair = format!("{}:{}", self.client_id, self.client_secret.expose());
        let basic = base64::engine::general_purpose::STANDARD.encode(pair);
        (
            encode::query_string(&fields),
            Some(Secret::new(format!("Basic {basic}"))),
        )
    }
}

impl Token {
    fn from_wit(token: &wit::AccessToken) -> Result<Self, OktaError> {
        let value = bare_token(
            "access-token.token",
            &token.token,
            match token.token_type {
                TokenType::Bearer => "Bearer",
                TokenType::Dpop => "DPoP",
            },
        )?;
        let dpop = match (token.token_type, token.dpop_key.as_deref()) {
            (TokenType::Bearer, _) => None,
            (TokenType::Dpop, Some(key)) => Some(EcKey::parse("auth.access-token.dpop-key", key)?),
            (TokenType::Dpop, None) => {
                return Err(invalid_input(
                    "auth.access-token.dpop-key is needed for a DPoP token: the key it is bound to",
                ));
            }
        };
        Ok(Token {
            value: Secret::new(value.to_string()),
            dpop,
            expires_at: token.expires_at,
            scopes: token.scopes.clone(),
        })
    }

    /// The token as the WIT record a host keeps.
    pub(crate) fn to_wit(&self) -> wit::AccessToken {
        wit::AccessToken {
            token: self.value.expose().to_string(),
            token_type: if self.dpop.is_some() {
                TokenType::Dpop
            } else {
                TokenType::Bearer
            },
            expires_at: self.expires_at,
            scopes: self.scopes.clone(),
            dpop_key: self.dpop.as_ref().map(EcKey::private_jwk),
        }
    }
}

/// What one attempt of a request carries to authenticate: headers, and for a token
/// request its form body (a fresh assertion each time).
pub(crate) struct Presented {
    /// `Authorization`, `DPoP`: secrets all.
    pub headers: Vec<(&'static str, Secret)>,
    /// The token request's form.
    pub form: Option<Vec<u8>>,
}

impl<T: Transport> Client<T> {
    /// The refresh token a web app's redemption gave, once it has been redeemed.
    pub(crate) fn refresh_token(&self) -> Option<String> {
        self.session
            .refresh
            .as_ref()
            .map(|token| token.expose().to_string())
    }

    /// Seconds since the epoch on the transport's clock.
    fn unix_now(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    /// The access token of a service app, web app or token connection; a service app's is
    /// minted and a web app's redeemed on first use. An API or bearer token has none to
    /// give.
    pub(crate) fn access_token(&mut self) -> Result<Token, OktaError> {
        match &self.connection.credential {
            Credential::Token(token) => Ok(token.as_ref().clone()),
            Credential::Fixed(_) => Err(invalid_input(
                "auth: an access token comes from a client-credentials or authorization-code connection",
            )),
            Credential::ServiceApp(_) | Credential::WebApp(_) => {
                if let Some(token) = &self.session.token {
                    return Ok(token.clone());
                }
                let token = self.mint()?;
                self.session.token = Some(token.clone());
                Ok(token)
            }
        }
    }

    /// Asks the org authorization server for a token: with a service app's scopes, or for
    /// a web app's grant (which is not sent twice: a code is redeemed once, a refresh token
    /// Okta rotated is spent).
    fn mint(&mut self) -> Result<Token, OktaError> {
        let (dpop_key, retry) = match &self.connection.credential {
            Credential::ServiceApp(app) => {
                let key = match app.dpop {
                    DpopMode::On => Some(match &app.dpop_key {
                        Some(key) => key.clone(),
                        None => EcKey::generate()?,
                    }),
                    DpopMode::Off | DpopMode::Auto => None,
                };
                (key, Retry::Safe)
            }
            Credential::WebApp(_) => (None, Retry::Unsafe),
            Credential::Fixed(_) | Credential::Token(_) => {
                return Err(invalid_input(
                    "auth: only a service app or a web app mints a token",
                ));
            }
        };
        self.session.minting = Some(dpop_key);
        let spec = RequestSpec::post(TOKEN_PATH.into())
            .token_request()
            .retry(retry);
        let sent = self.send(&spec);
        let dpop_key = self.session.minting.take().flatten();
        let body: Value =
            serde_json::from_slice(&sent?.body).map_err(|err| decode("the token response", err))?;
        let token = body
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| decode("the token response", "it has no access_token"))?;
        if token.len() > MAX_TOKEN || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(decode(
                "the token response",
                format!("its access_token is not a token of at most {MAX_TOKEN} printable bytes"),
            ));
        }
        let dpop = match body.get("token_type").and_then(Value::as_str) {
            Some(kind) if kind.eq_ignore_ascii_case("DPoP") => Some(dpop_key.ok_or_else(|| {
                decode(
                    "the token response",
                    "a DPoP token answered a request without a proof",
                )
            })?),
            _ => None,
        };
        let expires_at = body
            .get("expires_in")
            .and_then(Value::as_u64)
            .map(|secs| self.unix_now() + secs);
        let scopes = body
            .get("scope")
            .and_then(Value::as_str)
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        if let Some(refresh) = body.get("refresh_token").and_then(Value::as_str) {
            if refresh.is_empty()
                || refresh.len() > MAX_TOKEN
                || !refresh.bytes().all(|b| b.is_ascii_graphic())
            {
                return Err(decode(
                    "the token response",
                    format!(
                        "its refresh_token is not a token of at most {MAX_TOKEN} printable bytes"
                    ),
                ));
            }
            self.session.refresh = Some(Secret::new(refresh.to_string()));
        }
        Ok(Token {
            value: Secret::new(token.to_string()),
            dpop,
            expires_at,
            scopes,
        })
    }

    /// What this attempt of `spec` (going to `url`) carries to authenticate.
    pub(crate) fn present(
        &mut self,
        spec: &RequestSpec,
        url: &str,
    ) -> Result<Presented, OktaError> {
        let now = self.unix_now();
        if spec.is_token_request() {
            let app = match &self.connection.credential {
                Credential::ServiceApp(app) => app,
                Credential::WebApp(app) => {
                    let (form, basic) = app.redeem();
                    return Ok(Presented {
                        headers: basic.map(|b| ("authorization", b)).into_iter().collect(),
                        form: Some(form.into_bytes()),
                    });
                }
                Credential::Fixed(_) | Credential::Token(_) => {
                    return Err(invalid_input(
                        "auth: only a service app or a web app mints a token",
                    ));
                }
            };
            let audience = format!("https://{}{TOKEN_PATH}", self.connection.domain);
            let claims = json!({
                "iss": app.client_id,
                "sub": app.client_id,
                "aud": audience,
                "iat": now,
                "exp": now + ASSERTION_LIFETIME,
                "jti": jose::jti()?,
            });
            let header = match &app.key_id {
                Some(kid) => json!({"typ": "JWT", "kid": kid}),
                None => json!({"typ": "JWT"}),
            };
            let assertion = app.key.jwt(header, &claims);
            let form = encode::query_string(&[
                ("grant_type", "client_credentials".to_string()),
                ("scope", app.scopes.join(" ")),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_string(),
                ),
                ("client_assertion", assertion),
            ]);
            let headers = match self.session.minting.as_ref().and_then(Option::as_ref) {
                Some(key) => vec![(
                    "dpop",
                    Secret::new(key.proof(
                        Method::Post.as_str(),
                        htu(url),
                        None,
                        self.session.token_nonce.as_deref(),
                        now,
                    )?),
                )],
                None => Vec::new(),
            };
            return Ok(Presented {
                headers,
                form: Some(form.into_bytes()),
            });
        }
        let token = match &self.connection.credential {
            Credential::Fixed(secret) => {
                return Ok(Presented {
                    headers: vec![("authorization", secret.clone())],
                    form: None,
                });
            }
            Credential::Token(token) => token.as_ref().clone(),
            Credential::ServiceApp(_) => self.access_token()?,
            // A grant is spent when redeemed: a call that redeemed its own on every run would
            // spend the engine's. The host keeps it (`connection.get-token-grant`).
            Credential::WebApp(_) => {
                return Err(invalid_input(
                    "auth: an authorization-code connection is redeemed by connection.get-token-grant; \
                     call nodes with its access token (okta-host keeps the tokens itself)",
                ));
            }
        };
        let headers = match &token.dpop {
            None => vec![(
                "authorization",
                Secret::new(format!("Bearer {}", token.value.expose())),
            )],
            Some(key) => vec![
                (
                    "authorization",
                    Secret::new(format!("DPoP {}", token.value.expose())),
                ),
                (
                    "dpop",
                    Secret::new(key.proof(
                        spec.method.as_str(),
                        htu(url),
                        Some(token.value.expose()),
                        self.session.api_nonce.as_deref(),
                        now,
                    )?),
                ),
            ],
        };
        Ok(Presented {
            headers,
            form: None,
        })
    }

    /// Whether an answer is a challenge the request meets by being sent again at once: a
    /// DPoP nonce (`use_dpop_nonce`, from the token endpoint as a 400 or from an API as a
    /// 401), or, for a service app in `auto` mode, Okta's word that the app requires DPoP.
    /// A nonce the challenge would put in the next proof that is longer than
    /// [`MAX_NONCE`], or not printable, is `decode`.
    pub(crate) fn met_challenge(
        &mut self,
        spec: &RequestSpec,
        resp: &Response,
    ) -> Result<bool, OktaError> {
        let nonce = resp.header("dpop-nonce");
        // The nonce the next proof carries, checked as it is taken.
        let taken = || match nonce {
            Some(n) if n.len() <= MAX_NONCE && n.bytes().all(|b| b.is_ascii_graphic()) => {
                Ok(Some(n.to_string()))
            }
            _ => Err(decode(
                "the DPoP-Nonce header",
                format!("it is not a nonce of at most {MAX_NONCE} printable bytes"),
            )),
        };
        if spec.is_token_request() {
            if matches!(self.connection.credential, Credential::WebApp(_)) {
                // A web app's grant is never sent again: no challenge is met.
                return Ok(false);
            }
            let error = oauth_error(resp);
            match (resp.status, error.as_deref()) {
                (400, Some("use_dpop_nonce")) if nonce.is_some() => {
                    let nonce = taken()?;
                    let fresh = nonce != self.session.token_nonce;
                    self.session.token_nonce = nonce;
                    Ok(fresh)
                }
                (400, Some("invalid_dpop_proof")) if matches!(self.session.minting, Some(None)) => {
                    let Credential::ServiceApp(app) = &self.connection.credential else {
                        return Ok(false);
                    };
                    if app.dpop != DpopMode::Auto {
                        return Ok(false);
                    }
                    let key = match &app.dpop_key {
                        Some(key) => Some(key.clone()),
                        None => EcKey::generate().ok(),
                    };
                    let ready = key.is_some();
                    self.session.minting = Some(key);
                    Ok(ready)
                }
                _ => Ok(false),
            }
        } else {
            let dpop = match &self.connection.credential {
                Credential::Token(token) => token.dpop.is_some(),
                Credential::ServiceApp(_) | Credential::WebApp(_) => self
                    .session
                    .token
                    .as_ref()
                    .is_some_and(|t| t.dpop.is_some()),
                Credential::Fixed(_) => false,
            };
            if dpop
                && resp.status == 401
                && nonce.is_some()
                && challenge_param(resp, "error").as_deref() == Some("use_dpop_nonce")
            {
                let nonce = taken()?;
                let fresh = nonce != self.session.api_nonce;
                self.session.api_nonce = nonce;
                return Ok(fresh);
            }
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::connection::Connection;
    use crate::client::fake::FakeTransport;
    use crate::wit::types::{ClientCredentials, Connection as WitConnection, ErrorKind};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use std::time::{Duration, SystemTime};

    const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/host-test/tests/keys/");
    const NOW: u64 = 1_700_000_000;

    fn key(name: &str) -> String {
        std::fs::read_to_string(format!("{KEYS}{name}")).unwrap()
    }

    fn app(key_file: &str, dpop: DpopMode) -> Auth {
        Auth::ClientCredentials(ClientCredentials {
            client_id: "0oaservice".into(),
            private_key: key(key_file),
            key_id: Some("kid-1".into()),
            scopes: vec!["okta.users.read".into(), "okta.groups.read".into()],
            dpop: Some(dpop),
            dpop_key: None,
        })
    }

    fn client(auth: Auth, transport: FakeTransport) -> Client<FakeTransport> {
        let conn = Connection::from_wit(&WitConnection {
            domain: "x.okta.com".into(),
            auth,
            options: None,
        })
        .unwrap();
        let transport = FakeTransport {
            now: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(NOW)),
            ..transport
        };
        Client::new(conn, transport)
    }

    /// The claims of a compact JWT.
    fn claims(jwt: &str) -> Value {
        let part = jwt.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    fn header(jwt: &str) -> Value {
        let part = jwt.split('.').next().unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    /// A form body's field, decoded.
    fn field(form: &str, name: &str) -> String {
        form.split('&')
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
            .map(|v| crate::client::encode::decode_query(v).into_owned())
            .unwrap()
    }

    const BEARER: &str = r#"{"token_type":"Bearer","expires_in":3600,"access_token":"eyJ.tok","scope":"okta.users.read okta.groups.read"}"#;
    const DPOP: &str = r#"{"token_type":"DPoP","expires_in":3600,"access_token":"eyJ.dpop","scope":"okta.users.read"}"#;

    fn web_app(grant: wit::Grant, client_auth: Option<wit::ClientAuth>) -> Auth {
        Auth::AuthorizationCode(wit::AuthorizationCode {
            client_id: "0oaweb".into(),
            client_secret: "SENTINEL-secret".into(),
            client_auth,
            grant,
        })
    }

    const VERIFIER: &str = "a-verifier-of-forty-three-characters-or-more-0123";
    const GRANTED: &str = r#"{"token_type":"Bearer","expires_in":3600,"access_token":"eyJ.web","scope":"okta.users.read offline_access","refresh_token":"rt-2"}"#;

    #[test]
    fn a_web_app_redeems_its_code_once_with_basic_auth_and_keeps_the_refresh_token() {
        let code = wit::Grant::Code(wit::CodeGrant {
            code: "SENTINEL-code".into(),
            redirect_uri: "https://engine.example/callback".into(),
            code_verifier: Some(VERIFIER.into()),
        });
        let transport = FakeTransport::default().respond(200, &[], GRANTED);
        let mut c = client(web_app(code, None), transport);
        assert_eq!(c.access_token().unwrap().to_wit().token, "eyJ.web");
        // An API call redeems nothing more: it is refused before anything is sent.
        let refused = c
            .send(&RequestSpec::get("/api/v1/users".into()))
            .unwrap_err();
        assert_eq!(refused.kind, ErrorKind::InvalidInput);
        let seen = &c.transport().seen;
        assert_eq!(seen.len(), 1);
        let form = seen[0].body.as_deref().unwrap();
        assert_eq!(field(form, "grant_type"), "authorization_code");
        assert_eq!(field(form, "code"), "SENTINEL-code");
        assert_eq!(
            field(form, "redirect_uri"),
            "https://engine.example/callback"
        );
        assert_eq!(field(form, "code_verifier"), VERIFIER);
        assert!(!form.contains("client_secret"));
        let basic = base64::engine::general_purpose::STANDARD.encode("0oaweb:SENTINEL-secret");
        assert_eq!(seen[0].authorization, format!("Basic {basic}"));
        assert_eq!(c.refresh_token().as_deref(), Some("rt-2"));
        assert!(!format!("{:?}", c.session).contains("rt-2"));
        assert!(!format!("{:?}", c.connection()).contains("SENTINEL"));

        // A code that a 5xx or a lost answer met is not sent again; nor is a nonce met.
        for answer in [
            FakeTransport::default().respond(503, &[], "{}"),
            FakeTransport::default().respond(
                400,
                &[("dpop-nonce", "n1")],
                r#"{"error":"use_dpop_nonce"}"#,
            ),
        ] {
            let code = wit::Grant::Code(wit::CodeGrant {
                code: "c".into(),
                redirect_uri: "https://engine.example/callback".into(),
                code_verifier: None,
            });
            let mut c = client(web_app(code, None), answer);
            assert!(c.access_token().is_err());
            assert_eq!(c.transport().seen.len(), 1);
        }
    }

    #[test]
    fn a_web_app_refreshes_with_its_secret_in_the_form() {
        let grant = wit::Grant::RefreshToken("rt-1".into());
        let transport = FakeTransport::default().respond(200, &[], GRANTED);
        let mut c = client(web_app(grant, Some(wit::ClientAuth::Post)), transport);
        let token = c.access_token().unwrap().to_wit();
        assert_eq!(token.token, "eyJ.web");
        assert_eq!(token.scopes, ["okta.users.read", "offline_access"]);
        let seen = &c.transport().seen;
        let form = seen[0].body.as_deref().unwrap();
        assert_eq!(field(form, "grant_type"), "refresh_token");
        assert_eq!(field(form, "refresh_token"), "rt-1");
        assert_eq!(field(form, "client_id"), "0oaweb");
        assert_eq!(field(form, "client_secret"), "SENTINEL-secret");
        assert_eq!(seen[0].authorization, "");
        assert_eq!(c.refresh_token().as_deref(), Some("rt-2"));
    }

    #[test]
    fn a_web_app_s_input_is_checked_before_anything_is_sent() {
        let code = |verifier: &str| {
            wit::Grant::Code(wit::CodeGrant {
                code: "c".into(),
                redirect_uri: "https://e/cb".into(),
                code_verifier: Some(verifier.into()),
            })
        };
        for (auth, field) in [
            (web_app(code("short"), None), "code-verifier"),
            (web_app(code(&"é".repeat(30)), None), "code-verifier"),
            (
                web_app(wit::Grant::RefreshToken(" ".into()), None),
                "refresh-token",
            ),
            (
                web_app(wit::Grant::RefreshToken("has space".into()), None),
                "refresh-token",
            ),
        ] {
            let err = Connection::from_wit(&WitConnection {
                domain: "x.okta.com".into(),
                auth,
                options: None,
            })
            .unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidInput);
            assert!(err.message.contains(field), "{}", err.message);
            assert!(!err.message.contains("SENTINEL"));
        }
    }

    #[test]
    fn a_service_app_mints_with_a_signed_assertion_then_calls_with_the_token() {
        let transport = FakeTransport::default()
            .respond(200, &[], BEARER)
            .respond(200, &[], "[]")
            .respond(200, &[], "[]");
        let mut c = client(app("rsa-pkcs8.pem", DpopMode::Off), transport);
        c.send(&RequestSpec::get("/api/v1/users".into())).unwrap();
        c.send(&RequestSpec::get("/api/v1/groups".into())).unwrap();
        let seen = &c.transport().seen;
        assert_eq!(seen.len(), 3, "one token request for the whole call");
        let mint = &seen[0];
        assert_eq!(mint.method, Method::Post);
        assert_eq!(mint.url, "https://x.okta.com/oauth2/v1/token");
        assert_eq!(
            mint.authorization, "",
            "a token request carries no credential header"
        );
        assert!(mint.dpop.is_none());
        let form = mint.body.as_deref().unwrap();
        assert_eq!(field(form, "grant_type"), "client_credentials");
        assert_eq!(field(form, "scope"), "okta.users.read okta.groups.read");
        assert_eq!(
            field(form, "client_assertion_type"),
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        );
        let assertion = field(form, "client_assertion");
        assert_eq!(header(&assertion)["alg"], "RS256");
        assert_eq!(header(&assertion)["kid"], "kid-1");
        let got = claims(&assertion);
        assert_eq!(got["iss"], "0oaservice");
        assert_eq!(got["sub"], "0oaservice");
        assert_eq!(got["aud"], "https://x.okta.com/oauth2/v1/token");
        assert_eq!(got["iat"], NOW);
        assert_eq!(got["exp"], NOW + 300);
        assert!(got["jti"].as_str().is_some_and(|j| j.len() >= 16));
        for call in &seen[1..] {
            assert_eq!(call.authorization, "Bearer eyJ.tok");
            assert!(call.dpop.is_none());
        }
        let token = c.access_token().unwrap().to_wit();
        assert_eq!(token.token_type, TokenType::Bearer);
        assert_eq!(token.expires_at, Some(NOW + 3600));
        assert_eq!(token.scopes, ["okta.users.read", "okta.groups.read"]);
        assert!(!format!("{:?}", c.session).contains("eyJ.tok"));
    }

    #[test]
    fn an_oversized_token_or_nonce_from_a_server_is_decode_and_never_sent() {
        let huge = "t".repeat(MAX_TOKEN + 1);
        let body =
            format!(r#"{{"token_type":"Bearer","expires_in":3600,"access_token":"{huge}"}}"#);
        let transport = FakeTransport::default().respond(200, &[], &body);
        let mut c = client(app("rsa-pkcs8.pem", DpopMode::Off), transport);
        let err = c
            .send(&RequestSpec::get("/api/v1/users".into()))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Decode, "{err:?}");
        assert_eq!(c.transport().seen.len(), 1, "the token is never presented");

        let nonce = "n".repeat(MAX_NONCE + 1);
        let mut transport = FakeTransport::default();
        transport.script.push_back(Ok(Response {
            status: 400,
            headers: vec![("dpop-nonce".to_string(), nonce)],
            body: br#"{"error":"use_dpop_nonce"}"#.to_vec(),
        }));
        let mut c = client(app("ec-pkcs8.pem", DpopMode::On), transport);
        let err = c
            .send(&RequestSpec::get("/api/v1/users".into()))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Decode, "{err:?}");
        assert_eq!(c.transport().seen.len(), 1, "no proof carries the nonce");
    }

    #[test]
    fn a_caller_token_past_the_bound_is_invalid_input() {
        let conn = Connection::from_wit(&WitConnection {
            domain: "x.okta.com".into(),
            auth: Auth::ApiToken("0".repeat(MAX_TOKEN + 1)),
            options: None,
        });
        assert_eq!(conn.unwrap_err().kind, ErrorKind::InvalidInput);
    }

    #[test]
    fn dpop_meets_both_nonce_challenges_and_binds_every_call() {
        let nonce = |n: &str| vec![("dpop-nonce".to_string(), n.to_string())];
        let mut transport = FakeTransport::default();
        transport.script.push_back(Ok(Response {
            status: 400,
            headers: nonce("n-token"),
            body: br#"{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof."}"#.to_vec(),
        }));
        let mut transport = transport.respond(200, &[], DPOP);
        let mut challenge = nonce("n-api");
        challenge.push((
            "www-authenticate".into(),
            r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#.into(),
        ));
        transport.script.push_back(Ok(Response {
            status: 401,
            headers: challenge,
            body: Vec::new(),
        }));
        let transport = transport.respond(200, &[], "{}");
        let mut c = client(app("ec-sec1.pem", DpopMode::On), transport);
        c.send(&RequestSpec::get("/api/v1/users/a+b@x.com".into()))
            .unwrap();
        let seen = &c.transport().seen;
        assert_eq!(seen.len(), 4);
        // The token request: a proof without ath, then with Okta's nonce.
        let first = claims(seen[0].dpop.as_deref().unwrap());
        assert_eq!(first["htm"], "POST");
        assert_eq!(first["htu"], "https://x.okta.com/oauth2/v1/token");
        assert!(first.get("ath").is_none() && first.get("nonce").is_none());
        assert_eq!(claims(seen[1].dpop.as_deref().unwrap())["nonce"], "n-token");
        assert_ne!(
            field(seen[0].body.as_deref().unwrap(), "client_assertion"),
            field(seen[1].body.as_deref().unwrap(), "client_assertion"),
            "each attempt signs a fresh assertion"
        );
        // The API call: DPoP scheme, a proof with ath and the path as sent, then the nonce.
        assert_eq!(seen[2].authorization, "DPoP eyJ.dpop");
        let proof = claims(seen[2].dpop.as_deref().unwrap());
        assert_eq!(proof["htm"], "GET");
        assert_eq!(proof["htu"], "https://x.okta.com/api/v1/users/a+b@x.com");
        assert_eq!(
            proof["ath"],
            jose::b64(&<sha2::Sha256 as sha2::Digest>::digest(b"eyJ.dpop"))
        );
        let retry = claims(seen[3].dpop.as_deref().unwrap());
        assert_eq!(retry["nonce"], "n-api");
        assert_ne!(retry["jti"], proof["jti"]);
        // The same key signs the token request and every call.
        let jwk = |i: usize| header(seen[i].dpop.as_deref().unwrap())["jwk"].clone();
        assert_eq!(jwk(0), jwk(3));
        let first_jwk = jwk(0);
        let token = c.access_token().unwrap().to_wit();
        assert_eq!(token.token_type, TokenType::Dpop);
        let bound = EcKey::parse("k", token.dpop_key.as_deref().unwrap()).unwrap();
        assert_eq!(bound.public_jwk(), first_jwk);
    }

    #[test]
    fn auto_switches_to_dpop_when_okta_requires_it() {
        let transport = FakeTransport::default()
            .respond(
                400,
                &[],
                r#"{"error":"invalid_dpop_proof","error_description":"The DPoP proof JWT header is missing."}"#,
            )
            .respond(200, &[], DPOP)
            .respond(200, &[], "{}");
        let mut c = client(app("ec.jwk", DpopMode::Auto), transport);
        c.send(&RequestSpec::get("/api/v1/users/me".into()))
            .unwrap();
        let seen = &c.transport().seen;
        assert!(seen[0].dpop.is_none());
        assert!(seen[1].dpop.is_some());
        assert_eq!(seen[2].authorization, "DPoP eyJ.dpop");
        // `off` does not switch: the error stands.
        let transport = FakeTransport::default().respond(
            400,
            &[],
            r#"{"error":"invalid_dpop_proof","error_description":"The DPoP proof JWT header is missing."}"#,
        );
        let mut c = client(app("ec.jwk", DpopMode::Off), transport);
        let err = c
            .send(&RequestSpec::get("/api/v1/users/me".into()))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadRequest);
        assert_eq!(err.error_code.as_deref(), Some("invalid_dpop_proof"));
        assert_eq!(err.message, "The DPoP proof JWT header is missing.");
    }

    #[test]
    fn oauth_errors_and_missing_scopes_are_typed() {
        let transport = FakeTransport::default().respond(
            401,
            &[],
            r#"{"error":"invalid_client","error_description":"The client_assertion signature is invalid."}"#,
        );
        let mut c = client(app("rsa-pkcs1.pem", DpopMode::Off), transport);
        let err = c
            .send(&RequestSpec::get("/api/v1/users".into()))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unauthorized);
        assert_eq!(err.error_code.as_deref(), Some("invalid_client"));
        assert_eq!(c.transport().seen.len(), 1);

        let transport = FakeTransport::default().respond(200, &[], BEARER).respond(
            403,
            &[(
                "www-authenticate",
                r#"Bearer authorization_uri="https://x.okta.com/oauth2/v1/authorize", realm="https://x.okta.com", scope="okta.users.manage", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="/api/v1/users""#,
            )],
            r#"{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action"}"#,
        );
        let mut c = client(app("rsa-pkcs1.pem", DpopMode::Off), transport);
        let err = c
            .send(&RequestSpec::post("/api/v1/users".into()))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Forbidden);
        assert_eq!(err.error_code.as_deref(), Some("E0000006"));
        assert!(
            err.message
                .starts_with("the access token lacks the scope okta.users.manage"),
            "{}",
            err.message
        );
    }

    #[test]
    fn service_app_input_is_checked_before_anything_is_sent() {
        let bad = |edit: fn(&mut ClientCredentials)| {
            let Auth::ClientCredentials(mut creds) = app("ec.jwk", DpopMode::Auto) else {
                unreachable!()
            };
            edit(&mut creds);
            Credential::from_wit(&Auth::ClientCredentials(creds)).unwrap_err()
        };
        assert!(
            bad(|c| c.client_id = " ".into())
                .message
                .starts_with("auth.client-id")
        );
        assert!(
            bad(|c| c.scopes = vec![])
                .message
                .starts_with("auth.scopes")
        );
        assert!(
            bad(|c| c.scopes = vec!["a b".into()])
                .message
                .starts_with("auth.scopes")
        );
        assert!(
            bad(|c| c.private_key = "secret-ish".into())
                .message
                .starts_with("auth.private-key")
        );
        assert!(
            bad(|c| c.dpop_key = Some(key("rsa-pkcs8.pem")))
                .message
                .starts_with("auth.dpop-key")
        );
        let err = Credential::from_wit(&Auth::AccessToken(wit::AccessToken {
            token: "eyJ".into(),
            token_type: TokenType::Dpop,
            expires_at: None,
            scopes: vec![],
            dpop_key: None,
        }))
        .unwrap_err();
        assert!(err.message.contains("dpop-key"), "{}", err.message);
        // A key's text never shows in an error or a Debug.
        let ec = key("ec-pkcs8.pem");
        let shown = format!(
            "{:?}",
            Credential::from_wit(&app("ec-pkcs8.pem", DpopMode::On)).unwrap()
        );
        assert!(!shown.contains(ec.lines().nth(1).unwrap()), "{shown}");
    }
}
