//! A stateful mock Okta on `127.0.0.1`: an org with users and their lifecycle, groups,
//! apps, factors, a system log, event hooks, policies and realms; Okta's error codes; `link`
//! paging that costs a page, not the org (ordered indexes walked from the cursor); Okta's
//! rate-limit buckets and concurrency limit; fault switches for 429 storms, outages and a
//! slow org ([`traffic`]); and a bounded log of the requests it received. A route the mock
//! does not know is answered with a loud 404.
//!
//! Tests drive it in-process through [`MockOkta`]; `okta-nodes mock` serves it standalone,
//! and its `/mock/...` control routes switch faults on a running mock.

#![deny(missing_docs)]

mod admin;
mod apps;
mod errors;
mod expression;
mod factors;
pub mod filter;
mod groups;
mod hooks;
mod logs;
pub mod oauth;
pub mod operations;
mod page;
mod policies;
mod roles;
mod rules;
mod schemas;
pub mod state;
pub mod traffic;
mod types;
mod users;

pub use errors::MockError;
pub use state::{State, Status};
pub use traffic::{Effect, Fault, LoggedRequest, Traffic};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request, State as Extract};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, post, put};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};
use tokio::sync::oneshot;

/// The largest request body the mock reads.
const MAX_BODY: usize = 4 << 20;

/// What a route returns.
pub type Reply = Result<Response, MockError>;

/// The client the mock reaches hook endpoints with.
pub type HttpClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    http_body_util::Full<Bytes>,
>;

/// The state shared by every request.
pub struct Shared {
    state: Mutex<State>,
    verbose: bool,
    client: HttpClient,
}

/// A handle to the shared state, as the routes receive it.
pub type Mock = Arc<Shared>;

impl Shared {
    /// Locks the org's state. A panic in another request does not poison it for good.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// How to start the mock.
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// The token the org accepts, as `SSWS` or `Bearer`.
    pub token: String,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Put the demo org in: people, groups and apps.
    pub seed: bool,
    /// Add this many more users (`user{n}@example.com`), for large-org work.
    pub seed_users: usize,
    /// Okta's default per-minute limits times this (0.1 is a tenth of Okta's); 0 turns
    /// rate limits off. Default 1.
    pub rate_limit_scale: f64,
    /// The most requests in flight at once (Okta's default is 75); 0 turns it off.
    pub concurrency_limit: usize,
    /// How many requests the log keeps (the newest); default 10,000.
    pub log_capacity: usize,
    /// Fault switches set from the start.
    pub faults: Vec<Fault>,
    /// Print each request on stderr.
    pub verbose: bool,
    /// Service apps registered from the start.
    pub service_apps: Vec<oauth::ServiceApp>,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            token: "00mock-api-token".into(),
            port: 0,
            seed: false,
            seed_users: 0,
            rate_limit_scale: 1.0,
            concurrency_limit: traffic::DEFAULT_CONCURRENCY,
            log_capacity: traffic::DEFAULT_LOG_CAPACITY,
            faults: Vec::new(),
            verbose: false,
            service_apps: Vec::new(),
        }
    }
}

