//! The org authorization server for web apps, as a client sees it: the authorization code
//! flow with PKCE, both ways a client authenticates with its secret, refresh tokens that
//! rotate (the leeway, then reuse detection), and revocation.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::*;
use http::{Method, StatusCode};
use okta_mock::oauth::web::{ClientAuth, WebApp};
use sha2::{Digest, Sha256};

const REDIRECT: &str = "https://engine.example/callback";
const VERIFIER: &str = "a-verifier-of-forty-three-characters-or-more-0123";

fn app(id: &str, auth: ClientAuth) -> WebApp {
    WebApp {
        client_id: id.into(),
        client_secret: format!("{id}-secret"),
        auth,
        redirect_uris: vec![REDIRECT.into()],
        scopes: vec!["okta.users.read".into()],
        leeway: 30,
    }
}

async fn served() -> Served {
    let served = Served::seeded().await;
    let mut state = served.mock.state();
    state.oauth.register_web(app("0oaweb", ClientAuth::Basic));
    state.oauth.register_web(app("0oapost", ClientAuth::Post));
    drop(state);
    served
}

/// `/authorize` for `client`; the answer and the redirect's query parameters.
async fn authorize(served: &Served, client: &str, extra: &str) -> (Answer, Vec<(String, String)>) {
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER));
    let path = format!(
        "/oauth2/v1/authorize?client_id={client}&response_type=code&scope=okta.users.read%20offline_access%20openid&redirect_uri={}&state=st4te&code_challenge={challenge}&code_challenge_method=S256{extra}",
        form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    );
    let answer = served.send_raw(Method::GET, &path, &[], Vec::new()).await;
    let params = answer
        .header("location")
        .and_then(|l| l.split_once('?'))
        .map(|(_, q)| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    (answer, params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// A token request with `fields`, as `client` (Basic) or in the form (`post`).
async fn token(served: &Served, client: &str, post: bool, fields: &[(&str, &str)]) -> Answer {
    let secret = format!("{client}-secret");
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.extend_pairs(fields);
    if post {
        form.append_pair("client_id", client)
            .append_pair("client_secret", &secret);
    }
    let basic = format!("Basic {}", STANDARD.encode(format!("{client}:{secret}")));
    let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
    if !post {
        headers.push(("authorization", &basic));
    }
    served
        .send_raw(
            Method::POST,
            "/oauth2/v1/token",
            &headers,
            form.finish().into_bytes(),
        )
        .await
}

async fn exchange(served: &Served, code: &str, verifier: &str) -> Answer {
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
    ];
    token(served, "0oaweb", false, &fields).await
}

async fn refresh(served: &Served, refresh_token: &str) -> Answer {
    let fields = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    token(served, "0oaweb", false, &fields).await
}

/// Whether the API takes `access` as a Bearer token.
async fn api_takes(served: &Served, access: &str) -> bool {
    let answer = served
        .send_as(
            Method::GET,
            "/api/v1/users?limit=1",
            None,
            &format!("Bearer {access}"),
        )
        .await;
    answer.status == StatusCode::OK
}

#[tokio::test]
async fn a_code_becomes_tokens_once_with_its_verifier() {
    let served = served().await;
    let (answer, params) = authorize(&served, "0oaweb", "").await;
    assert_eq!(answer.status, StatusCode::FOUND);
    assert_eq!(param(&params, "state"), "st4te");
    let code = param(&params, "code").to_string();
    assert!(code.starts_with("mock-code-"));

    let wrong = exchange(&served, &code, "not-the-verifier-not-the-verifier-0000000").await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.json["error"], "invalid_grant");
    // A code is used once, even by a failed exchange.
    let used = exchange(&served, &code, VERIFIER).await;
    assert_eq!(used.json["error"], "invalid_grant");

    let (_, params) = authorize(&served, "0oaweb", "").await;
    let answer = exchange(&served, param(&params, "code"), VERIFIER).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json["token_type"], "Bearer");
    assert_eq!(
        answer.json["scope"],
        "okta.users.read offline_access openid"
    );
    for member in ["access_token", "refresh_token", "id_token"] {
        assert!(answer.json[member].is_string(), "{member}: {}", answer.text);
    }
    assert!(api_takes(&served, answer.json["access_token"].as_str().unwrap()).await);
}

