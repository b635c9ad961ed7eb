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
    assert_eq!(
        answer.json["errorCauses"][0]["errorSummary"],
        "The user is not locked out."
    );
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

#[tokio::test]
async fn an_api_token_is_taken_with_or_without_the_space() {
    let served = Served::seeded().await;
    let token = served.mock.token();
    for (authorization, status) in [
        (format!("SSWS {token}"), StatusCode::OK),
        (format!("SSWS{token}"), StatusCode::OK),
        (format!("SSWS{token}x"), StatusCode::UNAUTHORIZED),
        (format!("SSWS  {token}"), StatusCode::UNAUTHORIZED),
        (format!("Bearer{token}"), StatusCode::UNAUTHORIZED),
    ] {
        let answer = served
            .send_as(
                http::Method::GET,
                "/api/v1/users?limit=1",
                None,
                &authorization,
            )
            .await;
        assert_eq!(
            answer.status,
            status,
            "{}",
            authorization.replace(&token, "<token>")
        );
    }
}

#[tokio::test]
async fn the_log_records_the_client_that_made_the_change() {
    let served = Served::seeded().await;
    let authorization = format!("SSWS {}", served.mock.token());
    let body = json!({ "profile": { "name": "Auditors" } }).to_string();
    let answer = served
        .send_raw(
            http::Method::POST,
            "/api/v1/groups",
            &[
                ("authorization", &authorization),
                ("content-type", "application/json"),
                (
                    "user-agent",
                    "okta-sdk-python/3.4.6 python/3.11.2 Linux/6.1",
                ),
            ],
            body.into_bytes(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let log = served
        .get("/api/v1/logs?sortOrder=DESCENDING&limit=1")
        .await;
    assert_eq!(log.json[0]["eventType"], "group.lifecycle.create");
    assert_eq!(
        log.json[0]["client"]["userAgent"]["rawUserAgent"],
        "okta-sdk-python/3.4.6 python/3.11.2 Linux/6.1"
    );
}

#[tokio::test]
async fn links_are_absolute_on_the_host_the_request_named() {
    let served = Served::seeded().await;
    let base = served.mock.url();
    for (list, kind) in [
        ("/api/v1/policies?type=PASSWORD", "policies"),
        ("/api/v1/realms", "realms"),
        ("/api/v1/eventHooks", "eventHooks"),
        ("/api/v1/apps", "apps"),
    ] {
        let answer = served.get(list).await;
        let item = &answer.json[0];
        let id = item["id"].as_str().unwrap();
        assert_eq!(
            item["_links"]["self"]["href"],
            format!("{base}/api/v1/{kind}/{id}"),
            "{list}"
        );
    }
}

#[tokio::test]
async fn forgot_password_without_a_recovery_question_gives_the_reset_link() {
    let served = Served::seeded().await;
    let created = served
        .post(
            "/api/v1/users?activate=true",
            json!({ "profile": { "firstName": "N", "lastName": "Q", "email": "nq@example.com", "login": "nq@example.com" },
                "credentials": { "password": { "value": "Plenty-0f-Letters" } } }),
        )
        .await;
    let id = created.json["id"].as_str().unwrap();
    let answer = served
        .post(
            &format!("/api/v1/users/{id}/credentials/forgot_password?sendEmail=false"),
            json!({}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(
        answer.json["resetPasswordUrl"]
            .as_str()
            .unwrap()
            .starts_with(&served.mock.url())
    );
}

#[tokio::test]
async fn app_lists_refuse_a_cursor_or_expansion_okta_would_not_read() {
    let served = Served::seeded().await;
    let answer = served.get("/api/v1/apps?after=0oanothing").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json["errorCode"], "E0000029");
    assert_eq!(
        answer.json["errorCauses"][0]["errorSummary"],
        "Invalid cursor."
    );
    let answer = served
        .get("/api/v1/apps?expand=user%2Fid%2Cgroup%2Fid")
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json["errorCode"], "E0000001");
    let first = served.get("/api/v1/apps?limit=1").await;
    let next = first.next().expect("a next page");
    assert_eq!(served.get(&next).await.status, StatusCode::OK);
}

/// A hook endpoint that answers Okta's verification and keeps each request's head.
async fn recording_hook() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/hook", listener.local_addr().unwrap());
    let heads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).await.unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).to_string();
            let challenge = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(": ")?;
                    name.eq_ignore_ascii_case("x-okta-verification-challenge")
                        .then(|| value.to_string())
                })
                .unwrap_or_default();
            let head = head.to_lowercase();
            kept.lock().unwrap().push(head);
            let body = json!({ "verification": challenge }).to_string();
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    (url, heads)
}

