//! A fleet: hosts that share one Redis (a real `redis-server`, installed by
//! `scripts/redis-server` when missing) spend one rate-limit budget per org, mint one token
//! per service app and learn once that an app needs DPoP; Redis keeps no token or key in
//! the clear; and when Redis goes away the calls go on with what each host keeps.

mod common;
#[path = "common/web.rs"]
mod web;

use common::*;
use okta_host::egress::governor::Governance;
use okta_host::state::shared::{RedisState, SealKey, SharedState};
use okta_host::wit::types::DpopMode;
use okta_host::{Connection, Host, HostConfig, Outcome};
use okta_mock::MockConfig;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;
use web::*;

/// A `redis-server` of its own on a free loopback port, stopped when dropped.
struct Redis {
    child: Child,
    url: String,
}

impl Redis {
    fn start() -> Redis {
        static SERVER: OnceLock<String> = OnceLock::new();
        let server = SERVER.get_or_init(|| {
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/redis-server");
            let out = Command::new(script)
                .stderr(Stdio::inherit())
                .output()
                .expect("scripts/redis-server runs");
            assert!(out.status.success(), "scripts/redis-server failed");
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        });
        let port = free_port();
        let child = Command::new(server)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let url = format!("redis://127.0.0.1:{port}");
        let redis = Redis { child, url };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return redis;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("redis-server did not listen on {port}");
    }

