//! Sends request specs to the org: adds the host and the credential, retries what may be
//! retried, maps failures to `okta-error`, and pages.
//!
//! The client knows nothing of any node; the [`Transport`] knows nothing of Okta.

pub(crate) mod auth;
pub(crate) mod connection;
pub(crate) mod encode;
pub(crate) mod error;
#[cfg(target_arch = "wasm32")]
pub(crate) mod http;
pub(crate) mod jose;
pub(crate) mod paging;
pub(crate) mod retry;
pub(crate) mod secret;
pub(crate) mod spec;

use crate::client::auth::Session;
use crate::client::connection::Connection;
use crate::client::error::{decode, failure};
use crate::client::paging::{Paging, Raw};
use crate::client::retry::Next;
use crate::client::secret::Secret;
use crate::client::spec::{Method, RequestSpec, Response, Retry};
use crate::wit::types::{ErrorKind, OktaError};
use std::ops::Range;
use std::time::{Duration, Instant, SystemTime};

/// One HTTP exchange, as the transport sees it.
#[derive(Debug)]
pub(crate) struct HttpRequest<'a> {
    /// The method.
    pub method: Method,
    /// The full URL: `https://{domain}{path-and-query}`.
    pub url: String,
    /// `Authorization` and, for DPoP, `DPoP`: secrets, shown by no `Debug`.
    pub credentials: Vec<(&'static str, Secret)>,
    /// Extra headers.
    pub headers: &'a [(String, String)],
    /// The body and its content type, if any.
    pub body: Option<(&'a str, Vec<u8>)>,
    /// The connect timeout to ask the host for.
    pub connect_timeout: Duration,
    /// What is left of the call's deadline: no wait for the answer may last longer.
    pub time_left: Duration,
    /// The largest response body to read.
    pub max_response_bytes: usize,
}

impl HttpRequest<'_> {
    /// Refuses a request whose header fields would pass [`HEADER_BUDGET`]: building them
    /// would make the host trap. Each source has its own bound (the caller's headers, a
    /// token, a nonce), so this is the last guard, and the caller's to fix.
    fn check_header_budget(&self) -> Result<(), OktaError> {
        let cost = DEFAULT_FIELDS_COST
            + self
                .credentials
                .iter()
                .map(|(name, value)| field_cost(name, value.expose()))
                .sum::<usize>()
            + self
                .headers
                .iter()
                .map(|(name, value)| field_cost(name, value))
                .sum::<usize>();
        if cost > HEADER_BUDGET {
            return Err(error::invalid_input(format!(
                "the request's headers would total {cost} bytes, more than the {HEADER_BUDGET} a request may carry"
            )));
        }
        Ok(())
    }
}

/// Why an exchange failed before a whole response arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TransportError {
    /// The request never left: the name did not resolve, the connection was refused or
    /// not made in time (`timeout` says which), the TLS handshake failed. Sending again
    /// cannot do anything twice.
    Unsent {
        /// The connect or DNS timeout expired.
        timeout: bool,
        /// What happened.
        what: String,
    },
    /// The request was sent, and no answer (or no whole answer) came within the host's
    /// first-byte or between-bytes timeout.
    Timeout(String),
    /// The host refused to send the request.
    Denied(String),
    /// The request was sent, or may have been, and the answer was lost (a dropped
    /// connection, a broken answer).
    Failed(String),
    /// The host says the request itself cannot be sent (a URI, headers or a body too
    /// large): sending it again would fail the same way.
    Refused(String),
    /// The response body was larger than allowed.
    TooLarge(usize),
}

impl TransportError {
    /// Whether sending again might work.
    pub(crate) fn is_transient(&self) -> bool {
        matches!(
            self,
            TransportError::Unsent { .. } | TransportError::Timeout(_) | TransportError::Failed(_)
        )
    }

    /// Whether the request may have reached Okta (and a write been applied).
    pub(crate) fn may_have_been_sent(&self) -> bool {
        matches!(
            self,
            TransportError::Timeout(_) | TransportError::Failed(_) | TransportError::TooLarge(_)
        )
    }
}

