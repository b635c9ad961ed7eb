//! One org, one budget, on one host: the host keeps each org's rate-limit windows as Okta
//! reports them (`X-Rate-Limit-Limit`, `-Remaining`, `-Reset` on every answer: Okta's own
//! view of the whole org) and holds a request back while its window has nothing left
//! beyond the headroom the engine leaves for the org's other clients. A held request goes
//! when the window resets; one whose wait would pass its call's deadline is answered at
//! once as Okta would answer it — 429 `E0000047` with the reset time — and nothing is sent,
//! so the node fails with `rate-limited` and `reset-at` as it does today.
//!
//! A window is kept per org, method and path template (Okta's buckets group templates; its
//! headers report the bucket, so each template's view follows the bucket's). Okta's quotas
//! vary by plan, add-ons and method, so none is assumed: a window Okta has not reported —
//! an org's first request on a template, or a window whose reset time has passed — is
//! probed by one request at a time, and Okta's answer says what the rest may spend.
//!
//! The host's tenants (an org reached with different credentials) share a window fairly:
//! while a tenant that has had fewer of the window's places this minute waits, the others
//! let it go first.

use crate::egress::deadline::Deadline;
use crate::engine::tenant::Tenant;
use crate::state::shared::{Admission, Fleet, Report};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wasmtime_wasi_http::WasiBody;

/// How the governor shares an org's budget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Governance {
    /// The part of each window left to the org's other clients (0.2: a call waits once
    /// 80% of the window is spent). From 0 to 0.9.
    pub headroom: f64,
}

impl Default for Governance {
    fn default() -> Self {
        Governance { headroom: 0.0 }
    }
}

/// One window of one org's bucket, as Okta last reported it. The Lua scripts in
/// [`crate::state::shared`] keep the same window in Redis by the same rules.
#[derive(Clone, Copy, Debug)]
struct Window {
    limit: u64,
    remaining: u64,
    /// When the window resets, in seconds since the epoch.
    reset: u64,
    /// The reset passed and the window was assumed new before Okta said so.
    guessed: bool,
    /// Requests admitted whose answer has not come.
    in_flight: u64,
}

impl Window {
    /// A window Okta has not reported yet: Okta's quotas vary by plan, add-ons and method
    /// (Okta's rate-limit reference), so none is assumed, and its first request probes it.
    fn unknown() -> Self {
        Window {
            limit: 0,
            remaining: 0,
            reset: 0,
            guessed: true,
            in_flight: 0,
        }
    }

    /// A place for one more request, or the window's reset.
    fn admit(&mut self, now: u64, headroom: f64) -> Admission {
        if now >= self.reset {
            // A new window: Okta's next answer says how much of it is left.
            self.remaining = self.limit;
            self.reset = now + 60;
            self.guessed = true;
        }
        if self.guessed {
            // A window Okta has not reported (a new one, or one the host's clock thinks
            // has reset) is probed by one request at a time; the others look again shortly.
            if self.in_flight > 0 {
                return Admission::Full {
                    reset: now,
                    limit: self.limit,
                };
            }
            self.in_flight += 1;
            return Admission::Go;
        }
        let kept = (self.limit as f64 * headroom).ceil() as u64;
        if self.remaining.saturating_sub(self.in_flight) > kept {
            self.in_flight += 1;
            Admission::Go
        } else {
            Admission::Full {
                reset: self.reset,
                limit: self.limit,
            }
        }
    }

    /// Okta's report corrects the window: a later window replaces it, the same window
    /// keeps the lower `remaining` (answers come out of order), an earlier one is old news.
    fn report(&mut self, report: Report) {
        if self.guessed || report.reset > self.reset {
            self.limit = report.limit;
            self.remaining = report.remaining;
            self.reset = report.reset;
            self.guessed = false;
        } else if report.reset == self.reset {
            self.limit = report.limit;
            self.remaining = self.remaining.min(report.remaining);
        }
    }
}

