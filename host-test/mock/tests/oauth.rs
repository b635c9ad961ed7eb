//! The mock's authorization server, as any OAuth client sees it: the token endpoint checks
//! the assertion's signature, audience, expiry and `jti`, grants only granted scopes, asks
//! a DPoP app for a proof; tokens expire on the mock's clock and each route checks its
//! scope. Assertions are signed here with the test RSA key.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use http::Method;
use okta_mock::oauth::ServiceApp;
use rsa::signature::{SignatureEncoding as _, Signer as _};
use serde_json::{Value, json};

const CLIENT: &str = "0oamocktest1";

fn jwk() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa.jwk");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn signer() -> rsa::pkcs1v15::SigningKey<sha2::Sha256> {
    let jwk = jwk();
    let int = |name: &str| {
        rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap())
    };
    let key =
        rsa::RsaPrivateKey::from_components(int("n"), int("e"), int("d"), vec![int("p"), int("q")])
            .unwrap();
    rsa::pkcs1v15::SigningKey::new(key)
}

fn assertion(aud: &str, now: u64, jti: &str) -> String {
    let b64 = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let input = format!(
        "{}.{}",
        b64(json!({"alg": "RS256"})),
        b64(
            json!({"iss": CLIENT, "sub": CLIENT, "aud": aud, "iat": now, "exp": now + 300, "jti": jti})
        )
    );
    let signature = URL_SAFE_NO_PAD.encode(signer().sign(input.as_bytes()).to_vec());
    format!("{input}.{signature}")
}

fn form(assertion: &str, scope: &str) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("scope", scope)
        .append_pair(
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        )
        .append_pair("client_assertion", assertion)
        .finish()
        .into_bytes()
}

async fn with_app(dpop: bool) -> (Served, String, u64) {
    let served = Served::seeded().await;
    let mut public = jwk();
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        public.as_object_mut().unwrap().remove(private);
    }
    served.mock.state().oauth.register(
        ServiceApp::from_json(&json!({
            "client-id": CLIENT, "key": public, "scopes": ["okta.users.read"], "dpop": dpop
        }))
        .unwrap(),
    );
    let aud = format!("https://{}/oauth2/v1/token", served.host());
    let now = served.mock.state().oauth.now();
    (served, aud, now)
}

async fn token(served: &Served, body: Vec<u8>) -> Answer {
    served
        .send_raw(
            Method::POST,
            "/oauth2/v1/token",
            &[("content-type", "application/x-www-form-urlencoded")],
            body,
        )
        .await
}

#[tokio::test]
async fn a_replayed_assertion_is_refused() {
    let (served, aud, now) = with_app(false).await;
    let signed = assertion(&aud, now, "jti-once");
    let first = token(&served, form(&signed, "okta.users.read")).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json["token_type"], "Bearer");
    let again = token(&served, form(&signed, "okta.users.read")).await;
    assert_eq!(again.status, 401);
    assert_eq!(again.json["error"], "invalid_client");
    assert!(
        again.json["error_description"]
            .as_str()
            .unwrap()
            .contains("already been used")
    );
}

#[tokio::test]
async fn the_token_endpoint_checks_everything_it_is_given() {
    let (served, aud, now) = with_app(false).await;
    let cases = [
        (
            assertion("https://elsewhere/oauth2/v1/token", now, "a1"),
            "okta.users.read",
            401,
            "invalid_client",
        ),
        (
            assertion(&aud, now - 1000, "a2"),
            "okta.users.read",
            401,
            "invalid_client",
        ),
        (
            assertion(&aud, now, "a3"),
            "okta.users.manage",
            400,
            "invalid_scope",
        ),
        (
            format!("{}x", assertion(&aud, now, "a4")),
            "okta.users.read",
            401,
            "invalid_client",
        ),
    ];
    for (signed, scope, status, error) in cases {
        let answer = token(&served, form(&signed, scope)).await;
        assert_eq!(
            (answer.status.as_u16(), answer.json["error"].as_str()),
            (status, Some(error)),
            "{}",
            answer.text
        );
    }
    // A DPoP app asks for a proof first.
    let (served, aud, now) = with_app(true).await;
    let answer = token(
        &served,
        form(&assertion(&aud, now, "d1"), "okta.users.read"),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.json["error"], "invalid_dpop_proof");
}

#[tokio::test]
async fn tokens_expire_on_the_mocks_clock_and_routes_check_their_scope() {
    let (served, aud, now) = with_app(false).await;
    let granted = token(
        &served,
        form(&assertion(&aud, now, "t1"), "okta.users.read"),
    )
    .await;
    let bearer = format!("Bearer {}", granted.json["access_token"].as_str().unwrap());
    let users = served
        .send_as(Method::GET, "/api/v1/users", None, &bearer)
        .await;
    assert_eq!(users.status, 200);
    // okta.groups.read was never granted.
    let groups = served
        .send_as(Method::GET, "/api/v1/groups", None, &bearer)
        .await;
    assert_eq!(groups.status, 403);
    assert_eq!(groups.json["errorCode"], "E0000006");
    let challenge = groups.header("www-authenticate").unwrap();
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(
        challenge.contains("scope=\"okta.groups.read\""),
        "{challenge}"
    );
    // An hour on, the token is refused.
    let advanced = served
        .post("/mock/clock", json!({"advance-seconds": 3600}))
        .await;
    assert_eq!(advanced.status, 200);
    let expired = served
        .send_as(Method::GET, "/api/v1/users", None, &bearer)
        .await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.json["errorCode"], "E0000011");
    assert!(
        expired
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token")
    );
    // The API token works beside OAuth all along.
    assert_eq!(served.get("/api/v1/users").await.status, 200);
    // The token request's body is a credential: the request log keeps none of it.
    let logged = served.get("/mock/requests").await;
    assert!(!logged.text.contains("client_assertion"), "{}", logged.text);
    assert!(
        served
            .mock
            .requests()
            .iter()
            .all(|r| !r.body.contains("client_assertion"))
    );
}
