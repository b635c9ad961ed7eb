//! The `triggers` interface: Okta's event hook calls in, and polls whose state the engine
//! keeps. The polls are the list nodes with a cursor or a boundary carried in `state`.

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
use std::time::SystemTime;

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

/// `triggers.receive-event-hook`: the wanted events of one delivery, each once.
pub(crate) fn receive_event_hook(req: EventHookDelivery) -> Result<Vec<LogEvent>, OktaError> {
    if let Some(expected) = &req.expected_authorization {
        if expected.is_empty() {
            return Err(invalid_input("expected-authorization is empty"));
        }
        let given = header(&req.headers, "authorization").unwrap_or("");
        if !same_secret(given, expected) {
            return Err(failure(
                ErrorKind::Unauthorized,
                "the delivery's Authorization header is missing or wrong",
            ));
        }
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

/// Where a poll's first run starts: the given time, or now.
fn start(since: &Option<String>) -> Result<String, OktaError> {
    match since.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(since) if objects::timestamp(since).is_some() => Ok(since.to_string()),
        Some(_) => Err(invalid_input(
            "since must be an ISO 8601 UTC time, such as 2026-12-01T09:00:00.000Z",
        )),
        None => Ok(iso_timestamp(SystemTime::now())),
    }
}

/// The prefix of a system log poll's state; the rest is Okta's `next` link.
const LOG_STATE: &str = "log1:";

/// `triggers.poll-system-log`: the events since the previous run, by Okta's `next` link.
pub(crate) fn poll_system_log<T: Transport>(
    client: &mut Client<T>,
    req: PollSystemLogRequest,
) -> Result<LogPoll, OktaError> {
    let max_items = poll_limit(req.max_items)?;
    let cursor = match req.state.as_deref() {
        None => None,
        Some(state) => Some(
            state
                .strip_prefix(LOG_STATE)
                .filter(|c| c.starts_with("/api/v1/logs?"))
                .ok_or_else(|| invalid_input("state is not the state of a system log poll"))?
                .to_string(),
        ),
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
        state: format!("{LOG_STATE}{next}"),
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

/// A user poll's boundary: the newest time returned and the users returned at it.
fn read_user_state(state: &str, watch: UserWatch) -> Result<(String, Vec<String>), OktaError> {
    let wrong = || invalid_input("state is not the state of this user poll");
    let value: Value = serde_json::from_str(state).map_err(|_| wrong())?;
    if value["poll"] != watch.attribute() {
        return Err(wrong());
    }
    let at = value["at"]
        .as_str()
        .filter(|t| objects::timestamp(t).is_some())
        .ok_or_else(wrong)?;
    let seen = objects::strings(value.get("seen"));
    if seen.len() > MAX_ITEMS as usize * 2 {
        return Err(wrong());
    }
    Ok((at.to_string(), seen))
}

/// `triggers.poll-new-users` and `triggers.poll-updated-users`: the users whose time is at
/// or after the boundary, less those already returned at the boundary itself.
pub(crate) fn poll_users<T: Transport>(
    client: &mut Client<T>,
    req: PollUsersRequest,
    watch: UserWatch,
) -> Result<UserPoll, OktaError> {
    let max_items = poll_limit(req.max_items)?;
    let (at, mut seen) = match req.state.as_deref() {
        Some(state) => read_user_state(state, watch)?,
        None => (start(&req.since)?, Vec::new()),
    };
    let attribute = watch.attribute();
    let list = ListUsersRequest {
        q: None,
        filter: None,
        search: Some(format!("{attribute} ge \"{at}\"")),
        sort_by: Some(attribute.into()),
        sort_order: Some(SortOrder::Ascending),
        extra_query: None,
        include_raw: None,
        page: Some(PageRequest {
            limit: None,
            after: None,
            fetch_all: Some(true),
            max_items: Some((max_items + seen.len()).min(MAX_ITEMS as usize) as u32),
        }),
    };
    let found = users::list_users(client, list)?.items;
    let mut fresh: Vec<User> = found
        .into_iter()
        .filter(|u| !(watch.time(u) == Some(at.as_str()) && seen.contains(&u.id)))
        .collect();
    fresh.truncate(max_items);
    let mut boundary = at;
    for user in &fresh {
        let Some(time) = watch.time(user) else {
            continue;
        };
        if time != boundary {
            boundary = time.to_string();
            seen.clear();
        }
        seen.push(user.id.clone());
    }
    let state = json!({ "poll": attribute, "at": boundary, "seen": seen }).to_string();
    Ok(UserPoll {
        users: fresh,
        state,
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
    fn a_user_state_belongs_to_its_poll() {
        let state = r#"{"poll":"created","at":"2026-12-01T10:00:00.000Z","seen":["00u1"]}"#;
        let (at, seen) = read_user_state(state, UserWatch::Created).unwrap();
        assert_eq!((at.as_str(), seen.len()), ("2026-12-01T10:00:00.000Z", 1));
        assert!(read_user_state(state, UserWatch::Updated).is_err());
        assert!(read_user_state("log1:/api/v1/logs?after=1", UserWatch::Created).is_err());
    }
}
