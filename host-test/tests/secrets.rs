//! The credential never leaves in an output, an error, a log line or `Debug`: every node runs
//! with a sentinel token (accepted, then rejected) and nothing it returns contains it.

mod common;

use common::*;
use okta_host::mock::MockConfig;
use okta_host::{Connection, Outcome};
use serde_json::{Value, json};

const SENTINEL: &str = "00SENTINEL-a1b2c3d4e5f6-token";
const WRONG_SENTINEL: &str = "00WRONG-SENTINEL-9z8y7x-token";

/// A request for every node, against the seeded mock org, in an order that works.
fn sample_inputs() -> Vec<(&'static str, Value)> {
    let grace = "grace.hopper@example.com";
    vec![
        ("connection.test-connection", Value::Null),
        ("users.list-users", json!({"page": {"limit": 2}})),
        (
            "users.get-user",
            json!({"user-id": "ada.lovelace@example.com"}),
        ),
        (
            "users.create-user",
            json!({
                "profile": {"login": "new@example.com", "email": "new@example.com", "first-name": "New", "last-name": "Hire"},
                "activate": false
            }),
        ),
        (
            "users.update-user",
            json!({"user-id": "ada.lovelace@example.com", "profile": {"title": "Countess"}}),
        ),
        (
            "users.activate-user",
            json!({"user-id": "alan.turing@example.com", "send-email": false}),
        ),
        (
            "users.reactivate-user",
            json!({"user-id": "alan.turing@example.com"}),
        ),
        (
            "users.deactivate-user",
            json!({"user-id": "edsger.dijkstra@example.com"}),
        ),
        ("users.suspend-user", json!({"user-id": grace})),
        ("users.unsuspend-user", json!({"user-id": grace})),
        ("users.unlock-user", json!({"user-id": grace})),
        (
            "users.reset-password",
            json!({"user-id": "katherine.johnson@example.com", "send-email": false}),
        ),
        (
            "users.expire-password",
            json!({"user-id": "ada.lovelace@example.com", "temp-password": true}),
        ),
        (
            "users.forgot-password",
            json!({"user-id": grace, "send-email": false}),
        ),
        (
            "users.change-password",
            json!({"user-id": grace, "old-password": "Welc0me!2026", "new-password": "N3w!passw0rd"}),
        ),
        (
            "users.set-password",
            json!({"user-id": grace, "password": {"value": "An0ther!pass"}}),
        ),
        (
            "users.change-recovery-question",
            json!({
                "user-id": grace, "password": "An0ther!pass", "recovery-question": {"question": "Tree?", "answer": "oak"}
            }),
        ),
        (
            "users.clear-user-sessions",
            json!({"user-id": grace, "oauth-tokens": true}),
        ),
        ("users.list-user-groups", json!({"user-id": grace})),
        ("users.list-user-apps", json!({"user-id": grace})),
        ("users.list-user-types", Value::Null),
        (
            "users.delete-user",
            json!({"user-id": "new@example.com", "permanently": true}),
        ),
    ]
}

fn text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Ok(v) | Outcome::Err(v) => v.to_string(),
    }
}

#[tokio::test]
async fn no_node_ever_returns_the_token() {
    let env = Env::with(MockConfig {
        token: SENTINEL.into(),
        seed: true,
        ..MockConfig::default()
    })
    .await;
    let samples = sample_inputs();
    let missing: Vec<_> = env
        .host
        .catalog()
        .iter()
        .filter(|node| !samples.iter().any(|(id, _)| *id == node.id))
        .map(|node| node.id.clone())
        .collect();
    assert!(missing.is_empty(), "add a sample input for {missing:?}");

    let accepted = Connection::api_token(ORG, SENTINEL);
    let mut succeeded = 0;
    for (node, input) in &samples {
        let outcome = env.host.call_json(&accepted, node, input).await.unwrap();
        let out = text(&outcome);
        assert!(!out.contains(SENTINEL), "{node} returned the token: {out}");
        if matches!(outcome, Outcome::Ok(_)) {
            succeeded += 1;
        } else {
            eprintln!("{node}: {out}");
        }
    }
    // The samples are meant to succeed (reactivating an ACTIVE user is the one refusal).
    assert!(
        succeeded >= samples.len() - 1,
        "only {succeeded} of {} succeeded",
        samples.len()
    );

    let rejected = Connection::bearer(ORG, WRONG_SENTINEL);
    for (node, input) in &samples {
        let outcome = env.host.call_json(&rejected, node, input).await.unwrap();
        let out = text(&outcome);
        assert!(
            matches!(outcome, Outcome::Err(_)),
            "{node} succeeded with a wrong token"
        );
        assert!(
            !out.contains(WRONG_SENTINEL) && !out.contains("SENTINEL"),
            "{node} leaked: {out}"
        );
    }
    assert!(
        env.mock.unmatched().is_empty(),
        "{:?}",
        env.mock.unmatched()
    );
}

#[test]
fn debug_output_hides_the_token() {
    let conn = Connection::api_token(ORG, SENTINEL);
    let shown = format!(
        "{conn:?} {:#?} {:?}",
        conn,
        Connection::bearer(ORG, SENTINEL)
    );
    assert!(!shown.contains("SENTINEL"), "{shown}");
}