/// A running mock org.
pub struct MockOkta {
    addr: SocketAddr,
    shared: Mock,
    connections: Arc<AtomicUsize>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl MockOkta {
    /// Starts the mock on `127.0.0.1` in the current tokio runtime.
    pub async fn start(config: MockConfig) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let mut state = State::new(config.token.clone());
        state.traffic = Traffic::new(
            config.rate_limit_scale,
            config.concurrency_limit,
            config.log_capacity,
        );
        state.traffic.faults = config.faults.clone();
        for app in &config.service_apps {
            state.oauth.register(app.clone());
        }
        if config.seed {
            state.seed_demo(&format!("http://{addr}"));
        }
        state.seed_users(config.seed_users);
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            verbose: config.verbose,
            client: hyper_util::client::legacy::Client::builder(
                hyper_util::rt::TokioExecutor::new(),
            )
            .build_http(),
        });
        let connections = Arc::new(AtomicUsize::new(0));
        let (shutdown, stop) = oneshot::channel::<()>();
        let app = router(shared.clone());
        tokio::spawn(serve(listener, app, connections.clone(), stop));
        Ok(MockOkta {
            addr,
            shared,
            connections,
            shutdown: Some(shutdown),
        })
    }

    /// The base URL, such as `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The token the org accepts.
    pub fn token(&self) -> String {
        self.state().token.clone()
    }

    /// The org's state, to seed or inspect.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    /// The logged requests (the newest, up to the log's capacity), oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state().traffic.logged().cloned().collect()
    }

    /// Logged requests that no route matched.
    pub fn unmatched(&self) -> Vec<LoggedRequest> {
        self.state()
            .traffic
            .logged()
            .filter(|r| !r.matched)
            .cloned()
            .collect()
    }

    /// Forgets the logged requests.
    pub fn clear_requests(&self) {
        self.state().traffic.clear_log();
    }

    /// TCP connections accepted so far.
    pub fn connections_accepted(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// Sets a fault switch (see [`Fault`]).
    pub fn add_fault(&self, fault: Fault) {
        self.state().traffic.faults.push(fault);
    }

    /// Answers the next `count` requests with 429, resetting `reset_after` from now.
    pub fn rate_limit_next(&self, count: u32, reset_after: Duration) {
        self.add_fault(Fault {
            method: None,
            path_prefix: "/".into(),
            remaining: Some(count),
            effect: Effect::RateLimit(reset_after),
        });
    }

    /// Answers the next `count` requests with this method and path prefix with `status`.
    pub fn fail_next(&self, method: &str, path_prefix: &str, status: u16, count: u32) {
        self.add_fault(Fault {
            method: Some(method.to_ascii_uppercase()),
            path_prefix: path_prefix.into(),
            remaining: Some(count),
            effect: Effect::Fail(status),
        });
    }

    /// Serves until the process is stopped.
    pub async fn serve_forever(self) {
        std::future::pending::<()>().await;
    }
}

impl Drop for MockOkta {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Marks an answer the connection drops instead of sending (a `hangup` fault).
#[derive(Clone, Copy, Debug)]
struct Hangup;

impl std::fmt::Display for Hangup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the mock hung up")
    }
}

impl std::error::Error for Hangup {}

/// Accepts connections until `stop` and serves each over HTTP/1.1. An answer marked
/// [`Hangup`] is not sent: the connection closes instead, as when a server or a proxy drops
/// it after doing the work.
async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    connections: Arc<AtomicUsize>,
    mut stop: oneshot::Receiver<()>,
) {
    use tower::ServiceExt as _;
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    eprintln!("mock okta: accept failed: {err}");
                    continue;
                }
            },
            _ = &mut stop => return,
        };
        connections.fetch_add(1, Ordering::Relaxed);
        let app = app.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                    let app = app.clone();
                    async move {
                        let response = app
                            .oneshot(request.map(Body::new))
                            .await
                            .unwrap_or_else(|never| match never {});
                        match response.extensions().get::<Hangup>() {
                            Some(hangup) => Err(*hangup),
                            None => Ok(response),
                        }
                    }
                });
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}

/// The answer a fault gives in place of the route's.
fn replacement(effect: &Effect) -> Response {
    match effect {
        Effect::Html(status) => (
            StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY),
            [(header::CONTENT_TYPE, "text/html")],
            format!("<html><body><h1>{status}</h1><p>The gateway could not reach Okta.</p></body></html>"),
        )
            .into_response(),
        Effect::Huge(bytes) => {
            let body = format!("[\"{}\"]", "x".repeat(bytes.saturating_sub(4)));
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Effect::Answer(status, body) => (
            StatusCode::from_u16(*status).unwrap_or(StatusCode::OK),
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response(),
        Effect::Redirect(location) => (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, location.as_str())],
        )
            .into_response(),
        other => MockError::new(500, "E0000009", format!("{other:?} does not answer"))
            .into_response(),
    }
}

