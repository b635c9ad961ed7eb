//! The whole-call deadline: the component ends its own call with a typed error when the
//! deadline comes, the hook holds every request to it, and a guest that runs away is
//! stopped by the engine while the host goes on serving other calls. Durations are
//! compared with the configured deadline and a wide margin, never as timings.

mod common;

use common::*;
use okta_host::wit::types::DpopMode;
use okta_host::{Deadline, DeadlinePassed, HostConfig, Outcome};
use okta_mock::{Fault, MockConfig};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use wasmtime::Store;
use wasmtime::component::{Component, Linker};

/// Generous room for scheduling on a busy machine; a call that never ended would take far
/// longer than the deadline plus this.
const MARGIN: Duration = Duration::from_secs(5);

fn faults(env: &Env, faults: &[Value]) {
    let mut state = env.mock.state();
    state.traffic.faults.clear();
    for fault in faults {
        state.traffic.faults.push(Fault::from_json(fault).unwrap());
    }
}

async fn call(env: &Env, node: &str, input: Value) -> (Outcome, Duration) {
    let started = Instant::now();
    let outcome = env.host.call_json(&env.conn, node, &input).await.unwrap();
    (outcome, started.elapsed())
}

fn error(outcome: &Outcome) -> &Value {
    match outcome {
        Outcome::Err(err) => err,
        Outcome::Ok(out) => panic!("expected an error, got {out}"),
    }
}

