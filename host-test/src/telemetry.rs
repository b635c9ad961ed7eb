//! What a host tells about its work, and nothing secret: a `tracing` span per call and per
//! HTTP exchange, named and attributed after OpenTelemetry's HTTP client conventions, and
//! metrics through the `metrics` facade (an engine installs the recorder it exports with;
//! `okta-nodes serve` exposes Prometheus text at `/metrics`).
//!
//! Spans and labels carry the node, the org (hashed unless the host is told to name it),
//! a tenant label (a short digest), Okta's path *template* (never a path: a path can hold a
//! login), statuses, Okta's request id and rate-limit headers, attempts and why a request
//! was sent again. Never a token, key, password, profile value or query.
//!
//! Metrics, with their labels:
//! - `okta_calls_total` (node, org, outcome, error_kind), `okta_call_duration_seconds`
//!   (node, org): each `call_json`.
//! - `okta_http_requests_total` (method, route, status, org),
//!   `okta_http_request_duration_seconds` (method, route, org): each exchange with Okta;
//!   status `0` when none came back.
//! - `okta_http_resends_total` (route, org, reason): a request sent again (`rate-limited`,
//!   `server-error`, `transport`, `other`).
//! - `okta_rate_limit_limit`, `okta_rate_limit_remaining`, `okta_rate_limit_reset_seconds`
//!   (org, route): the headroom Okta last reported.
//! - `okta_tokens_minted_total` (org): service-app tokens minted.
//! - `okta_instances_in_use`, `okta_instances_waiting`: instances held, and calls waiting
//!   for one.
//! - `okta_governor_waits_total`, `okta_governor_refusals_total` (org, route): requests the
//!   governor held until their window reset, and those it answered at once because the
//!   reset was past their deadline.
//! - `okta_shared_state_errors_total` (op): a Redis command of a fleet
//!   ([`crate::state::shared`]) that failed or took too long; the host went on alone.

use ring::digest;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tracing::field::Empty;

/// How spans and labels name an org.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrgLabel {
    /// `org-` and 12 hex digits of the SHA-256 of the org's host name (the default):
    /// stable across hosts, and no org names in a shared metrics store.
    #[default]
    Hashed,
    /// The org's host name, as the connection gives it (lower case).
    Named,
}

