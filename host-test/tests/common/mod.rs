//! Shared test setup: a mock Okta, a host routed to it, and a connection for its org.
#![allow(dead_code)]

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::get;
use okta_host::wit::factors::{EnrollFactorRequest, FactorType};
use okta_host::wit::raw::{HttpMethod, RawRequest};
use okta_host::wit::types::{ClientCredentials, DpopMode};
use okta_host::wit::types::{ErrorKind, OktaError, UserProfile};
use okta_host::wit::users::CreateUserRequest;
use okta_host::{Connection, Host, HostConfig, Node};
use okta_mock::{MockConfig, MockOkta};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// The org the tests' connections name; the host routes it to the mock.
pub const ORG: &str = "dev-424242.okta.com";

/// The service app the OAuth modes register.
pub const CLIENT_ID: &str = "0oaservice7nodes42";

/// Every scope a node needs.
pub const ALL_SCOPES: &[&str] = &[
    "okta.users.read",
    "okta.users.manage",
    "okta.groups.read",
    "okta.groups.manage",
    "okta.apps.read",
    "okta.apps.manage",
    "okta.logs.read",
    "okta.eventHooks.read",
    "okta.eventHooks.manage",
    "okta.policies.read",
    "okta.realms.read",
    "okta.userTypes.read",
];

/// How the node suites authenticate: `OKTA_TEST_AUTH` is `api-token` (the default),
/// `oauth` (a service app's Bearer token) or `dpop` (a service app that requires DPoP).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    ApiToken,
    OAuth,
    Dpop,
}

impl AuthMode {
    /// The `Authorization` scheme the mode's requests carry.
    pub fn scheme(self) -> &'static str {
        match self {
            AuthMode::ApiToken => "SSWS",
            AuthMode::OAuth => "Bearer",
            AuthMode::Dpop => "DPoP",
        }
    }

    /// The login `test-connection` reports: the admin's for an API token; a service app's
    /// token acts for no user.
    pub fn principal_login(self) -> Option<&'static str> {
        (self == AuthMode::ApiToken).then_some("admin@example.com")
    }

    /// The mode this run was asked for.
    pub fn from_env() -> AuthMode {
        match std::env::var("OKTA_TEST_AUTH").as_deref() {
            Ok("oauth") => AuthMode::OAuth,
            Ok("dpop") => AuthMode::Dpop,
            Ok("api-token") | Err(_) => AuthMode::ApiToken,
            Ok(other) => panic!("OKTA_TEST_AUTH is api-token, oauth or dpop, not {other}"),
        }
    }
}

/// A test key's text (`host-test/tests/keys/`).
pub fn key(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR")))
        .expect("a test key")
}

/// The public half of a private JWK key file, with a `kid`.
pub fn public_jwk(name: &str, kid: &str) -> serde_json::Value {
    let mut jwk: serde_json::Value = serde_json::from_str(&key(name)).unwrap();
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        jwk.as_object_mut().unwrap().remove(private);
    }
    jwk["kid"] = kid.into();
    jwk
}

/// A mock org and a host whose calls reach it.
pub struct Env {
    pub mock: MockOkta,
    pub host: Host,
    pub conn: Connection,
}

impl Env {
    /// A mock with only the org's basics (admin, Everyone, default user type).
    pub async fn start() -> Env {
        Self::with(MockConfig::default()).await
    }

    /// A mock seeded with the demo org.
    pub async fn seeded() -> Env {
        Self::with(MockConfig {
            seed: true,
            ..MockConfig::default()
        })
        .await
    }

    /// A mock with this configuration; the connection authenticates as `OKTA_TEST_AUTH`
    /// says.
    pub async fn with(config: MockConfig) -> Env {
        let mut env = Self::with_host(config, HostConfig::default()).await;
        match AuthMode::from_env() {
            AuthMode::ApiToken => {}
            AuthMode::OAuth => {
                env.conn = env.service_app("rsa.jwk", ALL_SCOPES, false, DpopMode::Auto)
            }
            AuthMode::Dpop => {
                env.conn = env.service_app("ec.jwk", ALL_SCOPES, true, DpopMode::Auto)
            }
        }
        // The token is minted now, so a fault a test sets later meets the API only.
        env.host
            .authorized(&env.conn)
            .await
            .expect("the host mints")
            .expect("the mock grants the token");
        env
    }

