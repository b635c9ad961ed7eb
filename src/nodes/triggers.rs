//! The `triggers` interface: Okta's event hook calls in, and polls whose state the engine
//! keeps. The polls are the list nodes with a cursor or a boundary carried in `state`.

use crate::catalog::limits;
use crate::client::encode;
use crate::client::error::{decode, failure, invalid_input};
use crate::client::paging::{self, MAX_ITEMS};
use crate::client::{Client, Transport};
use crate::nodes::objects::{self, iso_timestamp};
use crate::nodes::system_log;
use crate::nodes::users;
use crate::wit::system_log::{ListEventsRequest, LogEvent};
use crate::wit::triggers::{
    EventHookDelivery, LogPoll, PollSystemLogRequest, PollUsersRequest, UserPoll,
    VerificationRequest,
};
use crate::wit::types::{ErrorKind, OktaError, PageRequest, Pair, SortOrder, User};
use crate::wit::users::ListUsersRequest;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};

/// The largest event hook body: Okta sends at most 400 events in one delivery, far less.
pub(crate) const MAX_DELIVERY_BYTES: usize = 1 << 20;

/// The longest verification challenge taken.
const MAX_CHALLENGE: usize = 1024;

/// The value of a header, by name in any case; `None` when absent or given twice.
fn header<'a>(headers: &'a [Pair], name: &str) -> Option<&'a str> {
    let mut found = headers.iter().filter(|h| h.name.eq_ignore_ascii_case(name));
    let first = found.next()?;
    found.next().is_none().then_some(first.value.as_str())
}

/// `triggers.answer-verification`: Okta's one-time challenge echoed back.
pub(crate) fn answer_verification(req: VerificationRequest) -> Result<String, OktaError> {
    let challenge = header(&req.headers, "x-okta-verification-challenge")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            invalid_input("headers has no single X-Okta-Verification-Challenge header")
        })?;
    if challenge.len() > MAX_CHALLENGE {
        return Err(invalid_input(format!(
            "the X-Okta-Verification-Challenge header is longer than {MAX_CHALLENGE} bytes"
        )));
    }
    Ok(json!({ "verification": challenge }).to_string())
}

/// Whether two secrets are equal, in time that depends on neither: their digests are
/// compared in full.
fn same_secret(given: &str, expected: &str) -> bool {
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// `triggers.receive-event-hook`: the wanted events of one delivery, each once. The
/// delivery's shape is checked first (`invalid-input`, as the schema says), then its
/// authorization (`unauthorized`), then the events are read.
pub(crate) fn receive_event_hook(req: EventHookDelivery) -> Result<Vec<LogEvent>, OktaError> {
    if req
        .expected_authorization
        .as_ref()
        .is_some_and(String::is_empty)
    {
        return Err(invalid_input("expected-authorization is empty"));
    }
    if req.headers.iter().any(|h| h.name.trim().is_empty()) {
        return Err(invalid_input("headers has a header without a name"));
    }
    if req.body.len() > MAX_DELIVERY_BYTES {
        return Err(invalid_input(format!(
            "body is larger than {MAX_DELIVERY_BYTES} bytes"
        )));
    }
    let envelope: Value = serde_json::from_str(&req.body)
        .map_err(|e| invalid_input(format!("body is not JSON: {e}")))?;
    let events = envelope
        .pointer("/data/events")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid_input("body has no data.events list: not an Okta event hook"))?;
    if let Some(i) = events.iter().position(|e| !e["uuid"].is_string()) {
        return Err(invalid_input(format!(
            "body data.events[{i}] has no uuid: not a log event"
        )));
    }
    if let Some(expected) = &req.expected_authorization {
        let given = header(&req.headers, "authorization").unwrap_or("");
        if !same_secret(given, expected) {
            return Err(failure(
                ErrorKind::Unauthorized,
                "the delivery's Authorization header is missing or wrong",
            ));
        }
    }
    let wanted: Vec<&str> = req.event_types.iter().map(|t| t.trim()).collect();
    let mut out: Vec<LogEvent> = Vec::new();
    for (i, event) in events.iter().enumerate() {
        let raw = event.to_string();
        let event = system_log::log_event(raw.as_bytes())
            .map_err(|e| invalid_input(format!("body data.events[{i}]: {}", e.message)))?;
        if !wanted.is_empty() && !wanted.contains(&event.event_type.as_str()) {
            continue;
        }
        // A delivery holds at most a few hundred events: a scan is cheaper than a set.
        if !out.iter().any(|e| e.uuid == event.uuid) {
            out.push(event);
        }
    }
    Ok(out)
}