impl From<TransportError> for OktaError {
    fn from(err: TransportError) -> Self {
        match err {
            TransportError::Unsent {
                timeout: true,
                what,
            }
            | TransportError::Timeout(what) => failure(ErrorKind::Timeout, what),
            TransportError::Unsent { what, .. } => failure(ErrorKind::Transport, what),
            TransportError::Refused(what) => failure(
                ErrorKind::InvalidInput,
                format!("the request cannot be sent: {what}"),
            ),
            TransportError::Denied(what) => failure(
                ErrorKind::Transport,
                format!("the host denied the request: {what}"),
            ),
            TransportError::Failed(what) => failure(ErrorKind::Transport, what),
            TransportError::TooLarge(max) => failure(
                ErrorKind::Decode,
                format!("the response body is larger than {max} bytes"),
            ),
        }
    }
}

/// Sends HTTP requests and waits. The only implementation for the component is the WASI
/// one; tests use fakes.
pub(crate) trait Transport {
    /// Sends one request and reads the whole response.
    fn send(&mut self, request: &HttpRequest<'_>) -> Result<Response, TransportError>;
    /// Blocks for a while.
    fn sleep(&mut self, duration: Duration);
    /// The current time, used when Okta sends no `Date` header.
    fn now(&self) -> SystemTime;
    /// The monotonic clock the call's deadline is kept on.
    fn clock(&self) -> Instant;
}

/// The longest URL sent: servers (Okta's included) refuse longer ones as "URI too long".
pub(crate) const MAX_URL: usize = 16 << 10;

/// The largest request body sent.
pub(crate) const MAX_BODY: usize = 8 << 20;

/// The most a request's header fields may total, each counted as wasi-http hosts count it
/// ([`field_cost`]). wasmtime traps a guest whose fields pass 128 KiB, so a request asks for
/// half of that at most: the caller's headers, a token and a DPoP proof each have a bound of
/// their own well within it, and this checks their sum before any field is built.
pub(crate) const HEADER_BUDGET: usize = 64 << 10;

/// What one header field costs against [`HEADER_BUDGET`]: its name and value, and the
/// bookkeeping a host keeps for each (wasmtime counts 72 bytes).
pub(crate) fn field_cost(name: &str, value: &str) -> usize {
    name.len() + value.len() + 80
}

/// The fields every request carries besides its credentials and extra headers (`accept`,
/// `user-agent`, `content-type`, `content-length`), counted at their longest.
const DEFAULT_FIELDS_COST: usize = 4 * 80 + 256;

/// A connection and a transport, and what one node call has sent so far.
pub(crate) struct Client<T> {
    connection: Connection,
    transport: T,
    /// Requests sent in this call, retries and lookups included.
    sent: u32,
    /// Whether a write that is not safe to repeat succeeded in this call.
    applied: bool,
    /// Whether the request that failed last may be sent again as it was.
    repeatable: bool,
    /// When the call must have ended, on the transport's clock.
    deadline: Instant,
    /// The longest one exchange has taken in this call.
    slowest: Duration,
    /// The token this call minted, and the DPoP nonces the servers gave.
    session: Session,
}

/// Why an attempt did not succeed: an answer, or a failure on the way.
enum Failure {
    Answer(Response),
    Lost(TransportError),
}

impl<T: Transport> Client<T> {
    /// A client for a checked connection.
    pub(crate) fn new(connection: Connection, transport: T) -> Self {
        let deadline = transport.clock() + connection.deadline;
        Client {
            connection,
            transport,
            sent: 0,
            applied: false,
            repeatable: false,
            deadline,
            slowest: Duration::ZERO,
            session: Session::default(),
        }
    }

    /// What is left of the call's deadline; `None` once it has passed.
    fn time_left(&self) -> Option<Duration> {
        self.deadline
            .checked_duration_since(self.transport.clock())
            .filter(|left| !left.is_zero())
    }

    /// Whether another exchange is likely to end before the deadline: more time is left
    /// than the slowest exchange of this call took.
    pub(crate) fn has_time_for_another(&self) -> bool {
        self.time_left().is_some_and(|left| left > self.slowest)
    }

