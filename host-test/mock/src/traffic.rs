//! How the mock admits requests, as Okta does: per-endpoint rate-limit buckets with Okta's
//! default figures, the org's concurrency limit, fault switches to rehearse a 429 storm, an
//! outage or a slow org, and a bounded log of what arrived.
//!
//! The buckets and figures are Okta's Workforce Identity defaults for management requests
//! (developer.okta.com/docs/reference/rl-global-mgmt), per minute; the concurrency limit is
//! 75 requests in flight (developer.okta.com/docs/reference/rl2-concurrency). A mock option
//! scales the per-minute figures down so a client meets a limit quickly.

use super::errors::MockError;
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, SystemTime};

/// How long a rate-limit window lasts.
const WINDOW: Duration = Duration::from_secs(60);

/// Okta's default concurrency limit for API requests.
pub const DEFAULT_CONCURRENCY: usize = 75;

/// How many requests the log keeps by default.
pub const DEFAULT_LOG_CAPACITY: usize = 10_000;

/// The longest body the log keeps of one request; the rest is cut.
const LOGGED_BODY: usize = 64 << 10;

/// A request the mock received. The credential is not kept, only its scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    /// The method.
    pub method: String,
    /// The path as received, still percent-encoded.
    pub path: String,
    /// The query as received, still encoded.
    pub query: Option<String>,
    /// The `Content-Length` header, if any.
    pub content_length: Option<String>,
    /// The `Transfer-Encoding` header, if any.
    pub transfer_encoding: Option<String>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body, as text (at most 64 KiB of it).
    pub body: String,
    /// `SSWS`, `Bearer`, or `None`.
    pub auth_scheme: Option<String>,
    /// When it arrived.
    pub at: SystemTime,
    /// The status the mock answered with.
    pub status: u16,
    /// Whether a route matched (false for the loud 404 of an unknown route).
    pub matched: bool,
}

impl LoggedRequest {
    /// Cuts a body to what the log keeps.
    pub fn logged_body(bytes: &[u8]) -> String {
        String::from_utf8_lossy(&bytes[..bytes.len().min(LOGGED_BODY)]).into_owned()
    }
}

/// What a fault does to a request it matches.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Answer with this status and Okta's error body for it (`503` is `E0000010`, other
    /// 5xx `E0000009`).
    Fail(u16),
    /// Answer 429 `E0000047`, with a reset this far away.
    RateLimit(Duration),
    /// Answer this much later (the request is then served or failed as usual).
    Delay(Duration),
    /// Serve the request, then close the connection without answering: the write is
    /// done and its answer lost.
    Hangup,
    /// Serve the request, then send the head and half the body and drop the connection.
    ResetMidBody,
    /// Serve the request, then send the body one byte at a time, this far apart.
    Drip(Duration),
    /// Serve the request, then cut the JSON body in half (a complete HTTP answer whose
    /// JSON does not parse).
    Truncate,
    /// Answer with this status and an HTML page, as a proxy in front of Okta does.
    Html(u16),
    /// Answer 200 with a JSON array this many bytes long.
    Huge(usize),
    /// Serve the request, then set this header (default `x-mock-padding`) to a value this
    /// many bytes long.
    HugeHeader(usize, String),
    /// Answer with this status and this JSON body, as a broken or hostile server might.
    Answer(u16, Value),
    /// Serve the request, then point its `next` link at itself.
    NextLoop,
    /// Serve the request, then point its `next` link at another host.
    ForeignNext,
    /// Answer 307 to this location.
    Redirect(String),
}

impl Effect {
    /// Whether the effect answers in place of the route (the request is not served).
    pub fn replaces(&self) -> bool {
        matches!(
            self,
            Effect::Fail(_)
                | Effect::RateLimit(_)
                | Effect::Html(_)
                | Effect::Huge(_)
                | Effect::Answer(..)
                | Effect::Redirect(_)
        )
    }
}

/// One fault switch.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// The method it matches (upper case); `None` matches every method.
    pub method: Option<String>,
    /// The path prefix it matches; `/` matches every path.
    pub path_prefix: String,
    /// How many more requests it applies to; `None` until it is cleared.
    pub remaining: Option<u32>,
    /// What it does.
    pub effect: Effect,
}