    /// Every key and every value Redis holds, as text.
    async fn dump(&self) -> String {
        let client = redis::Client::open(self.url.as_str()).unwrap();
        let mut con = client.get_multiplexed_async_connection().await.unwrap();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg("*")
            .query_async(&mut con)
            .await
            .unwrap();
        let mut out = String::new();
        for key in keys {
            let kind: String = redis::cmd("TYPE")
                .arg(&key)
                .query_async(&mut con)
                .await
                .unwrap();
            let values: Vec<Vec<u8>> = match kind.as_str() {
                "hash" => redis::cmd("HGETALL").arg(&key).query_async(&mut con).await,
                "zset" => {
                    redis::cmd("ZRANGE")
                        .arg(&key)
                        .arg(0)
                        .arg(-1)
                        .query_async(&mut con)
                        .await
                }
                _ => redis::cmd("GET")
                    .arg(&key)
                    .query_async(&mut con)
                    .await
                    .map(|v: Vec<u8>| vec![v]),
            }
            .unwrap();
            out.push_str(&key);
            for value in values {
                out.push(' ');
                out.push_str(&String::from_utf8_lossy(&value));
            }
            out.push('\n');
        }
        out
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A host of the fleet on `url`'s Redis, routed to the mock.
fn host(mock: &okta_mock::MockOkta, url: &str, seal: Option<&[u8]>, governed: bool) -> Host {
    let redis = RedisState {
        seal_key: seal.map(|secret| SealKey::new(secret).unwrap()),
        ..RedisState::new(url)
    };
    Host::new(HostConfig {
        route_to: Some(mock.url()),
        max_instances: 16,
        governor: governed.then_some(Governance { headroom: 0.2 }),
        shared: SharedState::Redis(redis),
        ..HostConfig::default()
    })
    .unwrap()
}

const SEAL: &[u8] = b"fleet-seal-key-fleet-seal-key-0123456789";

/// Okta's 2,000 a minute for `GET /api/v1/users/{id}`, scaled to 10.
const SCALE: f64 = 0.005;

async fn get_user(host: &Host, conn: &Connection) -> Outcome {
    let mut conn = conn.clone();
    conn.deadline_ms = Some(2_000);
    let input = json!({"user-id": "ada.lovelace@example.com"});
    host.call_json(&conn, "users.get-user", &input)
        .await
        .unwrap()
}

/// Each outcome in a word: `ok`, or the error's kind.
fn kinds(outcomes: &[Outcome]) -> Vec<String> {
    outcomes
        .iter()
        .map(|o| match o {
            Outcome::Ok(_) => "ok".to_string(),
            Outcome::Err(e) => e["kind"].as_str().unwrap_or("?").to_string(),
        })
        .collect()
}

fn is_rate_limited(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Err(e) if e["kind"] == "rate-limited" && e["reset-at"].is_u64())
}

async fn rate_limited_org() -> (okta_mock::MockOkta, Connection) {
    let mock = okta_mock::MockOkta::start(MockConfig {
        seed: true,
        rate_limit_scale: SCALE,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let conn = Connection::api_token(ORG, mock.token());
    (mock, conn)
}

#[tokio::test]
async fn hosts_on_one_redis_spend_one_budget() {
    let redis = Redis::start();
    let (mock, conn) = rate_limited_org().await;
    let (a, b) = (
        host(&mock, &redis.url, None, true),
        host(&mock, &redis.url, None, true),
    );
    // 10 a minute, 2 left to the org's other clients: 8 between the two hosts.
    let mut outcomes = Vec::new();
    for i in 0..10 {
        let host = if i % 2 == 0 { &a } else { &b };
        outcomes.push(get_user(host, &conn).await);
    }
    let ok = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Ok(_)))
        .count();
    assert_eq!(ok, 8, "{:?}", kinds(&outcomes));
    assert!(
        outcomes[8..].iter().all(is_rate_limited),
        "{:?}",
        kinds(&outcomes)
    );
    let sent = mock.requests();
    assert_eq!(sent.len(), 8, "held calls send nothing");
    assert!(sent.iter().all(|r| r.status == 200));

    // A host that keeps its windows to itself has seen nothing of this org, and sends.
    let alone = Host::new(HostConfig {
        route_to: Some(mock.url()),
        governor: Some(Governance { headroom: 0.2 }),
        ..HostConfig::default()
    })
    .unwrap();
    assert!(matches!(get_user(&alone, &conn).await, Outcome::Ok(_)));
    assert_eq!(mock.requests().len(), 9);
}

/// The token requests that reached the mock, by status.
fn token_requests(mock: &okta_mock::MockOkta) -> Vec<u16> {
    mock.requests()
        .into_iter()
        .filter(|r| r.path == okta_mock::oauth::TOKEN_PATH)
        .map(|r| r.status)
        .collect()
}

/// A service app registered with the mock, and its connection.
fn service_app(env: &Env, dpop_required: bool) -> Connection {
    let key = if dpop_required { "ec.jwk" } else { "rsa.jwk" };
    env.service_app(key, ALL_SCOPES, dpop_required, DpopMode::Auto)
}

#[tokio::test]
async fn hosts_with_the_seal_key_mint_one_token_and_redis_holds_it_sealed() {
    let redis = Redis::start();
    let env = Env::seeded().await;
    let conn = service_app(&env, false);
    let (a, b) = (
        host(&env.mock, &redis.url, Some(SEAL), false),
        host(&env.mock, &redis.url, Some(SEAL), false),
    );
    let calls = (0..16).map(|i| {
        let host = if i % 2 == 0 { &a } else { &b };
        get_user(host, &conn)
    });
    for outcome in futures_util::future::join_all(calls).await {
        assert!(matches!(outcome, Outcome::Ok(_)), "{outcome:?}");
    }
    assert_eq!(
        token_requests(&env.mock),
        [200],
        "16 calls on 2 hosts, one mint"
    );

    // What Redis holds names no token, key or client, and opens under no other key.
    let token = a.authorized(&conn).await.unwrap().unwrap();
    let okta_host::Credential::AccessToken(token) = token.credential else {
        panic!("a service app's call carries a token")
    };
    let dump = redis.dump().await;
    assert!(dump.contains("okta:token:"), "{dump}");
    for secret in [
        token.token.as_str(),
        &key("rsa.jwk")[20..60],
        CLIENT_ID,
        std::str::from_utf8(SEAL).unwrap(),
    ] {
        assert!(!dump.contains(secret), "Redis holds a secret: {dump}");
    }
    let stranger = host(&env.mock, &redis.url, Some(&[9; 40]), false);
    assert!(matches!(get_user(&stranger, &conn).await, Outcome::Ok(_)));
    assert_eq!(
        token_requests(&env.mock),
        [200, 200],
        "another key, another token"
    );

    // A token Okta refused is forgotten by the fleet: a host that has not kept it itself
    // mints once more.
    a.forget_token(&conn, &token.token).await;
    let c = host(&env.mock, &redis.url, Some(SEAL), false);
    assert!(matches!(get_user(&c, &conn).await, Outcome::Ok(_)));
    assert_eq!(token_requests(&env.mock), [200, 200, 200]);
}

#[tokio::test]
async fn an_app_found_to_need_dpop_is_asked_for_dpop_at_once_by_every_host() {
    let redis = Redis::start();
    let env = Env::seeded().await;
    let conn = service_app(&env, true);
    let a = host(&env.mock, &redis.url, Some(SEAL), false);
    let first = a.authorized(&conn).await.unwrap().unwrap();
    // Bearer refused (`invalid_dpop_proof`), DPoP without the nonce, then with it.
    assert_eq!(token_requests(&env.mock), [400, 400, 200]);
    let okta_host::Credential::AccessToken(token) = first.credential else {
        panic!("a token")
    };
    a.forget_token(&conn, &token.token).await;
    let b = host(&env.mock, &redis.url, Some(SEAL), false);
    assert!(matches!(get_user(&b, &conn).await, Outcome::Ok(_)));
    assert_eq!(
        token_requests(&env.mock),
        [400, 400, 200, 400, 200],
        "the second host asks for DPoP at once: only the nonce challenge"
    );
}

#[tokio::test]
async fn two_hosts_refreshing_a_web_app_at_once_spend_its_refresh_token_once() {
    let redis = Redis::start();
    let env = Env::seeded().await;
    // No leeway: a refresh token sent twice is a reuse, and Okta revokes the grant.
    let conn = web_app(&env, okta_mock::oauth::web::ClientAuth::Basic);
    env.mock
        .state()
        .oauth
        .web
        .apps
        .get_mut("0oaweb")
        .unwrap()
        .leeway = 0;
    let (a, b) = (
        host(&env.mock, &redis.url, Some(SEAL), false),
        host(&env.mock, &redis.url, Some(SEAL), false),
    );
    assert!(matches!(get_user(&a, &conn).await, Outcome::Ok(_)));
    assert!(matches!(get_user(&b, &conn).await, Outcome::Ok(_)));
    assert_eq!(
        env.mock.state().oauth.web.redeemed,
        (1, 0),
        "one code, one redemption"
    );
    // The org's clock passes the token's hour: every call on both hosts is refused once,
    // and the hosts redeem the kept refresh token, one of them, once.
    env.mock.state().oauth.clock_offset += 3600;
    let calls = (0..16).map(|i| {
        let host = if i % 2 == 0 { &a } else { &b };
        get_user(host, &conn)
    });
    for outcome in futures_util::future::join_all(calls).await {
        assert!(matches!(outcome, Outcome::Ok(_)), "{:?}", kinds(&[outcome]));
    }
    let (redeemed, reuses) = {
        let state = env.mock.state();
        (state.oauth.web.redeemed, state.oauth.web.reuses_detected)
    };
    assert_eq!(redeemed, (1, 1), "the refresh token redeemed once");
    assert_eq!(reuses, 0);
    // Redis holds the refresh token, sealed.
    let dump = redis.dump().await;
    assert!(dump.contains("okta:refresh:"), "{dump}");
    assert!(
        !dump.contains("mock-rt-") && !dump.contains(WEB_SECRET),
        "{dump}"
    );
}

#[tokio::test]
async fn without_redis_the_calls_go_on_with_what_each_host_keeps() {
    // The one recorder of this binary: only this test reads metrics.
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let metrics = recorder.handle();
    metrics::set_global_recorder(recorder).unwrap();
    let redis = Redis::start();
    let (mock, conn) = rate_limited_org().await;
    let a = host(&mock, &redis.url, None, true);
    for _ in 0..4 {
        assert!(matches!(get_user(&a, &conn).await, Outcome::Ok(_)));
    }
    drop(redis);
    // Redis is gone: the host governs by the windows it has seen itself (4 more of the 8),
    // and every call ends well within its deadline.
    let mut outcomes = Vec::new();
    for _ in 0..6 {
        outcomes.push(get_user(&a, &conn).await);
    }
    let ok = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Ok(_)))
        .count();
    assert_eq!(ok, 4, "{:?}", kinds(&outcomes));
    assert!(
        outcomes[4..].iter().all(is_rate_limited),
        "{:?}",
        kinds(&outcomes)
    );
    assert!(mock.requests().iter().all(|r| r.status == 200));

    // A host whose Redis never answered works alone from its first call.
    let nowhere = format!("redis://127.0.0.1:{}", free_port());
    let env = Env::seeded().await;
    let app = service_app(&env, false);
    let lonely = host(&env.mock, &nowhere, Some(SEAL), true);
    for _ in 0..3 {
        assert!(matches!(get_user(&lonely, &app).await, Outcome::Ok(_)));
    }
    assert_eq!(token_requests(&env.mock), [200], "its own token, kept");
    // And says so.
    let text = metrics.render();
    for op in ["admit", "token"] {
        let line = format!("okta_shared_state_errors_total{{op=\"{op}\"}}");
        assert!(text.contains(&line), "no {line} in:\n{text}");
    }
}
