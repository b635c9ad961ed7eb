//! Keep-alive: the calls of a host share connections to the org, within the pool's limits.

mod common;

use common::*;
use okta_host::{HostConfig, PoolLimits};
use okta_mock::MockConfig;
use serde_json::json;
use std::time::Duration;

async fn get_users(env: &Env, times: usize) {
    for _ in 0..times {
        let outcome = env
            .host
            .call_json(
                &env.conn,
                "users.list-users",
                &json!({"page": {"limit": 1}}),
            )
            .await
            .unwrap();
        assert!(matches!(outcome, okta_host::Outcome::Ok(_)), "{outcome:?}");
    }
}

#[tokio::test]
async fn sequential_calls_share_one_connection() {
    let env = Env::start().await;
    let before = env.mock.connections_accepted();
    get_users(&env, 20).await;
    // A service app's token request may have opened the first one.
    assert!(
        env.mock.connections_accepted() - before <= 1,
        "{} connections for 20 calls",
        env.mock.connections_accepted() - before
    );
}

#[tokio::test]
async fn a_paged_listing_walks_on_one_connection() {
    let env = Env::with(MockConfig {
        seed_users: 450,
        ..MockConfig::default()
    })
    .await;
    let before = env.mock.connections_accepted();
    let outcome = env
        .host
        .call_json(
            &env.conn,
            "users.list-users",
            &json!({"page": {"limit": 50, "fetch-all": true}}),
        )
        .await
        .unwrap();
    let okta_host::Outcome::Ok(page) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(page["items"].as_array().unwrap().len(), 451);
    assert!(env.mock.connections_accepted() - before <= 1);
}

#[tokio::test]
async fn without_idle_connections_every_request_dials() {
    let env = Env::with_host(
        MockConfig::default(),
        HostConfig {
            pool: PoolLimits {
                max_idle_per_org: 0,
                idle_timeout: Duration::from_secs(30),
            },
            ..HostConfig::default()
        },
    )
    .await;
    let before = env.mock.connections_accepted();
    get_users(&env, 5).await;
    assert_eq!(env.mock.connections_accepted() - before, 5);
}

#[tokio::test]
async fn an_expired_connection_is_not_reused() {
    let env = Env::with_host(
        MockConfig::default(),
        HostConfig {
            pool: PoolLimits {
                max_idle_per_org: 8,
                idle_timeout: Duration::from_millis(50),
            },
            ..HostConfig::default()
        },
    )
    .await;
    get_users(&env, 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = env.mock.connections_accepted();
    get_users(&env, 2).await;
    assert_eq!(env.mock.connections_accepted() - before, 1);
}
