//! Service apps through the `.wasm`: client credentials with RSA and EC keys in every form,
//! with and without DPoP, the nonce challenges of both servers, the host's token cache
//! (reuse, refresh, single flight, one re-mint after a refused token), scopes, wrong keys,
//! and no secret in any output.

mod common;

use common::*;
use okta_host::wit::types::{DpopMode, ErrorKind, TokenType};
use okta_host::wit::users::GetUserRequest;
use okta_host::{Connection, Credential, Outcome};
use serde_json::{Value, json};
use std::time::Duration;

/// How many token requests reached the mock.
fn token_requests(env: &Env) -> Vec<u16> {
    env.mock
        .requests()
        .into_iter()
        .filter(|r| r.path == okta_mock::oauth::TOKEN_PATH)
        .map(|r| r.status)
        .collect()
}

async fn get_admin(env: &Env, conn: &Connection) -> Outcome {
    env.host
        .call_json(
            conn,
            "users.get-user",
            &json!({"user-id": "admin@example.com"}),
        )
        .await
        .unwrap()
}

fn ok(outcome: &Outcome) -> &Value {
    match outcome {
        Outcome::Ok(out) => out,
        Outcome::Err(err) => panic!("{err}"),
    }
}

fn err(outcome: &Outcome) -> &Value {
    match outcome {
        Outcome::Err(err) => err,
        Outcome::Ok(out) => panic!("expected an error, got {out}"),
    }
}

#[tokio::test]
async fn every_key_form_with_and_without_dpop() {
    let cases = [
        ("rsa-pkcs8.pem", "rsa.jwk", false, DpopMode::Off, "Bearer"),
        ("rsa-pkcs1.pem", "rsa.jwk", false, DpopMode::Auto, "Bearer"),
        ("rsa.jwk", "rsa.jwk", true, DpopMode::Auto, "DPoP"),
        ("rsa-pkcs8.pem", "rsa.jwk", true, DpopMode::On, "DPoP"),
        ("ec-pkcs8.pem", "ec.jwk", false, DpopMode::Off, "Bearer"),
        ("ec-sec1.pem", "ec.jwk", true, DpopMode::On, "DPoP"),
        ("ec.jwk", "ec.jwk", true, DpopMode::Auto, "DPoP"),
        ("ec.jwk", "ec.jwk", false, DpopMode::On, "DPoP"),
    ];
    for (given, registered, required, mode, scheme) in cases {
        let env = Env::seeded().await;
        let mut conn = env.service_app(registered, &["okta.users.read"], required, mode);
        if let Credential::ServiceApp(app) = &mut conn.credential {
            app.private_key = key(given);
        }
        let out = ok(&get_admin(&env, &conn).await).clone();
        assert_eq!(out["profile"]["login"], "admin@example.com", "{given}");
        let api = env.api_requests();
        assert_eq!(
            api.last().unwrap().auth_scheme.as_deref(),
            Some(scheme),
            "{given} {mode:?}"
        );
        assert_eq!(env.mock.state().oauth.issued, 1, "{given} {mode:?}");
    }
}

#[tokio::test]
async fn the_nonce_challenges_of_both_servers_are_met() {
    let env = Env::seeded().await;
    env.mock.state().oauth.api_nonce = true;
    let conn = env.service_app("ec.jwk", &["okta.users.read"], true, DpopMode::On);
    ok(&get_admin(&env, &conn).await);
    // The token endpoint asked for its nonce once, then granted.
    assert_eq!(token_requests(&env), [400, 200]);
    // The API asked for its nonce once, then answered.
    let api: Vec<u16> = env.api_requests().iter().map(|r| r.status).collect();
    assert_eq!(api, [401, 200]);
    // `auto` against an app that requires DPoP: Okta's word, then the nonce, then the token.
    let env = Env::seeded().await;
    let conn = env.service_app("ec.jwk", &["okta.users.read"], true, DpopMode::Auto);
    ok(&get_admin(&env, &conn).await);
    assert_eq!(token_requests(&env), [400, 400, 200]);
}

#[tokio::test]
async fn the_host_reuses_one_token_and_refreshes_it() {
    let env = Env::seeded().await;
    let conn = env.service_app("rsa.jwk", &["okta.users.read"], false, DpopMode::Off);
    for _ in 0..5 {
        ok(&get_admin(&env, &conn).await);
    }
    let mut node = env.node_for(&conn).await;
    node.nodes
        .okta_management_users()
        .call_get_user(
            &mut node.store,
            &node.conn,
            &GetUserRequest {
                user_id: "admin@example.com".into(),
                expand: None,
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token_requests(&env), [200], "six calls, one token");

    // A token Okta refuses (revoked) is minted again once.
    env.mock.state().oauth.revoke_tokens();
    ok(&get_admin(&env, &conn).await);
    assert_eq!(token_requests(&env), [200, 200]);
    let statuses: Vec<u16> = env.api_requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses[statuses.len() - 2..], [401, 200]);

    // A token that expires within a minute is replaced before it is used.
    let env = Env::seeded().await;
    env.mock.state().oauth.token_lifetime = 62;
    let short = env.service_app("ec.jwk", &["okta.users.read"], false, DpopMode::Off);
    ok(&get_admin(&env, &short).await);
    ok(&get_admin(&env, &short).await);
    assert_eq!(token_requests(&env), [200], "62 s left: still in use");
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    ok(&get_admin(&env, &short).await);
    assert_eq!(token_requests(&env), [200, 200]);
}

