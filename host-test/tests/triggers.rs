//! The `triggers` interface through the real component: Okta's event hook calls, and polls
//! that run again and again against the mock with writes between them. Every event and
//! every user arrives exactly once.

mod common;

use common::*;
use okta_host::wit::system_log::LogEvent;
use okta_host::wit::triggers::*;
use okta_host::wit::types::{ErrorKind, OktaError, Pair, User};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// Okta's own example delivery (developer.okta.com, "Event hooks", the event object).
const OKTA_DELIVERY: &str = include_str!("data/event-hook-delivery.json");

fn pairs(list: &[(&str, &str)]) -> Vec<Pair> {
    list.iter()
        .map(|(name, value)| Pair {
            name: name.to_string(),
            value: value.to_string(),
        })
        .collect()
}

/// Okta's example envelope with these events: (uuid, eventType).
fn delivery_body(events: &[(&str, &str)]) -> String {
    let mut envelope: Value = serde_json::from_str(OKTA_DELIVERY).unwrap();
    let template = envelope["data"]["events"][0].clone();
    envelope["data"]["events"] = events
        .iter()
        .map(|(uuid, kind)| {
            let mut event = template.clone();
            event["uuid"] = json!(uuid);
            event["eventType"] = json!(kind);
            event
        })
        .collect();
    envelope.to_string()
}

async fn verify(env: &Env, headers: Vec<Pair>) -> Result<String, OktaError> {
    let mut node = env.node().await;
    node.nodes
        .okta_management_triggers()
        .call_answer_verification(&mut node.store, &VerificationRequest { headers })
        .await
        .expect("no trap")
}

async fn receive(env: &Env, delivery: EventHookDelivery) -> Result<Vec<LogEvent>, OktaError> {
    let mut node = env.node().await;
    node.nodes
        .okta_management_triggers()
        .call_receive_event_hook(&mut node.store, &delivery)
        .await
        .expect("no trap")
}

fn delivery(body: String, authorization: &str) -> EventHookDelivery {
    EventHookDelivery {
        headers: pairs(&[
            ("Content-Type", "application/json"),
            ("Authorization", authorization),
        ]),
        body,
        expected_authorization: Some("hook-secret-4242".into()),
        event_types: vec![],
    }
}

#[tokio::test]
async fn verification_echoes_okta_s_challenge_as_json() {
    let env = Env::start().await;
    let body = verify(
        &env,
        pairs(&[("x-okta-verification-challenge", "rBP1MrAX12ZLyCbFW3R6")]),
    )
    .await
    .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"verification": "rBP1MrAX12ZLyCbFW3R6"})
    );
    let err = verify(&env, pairs(&[("accept", "*/*")])).await.unwrap_err();
    assert_error(&err, ErrorKind::InvalidInput, None);
    assert_eq!(env.requests(), 0, "a trigger calls nothing");
}

#[tokio::test]
async fn a_delivery_fans_out_the_wanted_events_once_each() {
    let env = Env::start().await;
    let body = delivery_body(&[
        ("u-1", "user.lifecycle.create"),
        ("u-2", "user.session.start"),
        ("u-1", "user.lifecycle.create"),
        ("u-3", "user.lifecycle.create"),
    ]);
    let every = receive(&env, delivery(body.clone(), "hook-secret-4242"))
        .await
        .unwrap();
    assert_eq!(
        every.iter().map(|e| e.uuid.as_str()).collect::<Vec<_>>(),
        ["u-1", "u-2", "u-3"]
    );
    let mut wanted = delivery(body, "hook-secret-4242");
    wanted.event_types = vec!["user.lifecycle.create".into()];
    let created = receive(&env, wanted).await.unwrap();
    assert_eq!(
        created.iter().map(|e| e.uuid.as_str()).collect::<Vec<_>>(),
        ["u-1", "u-3"],
        "each event's own eventType decides, not the envelope's com.okta.event_hook"
    );
    let okta = receive(&env, delivery(OKTA_DELIVERY.into(), "hook-secret-4242"))
        .await
        .unwrap();
    assert_eq!(okta.len(), 1);
    assert_eq!(okta[0].event_type, "user.session.start");
    assert_eq!(
        okta[0].client.as_ref().unwrap().ip_address.as_deref(),
        Some("142.126.158.61")
    );
    assert!(okta[0].raw.is_some(), "the whole event comes along");
}

