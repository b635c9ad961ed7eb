//! The credential never leaves in an output, an error, a log line, a span, a metric or
//! `Debug`: every node runs with a sentinel token (accepted, then rejected), and a service
//! app with its keys, and nothing it returns contains them; every span, event and metric
//! the host emitted meanwhile is collected and holds no secret, password or profile value.

mod common;

use common::*;
use okta_host::flow::substitute;
use okta_host::wit::types::DpopMode;
use okta_host::{Connection, Outcome};
use okta_mock::MockConfig;
use serde_json::{Value, json};

const SENTINEL: &str = "00SENTINEL-a1b2c3d4e5f6-token";
const WRONG_SENTINEL: &str = "00WRONG-SENTINEL-9z8y7x-token";

/// A request for every node, against the seeded mock org, in an order that works. Each has a
/// label; later inputs use earlier outputs as `${label.path}`.
fn sample_inputs() -> Vec<(&'static str, &'static str, Value)> {
    let grace = "grace.hopper@example.com";
    let ada = "ada.lovelace@example.com";
    vec![
        ("ping", "connection.test-connection", Value::Null),
        // An API token has no access token to give: refused, and says nothing of the token.
        ("token", "connection.get-access-token", Value::Null),
        // Nor a grant to redeem.
        ("grant", "connection.get-token-grant", Value::Null),
        ("users", "users.list-users", json!({"page": {"limit": 2}})),
        ("ada", "users.get-user", json!({"user-id": ada})),
        (
            "new",
            "users.create-user",
            json!({
                "profile": {"login": "new@example.com", "email": "new@example.com", "first-name": "New", "last-name": "Hire"},
                "activate": false
            }),
        ),
        (
            "update",
            "users.update-user",
            json!({"user-id": ada, "profile": {"title": "Countess"}}),
        ),
        (
            "activate",
            "users.activate-user",
            json!({"user-id": "alan.turing@example.com", "send-email": false}),
        ),
        (
            "reactivate",
            "users.reactivate-user",
            json!({"user-id": "alan.turing@example.com"}),
        ),
        (
            "deactivate",
            "users.deactivate-user",
            json!({"user-id": "edsger.dijkstra@example.com"}),
        ),
        ("suspend", "users.suspend-user", json!({"user-id": grace})),
        (
            "unsuspend",
            "users.unsuspend-user",
            json!({"user-id": grace}),
        ),
        ("unlock", "users.unlock-user", json!({"user-id": grace})),
        (
            "reset",
            "users.reset-password",
            json!({"user-id": "katherine.johnson@example.com", "send-email": false}),
        ),
        (
            "expire",
            "users.expire-password",
            json!({"user-id": ada, "temp-password": true}),
        ),
        (
            "forgot",
            "users.forgot-password",
            json!({"user-id": grace, "send-email": false}),
        ),
        (
            "change",
            "users.change-password",
            json!({"user-id": grace, "old-password": "Welc0me!2026", "new-password": "N3w!passw0rd"}),
        ),
        (
            "set",
            "users.set-password",
            json!({"user-id": grace, "password": {"value": "An0ther!pass"}}),
        ),
        (
            "question",
            "users.change-recovery-question",
            json!({
                "user-id": grace, "password": "An0ther!pass", "recovery-question": {"question": "Tree?", "answer": "oak"}
            }),
        ),
        (
            "sessions",
            "users.clear-user-sessions",
            json!({"user-id": grace, "oauth-tokens": true}),
        ),
        (
            "user-groups",
            "users.list-user-groups",
            json!({"user-id": grace}),
        ),
        (
            "user-apps",
            "users.list-user-apps",
            json!({"user-id": grace}),
        ),
        ("types", "users.list-user-types", json!({})),
        ("group", "groups.create-group", json!({"name": "Sentinels"})),
        ("groups", "groups.list-groups", json!({"q": "Sen"})),
        (
            "get-group",
            "groups.get-group",
            json!({"group-id": "${group.id}"}),
        ),
        (
            "update-group",
            "groups.update-group",
            json!({"group-id": "${group.id}", "description": "Guards"}),
        ),
        (
            "join",
            "groups.add-user-to-group",
            json!({"group-id": "${group.id}", "user-id": ada}),
        ),
        (
            "members",
            "groups.list-group-members",
            json!({"group-id": "${group.id}"}),
        ),
        (
            "pending",
            "groups.list-pending-approvals",
            json!({"group-id": "${group.id}"}),
        ),
        (
            "leave",
            "groups.remove-user-from-group",
            json!({"group-id": "${group.id}", "user-id": ada}),
        ),
        (
            "drop-group",
            "groups.delete-group",
            json!({"group-id": "${group.id}"}),
        ),
        ("apps", "apps.list-apps", json!({})),
        (
            "app",
            "apps.get-app",
            json!({"app-id": "${apps.items.0.id}"}),
        ),
        (
            "assign",
            "apps.assign-user-to-app",
            json!({"app-id": "${apps.items.2.id}", "user-id": ada, "password": SENTINEL}),
        ),
        (
            "app-users",
            "apps.list-app-users",
            json!({"app-id": "${apps.items.2.id}"}),
        ),
        (
            "assignment",
            "apps.get-app-user-assignment",
            json!({"app-id": "${apps.items.2.id}", "user-id": ada}),
        ),
        (
            "reassign",
            "apps.update-app-user-assignment",
            json!({"app-id": "${apps.items.2.id}", "user-id": ada, "profile": "{\"seat\": 4}"}),
        ),
        (
            "unassign",
            "apps.remove-user-from-app",
            json!({"app-id": "${apps.items.2.id}", "user-id": ada}),
        ),
        (
            "factor",
            "factors.enroll-factor",
            json!({"user-id": ada, "factor-type": "call", "phone-number": "+15554151337"}),
        ),
        (
            "hotp",
            "factors.enroll-factor",
            json!({
                "user-id": grace, "factor-type": "token-hotp", "factor-profile-id": "fpr20l2mDyaUGWGCa0g4",
                "shared-secret": SENTINEL, "activate": true
            }),
        ),
        ("factors", "factors.list-factors", json!({"user-id": ada})),
        (
            "wrong-code",
            "factors.activate-factor",
            json!({"user-id": ada, "factor-id": "${factor.id}", "pass-code": "000000"}),
        ),
        (
            "unenroll",
            "factors.unenroll-factor",
            json!({"user-id": ada, "factor-id": "${factor.id}"}),
        ),
        (
            "reset-factors",
            "factors.reset-all-factors",
            json!({"user-id": ada}),
        ),
        (
            "events",
            "system-log.list-events",
            json!({"page": {"limit": 5}}),
        ),
        (
            "hook",
            "event-hooks.create-event-hook",
            json!({
                "name": "Secret hook", "uri": "https://hooks.example.com/okta", "event-types": ["user.lifecycle.create"],
                "auth-header-key": "Authorization", "auth-header-value": SENTINEL
            }),
        ),
        ("hooks", "event-hooks.list-event-hooks", json!({})),
        (
            "get-hook",
            "event-hooks.get-event-hook",
            json!({"event-hook-id": "${hook.id}"}),
        ),
        (
            "verify",
            "event-hooks.verify-event-hook",
            json!({"event-hook-id": "${hook.id}"}),
        ),
        (
            "off",
            "event-hooks.deactivate-event-hook",
            json!({"event-hook-id": "${hook.id}"}),
        ),
        (
            "on",
            "event-hooks.activate-event-hook",
            json!({"event-hook-id": "${hook.id}"}),
        ),
        (
            "drop-hook",
            "event-hooks.delete-event-hook",
            json!({"event-hook-id": "${hook.id}"}),
        ),
        (
            "drop-hooks",
            "event-hooks.delete-all-event-hooks",
            json!({"uri": "https://hooks.example.com/okta"}),
        ),
        (
            "policies",
            "policies.list-policies",
            json!({"policy-type": "password"}),
        ),
        ("realms", "realms.list-realms", json!({})),
        (
            "raw",
            "raw.request",
            json!({"method": "get", "path": "/api/v1/users/me"}),
        ),
        (
            "challenge",
            "triggers.answer-verification",
            json!({"headers": [{"name": "X-Okta-Verification-Challenge", "value": "c1"}]}),
        ),
        (
            "delivery",
            "triggers.receive-event-hook",
            json!({
                "headers": [{"name": "Authorization", "value": SENTINEL}],
                "body": r#"{"data": {"events": [{"uuid": "e1", "published": "2026-12-01T10:00:00.000Z", "eventType": "user.lifecycle.create", "severity": "INFO"}]}}"#,
                "expected-authorization": SENTINEL,
                "event-types": [],
            }),
        ),
        (
            "wrong-hook",
            "triggers.receive-event-hook",
            json!({
                "headers": [{"name": "Authorization", "value": WRONG_SENTINEL}],
                "body": "{}",
                "expected-authorization": SENTINEL,
                "event-types": [],
            }),
        ),
        ("log-poll", "triggers.poll-system-log", json!({})),
        ("new-users", "triggers.poll-new-users", json!({})),
        ("updated-users", "triggers.poll-updated-users", json!({})),
        (
            "pick-user",
            "picklists.select-user",
            json!({"search": "ada"}),
        ),
        ("pick-group", "picklists.select-group", json!({})),
        ("pick-app", "picklists.select-app", json!({})),
        ("pick-hook", "picklists.select-event-hook", json!({})),
        ("pick-realm", "picklists.select-realm", json!({})),
        (
            "pick-factor",
            "picklists.select-user-factor",
            json!({"user-id": ada}),
        ),
        ("pick-type", "picklists.select-user-type", json!({})),
        ("profile-fields", "picklists.user-profile-fields", json!({})),
        (
            "app-profile-fields",
            "picklists.app-user-profile-fields",
            json!({"app-id": okta_mock::state::demo::SLACK}),
        ),
        (
            "operation",
            "operations.getUser",
            json!({"id": "ada.lovelace@example.com"}),
        ),
        (
            "delete",
            "users.delete-user",
            json!({"user-id": "new@example.com", "mode": "delete"}),
        ),
    ]
}