/// A window's key: org, method, path template.
type Key = (String, String, &'static str);

/// The host's windows, shared by all its calls, and the fleet's when there is one.
#[derive(Debug, Default)]
pub struct Governor {
    headroom: f64,
    windows: Mutex<HashMap<Key, Window>>,
    shares: Mutex<HashMap<Key, Shares>>,
    fleet: Option<Arc<Fleet>>,
}

/// How one window's places went to the host's tenants, for fair shares: while a tenant
/// that has had fewer places this minute waits, the others let it go first. Tenants that
/// do not wait take what is free.
#[derive(Debug, Default)]
struct Shares {
    /// When the counts started (seconds since the epoch); cleared after a window's length.
    since: u64,
    admitted: HashMap<Tenant, u64>,
    waiting: HashMap<Tenant, u32>,
}

impl Shares {
    /// Whether `tenant` lets another tenant that has had fewer places go first.
    fn yields(&mut self, tenant: Tenant, now: u64) -> bool {
        if now >= self.since + 60 {
            self.since = now;
            self.admitted.clear();
        }
        let had = |t: &Tenant| self.admitted.get(t).copied().unwrap_or(0);
        let mine = had(&tenant);
        self.waiting
            .keys()
            .any(|other| *other != tenant && had(other) < mine)
    }
}

/// A tenant's place in the queue of a window while it waits; dropped when it stops
/// waiting (admitted, refused, or its call ended).
struct Waiting<'a> {
    governor: &'a Governor,
    key: &'a Key,
    tenant: Tenant,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut shares = self.governor.shares();
        if let Some(share) = shares.get_mut(self.key)
            && let Some(count) = share.waiting.get_mut(&self.tenant)
        {
            *count -= 1;
            if *count == 0 {
                share.waiting.remove(&self.tenant);
            }
        }
    }
}

/// A request the governor let go: its answer corrects the window.
#[derive(Debug)]
pub(crate) struct Ticket {
    governor: Arc<Governor>,
    key: Key,
    /// The request holds a place in the host's window.
    counted: bool,
    /// The request holds this place in the fleet's window.
    place: Option<String>,
}

/// A request held past its deadline: answered at once, nothing sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Held {
    /// When the window resets, in seconds since the epoch.
    pub reset: u64,
    /// The window's limit.
    pub limit: u64,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

impl Governor {
    /// A governor that leaves `governance.headroom` of each window to others, and keeps
    /// its windows in `fleet`'s Redis when there is one (its own when Redis fails).
    pub(crate) fn new(governance: Governance, fleet: Option<Arc<Fleet>>) -> Self {
        Governor {
            headroom: governance.headroom.clamp(0.0, 0.9),
            windows: Mutex::default(),
            shares: Mutex::default(),
            fleet,
        }
    }

