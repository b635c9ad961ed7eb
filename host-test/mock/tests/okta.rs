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