    /// Completes a node's error with what the engine may do about it: how many requests
    /// the call sent, and whether the same call may be sent again. It may when Okta
    /// refused a request before doing anything (a 429), or when a request that is safe to
    /// repeat failed on the way (a 5xx, a timeout, a transport failure), and no write that
    /// is not safe to repeat had succeeded before it in this call.
    pub(crate) fn settle(&self, mut err: OktaError) -> OktaError {
        err.attempts = self.sent;
        err.retryable = !self.applied
            && match err.kind {
                ErrorKind::RateLimited => true,
                ErrorKind::Server | ErrorKind::Timeout | ErrorKind::Transport => self.repeatable,
                _ => false,
            };
        err
    }

    /// The transport's clock.
    pub(crate) fn now(&self) -> SystemTime {
        self.transport.now()
    }

    /// The connection.
    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The transport, for tests that inspect a fake.
    #[cfg(test)]
    pub(crate) fn transport(&self) -> &T {
        &self.transport
    }

    /// Sends a request, retrying as the connection's policy and the request allow. A non-2xx
    /// answer becomes the matching error. A request too large to send (a URL past
    /// [`MAX_URL`], a body past [`MAX_BODY`]) is `invalid-input`, and nothing is sent.
    ///
    /// Nothing waits past the call's deadline: a request is not begun once it has passed
    /// (`timeout`), each exchange is given only the time left, and a retry whose wait would
    /// pass it is not made (the error that asked for it is returned).
    pub(crate) fn send(&mut self, spec: &RequestSpec) -> Result<Response, OktaError> {
        let body = spec
            .body
            .as_ref()
            .map(|body| (body.content_type(), body.to_bytes()));
        let connect_timeout = spec.timeout.unwrap_or(self.connection.timeout);
        let mut request = HttpRequest {
            method: spec.method,
            url: format!(
                "https://{}{}",
                self.connection.domain,
                spec.path_and_query()
            ),
            credentials: Vec::new(),
            headers: &spec.headers,
            body,
            connect_timeout,
            time_left: Duration::ZERO,
            max_response_bytes: self.connection.max_response_bytes,
        };
        if request.url.len() > MAX_URL {
            return Err(error::invalid_input(format!(
                "the request's URL would be longer than {MAX_URL} bytes: shorten the id, query or expression"
            )));
        }
        if request
            .body
            .as_ref()
            .is_some_and(|(_, b)| b.len() > MAX_BODY)
        {
            return Err(error::invalid_input(format!(
                "the request's body would be larger than {MAX_BODY} bytes"
            )));
        }
        let policy = spec.policy.unwrap_or(self.connection.policy);
        self.repeatable = spec.retry != Retry::Unsafe;
        let mut attempt = 0;
        // Challenges met by sending again at once: a DPoP nonce, Okta requiring DPoP.
        let mut challenges = 0;
        loop {
            let Some(time_left) = self.time_left() else {
                return Err(error::failure(
                    ErrorKind::Timeout,
                    format!(
                        "the call reached its deadline of {} ms before {} {} was sent",
                        self.connection.deadline.as_millis(),
                        spec.method.as_str(),
                        spec.path()
                    ),
                ));
            };
            request.time_left = time_left;
            request.connect_timeout = connect_timeout.min(time_left);
            let presented = self.present(spec, &request.url)?;
            request.credentials = presented.headers;
            request.check_header_budget()?;
            if let Some(form) = presented.form {
                request.body = Some(("application/x-www-form-urlencoded", form));
            }
            self.sent = self.sent.saturating_add(1);
            let began = self.transport.clock();
            let result = self.transport.send(&request);
            self.slowest = self
                .slowest
                .max(self.transport.clock().saturating_duration_since(began));
            let (next, failure) = match result {
                Ok(resp) if resp.is_success() => {
                    self.applied |= spec.retry == Retry::Unsafe;
                    return Ok(resp);
                }
                Ok(resp) if challenges < 2 && self.met_challenge(spec, &resp)? => {
                    challenges += 1;
                    continue;
                }
                Ok(resp) => (
                    retry::after_response(policy, spec.retry, attempt, &resp, self.transport.now()),
                    Failure::Answer(resp),
                ),
                Err(err) => (
                    retry::after_error(policy, spec.retry, attempt, &err),
                    Failure::Lost(err),
                ),
            };
            match next {
                Next::RetryAfter(wait) if self.time_left().is_some_and(|left| wait < left) => {
                    self.transport.sleep(wait);
                    attempt += 1;
                }
                Next::RetryAfter(wait) => {
                    let mut err = self.failed(spec, failure);
                    err.message.push_str(&format!(
                        " (not retried: a wait of {} ms would pass the call's deadline)",
                        wait.as_millis()
                    ));
                    return Err(err);
                }
                Next::Done => return Err(self.failed(spec, failure)),
            }
        }
    }