    /// Registers a service app for `key_file` (a private JWK: its public half is registered)
    /// with `granted` scopes, DPoP required or not, and returns a connection that asks for
    /// every granted scope.
    pub fn service_app(
        &self,
        key_file: &str,
        granted: &[&str],
        dpop_required: bool,
        dpop: DpopMode,
    ) -> Connection {
        let app = okta_mock::oauth::ServiceApp {
            client_id: CLIENT_ID.into(),
            keys: vec![public_jwk(key_file, "kid-test")],
            scopes: granted.iter().map(|s| s.to_string()).collect(),
            dpop: dpop_required,
        };
        self.mock.state().oauth.register(app);
        Connection::service_app(
            ORG,
            ClientCredentials {
                client_id: CLIENT_ID.into(),
                private_key: key(key_file),
                key_id: Some("kid-test".into()),
                scopes: granted.iter().map(|s| s.to_string()).collect(),
                dpop: Some(dpop),
                dpop_key: None,
            },
        )
    }

    /// A mock with this configuration, and a host with this one (routed to the mock).
    pub async fn with_host(config: MockConfig, host: HostConfig) -> Env {
        let mock = MockOkta::start(config).await.expect("mock starts");
        let host = Host::new(HostConfig {
            route_to: Some(mock.url()),
            max_instances: 8,
            ..host
        })
        .expect("host loads the component");
        let conn = Connection::api_token(ORG, mock.token());
        Env { mock, host, conn }
    }

    /// A fresh instance for one call with the env's connection.
    pub async fn node(&self) -> Node {
        self.node_for(&self.conn).await
    }

    /// A fresh instance for one call with another connection.
    pub async fn node_for(&self, conn: &Connection) -> Node {
        self.host.node(conn).await.expect("instantiates")
    }

    /// A user created in the mock directly (ACTIVE, with a password); returns the id.
    pub fn add_user(&self, login: &str) -> String {
        let mut state = self.mock.state();
        let mut profile = serde_json::Map::new();
        for (k, v) in [
            ("login", login),
            ("email", login),
            ("firstName", "Test"),
            ("lastName", "User"),
        ] {
            profile.insert(k.into(), v.into());
        }
        let id = state.insert_user(
            profile,
            Some(okta_mock::state::Password::Value("Secr3t!pass".into())),
            None,
            None,
            None,
        );
        if let Some(user) = state.users.get_mut(&id) {
            user.set_status(okta_mock::Status::Active, std::time::SystemTime::now());
        }
        id
    }

    /// How many API requests reached the mock (a service app's token requests aside).
    pub fn requests(&self) -> usize {
        self.api_requests().len()
    }

    /// The API requests the mock logged, oldest first: a service app's token requests
    /// aside, so a node suite reads the same under every auth mode.
    pub fn api_requests(&self) -> Vec<okta_mock::traffic::LoggedRequest> {
        self.mock
            .requests()
            .into_iter()
            .filter(|r| r.path != okta_mock::oauth::TOKEN_PATH)
            .collect()
    }
}

/// Calls a `users` node through the real component; `users!(env, call_get_user, &req)`.
#[macro_export]
macro_rules! users {
    ($env:expr, $method:ident $(, $arg:expr)*) => {{
        let mut node = $env.node().await;
        node.nodes
            .okta_management_users()
            .$method(&mut node.store, &node.conn $(, $arg)*)
            .await
            .expect("the call does not trap")
    }};
}

/// Calls any node through the real component: `call!(env, okta_management_groups,
/// call_get_group, &req)`.
#[macro_export]
macro_rules! call {
    ($env:expr, $iface:ident, $method:ident $(, $arg:expr)*) => {{
        let mut node = $env.node().await;
        node.nodes
            .$iface()
            .$method(&mut node.store, &node.conn $(, $arg)*)
            .await
            .expect("the call does not trap")
    }};
}

