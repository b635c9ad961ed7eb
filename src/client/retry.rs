//! What may be retried, and how long to wait first.
//!
//! A 429 is always retried (Okta did nothing), after `min(X-Rate-Limit-Reset) − Date + 1 s`,
//! unless that is longer than the connection allows. A 5xx or a transport error is retried
//! only for a request that is safe to repeat, after a short exponential backoff.

use crate::catalog::limits;
use crate::client::TransportError;
use crate::client::spec::{Response, Retry};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The default number of retries.
pub(crate) const DEFAULT_MAX_RETRIES: u32 = limits::MAX_RETRIES.default_or(0);
/// The default longest wait for a rate-limit window.
pub(crate) const DEFAULT_MAX_WAIT: Duration =
    Duration::from_millis(limits::MAX_RATE_LIMIT_WAIT_MS.default_or(0) as u64);

/// The delay before the first retry after a 5xx or a transport error.
pub(crate) const DEFAULT_BACKOFF: Duration =
    Duration::from_millis(limits::RETRY_DELAY_MS.default_or(0) as u64);

/// How the delay between retries after a 5xx or transport error grows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backoff {
    /// The same delay each time.
    Fixed(Duration),
    /// The delay doubles each time (up to 32 times the first).
    Exponential(Duration),
}

impl Backoff {
    /// The delay before retry number `attempt + 1`.
    pub(crate) fn delay(self, attempt: u32) -> Duration {
        match self {
            Backoff::Fixed(delay) => delay,
            Backoff::Exponential(first) => first.saturating_mul(1 << attempt.min(5)),
        }
    }
}

/// How many times to retry, and the longest wait allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Policy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The longest single wait.
    pub max_wait: Duration,
    /// The delays after a 5xx or transport error.
    pub backoff: Backoff,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_retries: DEFAULT_MAX_RETRIES,
            max_wait: DEFAULT_MAX_WAIT,
            backoff: Backoff::Exponential(DEFAULT_BACKOFF),
        }
    }
}

/// What to do after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Return what the attempt gave.
    Done,
    /// Wait, then send the request again.
    RetryAfter(Duration),
}

/// The earliest `X-Rate-Limit-Reset` (Unix seconds) among the response's headers.
pub(crate) fn reset_at(resp: &Response) -> Option<u64> {
    resp.header_values("x-rate-limit-reset")
        .filter_map(|v| v.trim().parse::<u64>().ok())
        .min()
}

/// How long to wait before the rate-limit window resets: `reset − Date + 1 s`.
///
/// Okta's `Date` header is the clock the reset time is measured against; the local clock is
/// used only when the header is missing or unreadable.
pub(crate) fn rate_limit_wait(resp: &Response, now: SystemTime) -> Option<Duration> {
    let reset = reset_at(resp)?;
    let now_secs = match resp.header("date").and_then(parse_http_date) {
        Some(secs) => secs,
        None => now.duration_since(UNIX_EPOCH).ok()?.as_secs(),
    };
    Some(Duration::from_secs(reset.saturating_sub(now_secs) + 1))
}