    /// The error for a request's last failed attempt. A write that is not safe to repeat
    /// and may have reached Okta is `outcome-unknown`: it may have been applied.
    fn failed(&self, spec: &RequestSpec, failure: Failure) -> OktaError {
        match failure {
            Failure::Answer(resp) => error::from_response(&resp, spec.operation),
            Failure::Lost(err) if spec.retry == Retry::Unsafe && err.may_have_been_sent() => {
                error::failure(
                    ErrorKind::OutcomeUnknown,
                    format!(
                        "the answer was lost after the request was sent, so it may have been applied: {}",
                        OktaError::from(err).message
                    ),
                )
            }
            Failure::Lost(err) => err.into(),
        }
    }

    /// Fetches a list: one page, or every page with `fetch-all`. Each item reaches `parse`
    /// as its raw JSON text, and keeps it in `raw` only when the paging asks for it.
    pub(crate) fn list<I: Raw>(
        &mut self,
        spec: RequestSpec,
        paging: &Paging,
        parse: fn(&[u8]) -> Result<I, OktaError>,
    ) -> Result<(Vec<I>, Option<String>), OktaError> {
        let (pages, next) = self.list_raw(spec, paging)?;
        pages
            .items
            .into_iter()
            .map(|(page, range)| {
                let raw = pages.bodies.get(page).and_then(|body| body.get(range));
                let mut item = parse(raw.unwrap_or_default())?;
                if !paging.include_raw {
                    *item.raw_mut() = None;
                }
                Ok(item)
            })
            .collect::<Result<_, OktaError>>()
            .map(|items| (items, next))
    }

    /// Fetches a list as [`Client::list`] does, its items as one JSON array's text, each
    /// item as Okta wrote it.
    pub(crate) fn list_json(
        &mut self,
        spec: RequestSpec,
        paging: &Paging,
    ) -> Result<(String, Option<String>), OktaError> {
        let (pages, next) = self.list_raw(spec, paging)?;
        let mut out = Vec::with_capacity(pages.bodies.iter().map(Vec::len).sum::<usize>() + 2);
        out.push(b'[');
        for (i, (page, range)) in pages.items.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(
                pages
                    .bodies
                    .get(page)
                    .and_then(|b| b.get(range))
                    .unwrap_or_default(),
            );
        }
        out.push(b']');
        let text = String::from_utf8(out).map_err(|e| decode("a list page", e))?;
        Ok((text, next))
    }

    /// The paging loop, once for every item type: the pages' bodies, and where each item
    /// is (its page and its bytes there), so nothing is copied per item.
    fn list_raw(
        &mut self,
        spec: RequestSpec,
        paging: &Paging,
    ) -> Result<(Pages, Option<String>), OktaError> {
        let first = paging::first_request(spec, paging)?;
        let mut first_page = true;
        let mut fetch = |spec: &RequestSpec| {
            // The first page is always asked for; a later one only with time for it.
            if !std::mem::take(&mut first_page) && !self.has_time_for_another() {
                return Ok(None);
            }
            self.send(spec).map(Some)
        };
        let mut bodies = Vec::new();
        let (items, next) = paging::collect(first, paging, &mut fetch, &mut |resp| {
            let start = resp.body.as_ptr().addr();
            let at = paging::array_items(&resp.body)
                .ok_or_else(|| decode("a list page", "it is not a JSON array"))?
                .into_iter()
                .map(|item| {
                    let from = item.as_ptr().addr() - start;
                    (bodies.len(), from..from + item.len())
                })
                .collect();
            bodies.push(resp.body);
            Ok(at)
        })?;
        Ok((Pages { bodies, items }, next))
    }
}

