//! The served mock's traffic rules, driven from outside as an engine author would: Okta's
//! rate-limit buckets (each org's own) and concurrency limit, the `/mock/faults` switches and the bounded
//! request log.

mod common;

use common::*;
use http::{Method, StatusCode};
use okta_mock::MockConfig;
use serde_json::json;

fn header_u64(answer: &Answer, name: &str) -> u64 {
    answer.header(name).unwrap().parse().unwrap()
}

#[tokio::test]
async fn each_endpoint_family_has_its_own_bucket_with_okta_figures_scaled() {
    // A twentieth of Okta's figures: logs 120 → 6, users 600 → 30, user by id 2000 → 100.
    let served = Served::start(MockConfig {
        seed: true,
        rate_limit_scale: 0.05,
        ..MockConfig::default()
    })
    .await;
    for used in 1..=6 {
        let answer = served.get("/api/v1/logs").await;
        assert_eq!(answer.status, StatusCode::OK, "request {used}");
        assert_eq!(header_u64(&answer, "x-rate-limit-limit"), 6);
        assert_eq!(header_u64(&answer, "x-rate-limit-remaining"), 6 - used);
    }
    let refused = served.get("/api/v1/logs").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.json["errorCode"], "E0000047");
    assert_eq!(header_u64(&refused, "x-rate-limit-remaining"), 0);
    let reset = header_u64(&refused, "x-rate-limit-reset");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // A minute from the window's first request, rounded up to Okta's whole seconds.
    assert!(reset > now && reset <= now + 61, "{reset} vs {now}");
    // The other buckets are untouched, and answer with their own figures.
    let users = served.get("/api/v1/users?limit=1").await;
    assert_eq!(users.status, StatusCode::OK);
    assert_eq!(
        (
            header_u64(&users, "x-rate-limit-limit"),
            header_u64(&users, "x-rate-limit-remaining")
        ),
        (30, 29)
    );
    let ada = served.get("/api/v1/users/ada.lovelace%40example.com").await;
    assert_eq!(header_u64(&ada, "x-rate-limit-limit"), 100);
    let groups = served.get("/api/v1/groups").await;
    assert_eq!(header_u64(&groups, "x-rate-limit-limit"), 25);
}

#[tokio::test]
async fn each_org_has_its_own_windows() {
    let served = Served::start(MockConfig {
        seed: true,
        rate_limit_scale: 0.05,
        ..MockConfig::default()
    })
    .await;
    let token = format!("SSWS {}", served.mock.token());
    let logs = |org: &'static str| {
        let headers = [("host", org), ("authorization", token.as_str())];
        let served = &served;
        async move {
            served
                .send_raw(Method::GET, "/api/v1/logs", &headers, Vec::new())
                .await
        }
    };
    for _ in 0..6 {
        assert_eq!(logs("org-a.okta.com").await.status, StatusCode::OK);
    }
    assert_eq!(
        logs("org-a.okta.com").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The same bucket of another org is untouched; the port does not make another org.
    let other = logs("org-b.okta.com").await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(header_u64(&other, "x-rate-limit-remaining"), 5);
    assert_eq!(
        logs("ORG-A.okta.com:443").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn faults_are_switched_on_and_off_through_the_admin_routes() {
    let served = Served::seeded().await;
    let set = served
        .post(
            "/mock/faults",
            json!({"effect": "fail", "status": 503, "method": "GET", "path-prefix": "/api/v1/users", "count": 2}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK);
    assert_eq!(set.json[0]["count"], 2);
    for _ in 0..2 {
        let down = served.get("/api/v1/users").await;
        assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(down.json["errorCode"], "E0000010");
    }
    assert_eq!(served.get("/api/v1/users").await.status, StatusCode::OK);
    // Other methods and paths were never affected.
    assert_eq!(served.get("/api/v1/groups").await.status, StatusCode::OK);

    // A 429 storm until it is cleared.
    served
        .post(
            "/mock/faults",
            json!({"effect": "rate-limit", "reset-seconds": 30}),
        )
        .await;
    for _ in 0..3 {
        let limited = served.get("/api/v1/apps").await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(limited.json["errorCode"], "E0000047");
        assert_eq!(limited.header("x-rate-limit-remaining"), Some("0"));
    }
    let listed = served.get("/mock/faults").await;
    assert_eq!(listed.json.as_array().unwrap().len(), 2);
    let cleared = served.send(Method::DELETE, "/mock/faults", None).await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    assert_eq!(served.get("/api/v1/apps").await.status, StatusCode::OK);
    assert_eq!(served.get("/mock/faults").await.json, json!([]));

    let bad = served
        .post("/mock/faults", json!({"effect": "fail", "status": 200}))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json["errorCode"], "E0000001");
    let stranger = served
        .send_as(Method::GET, "/mock/faults", None, "SSWS 00not-the-token")
        .await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_slow_org_holds_requests_in_flight_up_to_the_concurrency_limit() {
    let served = std::sync::Arc::new(
        Served::start(MockConfig {
            seed: true,
            concurrency_limit: 1,
            ..MockConfig::default()
        })
        .await,
    );
    served
        .post(
            "/mock/faults",
            json!({"effect": "delay", "delay-ms": 400, "path-prefix": "/api/v1/groups", "count": 1}),
        )
        .await;
    let slow = {
        let served = served.clone();
        tokio::spawn(async move { served.get("/api/v1/groups").await })
    };
    // Wait until the slow request is in flight, by the mock's own count.
    while served.mock.state().traffic.in_flight() == 0 {
        tokio::task::yield_now().await;
    }
    let second = served.get("/api/v1/users").await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(second.json["errorCode"], "E0000047");
    // The headers report the concurrency limit, not the bucket.
    assert_eq!(second.header("x-rate-limit-limit"), Some("1"));
    assert_eq!(second.header("x-rate-limit-remaining"), Some("0"));
    assert_eq!(slow.await.unwrap().status, StatusCode::OK);
    assert_eq!(served.get("/api/v1/users").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_request_log_keeps_only_the_newest() {
    let served = Served::start(MockConfig {
        seed: true,
        log_capacity: 3,
        ..MockConfig::default()
    })
    .await;
    for n in 0..5 {
        served.get(&format!("/api/v1/users?limit={}", n + 1)).await;
    }
    let logged: Vec<_> = served
        .mock
        .requests()
        .into_iter()
        .map(|r| r.query.unwrap())
        .collect();
    assert_eq!(logged, ["limit=3", "limit=4", "limit=5"]);
    assert_eq!(served.mock.state().traffic.received(), 5);
    let newest = served.get("/mock/requests?limit=2").await;
    let queries: Vec<_> = newest
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["query"].as_str().unwrap())
        .collect();
    assert_eq!(queries, ["limit=4", "limit=5"]);
}
