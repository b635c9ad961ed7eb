//! A web app a user authorized (the authorization code flow) through the `.wasm`: the host
//! redeems the code once, keeps the access token and the refresh token, redeems the kept
//! refresh token when Okta refuses the access token, and `connection.get-token-grant` by
//! `call_json` hands the engine the refresh token it keeps; wrong secrets and spent codes
//! are typed errors, and no secret shows.

mod common;
#[path = "common/web.rs"]
mod web;

use common::*;
use okta_host::wit::types::{AuthorizationCode, Grant};
use okta_host::{Connection, Credential, Outcome};
use okta_mock::oauth::web::ClientAuth as MockAuth;
use serde_json::{Value, json};
use web::*;

/// The codes and the refresh tokens the org redeemed.
fn redemptions(env: &Env) -> (u64, u64) {
    env.mock.state().oauth.web.redeemed
}

async fn get_admin(env: &Env, conn: &Connection) -> Outcome {
    let input = json!({"user-id": "admin@example.com"});
    env.host
        .call_json(conn, "users.get-user", &input)
        .await
        .unwrap()
}

fn ok(outcome: &Outcome) -> &Value {
    match outcome {
        Outcome::Ok(out) => out,
        Outcome::Err(err) => panic!("{err}"),
    }
}

#[tokio::test]
async fn the_code_is_redeemed_once_and_the_kept_refresh_token_next() {
    for auth in [MockAuth::Basic, MockAuth::Post] {
        let env = Env::seeded().await;
        let conn = web_app(&env, auth);
        for _ in 0..3 {
            ok(&get_admin(&env, &conn).await);
        }
        assert_eq!(redemptions(&env), (1, 0));
        // The org's clock passes the token's hour: Okta refuses it, the host redeems the
        // refresh token it kept (the code is spent) and the call goes on.
        env.mock.state().oauth.clock_offset += 3600;
        ok(&get_admin(&env, &conn).await);
        assert_eq!(redemptions(&env), (1, 1));
        assert_eq!(env.mock.state().oauth.web.reuses_detected, 0);
    }
}

#[tokio::test]
async fn get_token_grant_hands_the_engine_the_refresh_token_the_host_keeps() {
    let env = Env::seeded().await;
    let conn = web_app(&env, MockAuth::Basic);
    let granted = env
        .host
        .call_json(&conn, "connection.get-token-grant", &Value::Null)
        .await
        .unwrap();
    let granted = ok(&granted).clone();
    let refresh = granted["refresh-token"].as_str().unwrap().to_string();
    assert!(refresh.starts_with("mock-rt-"));
    assert_eq!(granted["access-token"]["token-type"], "bearer");
    // The call after it uses the token kept: nothing more is redeemed.
    ok(&get_admin(&env, &conn).await);
    assert_eq!(redemptions(&env), (1, 0));
    // An engine that restarts reconnects with the refresh token it was given.
    let again = Connection::new(
        ORG,
        Credential::WebApp(AuthorizationCode {
            client_id: "0oaweb".into(),
            client_secret: WEB_SECRET.into(),
            client_auth: None,
            grant: Grant::RefreshToken(refresh),
        }),
    );
    ok(&get_admin(&env, &again).await);
    assert_eq!(redemptions(&env), (1, 1));
}

#[tokio::test]
async fn a_wrong_secret_or_a_spent_code_is_typed_and_no_secret_shows() {
    let env = Env::seeded().await;
    let conn = web_app(&env, MockAuth::Basic);
    let mut wrong = conn.clone();
    if let Credential::WebApp(app) = &mut wrong.credential {
        app.client_secret = "SENTINEL-wrong".into();
    }
    let refused = get_admin(&env, &wrong).await;
    let Outcome::Err(error) = &refused else {
        panic!("{refused:?}")
    };
    assert_eq!(error["kind"], "unauthorized", "{error}");
    let shown = error.to_string();
    for secret in ["SENTINEL", "mock-code-", WEB_VERIFIER] {
        assert!(!shown.contains(secret), "{shown}");
    }
    // A code one host redeemed is spent: a host of its own (no fleet) is refused with
    // `invalid_grant`, and sends the code once.
    ok(&get_admin(&env, &conn).await);
    let other = okta_host::Host::new(okta_host::HostConfig {
        route_to: Some(env.mock.url()),
        ..okta_host::HostConfig::default()
    })
    .unwrap();
    let spent = other
        .call_json(
            &conn,
            "users.get-user",
            &json!({"user-id": "admin@example.com"}),
        )
        .await
        .unwrap();
    let Outcome::Err(error) = &spent else {
        panic!("{spent:?}")
    };
    assert_eq!(error["kind"], "bad-request", "{error}");
    assert_eq!(error["attempts"], 1, "{error}");
}

#[tokio::test]
async fn the_typed_node_redeems_the_grant_it_is_given() {
    let env = Env::seeded().await;
    let conn = web_app(&env, MockAuth::Post);
    let mut node = env.host.node_uncached(&conn).await.unwrap();
    let granted = node
        .nodes
        .okta_management_connection()
        .call_get_token_grant(&mut node.store, &node.conn)
        .await
        .unwrap()
        .unwrap();
    assert!(granted.access_token.token.starts_with("mock-at-"));
    assert!(
        granted
            .refresh_token
            .is_some_and(|t| t.starts_with("mock-rt-"))
    );
    assert_eq!(redemptions(&env), (1, 0));
    // Any other connection has no grant to redeem: refused before anything is sent.
    let mut node = env.node().await;
    let refused = node
        .nodes
        .okta_management_connection()
        .call_get_token_grant(&mut node.store, &node.conn)
        .await
        .unwrap()
        .unwrap_err();
    assert_error(
        &refused,
        okta_host::wit::types::ErrorKind::InvalidInput,
        None,
    );
    assert_eq!(redemptions(&env), (1, 0));
}