/// A list's pages as they came, and where each item is in them.
struct Pages {
    /// Each page's body.
    bodies: Vec<Vec<u8>>,
    /// Each item: its page, and its bytes in the page's body.
    items: Vec<(usize, Range<usize>)>,
}

#[cfg(test)]
pub(crate) mod fake {
    //! A scripted transport for native tests of nodes, retries and paging.

    use super::*;
    use std::collections::VecDeque;

    /// A request the fake saw, without the credential.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct Seen {
        pub method: Method,
        pub url: String,
        pub body: Option<String>,
        pub authorization: String,
        /// The DPoP proof, if any.
        pub dpop: Option<String>,
    }

    /// Answers requests from a script, in order, and records them and any sleeps. Its
    /// clock moves only by the sleeps and by `latency` for each exchange.
    #[derive(Default)]
    pub(crate) struct FakeTransport {
        pub script: VecDeque<Result<Response, TransportError>>,
        pub seen: Vec<Seen>,
        pub slept: Vec<Duration>,
        pub now: Option<SystemTime>,
        /// How long each exchange takes.
        pub latency: Duration,
        /// How far the clock has moved.
        pub elapsed: Duration,
        /// The time left each exchange was given.
        pub time_left: Vec<Duration>,
    }

    impl FakeTransport {
        /// Queues a response with a JSON body.
        pub(crate) fn respond(mut self, status: u16, headers: &[(&str, &str)], body: &str) -> Self {
            self.script.push_back(Ok(Response {
                status,
                headers: headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                body: body.as_bytes().to_vec(),
            }));
            self
        }

        /// Queues a transport failure.
        pub(crate) fn fail(mut self, err: TransportError) -> Self {
            self.script.push_back(Err(err));
            self
        }
    }

    impl Transport for FakeTransport {
        fn send(&mut self, request: &HttpRequest<'_>) -> Result<Response, TransportError> {
            self.seen.push(Seen {
                method: request.method,
                url: request.url.clone(),
                body: request
                    .body
                    .as_ref()
                    .map(|(_, b)| String::from_utf8_lossy(b).into_owned()),
                authorization: request
                    .credentials
                    .iter()
                    .find(|(name, _)| *name == "authorization")
                    .map(|(_, value)| value.expose().to_string())
                    .unwrap_or_default(),
                dpop: request
                    .credentials
                    .iter()
                    .find(|(name, _)| *name == "dpop")
                    .map(|(_, value)| value.expose().to_string()),
            });
            self.time_left.push(request.time_left);
            self.elapsed += self.latency;
            self.script
                .pop_front()
                .unwrap_or_else(|| Err(TransportError::Failed("the script ran out".into())))
        }

        fn sleep(&mut self, duration: Duration) {
            self.slept.push(duration);
            self.elapsed += duration;
        }

        fn now(&self) -> SystemTime {
            self.now.unwrap_or(SystemTime::UNIX_EPOCH)
        }

        fn clock(&self) -> Instant {
            static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
            *START.get_or_init(Instant::now) + self.elapsed
        }
    }

    /// A client for `x.okta.com` with an API token and default options.
    pub(crate) fn client(transport: FakeTransport) -> Client<FakeTransport> {
        client_with(transport, None)
    }

    /// A client for `x.okta.com` with an API token and these options.
    pub(crate) fn client_with(
        transport: FakeTransport,
        options: Option<crate::wit::types::Options>,
    ) -> Client<FakeTransport> {
        use crate::wit::types::{Auth, Connection as WitConnection};
        let conn = Connection::from_wit(&WitConnection {
            domain: "x.okta.com".into(),
            auth: Auth::ApiToken("00token".into()),
            options,
        })
        .expect("valid test connection");
        Client::new(conn, transport)
    }
}

#[cfg(test)]
mod tests {
    use super::fake::{FakeTransport, client};
    use super::*;
    use crate::client::spec::Retry;