/// Samples that are meant to fail: the state forbids them, or the mock cannot reach the
/// hook, or the code is wrong.
const REFUSED: &[&str] = &[
    "token",
    "grant",
    "reactivate",
    "wrong-code",
    "verify",
    "wrong-hook",
];

fn text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Ok(v) | Outcome::Err(v) => v.to_string(),
    }
}

/// Everything the host's spans and events carried, as text.
static TELEMETRY: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// A subscriber layer that writes every field of every span and event into [`TELEMETRY`].
struct Collect;

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Collect {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut text = TELEMETRY.lock().unwrap();
        text.push_str(&format!("\nspan {}", attrs.metadata().name()));
        attrs.record(&mut Fields(&mut text));
    }

    fn on_record(
        &self,
        _: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        values.record(&mut Fields(&mut TELEMETRY.lock().unwrap()));
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut text = TELEMETRY.lock().unwrap();
        text.push_str("\nevent");
        event.record(&mut Fields(&mut text));
    }
}

#[tokio::test]
async fn no_node_ever_returns_the_token() {
    use tracing_subscriber::layer::SubscriberExt as _;
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Collect))
        .expect("the only subscriber of this test binary");
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let metrics = recorder.handle();
    metrics::set_global_recorder(recorder).expect("the only recorder of this test binary");
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
        .filter(|node| !samples.iter().any(|(_, id, _)| *id == node.id))
        .map(|node| node.id.clone())
        .collect();
    assert!(missing.is_empty(), "add a sample input for {missing:?}");

    let accepted = Connection::api_token(ORG, SENTINEL);
    let mut outputs = serde_json::Map::new();
    for (label, node, input) in &samples {
        if *label == "unlock" {
            // Okta unlocks only a locked-out user.
            let mut state = env.mock.state();
            let grace = state.user_id("grace.hopper@example.com").unwrap();
            state.users.get_mut(&grace).unwrap().status = okta_mock::Status::LockedOut;
        }
        let input = substitute(input, &outputs).unwrap();
        let outcome = env.host.call_json(&accepted, node, &input).await.unwrap();
        let out = text(&outcome);
        assert!(!out.contains(SENTINEL), "{node} returned the token: {out}");
        match outcome {
            Outcome::Ok(output) => {
                assert!(
                    !REFUSED.contains(label),
                    "{label} ({node}) was meant to be refused"
                );
                outputs.insert(label.to_string(), output);
            }
            Outcome::Err(_) => assert!(REFUSED.contains(label), "{label} ({node}) failed: {out}"),
        }
    }

    let rejected = Connection::bearer(ORG, WRONG_SENTINEL);
    for (_, node, input) in &samples {
        if !env.host.find_node(node).unwrap().takes_connection {
            // An event hook trigger reads what Okta sent and calls nothing.
            continue;
        }
        let input = substitute(input, &outputs).unwrap();
        let outcome = env.host.call_json(&rejected, node, &input).await.unwrap();
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

    // A service app, with an RSA key and with DPoP's EC key: its keys and tokens are
    // secrets too.
    let mut keys = Vec::new();
    for (file, dpop) in [("rsa.jwk", false), ("ec.jwk", true)] {
        let app = env.service_app(file, ALL_SCOPES, dpop, DpopMode::Auto);
        let jwk: Value = serde_json::from_str(&key(file)).unwrap();
        keys.push(jwk["d"].as_str().unwrap().to_string());
        for (_, node, input) in samples.iter().take(6) {
            let input = substitute(input, &outputs).unwrap();
            env.host.call_json(&app, node, &input).await.unwrap();
        }
    }
    let minted: Vec<String> = env.mock.state().oauth.issued_tokens();
    assert!(!minted.is_empty(), "the service apps minted tokens");

    let spans = TELEMETRY.lock().unwrap().clone();
    let exposition = metrics.render();
    assert!(
        spans.contains("span okta.call") && spans.contains("span okta.http"),
        "{spans}"
    );
    assert!(
        spans.contains("url.template=\"/api/v1/users/{id}\""),
        "{spans}"
    );
    assert!(
        exposition.contains("okta_http_requests_total"),
        "{exposition}"
    );
    assert!(
        exposition.contains("okta_tokens_minted_total"),
        "{exposition}"
    );
    let secrets = [SENTINEL, WRONG_SENTINEL, "SENTINEL"]
        .into_iter()
        .map(str::to_string)
        .chain(keys)
        .chain(minted)
        .chain(
            // Passwords and answers the samples set, and profile values, logins included.
            [
                "Welc0me!2026",
                "N3w!passw0rd",
                "An0ther!pass",
                "Countess",
                "ada.lovelace@example.com",
                "grace.hopper@example.com",
                "new@example.com",
                "Lovelace",
            ]
            .map(str::to_string),
        );
    for secret in secrets {
        assert!(!spans.contains(&secret), "a span or event holds {secret:?}");
        assert!(!exposition.contains(&secret), "a metric holds {secret:?}");
    }
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
