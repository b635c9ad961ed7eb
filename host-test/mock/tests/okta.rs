//! The served mock answers as Okta does: statuses, error codes, bodies and links.

mod common;

use common::*;
use http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn unlocking_a_user_who_is_not_locked_out_is_refused() {
    let served = Served::seeded().await;
    let ada = served.user_id("ada.lovelace@example.com");
    let answer = served
        .post(&format!("/api/v1/users/{ada}/lifecycle/unlock"), json!({}))
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.json["errorCode"], "E0000032");
    served.mock.state().users.get_mut(&ada).unwrap().status = okta_mock::Status::LockedOut;
    let answer = served
        .post(&format!("/api/v1/users/{ada}/lifecycle/unlock"), json!({}))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn lifecycle_operations_answer_an_empty_object() {
    let served = Served::seeded().await;
    let ada = served.user_id("ada.lovelace@example.com");
    for action in ["suspend", "unsuspend", "deactivate"] {
        let answer = served
            .post(
                &format!("/api/v1/users/{ada}/lifecycle/{action}"),
                json!({}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{action}");
        assert_eq!(answer.text, "{}", "{action}");
        assert_eq!(answer.header("content-type"), Some("application/json"));
    }
}

#[tokio::test]
async fn the_log_next_link_keeps_every_parameter_and_adds_after() {
    let served = Served::seeded().await;
    let ada = served.user_id("ada.lovelace@example.com");
    for action in ["suspend", "unsuspend", "suspend"] {
        served
            .post(
                &format!("/api/v1/users/{ada}/lifecycle/{action}"),
                json!({}),
            )
            .await;
    }
    let since = "2020-01-01T00:00:00.000Z";
    let first = served
        .get(&format!(
            "/api/v1/logs?since={since}&filter=eventType%20sw%20%22user.lifecycle%22&limit=2"
        ))
        .await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.json.as_array().unwrap().len(), 2);
    let next = first.next().expect("a next link");
    let query: Vec<(String, String)> =
        form_urlencoded::parse(next.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    let keys: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["since", "filter", "limit", "after"]);
    assert_eq!(query[0].1, since);
    assert_eq!(query[3].1, first.json[1]["uuid"].as_str().unwrap());
    let second = served.get(&next).await;
    assert_eq!(second.json.as_array().unwrap().len(), 1);
    assert_eq!(second.json[0]["eventType"], "user.lifecycle.suspend");
}

#[tokio::test]
async fn log_event_uuids_are_rfc_4122() {
    let served = Served::seeded().await;
    let ada = served.user_id("ada.lovelace@example.com");
    served
        .post(&format!("/api/v1/users/{ada}/lifecycle/suspend"), json!({}))
        .await;
    served
        .post(
            &format!("/api/v1/users/{ada}/lifecycle/unsuspend"),
            json!({}),
        )
        .await;
    let events = served.get("/api/v1/logs").await;
    let uuids: Vec<&str> = events
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["uuid"].as_str().unwrap())
        .collect();
    assert_eq!(uuids.len(), 2);
    assert_ne!(uuids[0], uuids[1]);
    for uuid in uuids {
        let parsed = uuid::Uuid::parse_str(uuid).unwrap_or_else(|e| panic!("{uuid}: {e}"));
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122, "{uuid}");
        assert_eq!(parsed.hyphenated().to_string(), uuid);
    }
}

/// Follows `next` links from `first`, collecting `field` of every item.
async fn walk(served: &Served, first: &str, field: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = Some(first.to_string());
    while let Some(path) = next {
        let page = served.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.text);
        for item in page.json.as_array().unwrap() {
            out.push(item.pointer(field).unwrap().as_str().unwrap().to_string());
        }
        next = page.next();
    }
    out
}

#[tokio::test]
async fn lists_page_from_the_cursor_in_every_mode() {
    let served = Served::start(okta_mock::MockConfig {
        seed: true,
        seed_users: 25,
        ..okta_mock::MockConfig::default()
    })
    .await;
    let (active, everyone, all): (Vec<String>, Vec<String>, usize) = {
        let state = served.mock.state();
        let active = state
            .users
            .values()
            .filter(|u| u.status != okta_mock::Status::Deprovisioned)
            .map(|u| u.id.clone())
            .collect();
        let everyone = state
            .members(&state.everyone_id, None)
            .map(str::to_string)
            .collect();
        (active, everyone, state.users.len())
    };
    assert_eq!(all, 1 + 7 + 25);
    // Unfiltered, page by page: every user once, in id order.
    assert_eq!(walk(&served, "/api/v1/users?limit=4", "/id").await, active);
    // A filter walks the same order.
    let staged = walk(
        &served,
        "/api/v1/users?filter=status%20eq%20%22STAGED%22&limit=1",
        "/profile/login",
    )
    .await;
    assert_eq!(staged, ["alan.turing@example.com"]);
    // A search on any attribute, sorted, descending.
    let sorted = walk(
        &served,
        "/api/v1/users?search=profile.department%20eq%20%22Legal%22&sortBy=profile.lastName&sortOrder=desc&limit=2",
        "/profile/lastName",
    )
    .await;
    let mut want: Vec<String> = (0..31)
        .filter(|n| (n % 5) == 4 && *n >= 6)
        .map(|n| format!("Number{n}"))
        .collect();
    want.sort();
    want.reverse();
    assert_eq!(sorted, want);
    // An exact login is found through the index.
    let one = served
        .get("/api/v1/users?search=profile.login%20eq%20%22USER17%40example.com%22")
        .await;
    assert_eq!(one.json.as_array().unwrap().len(), 1);
    assert_eq!(one.json[0]["profile"]["login"], "user17@example.com");
    // A group's members page the same way.
    let everyone_id = served.mock.state().everyone_id.clone();
    assert_eq!(
        walk(
            &served,
            &format!("/api/v1/groups/{everyone_id}/users?limit=7"),
            "/id"
        )
        .await,
        everyone
    );
}