/// Calls a `connection` node through the real component.
#[macro_export]
macro_rules! connection {
    ($node:expr, $method:ident $(, $arg:expr)*) => {{
        let mut node = $node;
        node.nodes
            .okta_management_connection()
            .$method(&mut node.store, &node.conn $(, $arg)*)
            .await
            .expect("the call does not trap")
    }};
}

/// A profile with nothing set.
pub fn empty_profile() -> UserProfile {
    UserProfile {
        login: None,
        email: None,
        second_email: None,
        first_name: None,
        middle_name: None,
        last_name: None,
        honorific_prefix: None,
        honorific_suffix: None,
        display_name: None,
        nick_name: None,
        profile_url: None,
        title: None,
        user_type: None,
        organization: None,
        division: None,
        department: None,
        cost_center: None,
        employee_number: None,
        manager: None,
        manager_id: None,
        mobile_phone: None,
        primary_phone: None,
        street_address: None,
        city: None,
        state: None,
        zip_code: None,
        country_code: None,
        postal_address: None,
        preferred_language: None,
        locale: None,
        timezone: None,
    }
}

/// The profile the default schema requires.
pub fn profile(login: &str) -> UserProfile {
    UserProfile {
        login: Some(login.into()),
        email: Some(login.into()),
        first_name: Some("Test".into()),
        last_name: Some("User".into()),
        ..empty_profile()
    }
}

/// A create request with only the required profile.
pub fn create_request(login: &str) -> CreateUserRequest {
    CreateUserRequest {
        profile: profile(login),
        profile_extra: None,
        password: None,
        recovery_question: None,
        provider: None,
        group_ids: None,
        realm_id: None,
        type_id: None,
        activate: Some(false),
        next_login: None,
    }
}

/// A raw request with nothing but a method and a path.
pub fn raw(method: HttpMethod, path: &str) -> RawRequest {
    RawRequest {
        method,
        path: path.into(),
        query: None,
        headers: None,
        body: None,
        retries: None,
        retry_delay_ms: None,
        backoff: None,
        retry_on_all_errors: None,
        timeout_ms: None,
    }
}

/// An enrollment of a factor type with nothing else set.
pub fn enroll(user: &str, kind: FactorType) -> EnrollFactorRequest {
    EnrollFactorRequest {
        user_id: user.into(),
        factor_type: kind,
        provider: None,
        phone_number: None,
        email: None,
        question: None,
        answer: None,
        factor_profile_id: None,
        shared_secret: None,
        activate: None,
        update_phone: None,
        token_lifetime_seconds: None,
    }
}

/// Asserts an error's kind and, when given, Okta's error code.
#[track_caller]
pub fn assert_error(error: &OktaError, kind: ErrorKind, code: Option<&str>) {
    assert_eq!(error.kind, kind, "{error:?}");
    if let Some(code) = code {
        let got = error.error_code.as_deref();
        assert_eq!(got, Some(code), "{error:?}");
    }
}

/// What a hook endpoint received: the headers and the body of each POST.
pub type Received = Arc<Mutex<Vec<(HeaderMap, Value)>>>;

/// An endpoint that answers the verification challenge at `/hook` (and not at `/deaf`) and
/// records deliveries.
pub async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let store = received.clone();
    let app = Router::new()
        .route(
            "/hook",
            get(|headers: HeaderMap| async move {
                let challenge = headers
                    .get("x-okta-verification-challenge")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                axum::Json(json!({ "verification": challenge }))
            })
            .post(move |headers: HeaderMap, body: axum::Json<Value>| {
                let store = store.clone();
                async move {
                    store.lock().unwrap().push((headers, body.0));
                    axum::http::StatusCode::OK
                }
            }),
        )
        .route("/deaf", get(|| async { axum::Json(json!({})) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (base, received)
}