    #[test]
    fn sends_to_the_org_with_the_credential() {
        let mut c = client(FakeTransport::default().respond(200, &[], "{}"));
        let spec = RequestSpec::post("/api/v1/users".into())
            .query("activate", false)
            .json(serde_json::json!({"profile": {"login": "a@x.com"}}));
        c.send(&spec).unwrap();
        let seen = &c.transport().seen[0];
        assert_eq!(seen.method, Method::Post);
        assert_eq!(seen.url, "https://x.okta.com/api/v1/users?activate=false");
        assert_eq!(seen.authorization, "SSWS 00token");
        assert_eq!(
            seen.body.as_deref(),
            Some(r#"{"profile":{"login":"a@x.com"}}"#)
        );
    }

    #[test]
    fn a_429_is_retried_after_the_reset() {
        let transport = FakeTransport {
            now: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
            ..FakeTransport::default()
        }
        .respond(429, &[("x-rate-limit-reset", "1700000002")], "{}")
        .respond(200, &[], "[]");
        let mut c = client(transport);
        c.send(&RequestSpec::post("/api/v1/users".into())).unwrap();
        assert_eq!(c.transport().seen.len(), 2);
        assert_eq!(c.transport().slept, vec![Duration::from_secs(3)]);
    }

    #[test]
    fn headers_past_the_budget_are_refused_before_anything_is_sent() {
        let mut c = client(FakeTransport::default().respond(200, &[], "[]"));
        let mut spec = RequestSpec::get("/api/v1/users".into());
        spec.headers = (0..16)
            .map(|i| (format!("x-pad-{i}"), "p".repeat(8 << 10)))
            .collect();
        let err = c.send(&spec).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{err:?}");
        assert!(err.message.contains("headers"), "{}", err.message);
        assert!(c.transport().seen.is_empty());
        // Just within it, the request goes.
        let mut c = client(FakeTransport::default().respond(200, &[], "[]"));
        let room =
            HEADER_BUDGET - DEFAULT_FIELDS_COST - field_cost("authorization", "SSWS 00token");
        spec.headers = vec![("x-pad".into(), "p".repeat(room - field_cost("x-pad", "")))];
        c.send(&spec).unwrap();
        assert_eq!(c.transport().seen.len(), 1);
    }

    #[test]
    fn a_500_on_a_create_is_not_retried() {
        let transport = FakeTransport::default().respond(
            500,
            &[],
            r#"{"errorCode":"E0000009","errorSummary":"boom"}"#,
        );
        let mut c = client(transport);
        let err = c
            .send(&RequestSpec::post("/api/v1/users".into()))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Server);
        assert_eq!(err.error_code.as_deref(), Some("E0000009"));
        assert_eq!(c.transport().seen.len(), 1);
    }

    #[test]
    fn a_500_on_a_get_is_retried_until_the_policy_gives_up() {
        let transport = FakeTransport::default()
            .respond(503, &[], "{}")
            .fail(TransportError::Timeout("first byte".into()))
            .respond(502, &[], "{}");
        let mut c = client(transport);
        let err = c
            .send(&RequestSpec::get("/api/v1/users".into()))
            .unwrap_err();
        assert_eq!((err.kind, err.status), (ErrorKind::Server, Some(502)));
        assert_eq!(c.transport().seen.len(), 3);
        assert_eq!(c.transport().slept.len(), 2);
    }