#[tokio::test]
async fn a_delivery_without_the_hook_s_authorization_is_refused() {
    let env = Env::start().await;
    let body = delivery_body(&[("u-1", "user.lifecycle.create")]);
    for wrong in [
        "hook-secret-424",
        "hook-secret-42420",
        "Bearer hook-secret-4242",
        "",
    ] {
        let err = receive(&env, delivery(body.clone(), wrong))
            .await
            .unwrap_err();
        assert_error(&err, ErrorKind::Unauthorized, None);
        assert!(!format!("{err:?}").contains("hook-secret-4242"));
    }
    let mut missing = delivery(body, "x");
    missing.headers.retain(|h| h.name != "Authorization");
    let err = receive(&env, missing).await.unwrap_err();
    assert_error(&err, ErrorKind::Unauthorized, None);
}

#[tokio::test]
async fn a_malformed_or_oversized_delivery_is_invalid_input_not_a_trap() {
    let env = Env::start().await;
    let huge = delivery_body(&[("u-1", &"x".repeat(1 << 20))]);
    for body in [
        "not json".to_string(),
        "{}".into(),
        r#"{"data": {"events": {}}}"#.into(),
        r#"{"data": {"events": [{"uuid": 7}]}}"#.into(),
        huge,
    ] {
        let err = receive(&env, delivery(body.clone(), "hook-secret-4242"))
            .await
            .unwrap_err();
        assert_error(&err, ErrorKind::InvalidInput, None);
    }
}

/// Runs one poll of `node` through `call_json`, as an engine does with stored state.
async fn poll(env: &Env, node: &str, state: &Option<String>, extra: Value) -> (Vec<Value>, String) {
    let mut input = json!({ "state": state });
    for (k, v) in extra.as_object().unwrap() {
        input[k] = v.clone();
    }
    let output = match env.host.call_json(&env.conn, node, &input).await.unwrap() {
        okta_host::Outcome::Ok(output) => output,
        okta_host::Outcome::Err(err) => panic!("{node}: {err}"),
    };
    let items = output
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| *k != "state")
        .and_then(|(_, v)| v.as_array().cloned())
        .unwrap();
    (items, output["state"].as_str().unwrap().to_string())
}

fn iso(t: SystemTime) -> String {
    okta_mock::state::timestamp(t)
}