impl Fault {
    /// Reads a fault as the admin endpoint and `--fault` take it:
    /// `{"effect": "fail", "status": 503}`, `{"effect": "rate-limit", "reset-seconds": 30}`
    /// or `{"effect": "delay", "delay-ms": 2000}`, each with optional `method`,
    /// `path-prefix` (default `/`) and `count` (default: until cleared).
    pub fn from_json(value: &Value) -> Result<Fault, String> {
        let number = |key: &str| value.get(key).and_then(Value::as_u64);
        let text = |key: &str| value.get(key).and_then(Value::as_str);
        let effect = match value.get("effect").and_then(Value::as_str) {
            Some("hangup") => Effect::Hangup,
            Some("reset-mid-body") => Effect::ResetMidBody,
            Some("drip") => Effect::Drip(Duration::from_millis(
                number("interval-ms").ok_or("a drip fault needs `interval-ms`")?,
            )),
            Some("truncate") => Effect::Truncate,
            Some("html") => {
                let status = number("status").unwrap_or(502);
                match u16::try_from(status) {
                    Ok(status @ 400..=599) => Effect::Html(status),
                    _ => return Err(format!("status {status} is not a 4xx or 5xx")),
                }
            }
            Some("huge") => Effect::Huge(
                usize::try_from(number("bytes").ok_or("a huge fault needs `bytes`")?)
                    .map_err(|_| "bytes is too large")?,
            ),
            Some("huge-header") => Effect::HugeHeader(
                usize::try_from(number("bytes").ok_or("a huge-header fault needs `bytes`")?)
                    .map_err(|_| "bytes is too large")?,
                text("name")
                    .unwrap_or("x-mock-padding")
                    .to_ascii_lowercase(),
            ),
            Some("answer") => {
                let status = number("status").ok_or("an answer fault needs `status`")?;
                match u16::try_from(status) {
                    Ok(status @ 200..=599) => {
                        Effect::Answer(status, value.get("body").cloned().unwrap_or(Value::Null))
                    }
                    _ => return Err(format!("status {status} is not from 200 to 599")),
                }
            }
            Some("next-loop") => Effect::NextLoop,
            Some("foreign-next") => Effect::ForeignNext,
            Some("redirect") => Effect::Redirect(
                text("location")
                    .ok_or("a redirect fault needs `location`")?
                    .to_string(),
            ),
            Some("fail") => {
                let status = number("status").ok_or("a fail fault needs `status`")?;
                match u16::try_from(status) {
                    Ok(status @ 400..=599) => Effect::Fail(status),
                    _ => return Err(format!("status {status} is not a 4xx or 5xx")),
                }
            }
            Some("rate-limit") => {
                Effect::RateLimit(Duration::from_secs(number("reset-seconds").unwrap_or(60)))
            }
            Some("delay") => Effect::Delay(Duration::from_millis(
                number("delay-ms").ok_or("a delay fault needs `delay-ms`")?,
            )),
            other => {
                return Err(format!(
                    "effect must be fail, rate-limit, delay, hangup, reset-mid-body, drip, \
                     truncate, html, huge, huge-header, answer, next-loop, foreign-next or redirect, \
                     not {other:?}"
                ));
            }
        };
        let path_prefix = value
            .get("path-prefix")
            .and_then(Value::as_str)
            .unwrap_or("/");
        if !path_prefix.starts_with('/') {
            return Err("path-prefix must start with `/`".into());
        }
        let count = number("count")
            .map(|c| u32::try_from(c).map_err(|_| "count is too large"))
            .transpose()?;
        Ok(Fault {
            method: value
                .get("method")
                .and_then(Value::as_str)
                .map(str::to_ascii_uppercase),
            path_prefix: path_prefix.to_string(),
            remaining: count,
            effect,
        })
    }