impl OrgLabel {
    /// The label of `org`, a host name as [`crate::egress::normalize_org`] gives it.
    pub fn of(self, org: &str) -> String {
        match self {
            OrgLabel::Named => org.to_string(),
            OrgLabel::Hashed => {
                let hash = digest::digest(&digest::SHA256, org.as_bytes());
                format!("org-{}", hex(&hash.as_ref()[..6]))
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A short label of a tenant's digest: which calls act for the same tenant, nothing more.
pub(crate) fn tenant_label(digest: &[u8]) -> String {
    format!("t-{}", hex(&digest[..4]))
}

use std::collections::HashMap;

/// The paths the component calls, by Okta's templates (from the spec's operations).
const TEMPLATES: &str = include_str!("../../src/catalog/okta-scopes.txt");

/// Okta's templates by method and segment count, the most literal first, read once.
static ROUTES: std::sync::LazyLock<HashMap<(&'static str, usize), Vec<&'static str>>> =
    std::sync::LazyLock::new(|| {
        let mut routes: HashMap<(&str, usize), Vec<&str>> = HashMap::new();
        for line in TEMPLATES.lines().filter(|line| !line.starts_with('#')) {
            let mut cells = line.split(' ');
            if let (Some(method), Some(template)) = (cells.next(), cells.next()) {
                let segments = template.split('/').count();
                routes.entry((method, segments)).or_default().push(template);
            }
        }
        let literal = |t: &&str| t.split('/').filter(|s| !s.starts_with('{')).count();
        for templates in routes.values_mut() {
            templates.sort_by_key(|t| std::cmp::Reverse(literal(t)));
        }
        routes
    });

/// Okta's path template for a request (`/api/v1/users/{id}`), or `other` for a path the
/// spec's operations do not name. A literal segment wins over a parameter.
pub fn route_of(method: &str, path: &str) -> &'static str {
    if path == "/oauth2/v1/token" {
        return "/oauth2/v1/token";
    }
    let fits = |template: &str| {
        template
            .split('/')
            .zip(path.split('/'))
            .all(|(want, got)| want == got || (want.starts_with('{') && !got.is_empty()))
    };
    ROUTES
        .get(&(method, path.split('/').count()))
        .and_then(|templates| templates.iter().find(|t| fits(t)))
        .copied()
        .unwrap_or("other")
}

/// The exchanges of one call, which the outbound hook and its sends share: how many there
/// were, and the last one's request and status, to tell a request sent again and why.
#[derive(Debug, Default)]
pub(crate) struct Exchanges {
    last: Mutex<Option<Last>>,
}

#[derive(Debug)]
struct Last {
    method: String,
    path: String,
    status: Option<u16>,
    ended: Instant,
}

impl Exchanges {
    /// Begins the call's `attempt`th exchange: its span (entered by the send), and whether
    /// it sends the last request again.
    pub(crate) fn begin(
        self: &Arc<Self>,
        method: &str,
        path: &str,
        org: &str,
        attempt: u32,
    ) -> Exchange {
        let route = route_of(method, path);
        let resend = {
            let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            last.as_ref()
                .filter(|l| l.method == method && l.path == path)
                .map(|l| (resend_reason(l.status), l.ended.elapsed()))
        };
        let span = tracing::info_span!(
            "okta.http",
            otel.name = %format!("{method} {route}"),
            otel.kind = "client",
            http.request.method = %method,
            url.template = route,
            server.address = %org,
            okta.attempt = attempt,
            http.request.resend_count = Empty,
            okta.wait_ms = Empty,
            okta.wait_reason = Empty,
            http.response.status_code = Empty,
            error.type = Empty,
            okta.request_id = Empty,
            okta.rate_limit.limit = Empty,
            okta.rate_limit.remaining = Empty,
            okta.rate_limit.reset = Empty,
        );
        if let Some((reason, waited)) = resend {
            span.record("http.request.resend_count", 1);
            span.record("okta.wait_ms", waited.as_millis() as u64);
            span.record("okta.wait_reason", reason);
            metrics::counter!("okta_http_resends_total", "route" => route, "org" => org.to_string(), "reason" => reason)
                .increment(1);
        }
        Exchange {
            exchanges: self.clone(),
            span,
            method: method.to_string(),
            path: path.to_string(),
            route,
            org: org.to_string(),
            started: Instant::now(),
        }
    }
}

/// Why a request went again, by what the last one got.
fn resend_reason(status: Option<u16>) -> &'static str {
    match status {
        Some(429) => "rate-limited",
        Some(500..=599) => "server-error",
        None => "transport",
        Some(_) => "other",
    }
}

/// One exchange in flight.
pub(crate) struct Exchange {
    exchanges: Arc<Exchanges>,
    span: tracing::Span,
    method: String,
    path: String,
    route: &'static str,
    org: String,
    started: Instant,
}

impl Exchange {
    /// The exchange's span, to run the send in.
    pub(crate) fn span(&self) -> tracing::Span {
        self.span.clone()
    }

    /// The request was not sent: the governor answered it (its window resets past the
    /// call's deadline). No exchange with Okta is counted.
    pub(crate) fn held(self) {
        self.span.record("error.type", "governor-held");
        self.span.record("okta.wait_reason", "governor");
    }

    /// The request waited `wait` before it went, for `reason` (`governor`: the org's
    /// window had nothing left).
    pub(crate) fn waited(&self, wait: std::time::Duration, reason: &'static str) {
        if wait >= std::time::Duration::from_millis(1) {
            self.span.record("okta.wait_ms", wait.as_millis() as u64);
            self.span.record("okta.wait_reason", reason);
        }
    }

    /// Ends the exchange with what came back: an answer's head, or none (`error`, the
    /// kind of failure, such as `ConnectionTimeout`).
    pub(crate) fn end<B>(self, head: Result<&http::Response<B>, &str>) {
        let status = head.as_ref().ok().map(|h| h.status().as_u16());
        let span = &self.span;
        let org = self.org.clone();
        match head {
            Ok(head) => {
                span.record("http.response.status_code", status.unwrap_or_default());
                if head.status().as_u16() >= 400 {
                    span.record("error.type", head.status().as_str());
                }
                let id = head
                    .headers()
                    .get("x-okta-request-id")
                    .and_then(|v| v.to_str().ok());
                if let Some(id) = id.filter(|id| request_id_shaped(id)) {
                    span.record("okta.request_id", id);
                }
                let labels = [("org", org.clone()), ("route", self.route.to_string())];
                let rate = RateHeaders::of(head.headers());
                if let Some(limit) = rate.limit {
                    span.record("okta.rate_limit.limit", limit);
                    metrics::gauge!("okta_rate_limit_limit", &labels).set(limit as f64);
                }
                if let Some(remaining) = rate.remaining {
                    span.record("okta.rate_limit.remaining", remaining);
                    metrics::gauge!("okta_rate_limit_remaining", &labels).set(remaining as f64);
                }
                if let Some(reset) = rate.reset {
                    span.record("okta.rate_limit.reset", reset);
                    let now = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .unwrap_or_default()
                        .as_secs();
                    metrics::gauge!("okta_rate_limit_reset_seconds", &labels)
                        .set(reset.saturating_sub(now) as f64);
                }
            }
            Err(error) => {
                span.record("error.type", error);
            }
        }
        let status_label = status.unwrap_or(0).to_string();
        metrics::counter!(
            "okta_http_requests_total",
            "method" => self.method.clone(),
            "route" => self.route,
            "status" => status_label,
            "org" => org.clone(),
        )
        .increment(1);
        metrics::histogram!(
            "okta_http_request_duration_seconds",
            "method" => self.method.clone(),
            "route" => self.route,
            "org" => org,
        )
        .record(self.started.elapsed().as_secs_f64());
        let mut last = self
            .exchanges
            .last
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *last = Some(Last {
            method: self.method,
            path: self.path,
            status,
            ended: Instant::now(),
        });
    }
}

/// Okta's `X-Rate-Limit-Limit`, `-Remaining` and `-Reset` on an answer: its view of the
/// bucket's window (the reset in seconds since the epoch).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RateHeaders {
    pub(crate) limit: Option<u64>,
    pub(crate) remaining: Option<u64>,
    pub(crate) reset: Option<u64>,
}

impl RateHeaders {
    /// The headers of an answer, each when it is a whole number.
    pub(crate) fn of(headers: &http::HeaderMap) -> Self {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        RateHeaders {
            limit: number("x-rate-limit-limit"),
            remaining: number("x-rate-limit-remaining"),
            reset: number("x-rate-limit-reset"),
        }
    }
}

/// Whether a request id looks like Okta's (letters, digits, `-` and `_`, at most 64): a
/// server's header is not echoed into a span whatever it holds.
fn request_id_shaped(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A `call_json` call's span and its metrics.
pub(crate) struct Call {
    span: tracing::Span,
    node: String,
    org: String,
    started: Instant,
}

impl Call {
    /// Begins a call of `node` against `org` (a label) for `tenant` (a label).
    pub(crate) fn begin(node: &str, org: &str, tenant: &str) -> Self {
        let span = tracing::info_span!(
            "okta.call",
            otel.name = %node,
            okta.node = %node,
            okta.org = %org,
            okta.tenant = %tenant,
            okta.outcome = Empty,
            error.type = Empty,
            okta.attempts = Empty,
        );
        Call {
            span,
            node: node.to_string(),
            org: org.to_string(),
            started: Instant::now(),
        }
    }

    /// The call's span, to run it in.
    pub(crate) fn span(&self) -> tracing::Span {
        self.span.clone()
    }

    /// Ends the call: `ok`, or the node's error kind; `failed` when the host failed.
    pub(crate) fn end(self, outcome: CallEnd<'_>) {
        let (label, kind, attempts) = match outcome {
            CallEnd::Ok { attempts } => ("ok", "", Some(u64::from(attempts))),
            CallEnd::Err { kind, attempts } => ("error", kind, attempts),
            CallEnd::Failed => ("failed", "host", None),
        };
        self.span.record("okta.outcome", label);
        if !kind.is_empty() {
            self.span.record("error.type", kind);
        }
        if let Some(attempts) = attempts {
            self.span.record("okta.attempts", attempts);
        }
        tracing::info!(parent: &self.span, outcome = label, error_kind = kind, "call ended");
        metrics::counter!(
            "okta_calls_total",
            "node" => self.node.clone(),
            "org" => self.org.clone(),
            "outcome" => label,
            "error_kind" => kind.to_string(),
        )
        .increment(1);
        metrics::histogram!("okta_call_duration_seconds", "node" => self.node, "org" => self.org)
            .record(self.started.elapsed().as_secs_f64());
    }
}

/// How a call ended.
pub(crate) enum CallEnd<'a> {
    /// The node succeeded after this many requests.
    Ok {
        /// Requests sent.
        attempts: u32,
    },
    /// The node returned an error of this kind.
    Err {
        /// The error's `kind` (`not-found`, `rate-limited`…).
        kind: &'a str,
        /// The error's `attempts`, when it says.
        attempts: Option<u64>,
    },
    /// The host failed (a trap, a node that does not exist).
    Failed,
}

/// A token minted for a service app of `org` (a label).
pub(crate) fn token_minted(org: &str) {
    metrics::counter!("okta_tokens_minted_total", "org" => org.to_string()).increment(1);
}

/// An instance's place taken (`1.0`) or given back (`-1.0`).
pub(crate) fn instance_held(change: f64) {
    metrics::gauge!("okta_instances_in_use").increment(change);
}

/// A call starts (`1.0`) or stops (`-1.0`) waiting for an instance.
pub(crate) fn instance_awaited(change: f64) {
    metrics::gauge!("okta_instances_waiting").increment(change);
}

/// The kind of a failed exchange, without what it carries: the variant's name.
pub(crate) fn failure_kind(error: &impl std::fmt::Debug) -> String {
    let text = format!("{error:?}");
    text.split(['(', '{', ' '])
        .next()
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_templates() {
        assert_eq!(
            route_of("GET", "/api/v1/users/ada@example.com"),
            "/api/v1/users/{id}"
        );
        assert_eq!(
            route_of("POST", "/api/v1/users/00u1/lifecycle/activate"),
            "/api/v1/users/{id}/lifecycle/activate"
        );
        assert_eq!(route_of("GET", "/api/v1/zones"), "/api/v1/zones");
        assert_eq!(
            route_of("GET", "/api/v1/groups/rules"),
            "/api/v1/groups/rules"
        );
        assert_eq!(route_of("GET", "/api/v1/nothing/here"), "other");
        assert_eq!(route_of("POST", "/oauth2/v1/token"), "/oauth2/v1/token");
    }

    #[test]
    fn orgs_are_hashed_unless_named() {
        let hashed = OrgLabel::Hashed.of("dev-1.okta.com");
        assert!(hashed.starts_with("org-") && hashed.len() == 16, "{hashed}");
        assert_ne!(hashed, OrgLabel::Hashed.of("dev-2.okta.com"));
        assert_eq!(OrgLabel::Named.of("dev-1.okta.com"), "dev-1.okta.com");
    }

    #[test]
    fn only_a_request_id_shaped_like_okta_s_is_kept() {
        assert!(request_id_shaped("reqmock17a2b_c-D"));
        assert!(!request_id_shaped("Bearer eyJ.x"));
        assert!(!request_id_shaped(&"a".repeat(65)));
    }
}