/// Changes the route's answer as a fault says: drops it, cuts it, drips it, pads it, or
/// points its `next` link somewhere else.
async fn reshape(effect: &Effect, response: Response, own_url: &str) -> Response {
    use futures_util::stream;
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let body = match effect {
        Effect::Hangup => {
            parts.extensions.insert(Hangup);
            Body::empty()
        }
        Effect::ResetMidBody => {
            parts.headers.remove(header::CONTENT_LENGTH);
            let half = bytes.slice(..bytes.len() / 2);
            Body::from_stream(stream::iter([
                Ok(half),
                Err(std::io::Error::other("the mock reset the connection")),
            ]))
        }
        Effect::Drip(interval) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            let interval = *interval;
            Body::from_stream(stream::unfold(0, move |at| {
                let bytes = bytes.clone();
                async move {
                    if at >= bytes.len() {
                        return None;
                    }
                    if at > 0 {
                        tokio::time::sleep(interval).await;
                    }
                    Some((Ok::<_, std::io::Error>(bytes.slice(at..at + 1)), at + 1))
                }
            }))
        }
        Effect::Truncate => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Body::from(bytes.slice(..bytes.len() / 2))
        }
        Effect::HugeHeader(size, name) => {
            if let (Ok(name), Ok(value)) = (
                header::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&"x".repeat(*size)),
            ) {
                parts.headers.insert(name, value);
            }
            Body::from(bytes)
        }
        Effect::NextLoop | Effect::ForeignNext => {
            let next = match effect {
                Effect::NextLoop => own_url.to_string(),
                _ => format!(
                    "https://evil.example.com{}{}after=zzz",
                    &own_url[own_url.find("/api/").unwrap_or(0)..],
                    if own_url.contains('?') { "&" } else { "?" }
                ),
            };
            parts.headers.remove(header::LINK);
            if let Ok(value) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\"")) {
                parts.headers.insert(header::LINK, value);
            }
            Body::from(bytes)
        }
        _ => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}