    /// The fault as the admin endpoint shows it.
    pub fn to_json(&self) -> Value {
        let mut out = match &self.effect {
            Effect::Fail(status) => json!({ "effect": "fail", "status": status }),
            Effect::RateLimit(reset) => {
                json!({ "effect": "rate-limit", "reset-seconds": reset.as_secs() })
            }
            Effect::Delay(delay) => json!({ "effect": "delay", "delay-ms": delay.as_millis() }),
            Effect::Hangup => json!({ "effect": "hangup" }),
            Effect::ResetMidBody => json!({ "effect": "reset-mid-body" }),
            Effect::Drip(interval) => {
                json!({ "effect": "drip", "interval-ms": interval.as_millis() })
            }
            Effect::Truncate => json!({ "effect": "truncate" }),
            Effect::Html(status) => json!({ "effect": "html", "status": status }),
            Effect::Huge(bytes) => json!({ "effect": "huge", "bytes": bytes }),
            Effect::HugeHeader(bytes, name) => {
                json!({ "effect": "huge-header", "bytes": bytes, "name": name })
            }
            Effect::Answer(status, body) => {
                json!({ "effect": "answer", "status": status, "body": body })
            }
            Effect::NextLoop => json!({ "effect": "next-loop" }),
            Effect::ForeignNext => json!({ "effect": "foreign-next" }),
            Effect::Redirect(location) => json!({ "effect": "redirect", "location": location }),
        };
        out["method"] = self.method.clone().into();
        out["path-prefix"] = self.path_prefix.clone().into();
        out["count"] = self.remaining.into();
        out
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.remaining != Some(0)
            && self.method.as_deref().is_none_or(|m| m == method)
            && path.starts_with(&self.path_prefix)
    }

    fn spend(&mut self) {
        if let Some(n) = &mut self.remaining {
            *n -= 1;
        }
    }
}

/// The rate-limit headers of an answer: the bucket's limit, what remains, and when it
/// resets (Unix seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateHeaders {
    /// `X-Rate-Limit-Limit`.
    pub limit: u32,
    /// `X-Rate-Limit-Remaining`.
    pub remaining: u32,
    /// `X-Rate-Limit-Reset`.
    pub reset: u64,
}

/// What the gate does with a request.
#[derive(Debug)]
pub struct Admission {
    /// Wait this long first.
    pub delay: Duration,
    /// Answer with this error instead of the route.
    pub refusal: Option<MockError>,
    /// Answer in place of the route, or change the route's answer, so.
    pub reshape: Option<Effect>,
    /// The rate-limit headers to send.
    pub headers: RateHeaders,
}

/// One bucket's current window.
#[derive(Clone, Copy, Debug)]
struct Window {
    start: SystemTime,
    used: u32,
}

/// When a window that opened at `start` resets, in whole seconds since the epoch: rounded
/// up, so a client that waits until Okta's `X-Rate-Limit-Reset` finds the new window.
fn reset_of(start: SystemTime) -> u64 {
    let end = (start + WINDOW)
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    end.as_secs() + u64::from(end.subsec_nanos() > 0)
}

/// Okta's bucket for a request, and its default per-minute limit.
pub fn bucket(method: &str, path: &str) -> (&'static str, u32) {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    match segments.as_slice() {
        ["api", "v1", "users"] => ("/api/v1/users", 600),
        ["api", "v1", "users", _] if method == "GET" => ("GET /api/v1/users/{id}", 2000),
        ["api", "v1", "users", _] => ("/api/v1/users/{id}", 600),
        ["api", "v1", "groups", _] => ("/api/v1/groups/{id}", 1000),
        ["api", "v1", "groups", ..] => ("/api/v1/groups", 500),
        ["api", "v1", "apps", _] => ("/api/v1/apps/{id}", 500),
        ["api", "v1", "apps", ..] => ("/api/v1/apps", 100),
        ["api", "v1", "logs", ..] => ("/api/v1/logs", 120),
        _ => ("/api/v1", 1200),
    }
}