#[tokio::test]
async fn the_log_poll_returns_each_event_once_across_runs() {
    let env = Env::start().await;
    let since = iso(SystemTime::now() - Duration::from_secs(1));
    let node = "triggers.poll-system-log";
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut state = None;
    let count = |items: Vec<Value>, seen: &mut BTreeMap<String, usize>| {
        for item in items {
            *seen
                .entry(item["uuid"].as_str().unwrap().into())
                .or_default() += 1;
        }
    };
    let (items, next) = poll(&env, node, &state, json!({"since": since})).await;
    count(items, &mut seen);
    state = Some(next);
    for round in 0..4 {
        for i in 0..3 {
            env.add_user(&format!("poll{round}-{i}@example.com"));
            let login = format!("made{round}-{i}@example.com");
            let made = env
                .host
                .call_json(
                    &env.conn,
                    "users.create-user",
                    &json!({"profile": {"login": login, "email": login, "first-name": "Poll", "last-name": "Test"}}),
                )
                .await
                .unwrap();
            assert!(matches!(made, okta_host::Outcome::Ok(_)), "{made:?}");
        }
        // A small max-items leaves events for the next run; none is lost or repeated.
        let (items, next) = poll(&env, node, &state, json!({"max-items": 2})).await;
        count(items, &mut seen);
        state = Some(next);
    }
    loop {
        let (items, next) = poll(&env, node, &state, json!({})).await;
        if items.is_empty() {
            assert_eq!(Some(&next), state.as_ref(), "an empty run keeps its place");
            break;
        }
        count(items, &mut seen);
        state = Some(next);
    }
    assert!(
        seen.values().all(|&n| n == 1),
        "an event came twice: {seen:?}"
    );
    let polls: Vec<_> = env
        .api_requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/logs"))
        .collect();
    let first_since = |r: &okta_mock::traffic::LoggedRequest| {
        let query = r.query.clone().unwrap_or_default();
        query
            .split('&')
            .find(|p| p.starts_with("since="))
            .map(str::to_string)
    };
    assert!(
        polls
            .iter()
            .all(|r| first_since(r) == first_since(&polls[0])),
        "every run follows Okta's next link, which keeps the first run's since; none \
         re-windows: {:?}",
        polls.iter().map(|r| &r.query).collect::<Vec<_>>()
    );
    assert!(
        polls
            .last()
            .unwrap()
            .query
            .as_deref()
            .unwrap()
            .contains("limit=1000"),
        "a later run pages at Okta's largest page again"
    );
    let logged = env
        .host
        .call_json(
            &env.conn,
            "system-log.list-events",
            &json!({"since": since, "page": {"fetch-all": true}}),
        )
        .await
        .unwrap();
    let okta_host::Outcome::Ok(logged) = logged else {
        panic!("list-events failed")
    };
    let all: Vec<&str> = logged["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["uuid"].as_str().unwrap())
        .collect();
    assert!(all.len() >= 12, "the writes were logged: {}", all.len());
    assert_eq!(
        seen.keys().map(String::as_str).collect::<Vec<_>>().len(),
        all.len()
    );
    assert!(all.iter().all(|uuid| seen.contains_key(*uuid)));
}

/// Sets a user's `created` and `lastUpdated` to `at`, as if written in that millisecond.
fn stamp(env: &Env, id: &str, at: SystemTime) {
    let mut state = env.mock.state();
    let user = state.users.get_mut(id).unwrap();
    user.created = at;
    user.last_updated = at;
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn new_users_arrive_once_even_when_they_share_the_boundary_millisecond() {
    let env = Env::start().await;
    let node = "triggers.poll-new-users";
    let t0 = SystemTime::now();
    let since = iso(t0);
    let mut got: Vec<String> = Vec::new();
    let mut made: Vec<String> = Vec::new();

    let (items, state) = poll(&env, node, &None, json!({"since": since})).await;
    assert!(items.is_empty(), "the org's older users are not new");
    let mut state = Some(state);

    // Three users in one millisecond, then a poll that stops after two of them.
    let boundary = t0 + Duration::from_millis(5);
    for i in 0..3 {
        let id = env.add_user(&format!("same{i}@example.com"));
        stamp(&env, &id, boundary);
        made.push(id);
    }
    let (items, next) = poll(&env, node, &state, json!({"max-items": 2})).await;
    assert_eq!(items.len(), 2);
    got.extend(ids(&items));
    state = Some(next);
    // Another user written in the boundary's millisecond after that poll.
    let late = env.add_user("late@example.com");
    stamp(&env, &late, boundary);
    made.push(late);
    // And one later.
    let later = env.add_user("later@example.com");
    stamp(&env, &later, boundary + Duration::from_millis(1));
    made.push(later);
    for _ in 0..3 {
        let (items, next) = poll(&env, node, &state, json!({})).await;
        got.extend(ids(&items));
        state = Some(next);
    }
    // Through the node, as a flow would create one.
    let created = env
        .host
        .call_json(
            &env.conn,
            "users.create-user",
            &json!({"profile": {
                "login": "flow@example.com",
                "email": "flow@example.com",
                "first-name": "Flow",
                "last-name": "Test",
            }}),
        )
        .await
        .unwrap();
    let okta_host::Outcome::Ok(created) = created else {
        panic!("create failed")
    };
    made.push(created["id"].as_str().unwrap().into());
    let (items, _) = poll(&env, node, &state, json!({})).await;
    got.extend(ids(&items));

    let mut sorted = got.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), got.len(), "a user came twice: {got:?}");
    made.sort();
    assert_eq!(sorted, made);
    let searches: Vec<String> = env
        .api_requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/api/v1/users")
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert!(
        searches
            .iter()
            .all(|q| q.contains("search=created%20ge%20") && q.contains("sortBy=created")),
        "{searches:?}"
    );
}

/// Okta's search is eventually consistent: a user created first can be indexed after a
/// user created later, which a poll has already returned. The settle window still returns
/// the late one, once; without it (`settle-ms: 0`) it is lost for good.
#[tokio::test]
async fn a_user_indexed_late_still_arrives_once() {
    for settle in [None, Some(0)] {
        let env = Env::start().await;
        let node = "triggers.poll-new-users";
        let extra = json!({ "settle-ms": settle });
        let (items, state) = poll(&env, node, &None, extra.clone()).await;
        assert!(items.is_empty());
        let mut state = Some(state);
        // The first write reaches the search index 3 s late (the next poll comes well
        // before, even on a busy machine), the second at once.
        env.mock
            .state()
            .search_lags
            .extend([Duration::from_millis(3_000), Duration::ZERO]);
        let early = env.add_user("early@example.com");
        tokio::time::sleep(Duration::from_millis(5)).await;
        let later = env.add_user("later@example.com");
        let (items, next) = poll(&env, node, &state, extra.clone()).await;
        assert_eq!(ids(&items), [later], "only the indexed user yet");
        state = Some(next);
        tokio::time::sleep(Duration::from_millis(3_100)).await;
        let mut got = Vec::new();
        for _ in 0..3 {
            let (items, next) = poll(&env, node, &state, extra.clone()).await;
            got.extend(ids(&items));
            state = Some(next);
        }
        match settle {
            None => assert_eq!(got, [early], "the late user arrives, once"),
            Some(_) => assert!(got.is_empty(), "without a window it is lost: {got:?}"),
        }
    }
}

