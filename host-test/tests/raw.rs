//! `raw.request` through the real component: any endpoint on the org, nothing beyond it,
//! with the same credential, retries and 429 handling.

mod common;

use common::*;
use okta_host::wit::raw::*;
use okta_host::wit::types::{ErrorKind, Pair};
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn requests_any_endpoint_on_the_org() {
    let env = Env::start().await;
    let me = call!(
        env,
        okta_management_raw,
        call_request,
        &raw(HttpMethod::Get, "/api/v1/users/admin@example.com")
    )
    .unwrap();
    assert_eq!(me.status, 200);
    let body: Value = serde_json::from_str(&me.body).unwrap();
    assert_eq!(body["profile"]["login"], "admin@example.com");
    assert!(
        me.headers
            .iter()
            .any(|h| h.name == "x-rate-limit-remaining")
    );

    let create = RawRequest {
        query: Some(vec![Pair { name: "activate".into(), value: "false".into() }]),
        headers: Some(vec![Pair { name: "Accept-Language".into(), value: "en".into() }]),
        body: Some(RawBody::Json(r#"{"profile": {"login": "raw@example.com", "email": "raw@example.com", "firstName": "R", "lastName": "Aw"}}"#.into())),
        ..raw(HttpMethod::Post, &format!("https://{ORG}/api/v1/users"))
    };
    let created = call!(env, okta_management_raw, call_request, &create).unwrap();
    let user: Value = serde_json::from_str(&created.body).unwrap();
    assert_eq!(user["status"], "STAGED");
    let sent = env.api_requests().pop().unwrap();
    assert_eq!(
        (sent.query.as_deref(), sent.auth_scheme.as_deref()),
        (Some("activate=false"), Some(AuthMode::from_env().scheme()))
    );

    let missing = call!(
        env,
        okta_management_raw,
        call_request,
        &raw(HttpMethod::Get, "/api/v1/users/nobody")
    )
    .unwrap_err();
    assert_error(&missing, ErrorKind::NotFound, Some("E0000007"));
}

#[tokio::test]
async fn never_leaves_the_org() {
    let env = Env::start().await;
    // A well-formed URL on another host: denied, as the egress guard denies it.
    let elsewhere = raw(HttpMethod::Get, "https://evil.example.com/api/v1/users");
    let err = call!(env, okta_management_raw, call_request, &elsewhere).unwrap_err();
    assert_error(&err, ErrorKind::Transport, None);
    assert!(
        err.message.contains("reaches only its org"),
        "{}",
        err.message
    );
    for bad in [
        raw(HttpMethod::Get, "http://dev-424242.okta.com/api/v1/users"),
        raw(HttpMethod::Get, "//evil.example.com/x"),
        raw(HttpMethod::Get, "/api/v1/../../etc"),
        raw(HttpMethod::Get, "/api/v1/users?limit=1"),
        RawRequest {
            headers: Some(vec![Pair {
                name: "Authorization".into(),
                value: "SSWS other".into(),
            }]),
            ..raw(HttpMethod::Get, "/api/v1/users")
        },
        RawRequest {
            headers: Some(vec![Pair {
                name: "Host".into(),
                value: "evil.example.com".into(),
            }]),
            ..raw(HttpMethod::Get, "/api/v1/users")
        },
        RawRequest {
            body: Some(RawBody::Json("{not json".into())),
            ..raw(HttpMethod::Post, "/api/v1/users")
        },
    ] {
        let err = call!(env, okta_management_raw, call_request, &bad).unwrap_err();
        assert_error(&err, ErrorKind::InvalidInput, None);
    }
    assert_eq!(env.requests(), 0);
}

#[tokio::test]
async fn retries_the_way_it_is_told() {
    let env = Env::start().await;
    // A POST is not repeated after a 5xx by default...
    env.mock.fail_next("POST", "/api/v1/users", 502, 1);
    let post = RawRequest {
        body: Some(RawBody::Json(r#"{"profile": {}}"#.into())),
        ..raw(HttpMethod::Post, "/api/v1/users")
    };
    assert_error(
        &call!(env, okta_management_raw, call_request, &post).unwrap_err(),
        ErrorKind::Server,
        None,
    );
    assert_eq!(env.requests(), 1);
    // ...but is with retry-on-all-errors, with a fixed delay.
    env.mock.clear_requests();
    env.mock.fail_next("GET", "/api/v1/meta/types/user", 400, 2);
    let stubborn = RawRequest {
        retries: Some(2),
        retry_delay_ms: Some(10),
        backoff: Some(Backoff::Fixed),
        retry_on_all_errors: Some(true),
        ..raw(HttpMethod::Get, "/api/v1/meta/types/user")
    };
    assert_eq!(
        call!(env, okta_management_raw, call_request, &stubborn)
            .unwrap()
            .status,
        200
    );
    assert_eq!(
        env.mock
            .requests()
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        [400, 400, 200]
    );
    // A 429 waits for the reset, as every node does.
    env.mock.clear_requests();
    env.mock.rate_limit_next(1, Duration::from_secs(1));
    assert_eq!(
        call!(
            env,
            okta_management_raw,
            call_request,
            &raw(HttpMethod::Get, "/api/v1/users/admin@example.com")
        )
        .unwrap()
        .status,
        200
    );
    assert_eq!(env.requests(), 2);
    let too_many = RawRequest {
        retries: Some(11),
        ..raw(HttpMethod::Get, "/api/v1/users/admin@example.com")
    };
    assert_error(
        &call!(env, okta_management_raw, call_request, &too_many).unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );
}

#[tokio::test]
async fn relative_paths_form_and_multipart_bodies_and_binary_answers() {
    let env = Env::seeded().await;
    // A path relative to /api/v1.
    let me = call!(
        env,
        okta_management_raw,
        call_request,
        &raw(HttpMethod::Get, "users/admin@example.com")
    )
    .unwrap();
    assert_eq!(
        env.api_requests()[0].path,
        "/api/v1/users/admin@example.com"
    );
    let me: Value = serde_json::from_str(&me.body).unwrap();
    assert_eq!(me["profile"]["login"], "admin@example.com");

    // Multipart: an app logo, as Okta takes it.
    let slack = env.mock.state().apps.keys().next().unwrap().clone();
    const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgAB5Sfe/AAAAABJRU5ErkJggg==";
    let logo = RawRequest {
        body: Some(RawBody::Multipart(vec![MultipartPart {
            name: "file".into(),
            filename: Some("logo.png".into()),
            content_type: Some("image/png".into()),
            data_base64: PNG_BASE64.into(),
        }])),
        ..raw(HttpMethod::Post, &format!("apps/{slack}/logo"))
    };
    let uploaded = call!(env, okta_management_raw, call_request, &logo).unwrap();
    assert_eq!((uploaded.status, uploaded.body.as_str()), (201, ""));
    let sent = env.api_requests().last().unwrap().clone();
    assert!(
        sent.content_type
            .as_deref()
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );

    // A form body goes out form-encoded (this endpoint wants a file, so Okta refuses it).
    let form = RawRequest {
        body: Some(RawBody::Form(vec![Pair {
            name: "file".into(),
            value: "not an image & more".into(),
        }])),
        ..raw(HttpMethod::Post, &format!("/api/v1/apps/{slack}/logo"))
    };
    let err = call!(env, okta_management_raw, call_request, &form).unwrap_err();
    assert_error(&err, ErrorKind::BadRequest, Some("E0000001"));
    let sent = env.api_requests().last().unwrap().clone();
    assert_eq!(
        (sent.content_type.as_deref(), sent.body.as_str()),
        (
            Some("application/x-www-form-urlencoded"),
            "file=not%20an%20image%20%26%20more"
        )
    );

    // A binary answer: the QR code a TOTP enrollment links to.
    let user = env.add_user("qr@example.com");
    let factor = call!(
        env,
        okta_management_factors,
        call_enroll_factor,
        &enroll(
            &user,
            okta_host::wit::factors::FactorType::TokenSoftwareTotp
        )
    )
    .unwrap();
    // The link is on the org: the raw node takes the org's own URL.
    let qr = factor.totp_qr_code_url.unwrap();
    assert!(qr.starts_with(&format!("https://{ORG}/")), "{qr}");
    let image = call!(
        env,
        okta_management_raw,
        call_request,
        &raw(HttpMethod::Get, &qr)
    )
    .unwrap();
    assert_eq!(
        (image.content_type.as_deref(), image.body.as_str()),
        (Some("image/png"), "")
    );
    assert_eq!(image.body_base64.as_deref(), Some(PNG_BASE64));
}

#[tokio::test]
async fn a_raw_write_is_not_sent_again_unless_the_caller_says_so() {
    let env = Env::start().await;
    let id = env.add_user("raw-delete@example.com");
    let delete = raw(HttpMethod::Delete, &format!("users/{id}"));
    // A lost answer to a DELETE: sending it again could delete what it deactivated.
    env.mock
        .fail_next("DELETE", &format!("/api/v1/users/{id}"), 503, 3);
    let err = call!(env, okta_management_raw, call_request, &delete).unwrap_err();
    assert_error(&err, ErrorKind::Server, Some("E0000010"));
    assert_eq!((err.attempts, err.retryable), (1, false));
    assert_eq!(env.requests(), 1);
    // A read is sent again.
    env.mock.clear_requests();
    env.mock
        .fail_next("GET", "/api/v1/users/admin@example.com", 503, 1);
    call!(
        env,
        okta_management_raw,
        call_request,
        &raw(HttpMethod::Get, "users/admin@example.com")
    )
    .unwrap();
    assert_eq!(env.requests(), 2);
    // The caller may say otherwise, knowing what a repeat does.
    env.mock.clear_requests();
    let told = RawRequest {
        retry_on_all_errors: Some(true),
        retry_delay_ms: Some(1),
        ..delete
    };
    call!(env, okta_management_raw, call_request, &told).unwrap();
    assert_eq!(env.requests(), 3, "two more 503s, then the DELETE");
    assert_eq!(
        env.mock.state().users[&id].status,
        okta_mock::Status::Deprovisioned
    );
}