#[tokio::test]
async fn a_hook_hears_its_authorization_when_verified_too() {
    let served = Served::seeded().await;
    let (uri, heads) = recording_hook().await;
    let hook = served
        .post(
            "/api/v1/eventHooks",
            json!({ "name": "Audit", "events": { "type": "EVENT_TYPE", "items": ["user.lifecycle.create"] },
                "channel": { "type": "HTTP", "version": "1.0.0", "config": { "uri": uri,
                    "headers": [{ "key": "x-team", "value": "identity" }],
                    "authScheme": { "type": "HEADER", "key": "Authorization", "value": "hook-s3cret" } } } }),
        )
        .await;
    let id = hook.json["id"].as_str().unwrap();
    let verified = served
        .post(
            &format!("/api/v1/eventHooks/{id}/lifecycle/verify"),
            json!({}),
        )
        .await;
    assert_eq!(
        verified.json["verificationStatus"], "VERIFIED",
        "{}",
        verified.text
    );
    let heads = heads.lock().unwrap();
    assert!(heads[0].starts_with("get /hook"), "{}", heads[0]);
    assert!(
        heads[0].contains("authorization: hook-s3cret"),
        "{}",
        heads[0]
    );
    assert!(heads[0].contains("x-team: identity"), "{}", heads[0]);
}

#[tokio::test]
async fn users_and_groups_carry_what_okta_writes() {
    let served = Served::seeded().await;
    let ada = served.user_id("ada.lovelace@example.com");
    let user = served.get(&format!("/api/v1/users/{ada}")).await.json;
    let email = user["profile"]["email"].clone();
    assert_eq!(
        user["credentials"]["emails"],
        json!([{ "value": email, "status": "VERIFIED", "type": "PRIMARY" }])
    );
    assert!(user["profile"]["mobilePhone"].is_null() || user["profile"]["mobilePhone"].is_string());
    assert!(
        user["profile"]
            .as_object()
            .unwrap()
            .contains_key("secondEmail")
    );
    let links = |user: &serde_json::Value| {
        let mut names: Vec<String> = user["_links"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    };
    assert!(
        links(&user).contains(&"suspend".to_string()),
        "{:?}",
        links(&user)
    );
    assert_eq!(
        user["_links"]["suspend"],
        json!({ "href": format!("{}/api/v1/users/{ada}/lifecycle/suspend", served.mock.url()), "method": "POST" })
    );
    served
        .post(&format!("/api/v1/users/{ada}/lifecycle/suspend"), json!({}))
        .await;
    let suspended = served.get(&format!("/api/v1/users/{ada}")).await.json;
    assert_eq!(
        links(&suspended),
        ["deactivate", "schema", "self", "type", "unsuspend"]
    );
    let staged = served
        .post(
            "/api/v1/users?activate=false",
            json!({ "profile": { "firstName": "S", "lastName": "T", "email": "st@example.com", "login": "st@example.com" } }),
        )
        .await
        .json;
    assert_eq!(
        links(&staged),
        ["activate", "deactivate", "schema", "self", "type"]
    );
    let group = served
        .post(
            "/api/v1/groups",
            json!({ "profile": { "name": "No description" } }),
        )
        .await
        .json;
    assert!(group["profile"]["description"].is_null());
    assert!(
        group["profile"]
            .as_object()
            .unwrap()
            .contains_key("description")
    );
    assert_eq!(group["_links"]["logo"][0]["name"], "medium");
    assert!(
        group["_links"]["users"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/users")
    );
}