#[tokio::test]
async fn a_body_dripping_within_the_byte_timeout_ends_at_the_deadline() {
    let mut env = Env::seeded().await;
    env.conn.deadline_ms = Some(1_500);
    env.conn.max_retries = Some(0);
    let id = env.add_user("drip@example.com");
    // One byte every 100 ms: each well within the between-bytes timeout, the whole body
    // (about 1 KB) far longer than the deadline.
    faults(
        &env,
        &[
            json!({"effect": "drip", "interval-ms": 100, "method": "GET", "path-prefix": "/api/v1/users/"}),
        ],
    );
    let (outcome, elapsed) = call(&env, "users.get-user", json!({"user-id": id})).await;
    let err = error(&outcome);
    assert_eq!(err["kind"], "timeout", "{err}");
    assert_eq!(err["attempts"], 1, "{err}");
    assert!(
        elapsed < Duration::from_millis(1_500) + MARGIN,
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn a_rate_limit_wait_past_the_deadline_is_not_begun() {
    let mut env = Env::seeded().await;
    env.conn.deadline_ms = Some(2_000);
    env.conn.max_rate_limit_wait_ms = Some(300_000);
    env.conn.max_retries = Some(10);
    faults(
        &env,
        &[
            json!({"effect": "rate-limit", "reset-seconds": 60, "method": "GET", "path-prefix": "/api/v1/groups"}),
        ],
    );
    let (outcome, elapsed) = call(&env, "groups.list-groups", json!({})).await;
    let err = error(&outcome);
    assert_eq!(err["kind"], "rate-limited", "{err}");
    assert!(err["reset-at"].is_u64(), "{err}");
    assert_eq!(err["attempts"], 1, "{err}");
    assert_eq!(err["retryable"], true, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("deadline"),
        "{err}"
    );
    assert!(elapsed < Duration::from_secs(2) + MARGIN, "{elapsed:?}");
}

#[tokio::test]
async fn fetch_all_returns_the_pages_that_fit_with_the_cursor() {
    let mut env = Env::seeded().await;
    env.conn.deadline_ms = Some(2_000);
    for n in 0..10 {
        env.add_user(&format!("page{n}@example.com"));
    }
    let total = env.mock.state().users.len();
    // Every page takes 600 ms: about three fit in the deadline, not all of them.
    faults(
        &env,
        &[
            json!({"effect": "delay", "delay-ms": 600, "method": "GET", "path-prefix": "/api/v1/users"}),
        ],
    );
    let (outcome, elapsed) = call(
        &env,
        "users.list-users",
        json!({"page": {"limit": 1, "fetch-all": true}}),
    )
    .await;
    let Outcome::Ok(page) = &outcome else {
        panic!("{outcome:?}");
    };
    let got = page["items"].as_array().unwrap().len();
    assert!((1..total).contains(&got), "{got} items of {total}");
    let cursor = page["next-cursor"]
        .as_str()
        .expect("a cursor to resume from");
    assert!(elapsed < Duration::from_secs(2) + MARGIN, "{elapsed:?}");
    // The rest comes from the cursor, with time to spare.
    faults(&env, &[]);
    env.conn.deadline_ms = None;
    let (rest, _) = call(
        &env,
        "users.list-users",
        json!({"page": {"limit": 1, "fetch-all": true, "after": cursor}}),
    )
    .await;
    let Outcome::Ok(rest) = rest else {
        panic!("{rest:?}");
    };
    assert_eq!(got + rest["items"].as_array().unwrap().len(), total);
}

#[tokio::test]
async fn the_hosts_deadline_holds_a_connection_that_asks_for_more() {
    let mut env = Env::with_host(
        MockConfig {
            seed: true,
            ..MockConfig::default()
        },
        HostConfig {
            deadline: Duration::from_millis(1_000),
            ..HostConfig::default()
        },
    )
    .await;
    env.conn.deadline_ms = Some(600_000);
    env.conn.max_retries = Some(0);
    faults(
        &env,
        &[
            json!({"effect": "delay", "delay-ms": 4_000, "method": "GET", "path-prefix": "/api/v1/groups"}),
        ],
    );
    let (outcome, elapsed) = call(&env, "groups.list-groups", json!({})).await;
    assert_eq!(error(&outcome)["kind"], "timeout", "{outcome:?}");
    assert!(elapsed < Duration::from_secs(1) + MARGIN, "{elapsed:?}");
    // The typed path: the connection the node passes carries the host's deadline.
    let node = env.node().await;
    let options = node.conn.options.expect("the deadline is passed");
    // What is left of the host's deadline when the instance was made.
    assert!(
        options
            .deadline_ms
            .is_some_and(|ms| (500..=1_000).contains(&ms)),
        "{options:?}"
    );
    assert_eq!(node.deadline().length, Duration::from_millis(1_000));
}

#[tokio::test]
async fn a_deadline_of_zero_is_invalid_input() {
    let mut env = Env::seeded().await;
    env.conn.deadline_ms = Some(0);
    let (outcome, _) = call(&env, "groups.list-groups", json!({})).await;
    let err = error(&outcome);
    assert_eq!(err["kind"], "invalid-input");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .starts_with("options.deadline-ms"),
        "{err}"
    );
    assert!(env.mock.state().traffic.arrived() == 0);
}

/// A component whose one export never returns: the shape of a runaway guest.
const SPIN: &str = r#"
(component
  (core module $m
    (func (export "spin")
      (loop $forever (br $forever))))
  (core instance $i (instantiate $m))
  (func (export "spin") (canon lift (core func $i "spin"))))
"#;

/// One thread runs both calls: the runaway guest yields at every epoch tick, so the other
/// tenant's call is served while it spins, and the runaway is stopped at its deadline.
#[tokio::test(flavor = "current_thread")]
async fn a_runaway_guest_is_stopped_and_the_host_keeps_serving() {
    let env = Env::seeded().await;
    let engine = env.host.engine();
    let component = Component::new(engine, wat::parse_str(SPIN).unwrap()).unwrap();
    let mut store = Store::new(engine, ());
    let deadline = Deadline::after(Duration::from_millis(1_500));
    deadline.arm(&mut store);
    let instance = Linker::<()>::new(engine)
        .instantiate_async(&mut store, &component)
        .await
        .unwrap();
    let spin = instance
        .get_typed_func::<(), ()>(&mut store, "spin")
        .unwrap();

    let runaway = async {
        let started = Instant::now();
        let result = spin.call_async(&mut store, ()).await;
        (result, started.elapsed(), Instant::now())
    };
    let tenant = async {
        let mut served = Vec::new();
        for _ in 0..5 {
            let outcome = env
                .host
                .call_json(&env.conn, "groups.list-groups", &json!({}))
                .await
                .unwrap();
            assert!(matches!(outcome, Outcome::Ok(_)), "{outcome:?}");
            served.push(Instant::now());
        }
        served
    };
    let ((result, spun, stopped), served) = tokio::join!(runaway, tenant);

    let err = result.expect_err("the runaway guest is stopped");
    let passed = err
        .downcast_ref::<DeadlinePassed>()
        .unwrap_or_else(|| panic!("stopped by its deadline: {err:?}"));
    assert_eq!(passed.deadline, Duration::from_millis(1_500));
    assert!(spun >= Duration::from_millis(1_500), "{spun:?}");
    assert!(spun < Duration::from_millis(1_500) + MARGIN, "{spun:?}");
    // Every call of the other tenant ended while the runaway was still spinning.
    assert!(
        served.iter().all(|at| *at < stopped),
        "served after the stop"
    );
}

/// One deadline per call, made once, covers a service app's mint as well as the call: a
/// slow token endpoint and a slow API end the call at its deadline (and the grace), on
/// every entry point, never at the sum of two deadlines.
#[tokio::test]
async fn a_service_apps_mint_and_call_share_one_deadline() {
    let env = Env::seeded().await;
    let mut conn = env.service_app("rsa.jwk", ALL_SCOPES, false, DpopMode::Off);
    conn.deadline_ms = Some(2_000);
    conn.max_retries = Some(0);
    let slow =
        |path: &str, ms: u64| json!({"effect": "delay", "delay-ms": ms, "path-prefix": path});
    faults(
        &env,
        &[
            slow("/oauth2/v1/token", 1_900),
            slow("/api/v1/users", 3_000),
        ],
    );
    // The limit: the deadline, the grace and room for a busy machine (3.5 s); the old sum,
    // the mint and then a whole deadline, was 3.9 s and more.
    let limit = Duration::from_millis(2_500) + okta_host::egress::deadline::GRACE;
    let started = Instant::now();
    let outcome = env
        .host
        .call_json(&conn, "users.list-users", &json!({}))
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(error(&outcome)["kind"], "timeout", "{outcome:?}");
    assert!(elapsed < limit, "call_json took {elapsed:?}");

    // The typed entry points: a fresh app each, so each mints.
    for entry in ["node", "raw_node"] {
        let mut conn = env.service_app("ec.jwk", ALL_SCOPES, false, DpopMode::Off);
        conn.deadline_ms = Some(2_000);
        conn.max_retries = Some(0);
        let started = Instant::now();
        let request = okta_host::wit::users::ListUsersRequest {
            q: None,
            filter: None,
            search: None,
            sort_by: None,
            sort_order: None,
            extra_query: None,
            include_raw: None,
            page: None,
        };
        let result = if entry == "node" {
            let mut node = env.host.node(&conn).await.unwrap();
            let stop_at = node.deadline().stop_at();
            let users = node.nodes.okta_management_users();
            let call = users.call_list_users(&mut node.store, &node.conn, &request);
            tokio::time::timeout_at(stop_at.into(), call)
                .await
                .map(|r| r.map(|r| r.err()))
        } else {
            let mut node = env.host.raw_node(&conn).await.unwrap();
            let deadline = node.store.data().deadline();
            let users = env
                .host
                .interfaces()
                .users
                .load(&mut node.store, &node.instance)
                .unwrap();
            let call = users.call_list_users(&mut node.store, &node.conn, &request);
            tokio::time::timeout_at(deadline.stop_at().into(), call)
                .await
                .map(|r| r.map(|r| r.err()))
        };
        let elapsed = started.elapsed();
        // The guest's own typed timeout, or the host's stop: either way within the limit.
        match result {
            Ok(Ok(Some(err))) => assert_eq!(err.kind, okta_host::wit::types::ErrorKind::Timeout),
            Ok(Ok(None)) => panic!("{entry}: the call succeeded"),
            Ok(Err(_)) | Err(_) => {}
        }
        assert!(elapsed < limit, "{entry} took {elapsed:?}");
    }
}

/// A service app's input is checked before its token is minted: an input the node's types
/// refuse sends nothing at all, not even `POST /oauth2/v1/token`.
#[tokio::test]
async fn input_is_checked_before_any_mint() {
    let env = Env::seeded().await;
    let conn = env.service_app("rsa.jwk", ALL_SCOPES, false, DpopMode::Off);
    let before = env.mock.state().traffic.arrived();
    let outcome = env
        .host
        .call_json(
            &conn,
            "users.get-user",
            &json!({"user-id": {"a": 1}, "nope": 1}),
        )
        .await
        .unwrap();
    assert_eq!(error(&outcome)["kind"], "invalid-input", "{outcome:?}");
    assert_eq!(
        env.mock.state().traffic.arrived(),
        before,
        "nothing was sent"
    );
}

/// A connection that never completes (a TLS handshake nobody answers) ends at the deadline:
/// connecting is held to the time left, on every entry point.
#[tokio::test]
async fn a_connect_that_never_completes_ends_at_the_deadline() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            open.push(stream);
        }
    });
    let host = okta_host::Host::new(HostConfig {
        route_to: Some(format!("https://127.0.0.1:{port}")),
        max_instances: 4,
        ..HostConfig::default()
    })
    .unwrap();
    let mut conn = okta_host::Connection::api_token(ORG, "00token");
    conn.deadline_ms = Some(1_500);
    let limit = Duration::from_millis(2_000) + okta_host::egress::deadline::GRACE;
    let started = Instant::now();
    let outcome = host
        .call_json(&conn, "users.list-users", &json!({}))
        .await
        .unwrap();
    assert_eq!(error(&outcome)["kind"], "timeout", "{outcome:?}");
    assert!(started.elapsed() < limit, "{:?}", started.elapsed());
    let started = Instant::now();
    let mut node = host.node(&conn).await.unwrap();
    let request = okta_host::wit::users::GetUserRequest {
        user_id: "00u1".into(),
        expand: None,
    };
    let users = node.nodes.okta_management_users();
    let got = users
        .call_get_user(&mut node.store, &node.conn, &request)
        .await
        .unwrap();
    assert_eq!(
        got.unwrap_err().kind,
        okta_host::wit::types::ErrorKind::Timeout
    );
    assert!(started.elapsed() < limit, "typed: {:?}", started.elapsed());
    held.abort();
}