/// The mock's routes.
fn router(shared: Mock) -> Router {
    Router::new()
        .route("/api/v1/users", get(users::list).post(users::create))
        .route(
            "/api/v1/users/{id}",
            get(users::get)
                .post(users::update)
                .put(users::replace)
                .delete(users::delete),
        )
        .route(
            "/api/v1/users/{id}/lifecycle/{action}",
            post(users::lifecycle),
        )
        .route(
            "/api/v1/users/{id}/credentials/{action}",
            post(users::credentials),
        )
        .route("/api/v1/users/{id}/sessions", delete(users::clear_sessions))
        .route("/api/v1/users/{id}/groups", get(users::groups))
        .route("/api/v1/users/{id}/blocks", get(users::none_of))
        .route("/api/v1/users/{id}/clients", get(users::none_of))
        .route("/api/v1/users/{id}/devices", get(users::none_of))
        .route("/api/v1/users/{id}/appLinks", get(users::app_links))
        .route(
            "/api/v1/meta/types/user",
            get(types::list).post(types::create),
        )
        .route(
            "/api/v1/meta/types/user/{id}",
            get(types::get)
                .post(types::update)
                .put(types::replace)
                .delete(types::delete),
        )
        .route(
            "/api/v1/users/{id}/factors",
            get(factors::list).post(factors::enroll),
        )
        .route(
            "/api/v1/users/{id}/factors/{factor}",
            get(factors::get).delete(factors::unenroll),
        )
        .route("/api/v1/users/{id}/factors/catalog", get(factors::catalog))
        .route(
            "/api/v1/users/{id}/factors/questions",
            get(factors::questions),
        )
        .route(
            "/api/v1/users/{id}/factors/{factor}/lifecycle/activate",
            post(factors::activate),
        )
        .route(
            "/api/v1/users/{id}/factors/{factor}/qr/{secret}",
            get(factors::qr_code),
        )
        .route("/api/v1/groups", get(groups::list).post(groups::create))
        .route(
            "/api/v1/groups/{id}",
            get(groups::get).put(groups::replace).delete(groups::delete),
        )
        .route("/api/v1/groups/{id}/users", get(groups::members))
        .route("/api/v1/groups/{id}/apps", get(apps::of_group))
        .route(
            "/api/v1/groups/{id}/roles",
            get(roles::of_group).post(roles::assign_to_group),
        )
        .route(
            "/api/v1/groups/{id}/roles/{role}",
            get(roles::group_role).delete(roles::unassign_from_group),
        )
        .route("/api/v1/groups/rules", get(rules::list).post(rules::create))
        .route(
            "/api/v1/groups/rules/{id}",
            get(rules::get).put(rules::replace).delete(rules::delete),
        )
        .route(
            "/api/v1/groups/rules/{id}/lifecycle/{action}",
            post(rules::lifecycle),
        )
        .route(
            "/api/v1/users/{id}/roles",
            get(roles::of_user).post(roles::assign_to_user),
        )
        .route(
            "/api/v1/users/{id}/roles/{role}",
            get(roles::user_role).delete(roles::unassign_from_user),
        )
        .route("/api/v1/iam/assignees/users", get(roles::assignees))
        // A literal path of another tag, which the template below would take.
        .route(
            "/api/v1/meta/schemas/user/linkedObjects",
            any(unknown_route),
        )
        .route(
            "/api/v1/meta/schemas/user/{id}",
            get(schemas::user).post(schemas::update_user),
        )
        .route(
            "/api/v1/meta/schemas/apps/{id}/default",
            get(schemas::app).post(schemas::update_app),
        )
        .route(
            "/api/v1/meta/schemas/group/default",
            get(schemas::group).post(schemas::update_group),
        )
        .route("/api/v1/apps/{id}/groups", get(apps::groups_of))
        .route(
            "/api/v1/apps/{id}/groups/{group}",
            get(apps::group_assignment)
                .put(apps::assign_group)
                .patch(apps::update_group_assignment)
                .delete(apps::unassign_group),
        )
        .route(
            "/api/v1/groups/{id}/users/{user}",
            put(groups::add_member).delete(groups::remove_member),
        )
        .route("/api/v1/apps", get(apps::list).post(apps::create))
        .route(
            "/api/v1/apps/{id}",
            get(apps::get).put(apps::replace).delete(apps::delete),
        )
        .route(
            "/api/v1/apps/{id}/lifecycle/{action}",
            post(apps::lifecycle),
        )
        .route("/api/v1/apps/{id}/logo", post(apps::upload_logo))
        .route(
            "/api/v1/apps/{id}/users",
            get(apps::users).post(apps::assign),
        )
        .route(
            "/api/v1/apps/{id}/users/{user}",
            get(apps::assignment)
                .post(apps::update)
                .delete(apps::unassign),
        )
        .route("/api/v1/logs", get(logs::list))
        .route("/api/v1/eventHooks", get(hooks::list).post(hooks::create))
        .route(
            "/api/v1/eventHooks/{id}",
            get(hooks::get).put(hooks::replace).delete(hooks::delete),
        )
        .route(
            "/api/v1/eventHooks/{id}/lifecycle/{action}",
            post(hooks::lifecycle),
        )
        .route(
            "/api/v1/policies",
            get(policies::list_policies).post(policies::create_policy),
        )
        .route(
            "/api/v1/policies/{id}",
            get(policies::get_policy)
                .put(policies::replace_policy)
                .delete(policies::delete_policy),
        )
        .route(
            "/api/v1/policies/{id}/lifecycle/{action}",
            post(policies::policy_lifecycle),
        )
        .route(
            "/api/v1/realms",
            get(policies::list_realms).post(policies::create_realm),
        )
        .route(
            "/api/v1/realms/{id}",
            get(policies::get_realm)
                .put(policies::replace_realm)
                .delete(policies::delete_realm),
        )
        .route("/mock/outbox", get(factors::outbox))
        .route(
            state::demo::HOOK_PATH,
            get(hooks::answer_challenge).post(hooks::take_delivery),
        )
        .route(
            "/mock/faults",
            get(admin::faults)
                .post(admin::add_fault)
                .delete(admin::clear_faults),
        )
        .route("/mock/requests", get(admin::requests))
        .route(
            "/mock/oauth-apps",
            get(admin::oauth_apps).post(admin::register_app),
        )
        .route("/mock/clock", post(admin::advance_clock))
        .route("/mock/search-lags", post(admin::search_lags))
        .route(oauth::TOKEN_PATH, post(token))
        .route(oauth::web::AUTHORIZE_PATH, get(authorize))
        .route(oauth::web::REVOKE_PATH, post(revoke))
        .fallback(unknown_route)
        .method_not_allowed_fallback(unknown_method)
        .layer(middleware::from_fn_with_state(shared.clone(), gate))
        .with_state(shared)
}