/// The most items a poll returns in one run.
fn poll_limit(max_items: Option<u32>) -> Result<usize, OktaError> {
    match max_items {
        None => Ok(paging::DEFAULT_MAX_ITEMS as usize),
        Some(0) => Err(invalid_input("max-items must be at least 1")),
        Some(n) if n > MAX_ITEMS => Err(invalid_input(format!("max-items is at most {MAX_ITEMS}"))),
        Some(n) => Ok(n as usize),
    }
}

/// Where a poll's first run starts: the given time, as Okta writes it, or now.
fn start(since: &Option<String>) -> Result<String, OktaError> {
    match objects::utc_time("since", since)? {
        Some(since) => Ok(since),
        None => Ok(iso_timestamp(SystemTime::now())),
    }
}

/// The `poll` a system log poll's state names.
const LOG_POLL: &str = "system-log";

/// The most users a user poll's state remembers (those returned within the settle window).
const MAX_SEEN: usize = 2 * MAX_ITEMS as usize;

/// How far ahead of the clock a state's time may be (Okta's clock and this one differ a
/// little; a day is no skew).
const MAX_AHEAD: Duration = Duration::from_secs(86_400);

/// A poll's state as JSON, checked to be this poll's and this org's; `Err` is the
/// `invalid-input` for a state this poll did not make here.
fn read_state(state: &str, poll: &str, org: &str) -> Result<Value, OktaError> {
    let wrong = || invalid_input(format!("state is not the state of a {poll} poll of {org}"));
    let value: Value = serde_json::from_str(state).map_err(|_| wrong())?;
    if value["poll"] != poll || value["org"] != org {
        return Err(wrong());
    }
    Ok(value)
}

/// `triggers.poll-system-log`: the events since the previous run, by Okta's `next` link.
pub(crate) fn poll_system_log<T: Transport>(
    client: &mut Client<T>,
    req: PollSystemLogRequest,
) -> Result<LogPoll, OktaError> {
    let max_items = poll_limit(req.max_items)?;
    let org = client.connection().domain.clone();
    let cursor = match req.state.as_deref() {
        None => None,
        Some(state) => {
            let value = read_state(state, LOG_POLL, &org)?;
            let next = value["next"]
                .as_str()
                .filter(|c| c.starts_with("/api/v1/logs?") && encode::is_wire_safe(c))
                .ok_or_else(|| invalid_input("state's next link is not the system log's"))?;
            Some(next.to_string())
        }
    };
    let since = match cursor {
        None => Some(start(&req.since)?),
        Some(_) => None,
    };
    let list = ListEventsRequest {
        since,
        until: None,
        filter: req.filter,
        q: None,
        sort_order: Some(SortOrder::Ascending),
        page: Some(PageRequest {
            // Okta's largest log page; it also replaces a short limit an earlier, smaller
            // run left in its `next` link.
            limit: Some(max_items.min(system_log::MAX_LIMIT as usize) as u32),
            after: cursor.clone(),
            fetch_all: Some(true),
            max_items: Some(max_items as u32),
        }),
        include_raw: Some(true),
    };
    let page = system_log::list_events(client, list)?;
    let next = match (page.next_cursor, cursor) {
        (Some(next), _) => next,
        // Okta always links a polling request onward; without a link, stay where we were.
        (None, Some(cursor)) if page.items.is_empty() => cursor,
        (None, _) => {
            return Err(decode(
                "the system log",
                "Okta gave no next link to poll from",
            ));
        }
    };
    Ok(LogPoll {
        events: page.items,
        state: json!({ "poll": LOG_POLL, "org": org, "next": next }).to_string(),
    })
}