    fn shares(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Shares>> {
        self.shares.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `tenant` lets a tenant that has had fewer of the window's places go first.
    fn yields(&self, key: &Key, tenant: Tenant) -> bool {
        let mut shares = self.shares();
        shares
            .entry(key.clone())
            .or_default()
            .yields(tenant, now_secs())
    }

    /// Counts a place `tenant` had.
    fn had(&self, key: &Key, tenant: Tenant) {
        let mut shares = self.shares();
        let share = shares.entry(key.clone()).or_default();
        *share.admitted.entry(tenant).or_default() += 1;
    }

    /// Puts `tenant` in the window's queue until the guard is dropped.
    fn wait<'a>(&'a self, key: &'a Key, tenant: Tenant) -> Waiting<'a> {
        let mut shares = self.shares();
        *shares
            .entry(key.clone())
            .or_default()
            .waiting
            .entry(tenant)
            .or_default() += 1;
        Waiting {
            governor: self,
            key,
            tenant,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Window>> {
        self.windows.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks the fleet's window, or — with no fleet, or when Redis fails — the host's.
    async fn ask(&self, key: &Key, deadline: Option<Deadline>) -> (Admission, Option<String>) {
        if let Some(fleet) = &self.fleet {
            let place = fleet.holder();
            // The place lapses when the call must end, so a host that dies gives it back.
            let lapse = deadline.map_or(Duration::from_secs(MAX_PLACE), |d| {
                d.stop_at()
                    .saturating_duration_since(std::time::Instant::now())
            });
            let lapse = SystemTime::now() + lapse;
            let lapse = lapse.duration_since(UNIX_EPOCH).unwrap_or_default();
            let left = deadline.and_then(|d| d.time_left());
            let (org, method, route) = (key.0.as_str(), key.1.as_str(), key.2);
            let asked = fleet
                .admit(
                    (org, method, route),
                    self.headroom,
                    &place,
                    lapse.as_millis() as u64,
                    left,
                )
                .await;
            if let Some(admission) = asked {
                return (admission, Some(place));
            }
        }
        let admission = self
            .lock()
            .entry(key.clone())
            .or_insert_with(Window::unknown)
            .admit(now_secs(), self.headroom);
        (admission, None)
    }

    /// Lets `tenant`'s request go now, or after its window resets (a tenant that has had
    /// fewer of the window's places first), or — when that is past `deadline` — not at all.
    /// Returns how long it waited with its ticket.
    pub(crate) async fn admit(
        self: &Arc<Self>,
        org: &str,
        method: &str,
        route: &'static str,
        tenant: Tenant,
        deadline: Option<Deadline>,
    ) -> Result<(Ticket, Duration), Held> {
        let key = (org.to_string(), method.to_string(), route);
        let started = std::time::Instant::now();
        let mut waiting = None;
        let mut looks = 0u32;
        loop {
            let (admission, place) = if self.yields(&key, tenant) {
                let now = now_secs();
                (
                    Admission::Full {
                        reset: now,
                        limit: 0,
                    },
                    None,
                )
            } else {
                self.ask(&key, deadline).await
            };
            let held = match admission {
                Admission::Go => {
                    self.had(&key, tenant);
                    drop(waiting);
                    let ticket = Ticket {
                        governor: self.clone(),
                        counted: place.is_none(),
                        key,
                        place,
                    };
                    return Ok((ticket, started.elapsed()));
                }
                Admission::Full { reset, limit } => Held { reset, limit },
            };
            let until = UNIX_EPOCH + Duration::from_secs(held.reset);
            let wait = until.duration_since(SystemTime::now()).unwrap_or_default();
            let left = deadline.map(|d| d.time_left().unwrap_or_default());
            if left.is_some_and(|left| wait >= left) {
                metrics::counter!("okta_governor_refusals_total", "org" => org.to_string(), "route" => route)
                    .increment(1);
                return Err(held);
            }
            if waiting.is_none() {
                metrics::counter!("okta_governor_waits_total", "org" => org.to_string(), "route" => route)
                    .increment(1);
                waiting = Some(self.wait(&key, tenant));
            }
            // Until the reset; a request that waits for a probe's answer, or lets another
            // tenant go first, looks again shortly, then less often (10 ms doubling to
            // 160 ms), so a crowd of waiters does not hammer the window (or Redis).
            let look = Duration::from_millis(10 << looks.min(4));
            looks += 1;
            tokio::time::sleep(wait.max(look)).await;
        }
    }
}

/// The longest a place in the fleet's window is held by a request with no deadline.
const MAX_PLACE: u64 = 3600;

impl Ticket {
    /// The answer came: Okta's headers are the window now.
    pub(crate) fn answered(mut self, status: u16, headers: &http::HeaderMap) {
        let rate = crate::telemetry::RateHeaders::of(headers);
        let report = match (rate.limit, rate.remaining, rate.reset) {
            (Some(limit), Some(remaining), Some(reset)) => Some(Report {
                limit,
                // A 429 spends the window, whatever the header says.
                remaining: if status == 429 { 0 } else { remaining },
                reset,
            }),
            _ => None,
        };
        {
            let mut windows = self.governor.lock();
            let window = windows.get_mut(&self.key);
            match (window, report) {
                (Some(window), report) => {
                    if self.counted {
                        window.in_flight = window.in_flight.saturating_sub(1);
                    }
                    if let Some(report) = report {
                        window.report(report);
                    }
                }
                (None, Some(report)) => {
                    windows.insert(
                        self.key.clone(),
                        Window {
                            limit: report.limit,
                            remaining: report.remaining,
                            reset: report.reset,
                            guessed: false,
                            in_flight: 0,
                        },
                    );
                }
                (None, None) => {}
            }
        }
        // Its places are given back: dropping it gives nothing back again.
        self.counted = false;
        self.settle(report);
    }

    /// Gives the fleet's place back (with Okta's report), off the call's path.
    fn settle(&mut self, report: Option<Report>) {
        let Some(fleet) = self.governor.fleet.clone() else {
            return;
        };
        let place = self.place.take();
        if place.is_none() && report.is_none() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let key = self.key.clone();
        runtime.spawn(async move {
            let (org, method, route) = (key.0.as_str(), key.1.as_str(), key.2);
            fleet
                .settle((org, method, route), place.as_deref().unwrap_or(""), report)
                .await;
        });
    }
}

impl Drop for Ticket {
    /// No answer came (the exchange failed): the request no longer holds a place.
    fn drop(&mut self) {
        self.settle(None);
        if !self.counted {
            return;
        }
        if let Some(window) = self.governor.lock().get_mut(&self.key) {
            window.in_flight = window.in_flight.saturating_sub(1);
        }
    }
}

/// Okta's answer for a request the governor held past its deadline: 429 `E0000047` with
/// the window's headers, as Okta answers a request over the limit.
pub(crate) fn too_many(held: Held) -> http::Response<WasiBody> {
    let body = serde_json::json!({
        "errorCode": "E0000047",
        "errorSummary": "API call exceeded rate limit due to too many requests.",
        "errorLink": "E0000047",
        "errorId": "oaegoverned",
        "errorCauses": [],
    })
    .to_string();
    let mut response = http::Response::new(
        Full::new(Bytes::from(body))
            .map_err(|never| match never {})
            .boxed_unsync(),
    );
    *response.status_mut() = http::StatusCode::TOO_MANY_REQUESTS;
    let headers = response.headers_mut();
    for (name, value) in [
        ("content-type", "application/json".to_string()),
        ("x-rate-limit-limit", held.limit.to_string()),
        ("x-rate-limit-remaining", "0".to_string()),
        ("x-rate-limit-reset", held.reset.to_string()),
    ] {
        if let Ok(value) = http::HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Tenant = Tenant::ZERO;

    fn answer(limit: u64, remaining: u64, reset: u64) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        for (name, value) in [
            ("x-rate-limit-limit", limit),
            ("x-rate-limit-remaining", remaining),
            ("x-rate-limit-reset", reset),
        ] {
            headers.insert(name, value.to_string().parse().unwrap());
        }
        headers
    }

    #[tokio::test]
    async fn a_spent_window_holds_until_its_reset_or_refuses_past_the_deadline() {
        let governor = Arc::new(Governor::new(Governance { headroom: 0.0 }, None));
        let route = "/api/v1/users/{id}";
        let (first, waited) = governor.admit("o", "GET", route, T, None).await.unwrap();
        assert!(waited < Duration::from_millis(5));
        // Okta says the window is spent, and resets in two to three seconds (Okta's reset
        // is a whole second).
        first.answered(200, &answer(10, 0, now_secs() + 3));
        let deadline = Deadline::after(Duration::from_millis(200));
        let held = governor.admit("o", "GET", route, T, Some(deadline)).await;
        assert_eq!(held.unwrap_err().limit, 10);
        // Another org is not held.
        assert!(
            governor
                .admit("p", "GET", route, T, Some(deadline))
                .await
                .is_ok()
        );
        // A window that resets within the deadline is waited for.
        let (other, _) = governor.admit("o", "POST", route, T, None).await.unwrap();
        other.answered(200, &answer(10, 0, now_secs() + 1));
        let patient = Some(Deadline::after(Duration::from_secs(5)));
        let (_, waited) = governor
            .admit("o", "POST", route, T, patient)
            .await
            .unwrap();
        assert!(waited >= Duration::from_millis(10), "{waited:?}");
    }

    #[test]
    fn a_tenant_that_had_more_lets_a_waiting_one_go_first() {
        let key = crate::engine::tenant::TenantKey::from_bytes(&[1; 32]);
        let (a, b) = (key.tenant([&b"a"[..]]), key.tenant([&b"b"[..]]));
        let mut shares = Shares {
            since: 1000,
            ..Shares::default()
        };
        shares.admitted.insert(a, 2);
        assert!(!shares.yields(a, 1001), "no one waits: take what is free");
        shares.waiting.insert(b, 1);
        assert!(shares.yields(a, 1001));
        assert!(!shares.yields(b, 1001));
        shares.admitted.insert(b, 2);
        assert!(!shares.yields(a, 1001), "even: no one yields");
        assert!(!shares.yields(a, 1060), "a new minute, a new count");
        assert!(shares.admitted.is_empty());
    }

    #[test]
    fn a_window_assumed_new_is_probed_by_one_request_and_old_news_is_ignored() {
        let mut window = Window {
            limit: 10,
            remaining: 0,
            reset: 100,
            guessed: false,
            in_flight: 0,
        };
        // The reset passed: one request probes the new window, the next waits for it.
        assert_eq!(window.admit(100, 0.0), Admission::Go);
        let waits = window.admit(100, 0.0);
        assert_eq!(
            waits,
            Admission::Full {
                reset: 100,
                limit: 10
            }
        );
        window.in_flight -= 1;
        let report = |remaining, reset| Report {
            limit: 10,
            remaining,
            reset,
        };
        window.report(report(9, 160));
        assert!(!window.guessed);
        assert_eq!(window.admit(101, 0.0), Admission::Go);
        assert_eq!(window.admit(101, 0.0), Admission::Go);
        // Answers come out of order: the same window keeps the lowest remaining, an
        // earlier window is old news.
        window.report(report(7, 160));
        window.report(report(8, 160));
        window.report(report(10, 100));
        assert_eq!((window.remaining, window.reset), (7, 160));
    }

    #[tokio::test]
    async fn requests_in_flight_count_and_a_failed_one_gives_its_place_back() {
        let governor = Arc::new(Governor::new(Governance { headroom: 0.5 }, None));
        let route = "/api/v1/users";
        let (first, _) = governor.admit("o", "GET", route, T, None).await.unwrap();
        first.answered(200, &answer(4, 3, now_secs() + 60));
        // 3 left, 2 kept for others: one may go.
        let deadline = || Some(Deadline::after(Duration::from_millis(100)));
        let (second, _) = governor
            .admit("o", "GET", route, T, deadline())
            .await
            .unwrap();
        assert!(
            governor
                .admit("o", "GET", route, T, deadline())
                .await
                .is_err()
        );
        drop(second);
        assert!(
            governor
                .admit("o", "GET", route, T, deadline())
                .await
                .is_ok()
        );
    }
}