/// The header a fallback sets so the gate logs the request as unmatched.
const UNMATCHED: &str = "x-mock-unmatched";

async fn unknown_route(method: Method, uri: Uri) -> Response {
    if let Some(answer) = operations::answer_outside(method.as_str(), uri.path()) {
        return answer;
    }
    eprintln!("mock okta: NO ROUTE for {method} {uri}");
    let mut response = MockError::no_path(format!(
        "the mock Okta has no route for {method} {}",
        uri.path()
    ))
    .into_response();
    response
        .headers_mut()
        .insert(UNMATCHED, HeaderValue::from_static("1"));
    response
}

async fn unknown_method(method: Method, uri: Uri) -> Response {
    if let Some(answer) = operations::answer_outside(method.as_str(), uri.path()) {
        return answer;
    }
    eprintln!("mock okta: METHOD NOT ALLOWED: {method} {uri}");
    let mut response = MockError::new(
        405,
        "E0000022",
        "The endpoint does not support the provided HTTP method",
    )
    .cause(format!(
        "the mock Okta has no {method} route for {}",
        uri.path()
    ))
    .into_response();
    response
        .headers_mut()
        .insert(UNMATCHED, HeaderValue::from_static("1"));
    response
}

/// Checks the credential, applies the fault switches, the rate-limit buckets and the
/// concurrency limit, logs the request and adds Okta's rate-limit and request-id headers.
/// The mock's own `/mock/...` routes need the credential too, but are not limited, faulted
/// or logged; the demo hook's endpoint (`/mock/hook`) is open, as a hook's endpoint is.
async fn gate(Extract(mock): Extract<Mock>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let now = SystemTime::now();
    let method = parts.method.to_string();
    let path = parts.uri.path().to_string();
    let header = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let auth = header(header::AUTHORIZATION).unwrap_or_default();
    let authorized = {
        let token = &mock.lock().token;
        credential(&auth)
            .is_some_and(|(scheme, given)| matches!(scheme, "SSWS" | "Bearer") && given == token)
    };
    // The token endpoint authenticates the client itself; an access token is checked with
    // its binding and the route's scope.
    let token_request = matches!(
        path.as_str(),
        oauth::TOKEN_PATH | oauth::web::AUTHORIZE_PATH | oauth::web::REVOKE_PATH
    );
    let host_name = header(header::HOST).unwrap_or_default();
    if path == state::demo::HOOK_PATH {
        // The demo hook's endpoint is the hook's, not Okta's: it takes no credential.
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    }
    let admin = path.starts_with("/mock/");
    if admin {
        if !authorized {
            return MockError::invalid_token().into_response();
        }
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    }
    let admission = mock.lock().traffic.admit(&host_name, &method, &path, now);
    if !admission.delay.is_zero() {
        tokio::time::sleep(admission.delay).await;
    }
    let unframed_write = matches!(parts.method, Method::POST | Method::PUT)
        && header(header::CONTENT_LENGTH).is_none()
        && header(header::TRANSFER_ENCODING).is_none();
    let refused_token = if authorized || token_request {
        None
    } else if matches!(credential(&auth), Some(("Bearer" | "DPoP", _))) {
        let dpop = header(header::HeaderName::from_static("dpop"));
        mock.lock()
            .oauth
            .authorize(&method, &path, &host_name, &auth, dpop.as_deref())
            .err()
    } else {
        Some(MockError::invalid_token().into_response())
    };
    let early = if let Some(refusal) = admission.refusal {
        Some(refusal)
    } else if unframed_write {
        Some(
            MockError::new(
                411,
                "E0000018",
                "Bad request.  Accept and/or Content-Type headers are likely not set.",
            )
            .cause("a POST or PUT needs a Content-Length"),
        )
    } else {
        None
    };
    let request_id = format!(
        "reqmock{:x}",
        now.duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    );
    let mut response = match (refused_token, early, &admission.reshape) {
        (Some(refusal), _, _) => refusal,
        (None, Some(error), _) => error.into_response(),
        (None, None, Some(effect)) if effect.replaces() => replacement(effect),
        (None, None, reshaped) => {
            let agent = header(header::USER_AGENT).unwrap_or_default();
            let served = state::USER_AGENT
                .scope(
                    agent,
                    next.run(Request::from_parts(
                        parts.clone(),
                        Body::from(bytes.clone()),
                    )),
                )
                .await;
            match reshaped {
                Some(effect) => {
                    let host = header(header::HOST).unwrap_or_default();
                    let own_url = format!("https://{host}{}", parts.uri);
                    reshape(effect, served, &own_url).await
                }
                None => served,
            }
        }
    };
    let headers = response.headers_mut();
    let matched = headers.remove(UNMATCHED).is_none();
    let rate = admission.headers;
    for (name, value) in [
        ("x-rate-limit-limit", rate.limit.to_string()),
        ("x-rate-limit-remaining", rate.remaining.to_string()),
        ("x-rate-limit-reset", rate.reset.to_string()),
        ("x-okta-request-id", request_id),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    let status = response.status().as_u16();
    if mock.verbose {
        let query = parts
            .uri
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        eprintln!("mock okta: {method} {path}{query} -> {status}");
    }
    deliver(&mock).await;
    mock.lock().traffic.finish(LoggedRequest {
        method,
        path,
        query: parts.uri.query().map(str::to_string),
        content_length: header(header::CONTENT_LENGTH),
        transfer_encoding: header(header::TRANSFER_ENCODING),
        content_type: header(header::CONTENT_TYPE),
        // A token request's body holds a client assertion: a credential, never logged.
        body: if token_request {
            "<a token request>".into()
        } else {
            LoggedRequest::logged_body(&bytes)
        },
        auth_scheme: credential(&auth).map(|(scheme, _)| scheme.to_string()),
        at: now,
        status,
        matched,
    });
    response
}

/// Splits an `Authorization` header into its scheme and credential. Okta takes an API
/// token as `SSWS <token>` and as `SSWS<token>`, which Okta's Python SDK sends.
fn credential(auth: &str) -> Option<(&str, &str)> {
    match auth.strip_prefix("SSWS") {
        Some(token) => Some(("SSWS", token.strip_prefix(' ').unwrap_or(token))),
        None => auth.split_once(' '),
    }
}

/// The header `name` of a request, as text.
fn header_text(parts: &http::request::Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `POST /oauth2/v1/token`: the org authorization server's token endpoint.
async fn token(Extract(mock): Extract<Mock>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let host = header_text(&parts, "host").unwrap_or_default();
    let dpop = header_text(&parts, "dpop");
    let authorization = header_text(&parts, "authorization");
    let form = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    mock.lock()
        .oauth
        .token(&host, &form, dpop.as_deref(), authorization.as_deref())
}

/// `GET /oauth2/v1/authorize`: the authorization code flow (the admin signs in at once).
async fn authorize(Extract(mock): Extract<Mock>, request: Request) -> Response {
    let query = request.uri().query().unwrap_or_default().to_string();
    mock.lock().oauth.authorize_code(&query)
}

/// `POST /oauth2/v1/revoke`: revokes an access or refresh token.
async fn revoke(Extract(mock): Extract<Mock>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let authorization = header_text(&parts, "authorization");
    let form = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    mock.lock().oauth.revoke(&form, authorization.as_deref())
}

/// Sends the queued event deliveries to their hooks' loopback endpoints before the write
/// that caused them is answered (Okta delivers within seconds; delivering first lets a
/// caller see at once what was delivered and what was not). A hook that does not answer
/// in time loses the delivery, as with Okta.
async fn deliver(mock: &Mock) {
    let deliveries = std::mem::take(&mut mock.lock().deliveries);
    for delivery in deliveries {
        let Some(url) = hooks::loopback_url(&delivery.uri) else {
            continue;
        };
        let sent = hooks::send(
            &mock.client,
            Method::POST,
            &url,
            &delivery.headers,
            Some(delivery.body),
        )
        .await;
        if mock.verbose {
            eprintln!("mock okta: delivered an event to {url}: {sent:?}");
        }
    }
}

/// One request as a route sees it: its base URL (for links), query and body.
pub struct Call {
    /// `https://{host}` (or `http://` for an IP or localhost), for links.
    pub base: String,
    path: String,
    query: Option<String>,
    params: Vec<(String, String)>,
    body: Bytes,
    content_type: Option<String>,
    bearer: bool,
}

impl Call {
    /// The first value of a query parameter, decoded.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every query parameter, decoded.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// A boolean query parameter; anything but `true`/`false` is Okta's 400.
    pub fn bool_param(&self, name: &str) -> Result<Option<bool>, MockError> {
        match self.param(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(MockError::new(
                400,
                "E0000037",
                format!("Type mismatch exception.  {name}={other}"),
            )),
        }
    }

    /// A whole-number query parameter.
    pub fn usize_param(&self, name: &str) -> Result<Option<usize>, MockError> {
        self.param(name)
            .map(|v| {
                v.parse().map_err(|_| {
                    MockError::new(
                        400,
                        "E0000037",
                        format!("Type mismatch exception.  {name}={v}"),
                    )
                })
            })
            .transpose()
    }

    /// The JSON body.
    pub fn json(&self) -> Result<serde_json::Value, MockError> {
        serde_json::from_slice(&self.body).map_err(|_| MockError::unreadable_body())
    }

    /// The body as received.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The path as received, still percent-encoded.
    pub fn raw_path(&self) -> &str {
        &self.path
    }

    /// The query as received.
    pub fn raw_query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// Whether the path holds an encoded `/`, which Okta cannot route.
    pub fn path_has_encoded_slash(&self) -> bool {
        self.path.to_ascii_uppercase().contains("%2F")
    }

    /// Whether the credential is an OAuth access token.
    pub fn is_bearer(&self) -> bool {
        self.bearer
    }
}

impl<S: Send + Sync> FromRequest<S> for Call {
    type Rejection = Response;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost")
            .to_string();
        let name = host.split(':').next().unwrap_or_default();
        let local = name == "localhost" || name.parse::<std::net::IpAddr>().is_ok();
        let base = format!("{}://{host}", if local { "http" } else { "https" });
        let query = parts.uri.query().map(str::to_string);
        let params = form_urlencoded::parse(query.as_deref().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer "));
        let body = axum::body::to_bytes(body, MAX_BODY)
            .await
            .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response())?;
        Ok(Call {
            base,
            path: parts.uri.path().to_string(),
            query,
            params,
            body,
            content_type,
            bearer,
        })
    }
}