/// Which users a user poll watches.
#[derive(Clone, Copy)]
pub(crate) enum UserWatch {
    /// Users by `created`.
    Created,
    /// Users by `lastUpdated`.
    Updated,
}

impl UserWatch {
    fn attribute(self) -> &'static str {
        match self {
            UserWatch::Created => "created",
            UserWatch::Updated => "lastUpdated",
        }
    }

    fn time(self, user: &User) -> Option<&str> {
        match self {
            UserWatch::Created => user.created.as_deref(),
            UserWatch::Updated => user.last_updated.as_deref(),
        }
    }
}

/// A user poll's state: where the poll started (it never looks before), the newest time
/// returned, and the users returned within the settle window before it, each with the time
/// it was returned at.
struct UserState {
    since: SystemTime,
    at: SystemTime,
    seen: Vec<(String, SystemTime)>,
}

impl UserState {
    /// Reads a state this poll made for this org; `now` bounds how far ahead its time may be.
    fn read(state: &str, watch: UserWatch, org: &str, now: SystemTime) -> Result<Self, OktaError> {
        let value = read_state(state, watch.attribute(), org)?;
        let wrong = |what: &str| invalid_input(format!("state's {what} is not valid"));
        let time = |key: &str| {
            value[key]
                .as_str()
                .and_then(objects::timestamp)
                .filter(|at| *at <= now + MAX_AHEAD)
                .ok_or_else(|| wrong(key))
        };
        let (since, at) = (time("since")?, time("at")?);
        let list = value["seen"].as_array().ok_or_else(|| wrong("seen"))?;
        if list.len() > MAX_SEEN {
            return Err(wrong("seen"));
        }
        let seen = list
            .iter()
            .map(|pair| match pair.as_array().map(Vec::as_slice) {
                Some([Value::String(id), Value::String(time)]) if id.len() <= 64 => {
                    Some((id.clone(), objects::timestamp(time)?))
                }
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| wrong("seen"))?;
        Ok(UserState { since, at, seen })
    }

    /// The state as JSON, for this poll and this org.
    fn write(&self, watch: UserWatch, org: &str) -> String {
        let seen: Vec<Value> = self
            .seen
            .iter()
            .map(|(id, time)| json!([id, iso_timestamp(*time)]))
            .collect();
        json!({
            "poll": watch.attribute(),
            "org": org,
            "since": iso_timestamp(self.since),
            "at": iso_timestamp(self.at),
            "seen": seen,
        })
        .to_string()
    }
}

/// The settle window a request asks for.
fn settle(settle_ms: Option<u32>) -> Result<Duration, OktaError> {
    let bounds = limits::SETTLE_MS;
    match settle_ms.unwrap_or(bounds.default_or(0)) {
        ms if !bounds.takes(ms) => Err(invalid_input(format!(
            "settle-ms is at most {}",
            bounds.max
        ))),
        ms => Ok(Duration::from_millis(ms.into())),
    }
}

/// `triggers.poll-new-users` and `triggers.poll-updated-users`: the users whose time is at
/// or after the newest time returned less the settle window, less those already returned
/// at the time they have now. A user Okta indexes late, behind a newer one already
/// returned, still arrives (within the window), and once.
pub(crate) fn poll_users<T: Transport>(
    client: &mut Client<T>,
    req: PollUsersRequest,
    watch: UserWatch,
) -> Result<UserPoll, OktaError> {
    let max_items = poll_limit(req.max_items)?;
    let settle = settle(req.settle_ms)?;
    let org = client.connection().domain.clone();
    let mut state = match req.state.as_deref() {
        Some(state) => UserState::read(state, watch, &org, client.now())?,
        None => {
            let since = objects::timestamp(&start(&req.since)?).unwrap_or_else(|| client.now());
            UserState {
                since,
                at: since,
                seen: Vec::new(),
            }
        }
    };
    let attribute = watch.attribute();
    let from = state
        .at
        .checked_sub(settle)
        .unwrap_or(SystemTime::UNIX_EPOCH)
        .max(state.since);
    let list = ListUsersRequest {
        q: None,
        filter: None,
        search: Some(format!("{attribute} ge \"{}\"", iso_timestamp(from))),
        sort_by: Some(attribute.into()),
        sort_order: Some(SortOrder::Ascending),
        extra_query: None,
        include_raw: None,
        page: Some(PageRequest {
            limit: None,
            after: None,
            fetch_all: Some(true),
            max_items: Some((max_items + state.seen.len()).min(MAX_ITEMS as usize) as u32),
        }),
    };
    let found = users::list_users(client, list)?.items;
    let mut fresh = Vec::new();
    for user in found {
        if fresh.len() == max_items {
            break;
        }
        let Some(time) = watch.time(&user).and_then(objects::timestamp) else {
            continue;
        };
        if state
            .seen
            .iter()
            .any(|(id, at)| *id == user.id && *at == time)
        {
            continue;
        }
        state.at = state.at.max(time);
        state.seen.push((user.id.clone(), time));
        fresh.push(user);
    }
    // Only the users within the window of the newest time are remembered.
    let horizon = state
        .at
        .checked_sub(settle)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    state.seen.retain(|(_, time)| *time >= horizon);
    let excess = state.seen.len().saturating_sub(MAX_SEEN);
    state.seen.drain(..excess);
    Ok(UserPoll {
        users: fresh,
        state: state.write(watch, &org),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<Pair> {
        list.iter()
            .map(|(name, value)| Pair {
                name: name.to_string(),
                value: value.to_string(),
            })
            .collect()
    }

    fn delivery(body: &str, auth: Option<&str>, types: &[&str]) -> EventHookDelivery {
        EventHookDelivery {
            headers: pairs(&[("authorization", "s3cret")]),
            body: body.into(),
            expected_authorization: auth.map(Into::into),
            event_types: types.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn a_delivery_of_the_wrong_shape_is_invalid_input_before_its_authorization_is_read() {
        for body in ["", "{}", r#"{"data": {"events": [{"eventType": "x"}]}}"#] {
            let mut req = delivery(body, Some("secret"), &[]);
            req.headers = pairs(&[("Authorization", "not-the-secret")]);
            let err = receive_event_hook(req).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidInput, "{body}");
        }
        let mut blank_name = delivery(r#"{"data": {"events": []}}"#, None, &[]);
        blank_name.headers = pairs(&[(" ", "x")]);
        let err = receive_event_hook(blank_name).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        let mut unauthorized = delivery(r#"{"data": {"events": []}}"#, Some("secret"), &[]);
        unauthorized.headers = pairs(&[("Authorization", "nope")]);
        let err = receive_event_hook(unauthorized).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unauthorized);
    }

    const BODY: &str = r#"{"eventType":"com.okta.event_hook","eventId":"e1","data":{"events":[
        {"uuid":"a","published":"2026-12-01T10:00:00.000Z","eventType":"user.lifecycle.create","severity":"INFO"},
        {"uuid":"b","published":"2026-12-01T10:00:01.000Z","eventType":"user.session.start","severity":"INFO"},
        {"uuid":"a","published":"2026-12-01T10:00:00.000Z","eventType":"user.lifecycle.create","severity":"INFO"}]}}"#;

    #[test]
    fn verification_echoes_the_challenge_as_okta_expects() {
        let req = VerificationRequest {
            headers: pairs(&[("X-Okta-Verification-Challenge", "ab\"c")]),
        };
        assert_eq!(
            answer_verification(req).unwrap(),
            r#"{"verification":"ab\"c"}"#
        );
        let none = VerificationRequest { headers: vec![] };
        assert_eq!(
            answer_verification(none).unwrap_err().kind,
            ErrorKind::InvalidInput
        );
    }

    #[test]
    fn a_delivery_is_filtered_by_each_events_type_and_deduplicated() {
        let all = receive_event_hook(delivery(BODY, Some("s3cret"), &[])).unwrap();
        assert_eq!(
            all.iter().map(|e| e.uuid.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let some =
            receive_event_hook(delivery(BODY, Some("s3cret"), &["user.lifecycle.create"])).unwrap();
        assert_eq!(some.len(), 1);
        assert_eq!(some[0].event_type, "user.lifecycle.create");
        assert!(some[0].raw.is_some(), "the whole event comes along");
    }

    #[test]
    fn a_wrong_or_missing_authorization_is_refused_without_echoing_it() {
        for auth in ["s3cre", "s3cret ", "S3CRET"] {
            let err = receive_event_hook(delivery(BODY, Some(auth), &[])).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Unauthorized);
            assert!(!err.message.contains("s3cret"));
        }
        let empty = receive_event_hook(delivery(BODY, Some(""), &[])).unwrap_err();
        assert_eq!(
            empty.kind,
            ErrorKind::InvalidInput,
            "an empty secret is a mistake"
        );
        let mut twice = delivery(BODY, Some("s3cret"), &[]);
        twice.headers = pairs(&[("Authorization", "s3cret"), ("authorization", "s3cret")]);
        assert_eq!(
            receive_event_hook(twice).unwrap_err().kind,
            ErrorKind::Unauthorized
        );
    }

    #[test]
    fn a_body_that_is_not_a_delivery_is_invalid_input() {
        let big = "x".repeat(MAX_DELIVERY_BYTES + 1);
        for body in [
            "",
            "[]",
            "{\"data\":{}}",
            "{\"data\":{\"events\":[1]}}",
            &big,
        ] {
            let err = receive_event_hook(delivery(body, None, &[])).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidInput, "{body:.40}");
        }
    }

    #[test]
    fn same_secret_compares_whole_values() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }

    #[test]
    fn a_user_state_belongs_to_its_poll_and_its_org() {
        let now = objects::timestamp("2026-12-01T12:00:00.000Z").unwrap();
        let org = "dev-1.okta.com";
        let state = r#"{"poll":"created","org":"dev-1.okta.com","since":"2026-12-01T09:00:00.000Z","at":"2026-12-01T10:00:00.000Z","seen":[["00u1","2026-12-01T10:00:00.000Z"]]}"#;
        let read = UserState::read(state, UserWatch::Created, org, now).unwrap();
        assert_eq!(iso_timestamp(read.at), "2026-12-01T10:00:00.000Z");
        assert_eq!(read.seen.len(), 1);
        assert_eq!(
            UserState::read(
                &read.write(UserWatch::Created, org),
                UserWatch::Created,
                org,
                now
            )
            .unwrap()
            .seen,
            read.seen,
            "a state reads back as written"
        );
        let refused = [
            (state, UserWatch::Updated, org),
            (state, UserWatch::Created, "dev-2.okta.com"),
            // The old form, with no org.
            (
                r#"{"poll":"created","at":"2026-12-01T10:00:00.000Z","seen":["00u1"]}"#,
                UserWatch::Created,
                org,
            ),
            // A time far in the future would silence the poll.
            (
                r#"{"poll":"created","org":"dev-1.okta.com","since":"2026-12-01T09:00:00.000Z","at":"9999-01-01T00:00:00.000Z","seen":[]}"#,
                UserWatch::Created,
                org,
            ),
            (
                r#"{"poll":"system-log","org":"dev-1.okta.com","next":"/api/v1/logs?after=1"}"#,
                UserWatch::Created,
                org,
            ),
            ("log1:/api/v1/logs?after=1", UserWatch::Created, org),
        ];
        for (state, watch, org) in refused {
            assert!(
                UserState::read(state, watch, org, now).is_err(),
                "{state} {org}"
            );
        }
    }

    #[test]
    fn a_log_state_belongs_to_its_org() {
        let state =
            r#"{"poll":"system-log","org":"dev-1.okta.com","next":"/api/v1/logs?since=x&after=1"}"#;
        assert!(read_state(state, LOG_POLL, "dev-1.okta.com").is_ok());
        assert!(read_state(state, LOG_POLL, "dev-2.okta.com").is_err());
        assert!(
            read_state(
                "log1:/api/v1/logs?since=1970-01-01T00:00:00.000Z",
                LOG_POLL,
                "dev-1.okta.com"
            )
            .is_err()
        );
    }
}
