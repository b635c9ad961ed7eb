//! A value never rewrites a query: a flow variable or org data spliced into an Okta
//! expression stays one string literal, through the real component against the mock.

mod common;

use common::*;
use okta_host::flow::Flow;
use serde_json::{Value, json};

/// The flow of the report: find a user by login, then suspend every user found.
fn suspend_by_login() -> Flow {
    Flow::parse(
        &json!({
            "package": "okta:management@0.2.0",
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
