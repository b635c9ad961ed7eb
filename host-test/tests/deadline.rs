//! The whole-call deadline: the component ends its own call with a typed error when the
//! deadline comes, the hook holds every request to it, and a guest that runs away is
//! stopped by the engine while the host goes on serving other calls. Durations are
//! compared with the configured deadline and a wide margin, never as timings.

mod common;

use common::*;
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
    assert_eq!(options.deadline_ms, Some(1_000));
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