#[tokio::test]
async fn concurrent_calls_share_one_mint() {
    let env = Env::seeded().await;
    let conn = env.service_app("rsa.jwk", &["okta.users.read"], true, DpopMode::Auto);
    let calls = (0..8).map(|_| get_admin(&env, &conn));
    for outcome in futures_util::future::join_all(calls).await {
        ok(&outcome);
    }
    // One mint: `auto` learns DPoP is required, meets the nonce, gets the token.
    assert_eq!(token_requests(&env), [400, 400, 200]);
    assert_eq!(env.mock.state().oauth.issued, 1);
}

#[tokio::test]
async fn a_missing_scope_is_named() {
    let env = Env::seeded().await;
    let conn = env.service_app("rsa.jwk", &["okta.users.read"], false, DpopMode::Off);
    let outcome = env
        .host
        .call_json(&conn, "groups.list-groups", &json!({}))
        .await
        .unwrap();
    let error = err(&outcome);
    assert_eq!(error["kind"], "forbidden");
    assert_eq!(error["error-code"], "E0000006");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("okta.groups.read"),
        "{error}"
    );
    // A scope the app was never granted is refused at the token endpoint.
    let mut greedy = conn.clone();
    if let Credential::ServiceApp(app) = &mut greedy.credential {
        app.scopes.push("okta.groups.manage".into());
    }
    let error = err(&get_admin(&env, &greedy).await).clone();
    assert_eq!(error["kind"], "bad-request");
    assert_eq!(error["error-code"], "invalid_scope");
}

#[tokio::test]
async fn a_key_okta_does_not_know_is_invalid_client() {
    let env = Env::seeded().await;
    let mut conn = env.service_app("rsa.jwk", &["okta.users.read"], false, DpopMode::Off);
    if let Credential::ServiceApp(app) = &mut conn.credential {
        app.private_key = key("other-rsa.pem");
    }
    let error = err(&get_admin(&env, &conn).await).clone();
    assert_eq!(error["kind"], "unauthorized");
    assert_eq!(error["error-code"], "invalid_client");
    assert!(
        error["message"].as_str().unwrap().contains("signature"),
        "{error}"
    );
    // Typed, from the node itself.
    let mut node = env.host.node(&conn).await.unwrap();
    let refused = node
        .nodes
        .okta_management_connection()
        .call_get_access_token(&mut node.store, &node.conn)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Unauthorized);
    assert_eq!(refused.error_code.as_deref(), Some("invalid_client"));
    // A key that is not a key is invalid input, and nothing is sent.
    let before = env.mock.requests().len();
    if let Credential::ServiceApp(app) = &mut conn.credential {
        app.private_key =
            "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----".into();
    }
    let error = err(&get_admin(&env, &conn).await).clone();
    assert_eq!(error["kind"], "invalid-input");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("auth.private-key")
    );
    assert_eq!(env.mock.requests().len(), before);
}

#[tokio::test]
async fn a_login_with_at_and_plus_works_under_dpop() {
    let env = Env::seeded().await;
    env.mock.state().oauth.api_nonce = true;
    env.add_user("a+b@example.com");
    let conn = env.service_app(
        "ec.jwk",
        &["okta.users.read", "okta.users.manage"],
        true,
        DpopMode::On,
    );
    for node in ["users.get-user", "users.suspend-user"] {
        let out = ok(&env
            .host
            .call_json(&conn, node, &json!({"user-id": "a+b@example.com"}))
            .await
            .unwrap())
        .clone();
        assert!(out.to_string().contains("00u"), "{node}: {out}");
    }
    let paths: Vec<String> = env.api_requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths.iter().any(|p| p.contains("a%2Bb%40example.com")),
        "{paths:?}"
    );
}

#[tokio::test]
async fn get_access_token_gives_the_host_what_it_needs_and_nothing_leaks() {
    let env = Env::seeded().await;
    let conn = env.service_app("ec.jwk", &["okta.users.read"], true, DpopMode::Auto);
    let mut node = env.node_for(&conn).await;
    let token = node
        .nodes
        .okta_management_connection()
        .call_get_access_token(&mut node.store, &node.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token.token_type, TokenType::Dpop);
    assert!(token.token.starts_with("mock-at-"));
    assert!(
        token
            .dpop_key
            .as_deref()
            .is_some_and(|k| k.contains("\"d\""))
    );
    assert_eq!(token.scopes, ["okta.users.read"]);
    assert!(token.expires_at.is_some());
    // The token passed back as an access-token connection works as it is.
    let passed = Connection::new(ORG, Credential::AccessToken(token.clone()));
    ok(&get_admin(&env, &passed).await);
    // No node's output or error carries the key, the token or a proof.
    let secrets = [
        key("ec.jwk"),
        token.token.clone(),
        token.dpop_key.clone().unwrap(),
    ];
    for (node, input) in [
        ("users.get-user", json!({"user-id": "admin@example.com"})),
        ("users.get-user", json!({"user-id": "nobody@example.com"})),
        ("groups.list-groups", json!({})),
        ("connection.test-connection", Value::Null),
    ] {
        let text = match env.host.call_json(&conn, node, &input).await.unwrap() {
            Outcome::Ok(v) | Outcome::Err(v) => v.to_string(),
        };
        for secret in &secrets {
            let probe: String = secret
                .chars()
                .filter(|c| c.is_alphanumeric())
                .take(24)
                .collect();
            assert!(!text.contains(&probe), "{node}: {text}");
        }
    }
    let shown = format!("{conn:?} {passed:?}");
    assert!(
        !shown.contains("mock-at-") && !shown.contains("\"d\""),
        "{shown}"
    );
}