/// Parses an HTTP date in the IMF-fixdate form every server sends
/// (`Tue, 14 Nov 2023 22:13:20 GMT`) into Unix seconds.
pub(crate) fn parse_http_date(date: &str) -> Option<u64> {
    let mut parts = date.split_ascii_whitespace();
    let (_weekday, day, month, year, time, zone) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if zone != "GMT" || parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let day: i64 = day.parse().ok()?;
    let year: i64 = year.parse().ok()?;
    let mut hms = time.split(':').map(|n| n.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 || hms.next().is_some() {
        return None;
    }
    // Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + m * 60 + s).ok()
}

/// Whether a status is worth repeating a safe request for.
fn is_transient_status(status: u16) -> bool {
    matches!(status, 500 | 502 | 503 | 504)
}

/// Decides what follows a response to attempt number `attempt` (0 for the first).
pub(crate) fn after_response(
    policy: Policy,
    retry: Retry,
    attempt: u32,
    resp: &Response,
    now: SystemTime,
) -> Next {
    if attempt >= policy.max_retries {
        return Next::Done;
    }
    if resp.status == 429 {
        let wait = rate_limit_wait(resp, now).unwrap_or_else(|| policy.backoff.delay(attempt));
        return if wait <= policy.max_wait {
            Next::RetryAfter(wait)
        } else {
            Next::Done
        };
    }
    let retried = match retry {
        Retry::Safe => is_transient_status(resp.status),
        Retry::Always => !resp.is_success(),
        Retry::Unsafe => false,
    };
    if retried {
        return Next::RetryAfter(policy.backoff.delay(attempt).min(policy.max_wait));
    }
    Next::Done
}

/// Decides what follows a transport error on attempt number `attempt`.
pub(crate) fn after_error(
    policy: Policy,
    retry: Retry,
    attempt: u32,
    err: &TransportError,
) -> Next {
    let retried = match retry {
        // A request that never left can be sent again, whatever it is.
        _ if matches!(err, TransportError::Unsent { .. }) => true,
        Retry::Safe => err.is_transient(),
        // A refusal or an oversized body comes back the same however often it is asked for.
        Retry::Always => !matches!(
            err,
            TransportError::Denied(_) | TransportError::Refused(_) | TransportError::TooLarge(_)
        ),
        Retry::Unsafe => false,
    };
    if attempt < policy.max_retries && retried {
        Next::RetryAfter(policy.backoff.delay(attempt).min(policy.max_wait))
    } else {
        Next::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn limited(headers: &[(&str, &str)]) -> Response {
        Response {
            status: 429,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: vec![],
        }
    }

    #[test]
    fn waits_until_the_earliest_reset_by_the_server_clock_plus_a_second() {
        // Date is 2023-11-14T22:13:20Z = 1700000000.
        let resp = limited(&[
            ("date", "Tue, 14 Nov 2023 22:13:20 GMT"),
            ("x-rate-limit-reset", "1700000009"),
            ("x-rate-limit-reset", "1700000004"),
        ]);
        // The local clock is far off; the server's Date wins.
        let wait = rate_limit_wait(&resp, at(1_800_000_000));
        assert_eq!(wait, Some(Duration::from_secs(5)));
    }

    #[test]
    fn falls_back_to_the_local_clock_without_a_date() {
        let resp = limited(&[("x-rate-limit-reset", "1700000010")]);
        assert_eq!(
            rate_limit_wait(&resp, at(1_700_000_007)),
            Some(Duration::from_secs(4))
        );
        // A reset in the past still waits one second.
        assert_eq!(
            rate_limit_wait(&resp, at(1_700_000_100)),
            Some(Duration::from_secs(1))
        );
        assert_eq!(rate_limit_wait(&limited(&[]), at(0)), None);
    }

    #[test]
    fn a_429_is_retried_even_for_unsafe_requests_within_the_cap() {
        let policy = Policy::default();
        let resp = limited(&[("x-rate-limit-reset", "1700000002")]);
        assert_eq!(
            after_response(policy, Retry::Unsafe, 0, &resp, at(1_700_000_000)),
            Next::RetryAfter(Duration::from_secs(3))
        );
        // Longer than the cap: give up at once so the flow can schedule a retry.
        assert_eq!(
            after_response(policy, Retry::Unsafe, 0, &resp, at(1_699_999_000)),
            Next::Done
        );
        // Out of retries.
        assert_eq!(
            after_response(policy, Retry::Safe, 2, &resp, at(1_700_000_000)),
            Next::Done
        );
        // No headers: exponential backoff.
        assert_eq!(
            after_response(policy, Retry::Safe, 1, &limited(&[]), at(0)),
            Next::RetryAfter(Duration::from_millis(500))
        );
    }

    #[test]
    fn a_5xx_is_retried_only_when_safe() {
        let policy = Policy::default();
        let resp = Response {
            status: 503,
            ..Response::default()
        };
        assert_eq!(
            after_response(policy, Retry::Safe, 0, &resp, at(0)),
            Next::RetryAfter(Duration::from_millis(250))
        );
        assert_eq!(
            after_response(policy, Retry::Unsafe, 0, &resp, at(0)),
            Next::Done
        );
        let not_implemented = Response {
            status: 501,
            ..Response::default()
        };
        assert_eq!(
            after_response(policy, Retry::Safe, 0, &not_implemented, at(0)),
            Next::Done
        );
    }

    #[test]
    fn transport_errors_are_retried_only_when_safe_and_transient() {
        let policy = Policy::default();
        let timeout = TransportError::Timeout("connect".into());
        assert_eq!(
            after_error(policy, Retry::Safe, 0, &timeout),
            Next::RetryAfter(Duration::from_millis(250))
        );
        assert_eq!(after_error(policy, Retry::Unsafe, 0, &timeout), Next::Done);
        assert_eq!(
            after_error(policy, Retry::Safe, 0, &TransportError::Denied("x".into())),
            Next::Done
        );
        assert_eq!(after_error(policy, Retry::Safe, 2, &timeout), Next::Done);
    }

    #[test]
    fn parses_imf_fixdates() {
        assert_eq!(
            parse_http_date("Tue, 14 Nov 2023 22:13:20 GMT"),
            Some(1_700_000_000)
        );
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Thu, 29 Feb 2024 12:00:00 GMT"),
            Some(1_709_208_000)
        );
        assert_eq!(
            parse_http_date("Tue, 24 Nov 2026 09:10:11 GMT"),
            Some(1_795_511_411)
        );
        for bad in [
            "",
            "Tue, 14 Nov 2023 22:13:20",
            "Tue, 14 Foo 2023 22:13:20 GMT",
            "Tue, 14 Nov 2023 25:13:20 GMT",
            "Tue, 14 Nov 2023 22:13 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        let exp = Backoff::Exponential(DEFAULT_BACKOFF);
        assert_eq!(exp.delay(0), Duration::from_millis(250));
        assert_eq!(exp.delay(3), Duration::from_millis(2000));
        assert_eq!(exp.delay(30), Duration::from_millis(8000));
        assert_eq!(
            Backoff::Fixed(Duration::from_secs(1)).delay(4),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn retry_always_repeats_any_failure() {
        let policy = Policy::default();
        let bad = Response {
            status: 400,
            ..Response::default()
        };
        assert_eq!(
            after_response(policy, Retry::Always, 0, &bad, at(0)),
            Next::RetryAfter(DEFAULT_BACKOFF)
        );
        assert_eq!(
            after_response(policy, Retry::Safe, 0, &bad, at(0)),
            Next::Done
        );
        let failed = TransportError::Failed("reset".into());
        assert_eq!(
            after_error(policy, Retry::Always, 0, &failed),
            Next::RetryAfter(DEFAULT_BACKOFF)
        );
        for hopeless in [
            TransportError::Denied("x".into()),
            TransportError::TooLarge(10),
        ] {
            assert_eq!(after_error(policy, Retry::Always, 0, &hopeless), Next::Done);
        }
    }
}