/// Rate limits, concurrency, faults and the request log.
#[derive(Debug)]
pub struct Traffic {
    /// The most recent requests, oldest first.
    log: VecDeque<LoggedRequest>,
    /// How many requests the log keeps.
    log_capacity: usize,
    /// Every request received, logged or not.
    received: u64,
    /// The fault switches, in the order they were set.
    pub faults: Vec<Fault>,
    /// Each org's bucket windows, by the org's host and the bucket.
    windows: BTreeMap<(String, &'static str), Window>,
    /// The per-minute limits are Okta's times this; 0 turns rate limits off.
    scale: f64,
    /// The most requests in flight at once; 0 turns the limit off.
    concurrency: usize,
    /// Requests in flight now.
    in_flight: usize,
    /// Requests that arrived (counted on arrival, before any delay).
    arrived: u64,
}

impl Traffic {
    /// Okta's default limits times `scale` (0: off), this concurrency limit (0: off), and
    /// a log of at most `log_capacity` requests.
    pub fn new(scale: f64, concurrency: usize, log_capacity: usize) -> Self {
        Traffic {
            log: VecDeque::new(),
            log_capacity,
            received: 0,
            faults: Vec::new(),
            windows: BTreeMap::new(),
            scale: if scale.is_finite() && scale > 0.0 {
                scale
            } else {
                0.0
            },
            concurrency,
            in_flight: 0,
            arrived: 0,
        }
    }

    /// A bucket's limit, scaled (at least 1).
    fn limit(&self, default: u32) -> u32 {
        ((f64::from(default) * self.scale).round() as u32).max(1)
    }

    /// Decides what happens to a request, and counts it in its bucket and as in flight.
    /// Every admitted request must be [`Traffic::finish`]ed.
    pub fn admit(&mut self, org: &str, method: &str, path: &str, now: SystemTime) -> Admission {
        self.in_flight += 1;
        self.arrived += 1;
        let mut delay = Duration::ZERO;
        let mut refusal = None;
        let mut reshape = None;
        for fault in self.faults.iter_mut().filter(|f| f.matches(method, path)) {
            match &fault.effect {
                Effect::Delay(d) => {
                    delay += *d;
                    fault.spend();
                }
                Effect::Fail(status) if refusal.is_none() && reshape.is_none() => {
                    refusal = Some((MockError::scripted(*status), None));
                    fault.spend();
                }
                Effect::RateLimit(reset) if refusal.is_none() && reshape.is_none() => {
                    refusal = Some((MockError::rate_limited(), Some(*reset)));
                    fault.spend();
                }
                effect if refusal.is_none() && reshape.is_none() => {
                    reshape = Some(effect.clone());
                    fault.spend();
                }
                _ => {}
            }
        }
        let unix = |t: SystemTime| {
            t.duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs()
        };
        // Over the concurrency limit, the headers report it instead of the bucket.
        if self.concurrency > 0 && self.in_flight > self.concurrency && refusal.is_none() {
            let limit = u32::try_from(self.concurrency).unwrap_or(u32::MAX);
            return Admission {
                delay,
                refusal: Some(MockError::rate_limited()),
                reshape: None,
                headers: RateHeaders {
                    limit,
                    remaining: 0,
                    reset: unix(now) + 1,
                },
            };
        }
        let (name, default) = bucket(method, path);
        let limit = if self.scale > 0.0 {
            self.limit(default)
        } else {
            default
        };
        // Okta's limits are the org's: each org (by the request's host) has its windows.
        let org = org
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let window = self.windows.entry((org, name)).or_insert(Window {
            start: now,
            used: 0,
        });
        if now.duration_since(window.start).unwrap_or_default() >= WINDOW {
            *window = Window {
                start: now,
                used: 0,
            };
        }
        window.used = window.used.saturating_add(1);
        let mut headers = RateHeaders {
            limit,
            remaining: limit.saturating_sub(window.used),
            reset: reset_of(window.start),
        };
        match refusal {
            Some((error, reset)) => {
                if let Some(reset) = reset {
                    headers.remaining = 0;
                    headers.reset = unix(now) + reset.as_secs().max(1);
                }
                Admission {
                    delay,
                    refusal: Some(error),
                    reshape: None,
                    headers,
                }
            }
            None if self.scale > 0.0 && window.used > limit => Admission {
                delay,
                refusal: Some(MockError::rate_limited()),
                reshape: None,
                headers,
            },
            None => Admission {
                delay,
                refusal: None,
                reshape,
                headers,
            },
        }
    }

