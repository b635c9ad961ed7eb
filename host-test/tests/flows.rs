//! Flows, through the real component against the mock: a flow variable or org data spliced
//! into an Okta expression stays one string literal, and a run of a flow is bounded.

mod common;

use common::*;
use okta_host::flow::Flow;
use serde_json::{Value, json};

/// The flow of the report: find a user by login, then suspend every user found.
fn suspend_by_login() -> Flow {
    Flow::parse(
        &json!({
            "package": "okta:management@0.6.0",
            "name": "suspend by login",
            "vars": {"login": "nobody@example.com"},
            "steps": [
                {"id": "found", "node": "users.list-users",
                 "input": {"search": "profile.login eq \"${vars.login}\""}},
                {"id": "suspend", "node": "users.suspend-user", "for-each": "${found.items}",
                 "input": {"user-id": "${item.id}"}}
            ]
        })
        .to_string(),
    )
    .unwrap()
}

fn active(env: &Env) -> usize {
    env.mock
        .state()
        .users
        .values()
        .filter(|u| u.status == okta_mock::Status::Active)
        .count()
}

#[tokio::test]
async fn a_flow_variable_cannot_widen_a_search() {
    let env = Env::seeded().await;
    let target = env.add_user("target@example.com");
    let before = active(&env);
    assert!(before > 2);
    let mut flow = suspend_by_login();
    for injected in [
        "nobody@example.com\" or status eq \"ACTIVE",
        "nobody@example.com\\\" or status eq \\\"ACTIVE",
        "x\" or profile.login sw \"",
    ] {
        flow.vars
            .insert("login".into(), Value::String(injected.into()));
        let outputs = flow
            .run(&env.host, &env.conn, |_, _, _, _| {})
            .await
            .unwrap();
        assert_eq!(outputs["found"]["items"], json!([]), "{injected}");
        assert_eq!(active(&env), before, "{injected}: nobody was suspended");
    }
    // The same flow, given a login that exists, finds that user alone: even one with a
    // quote in it.
    let quoted = env.add_user("o\"brien@example.com");
    for (login, id) in [
        ("target@example.com", &target),
        ("o\"brien@example.com", &quoted),
    ] {
        flow.vars
            .insert("login".into(), Value::String(login.into()));
        let outputs = flow
            .run(&env.host, &env.conn, |_, _, _, _| {})
            .await
            .unwrap();
        let found = outputs["found"]["items"].as_array().unwrap();
        assert_eq!(found.len(), 1, "{login}");
        assert_eq!(found[0]["id"], json!(id));
    }
}

#[tokio::test]
async fn a_flow_is_bounded_in_steps_and_calls() {
    let env = Env::seeded().await;
    let many: Vec<Value> = (0..okta_host::flow::MAX_CALLS + 1)
        .map(|i| json!({"id": format!("00u{i}")}))
        .collect();
    let flow = Flow::parse(
        &json!({
            "package": "okta:management@0.6.0",
            "name": "too many",
            "vars": {"users": many},
            "steps": [
                {"id": "ping", "node": "connection.test-connection"},
                {"id": "each", "node": "users.get-user", "for-each": "${vars.users}",
                 "input": {"user-id": "${item.id}"}}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let before = env.mock.state().traffic.arrived();
    let err = flow
        .run(&env.host, &env.conn, |_, _, _, _| {})
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("at most 10000"), "{err:#}");
    // The step that would pass the bound is refused before it begins.
    assert_eq!(
        env.mock.state().traffic.arrived() - before,
        1,
        "the ping alone"
    );

    let steps: Vec<Value> = (0..=okta_host::flow::MAX_STEPS)
        .map(|i| json!({"id": format!("s{i}"), "node": "connection.test-connection"}))
        .collect();
    let text = json!({"package": "okta:management@0.6.0", "name": "long", "steps": steps});
    let err = Flow::parse(&text.to_string()).unwrap_err();
    assert!(format!("{err:#}").contains("at most"), "{err:#}");
}