#[tokio::test]
async fn updated_users_arrive_once_per_change() {
    let env = Env::start().await;
    let node = "triggers.poll-updated-users";
    let ada = env.add_user("ada@example.com");
    let grace = env.add_user("grace@example.com");
    let t0 = SystemTime::now() + Duration::from_secs(1);
    let (first, state) = poll(&env, node, &None, json!({"since": iso(t0)})).await;
    assert!(first.is_empty());
    let mut state = Some(state);
    stamp(&env, &ada, t0 + Duration::from_millis(10));
    stamp(&env, &grace, t0 + Duration::from_millis(10));
    let (items, next) = poll(&env, node, &state, json!({})).await;
    assert_eq!(ids(&items).len(), 2);
    state = Some(next);
    let (again, next) = poll(&env, node, &state, json!({})).await;
    assert!(again.is_empty(), "no change, nothing new: {again:?}");
    state = Some(next);
    // Ada changes again, in a later millisecond: she comes once more.
    stamp(&env, &ada, t0 + Duration::from_millis(20));
    let (items, _) = poll(&env, node, &state, json!({})).await;
    assert_eq!(ids(&items), [ada]);
}

#[tokio::test]
async fn a_poll_refuses_a_state_it_did_not_make() {
    let env = Env::start().await;
    let (_, log_state) = poll(&env, "triggers.poll-system-log", &None, json!({})).await;
    let (_, user_state) = poll(&env, "triggers.poll-new-users", &None, json!({})).await;
    let before = env.requests();
    for (node, state) in [
        ("triggers.poll-new-users", log_state.clone()),
        ("triggers.poll-updated-users", user_state.clone()),
        ("triggers.poll-system-log", user_state.clone()),
        (
            "triggers.poll-system-log",
            "log1:https://evil.example.com/".into(),
        ),
        // The old form of a log state: it named no org, so it replayed the whole log.
        (
            "triggers.poll-system-log",
            "log1:/api/v1/logs?since=1970-01-01T00:00:00.000Z".into(),
        ),
        // Another org's states.
        (
            "triggers.poll-system-log",
            log_state.replace(ORG, "dev-1.okta.com"),
        ),
        (
            "triggers.poll-new-users",
            user_state.replace(ORG, "dev-1.okta.com"),
        ),
        // A time far ahead would silence the poll.
        (
            "triggers.poll-new-users",
            format!(
                r#"{{"poll":"created","org":"{ORG}","since":"2026-01-01T00:00:00.000Z","at":"9999-01-01T00:00:00.000Z","seen":[]}}"#
            ),
        ),
        ("triggers.poll-new-users", "{not json".into()),
    ] {
        let outcome = env
            .host
            .call_json(&env.conn, node, &json!({ "state": state }))
            .await
            .unwrap();
        let okta_host::Outcome::Err(err) = outcome else {
            panic!("{node} took {state}")
        };
        assert_eq!(err["kind"], "invalid-input", "{node}: {err}");
    }
    assert_eq!(env.requests(), before, "nothing was sent");
}

#[tokio::test]
async fn polls_are_typed_nodes_too() {
    let env = Env::start().await;
    let log = call!(
        env,
        okta_management_triggers,
        call_poll_system_log,
        &PollSystemLogRequest {
            state: None,
            filter: Some("eventType eq \"user.lifecycle.create\"".into()),
            since: None,
            max_items: None,
        }
    )
    .unwrap();
    let state: Value = serde_json::from_str(&log.state).unwrap();
    assert_eq!(
        (&state["poll"], &state["org"]),
        (&json!("system-log"), &json!(ORG))
    );
    assert!(state["next"].as_str().unwrap().starts_with("/api/v1/logs?"));
    let zero = call!(
        env,
        okta_management_triggers,
        call_poll_new_users,
        &PollUsersRequest {
            state: None,
            since: None,
            max_items: Some(0),
            settle_ms: None,
        }
    )
    .unwrap_err();
    assert_error(&zero, ErrorKind::InvalidInput, None);
    let fresh: UserPoll = call!(
        env,
        okta_management_triggers,
        call_poll_new_users,
        &PollUsersRequest {
            state: None,
            since: None,
            max_items: None,
            settle_ms: None,
        }
    )
    .unwrap();
    assert!(fresh.users.iter().all(|u: &User| !u.id.is_empty()));
    let updated = call!(
        env,
        okta_management_triggers,
        call_poll_updated_users,
        &PollUsersRequest {
            state: None,
            since: Some("yesterday".into()),
            max_items: None,
            settle_ms: None,
        }
    )
    .unwrap_err();
    assert_error(&updated, ErrorKind::InvalidInput, None);
}