#[tokio::test]
async fn clients_authenticate_as_registered_and_the_flow_refuses_as_okta_does() {
    let served = served().await;
    // A client_secret_post app in the form; the same with Basic is refused.
    let (_, params) = authorize(&served, "0oapost", "").await;
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", param(&params, "code")),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let basic = token(&served, "0oapost", false, &fields).await;
    assert_eq!(basic.status, StatusCode::UNAUTHORIZED);
    assert_eq!(basic.json["error"], "invalid_client");
    let (_, params) = authorize(&served, "0oapost", "").await;
    let mut fields = fields;
    fields[1].1 = param(&params, "code");
    assert_eq!(
        token(&served, "0oapost", true, &fields).await.status,
        StatusCode::OK
    );

    // Refused on the page: an unknown client, a redirect URI the app does not have.
    let (unknown, _) = authorize(&served, "0oanobody", "").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let stray = served
        .send_raw(
            Method::GET,
            "/oauth2/v1/authorize?client_id=0oaweb&response_type=code&scope=openid&redirect_uri=https://evil.example/",
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(stray.status, StatusCode::BAD_REQUEST);
    assert!(stray.header("location").is_none());
    // Refused back to the app: a response type, a scope the app was not granted.
    let (_, params) = authorize(&served, "0oaweb", "&response_type=token").await;
    assert_eq!(param(&params, "error"), "unsupported_response_type");
    let (_, params) = authorize(&served, "0oaweb", "&scope=okta.users.manage").await;
    assert_eq!(param(&params, "error"), "invalid_scope");
    // A code for another redirect URI.
    let (_, params) = authorize(&served, "0oaweb", "").await;
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", param(&params, "code")),
        ("redirect_uri", "https://engine.example/other"),
        ("code_verifier", VERIFIER),
    ];
    let answer = token(&served, "0oaweb", false, &fields).await;
    assert_eq!(answer.json["error"], "invalid_grant");
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reuse_past_the_leeway_revokes_the_grant() {
    let served = served().await;
    let (_, params) = authorize(&served, "0oaweb", "").await;
    let first = exchange(&served, param(&params, "code"), VERIFIER).await;
    let r1 = first.json["refresh_token"].as_str().unwrap().to_string();
    let a1 = first.json["access_token"].as_str().unwrap().to_string();

    let second = refresh(&served, &r1).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    let r2 = second.json["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2, "a new refresh token each use");
    // Within the leeway the used token still works (a client that lost the answer).
    let again = refresh(&served, &r1).await;
    assert_eq!(again.status, StatusCode::OK);
    let a3 = again.json["access_token"].as_str().unwrap().to_string();

    // Past it, its reuse revokes the grant: every refresh and access token of it.
    served.mock.state().oauth.clock_offset += 31;
    let reused = refresh(&served, &r1).await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
    assert_eq!(reused.json["error"], "invalid_grant");
    assert_eq!(refresh(&served, &r2).await.json["error"], "invalid_grant");
    assert!(!api_takes(&served, &a1).await);
    assert!(!api_takes(&served, &a3).await);
    assert_eq!(served.mock.state().oauth.web.reuses_detected, 1);
}

#[tokio::test]
async fn a_revoked_refresh_token_revokes_its_grant() {
    let served = served().await;
    let (_, params) = authorize(&served, "0oaweb", "").await;
    let tokens = exchange(&served, param(&params, "code"), VERIFIER).await;
    let access = tokens.json["access_token"].as_str().unwrap();
    let refresh_token = tokens.json["refresh_token"].as_str().unwrap();
    let basic = format!("Basic {}", STANDARD.encode("0oaweb:0oaweb-secret"));
    let form = format!("token={refresh_token}&token_type_hint=refresh_token");
    let headers = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("authorization", basic.as_str()),
    ];
    let answer = served
        .send_raw(
            Method::POST,
            "/oauth2/v1/revoke",
            &headers,
            form.into_bytes(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        refresh(&served, refresh_token).await.json["error"],
        "invalid_grant"
    );
    assert!(!api_takes(&served, access).await);
}