    /// Records an admitted request as answered.
    pub fn finish(&mut self, request: LoggedRequest) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.record(request);
    }

    /// Adds a request to the log, dropping the oldest beyond the capacity.
    pub fn record(&mut self, request: LoggedRequest) {
        self.received += 1;
        if self.log_capacity == 0 {
            return;
        }
        if self.log.len() == self.log_capacity {
            self.log.pop_front();
        }
        self.log.push_back(request);
    }

    /// The logged requests, oldest first.
    pub fn logged(&self) -> impl DoubleEndedIterator<Item = &LoggedRequest> + ExactSizeIterator {
        self.log.iter()
    }

    /// Forgets the logged requests.
    pub fn clear_log(&mut self) {
        self.log.clear();
    }

    /// Requests that reached the mock since it started, counted as they arrive: one that
    /// is still being answered (a delayed one) counts.
    pub fn arrived(&self) -> u64 {
        self.arrived
    }

    /// Requests being answered now.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Every request received since the mock started, logged or not.
    pub fn received(&self) -> u64 {
        self.received
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_fall_into_okta_buckets() {
        let cases = [
            ("GET", "/api/v1/users", ("/api/v1/users", 600)),
            ("POST", "/api/v1/users", ("/api/v1/users", 600)),
            (
                "GET",
                "/api/v1/users/00u1",
                ("GET /api/v1/users/{id}", 2000),
            ),
            ("DELETE", "/api/v1/users/00u1", ("/api/v1/users/{id}", 600)),
            (
                "POST",
                "/api/v1/users/00u1/lifecycle/suspend",
                ("/api/v1", 1200),
            ),
            ("GET", "/api/v1/groups/00g1", ("/api/v1/groups/{id}", 1000)),
            ("GET", "/api/v1/groups/00g1/users", ("/api/v1/groups", 500)),
            ("GET", "/api/v1/apps/0oa1", ("/api/v1/apps/{id}", 500)),
            ("POST", "/api/v1/apps/0oa1/users", ("/api/v1/apps", 100)),
            ("GET", "/api/v1/logs", ("/api/v1/logs", 120)),
            ("GET", "/api/v1/eventHooks", ("/api/v1", 1200)),
        ];
        for (method, path, want) in cases {
            assert_eq!(bucket(method, path), want, "{method} {path}");
        }
    }

    #[test]
    fn the_log_keeps_the_newest_requests() {
        let mut traffic = Traffic::new(0.0, 0, 2);
        for i in 0..5 {
            traffic.record(LoggedRequest {
                method: "GET".into(),
                path: format!("/{i}"),
                query: None,
                content_length: None,
                transfer_encoding: None,
                content_type: None,
                body: LoggedRequest::logged_body(&[b'x'; 100 << 10]),
                auth_scheme: None,
                at: SystemTime::UNIX_EPOCH,
                status: 200,
                matched: true,
            });
        }
        let paths: Vec<_> = traffic.logged().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["/3", "/4"]);
        assert_eq!(traffic.received(), 5);
        assert_eq!(traffic.logged().next().unwrap().body.len(), 64 << 10);
    }

    #[test]
    fn faults_read_and_show_as_json() {
        let fault = Fault::from_json(&json!({"effect": "fail", "status": 503, "method": "get", "path-prefix": "/api/v1/users", "count": 2})).unwrap();
        assert_eq!(
            fault,
            Fault {
                method: Some("GET".into()),
                path_prefix: "/api/v1/users".into(),
                remaining: Some(2),
                effect: Effect::Fail(503),
            }
        );
        assert_eq!(Fault::from_json(&fault.to_json()).unwrap(), fault);
        for bad in [
            json!({"effect": "fail"}),
            json!({"effect": "fail", "status": 200}),
            json!({"effect": "explode"}),
            json!({"effect": "delay"}),
            json!({"effect": "delay", "delay-ms": 5, "path-prefix": "api"}),
        ] {
            assert!(Fault::from_json(&bad).is_err(), "{bad}");
        }
    }
}