    #[test]
    fn transport_errors_become_typed_errors() {
        let mut c =
            client(FakeTransport::default().fail(TransportError::Denied("other host".into())));
        let err = c
            .send(&RequestSpec::get("/api/v1/users".into()))
            .unwrap_err();
        assert!(err.kind == ErrorKind::Transport && err.message.contains("denied"));
        let mut c = client(FakeTransport::default().fail(TransportError::TooLarge(10)));
        let err = c
            .send(&RequestSpec::get("/x".into()).retry(Retry::Safe))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Decode);
        // A create that never left is sent again, even though it is not safe to repeat.
        let unsent = || TransportError::Unsent {
            timeout: true,
            what: "connect".into(),
        };
        let mut c = client(
            FakeTransport::default()
                .fail(unsent())
                .fail(unsent())
                .fail(unsent()),
        );
        let err = c.send(&RequestSpec::post("/x".into())).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Timeout);
        assert_eq!(c.transport().seen.len(), 3);
        // A create whose answer was lost may have been applied: it is not sent again.
        for lost in [
            TransportError::Timeout("first byte".into()),
            TransportError::Failed("connection reset".into()),
        ] {
            let mut c = client(FakeTransport::default().fail(lost));
            let err = c.send(&RequestSpec::post("/x".into())).unwrap_err();
            assert_eq!(err.kind, ErrorKind::OutcomeUnknown);
            assert!(!c.settle(err).retryable);
            assert_eq!(c.transport().seen.len(), 1);
        }
        // A request the host cannot send at all is bad input, sent once.
        let mut c = client(
            FakeTransport::default().fail(TransportError::Refused("HttpRequestUriTooLong".into())),
        );
        let err = c.send(&RequestSpec::get("/x".into())).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert_eq!(c.transport().seen.len(), 1);
    }

    #[test]
    fn lists_keep_raw_only_when_asked() {
        let page = || {
            FakeTransport::default().respond(
                200,
                &[(
                    "link",
                    "<https://x.okta.com/api/v1/users?after=b>; rel=\"next\"",
                )],
                r#"[{"id":"a"}, {"id":"b","x":[1, 2]}]"#,
            )
        };
        let list = |include_raw| {
            let mut c = client(page());
            let paging = paging::plan(None, include_raw).unwrap();
            c.list(
                RequestSpec::get("/api/v1/users".into()),
                &paging,
                crate::nodes::objects::user,
            )
            .unwrap()
        };
        let (items, next) = list(Some(true));
        let raws: Vec<_> = items.iter().map(|u| u.raw.as_deref().unwrap()).collect();
        assert_eq!(raws, vec![r#"{"id":"a"}"#, r#"{"id":"b","x":[1, 2]}"#]);
        assert_eq!(next.as_deref(), Some("/api/v1/users?after=b"));
        let (items, _) = list(None);
        assert!(items.iter().all(|u| u.raw.is_none()));
    }

    #[test]
    fn an_error_says_how_often_it_was_sent_and_whether_a_repeat_is_safe() {
        // A read that failed on the way may be sent again.
        let mut c = client(
            FakeTransport::default()
                .respond(503, &[], "{}")
                .respond(503, &[], "{}")
                .respond(503, &[], "{}"),
        );
        let err = c
            .send(&RequestSpec::get("/api/v1/users".into()))
            .unwrap_err();
        let err = c.settle(err);
        assert_eq!(
            (err.kind, err.attempts, err.retryable),
            (ErrorKind::Server, 3, true)
        );
        // A create that failed on the way may have been applied.
        let mut c = client(FakeTransport::default().respond(502, &[], "{}"));
        let err = c
            .send(&RequestSpec::post("/api/v1/users".into()))
            .unwrap_err();
        assert!(!c.settle(err).retryable);
        // A safe request that fails after a create succeeded: the call is not repeatable.
        let mut c = client(
            FakeTransport::default()
                .respond(200, &[], "{}")
                .fail(TransportError::Timeout("first byte".into()))
                .fail(TransportError::Timeout("first byte".into()))
                .fail(TransportError::Timeout("first byte".into())),
        );
        c.send(&RequestSpec::post("/api/v1/users".into())).unwrap();
        let err = c
            .send(&RequestSpec::get("/api/v1/users".into()))
            .unwrap_err();
        let err = c.settle(err);
        assert_eq!(
            (err.kind, err.attempts, err.retryable),
            (ErrorKind::Timeout, 4, false)
        );
        // A 429 was refused before anything happened; a 404 would be answered again.
        let mut c = client(
            FakeTransport::default()
                .respond(429, &[("x-rate-limit-reset", "99999999999")], "{}")
                .respond(404, &[], r#"{"errorCode":"E0000007"}"#),
        );
        let err = c
            .send(&RequestSpec::post("/api/v1/users".into()))
            .unwrap_err();
        assert!(c.settle(err).retryable);
        let err = c
            .send(&RequestSpec::get("/api/v1/users/x".into()))
            .unwrap_err();
        assert_eq!(
            (err.kind, c.settle(err).retryable),
            (ErrorKind::NotFound, false)
        );
    }

    /// A client whose call has `ms` milliseconds, and exchanges that take `latency_ms`.
    fn client_due_in(ms: u32, latency_ms: u64, transport: FakeTransport) -> Client<FakeTransport> {
        let transport = FakeTransport {
            latency: Duration::from_millis(latency_ms),
            now: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
            ..transport
        };
        super::fake::client_with(
            transport,
            Some(crate::wit::types::Options {
                max_retries: Some(5),
                max_rate_limit_wait_ms: Some(300_000),
                timeout_ms: None,
                max_response_bytes: None,
                deadline_ms: Some(ms),
            }),
        )
    }

    #[test]
    fn each_exchange_gets_only_the_time_left() {
        let transport = FakeTransport::default()
            .respond(200, &[], "{}")
            .respond(200, &[], "{}");
        let mut c = client_due_in(10_000, 4_000, transport);
        c.send(&RequestSpec::get("/api/v1/users/a".into())).unwrap();
        c.send(&RequestSpec::get("/api/v1/users/b".into())).unwrap();
        assert_eq!(
            c.transport().time_left,
            vec![Duration::from_secs(10), Duration::from_secs(6)]
        );
        // 2 s are left: another exchange of 4 s is unlikely to end in time.
        assert!(!c.has_time_for_another());
    }

    #[test]
    fn a_wait_that_would_pass_the_deadline_is_not_begun() {
        // Okta asks for a wait of 61 s; the call has 30 s.
        let transport = FakeTransport::default().respond(
            429,
            &[("x-rate-limit-reset", "1700000060")],
            r#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit"}"#,
        );
        let mut c = client_due_in(30_000, 10, transport);
        let err = c
            .send(&RequestSpec::get("/api/v1/users".into()))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::RateLimited);
        assert_eq!(err.reset_at, Some(1_700_000_060));
        assert!(
            err.message.contains("would pass the call's deadline"),
            "{}",
            err.message
        );
        assert!(c.transport().slept.is_empty());
        // A 5xx on a read: the backoff fits, the third try does not.
        let transport = FakeTransport::default()
            .respond(503, &[], "")
            .respond(503, &[], "")
            .respond(503, &[], "");
        let mut c = client_due_in(1_000, 300, transport);
        let err = c
            .send(&RequestSpec::get("/api/v1/users".into()))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Server);
        assert_eq!(c.transport().slept, vec![Duration::from_millis(250)]);
        assert_eq!(c.transport().seen.len(), 2);
    }

    #[test]
    fn nothing_is_sent_after_the_deadline() {
        let transport = FakeTransport::default().respond(200, &[], "{}");
        let mut c = client_due_in(1_000, 1_500, transport);
        c.send(&RequestSpec::get("/api/v1/users/a".into())).unwrap();
        let err = c
            .send(&RequestSpec::post("/api/v1/users".into()))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Timeout);
        assert!(
            err.message
                .contains("deadline of 1000 ms before POST /api/v1/users"),
            "{}",
            err.message
        );
        assert_eq!(c.transport().seen.len(), 1);
    }

    #[test]
    fn fetch_all_stops_with_the_cursor_when_no_page_fits() {
        let page = |after: u32| {
            (
                "link",
                format!("<https://x.okta.com/api/v1/users?after={after}&limit=1>; rel=\"next\""),
            )
        };
        let mut transport = FakeTransport::default();
        for after in 1..=5 {
            let link = page(after);
            transport = transport.respond(200, &[(link.0, &link.1)], r#"[{"id":"00u1"}]"#);
        }
        // Pages of 3 s in a call of 10 s: the fourth would end after the deadline.
        let mut c = client_due_in(10_000, 3_000, transport);
        let paging = crate::client::paging::plan(
            Some(&crate::wit::types::PageRequest {
                limit: Some(1),
                after: None,
                fetch_all: Some(true),
                max_items: None,
            }),
            None,
        )
        .unwrap();
        let (pages, next) = c
            .list_raw(RequestSpec::get("/api/v1/users".into()), &paging)
            .unwrap();
        assert_eq!((pages.bodies.len(), pages.items.len()), (3, 3));
        assert_eq!(next.as_deref(), Some("/api/v1/users?after=3&limit=1"));
    }
}
