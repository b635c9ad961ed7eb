//! One org, one budget, on one host: with the governor, calls stop at the headroom the
//! host leaves in the org's window, and one whose wait would pass its deadline fails at
//! once with `rate-limited` and `reset-at`, nothing sent; without it, the org refuses.

mod common;

use common::*;
use okta_host::egress::governor::Governance;
use okta_host::wit::types::DpopMode;
use okta_host::{Connection, HostConfig, Outcome};
use okta_mock::MockConfig;
use serde_json::json;
use std::time::Duration;

/// Okta's 2,000 a minute for `GET /api/v1/users/{id}`, scaled to 10.
const SCALE: f64 = 0.005;

async fn org(governor: Option<Governance>) -> Env {
    Env::with_host(
        MockConfig {
            seed: true,
            rate_limit_scale: SCALE,
            ..MockConfig::default()
        },
        HostConfig {
            governor,
            ..HostConfig::default()
        },
    )
    .await
}

/// Calls `get-user` `count` times with a 2-second deadline; returns the outcomes.
async fn calls(env: &Env, count: usize) -> Vec<Outcome> {
    let mut conn: Connection = env.conn.clone();
    conn.deadline_ms = Some(2_000);
    let mut outcomes = Vec::new();
    for _ in 0..count {
        let input = json!({"user-id": "ada.lovelace@example.com"});
        outcomes.push(
            env.host
                .call_json(&conn, "users.get-user", &input)
                .await
                .unwrap(),
        );
    }
    outcomes
}

fn refused_by_the_org(env: &Env) -> usize {
    env.mock
        .requests()
        .iter()
        .filter(|r| r.status == 429)
        .count()
}

#[tokio::test]
async fn the_governor_keeps_the_headroom_and_fails_at_once_past_the_deadline() {
    let env = org(Some(Governance { headroom: 0.2 })).await;
    let outcomes = calls(&env, 10).await;
    let ok = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Ok(_)))
        .count();
    // 10 a minute, 2 left to the org's other clients.
    assert_eq!(ok, 8, "{outcomes:?}");
    for outcome in &outcomes[8..] {
        let Outcome::Err(error) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(error["kind"], "rate-limited", "{error}");
        assert!(error["reset-at"].as_u64().is_some(), "{error}");
        assert_eq!(error["attempts"], 1, "{error}");
    }
    assert_eq!(env.mock.requests().len(), 8, "held calls send nothing");
    assert_eq!(refused_by_the_org(&env), 0);
}

#[tokio::test]
async fn a_cold_burst_waits_for_the_org_s_first_answer() {
    // Nothing is known of the org: one request probes, and the burst is governed by what
    // Okta answers it.
    let env = org(Some(Governance { headroom: 0.2 })).await;
    let mut conn: Connection = env.conn.clone();
    conn.deadline_ms = Some(2_000);
    let input = json!({"user-id": "ada.lovelace@example.com"});
    let calls = (0..10).map(|_| env.host.call_json(&conn, "users.get-user", &input));
    let outcomes = futures_util::future::join_all(calls).await;
    let ok = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Outcome::Ok(_))))
        .count();
    assert_eq!(ok, 8, "10 a minute, 2 left to others");
    assert_eq!(env.mock.requests().len(), 8);
    assert_eq!(refused_by_the_org(&env), 0);
}

#[tokio::test]
async fn tenants_waiting_for_one_window_get_fair_shares() {
    let mock = okta_mock::MockOkta::start(MockConfig {
        seed: true,
        rate_limit_scale: SCALE,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let host = okta_host::Host::new(HostConfig {
        route_to: Some(mock.url()),
        max_instances: 64,
        governor: Some(Governance { headroom: 0.0 }),
        ..HostConfig::default()
    })
    .unwrap();
    let env = Env {
        conn: Connection::api_token(ORG, mock.token()),
        mock,
        host,
    };
    let quiet = env.service_app("rsa.jwk", ALL_SCOPES, false, DpopMode::Off);
    env.host.authorized(&quiet).await.unwrap().unwrap();
    let patient = |conn: &Connection| {
        let mut conn = conn.clone();
        conn.deadline_ms = Some(6_000);
        conn.max_retries = Some(0);
        conn
    };
    let (busy, quiet) = (patient(&env.conn), patient(&quiet));
    let input = json!({"user-id": "ada.lovelace@example.com"});
    // Okta says the window is spent and resets in 2 s: every call below waits for it.
    env.mock.rate_limit_next(1, Duration::from_secs(2));
    let first = env.host.call_json(&busy, "users.get-user", &input).await;
    assert!(matches!(first, Ok(Outcome::Err(_))), "{first:?}");
    // One tenant sends 30 calls, another 2, into the 10 places of the next window.
    let (host, input) = (&env.host, &input);
    let calls = (0..32).map(|i| {
        let is_quiet = i % 16 == 15;
        let conn = if is_quiet { &quiet } else { &busy };
        async move {
            let outcome = host.call_json(conn, "users.get-user", input).await;
            (is_quiet, outcome.unwrap())
        }
    });
    let outcomes = futures_util::future::join_all(calls).await;
    let ok = |quiet: bool| {
        outcomes
            .iter()
            .filter(|(q, o)| *q == quiet && matches!(o, Outcome::Ok(_)))
            .count()
    };
    assert_eq!(ok(true), 2, "the quiet tenant's calls both get a place");
    assert!(ok(false) >= 6, "the busy one has the rest: {}", ok(false));
    assert_eq!(refused_by_the_org(&env), 1, "only the 429 set up above");
}

#[tokio::test]
async fn without_the_governor_the_org_refuses() {
    let env = org(None).await;
    let outcomes = calls(&env, 12).await;
    assert!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Ok(_)))
            .count()
            <= 10,
        "{outcomes:?}"
    );
    assert!(refused_by_the_org(&env) > 0, "the mock answered no 429");
}
