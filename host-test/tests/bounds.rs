//! Input that could exhaust an instance is refused as `invalid-input` before any request:
//! oversized strings, bodies, headers and URLs, and JSON larger than a node takes. No call
//! traps.

mod common;

use common::*;
use okta_host::Outcome;
use okta_host::wit::raw::{HttpMethod, RawBody, RawRequest};
use okta_host::wit::types::{ErrorKind, Pair};
use okta_host::wit::users::{GetUserRequest, ListUsersRequest, UpdateUserRequest};
use serde_json::json;

fn refused(err: &okta_host::wit::types::OktaError, field: &str) {
    assert_error(err, ErrorKind::InvalidInput, None);
    assert!(err.message.contains(field), "{field}: {}", err.message);
    assert_eq!(err.attempts, 0);
}

#[tokio::test]
async fn oversized_input_is_refused_before_anything_is_sent() {
    let env = Env::start().await;
    let big = |n: usize| "a".repeat(n);

    let err = users!(
        env,
        call_get_user,
        &GetUserRequest {
            user_id: big(2 << 20),
            expand: None
        }
    )
    .unwrap_err();
    refused(&err, "user-id");

    let err = users!(
        env,
        call_update_user,
        &UpdateUserRequest {
            user_id: "00u1aaaaaaaaaaaaaaaa".into(),
            profile: empty_profile(),
            profile_extra: Some(format!("{{\"x\": \"{}\"}}", big(2 << 20))),
            password: None,
            recovery_question: None,
            strict: None,
            realm_id: None,
        }
    )
    .unwrap_err();
    refused(&err, "profile-extra");

    // A search that would make a URL no server takes ("URI too long") is not sent.
    let err = users!(
        env,
        call_list_users,
        &ListUsersRequest {
            q: None,
            filter: None,
            search: Some(format!("profile.x eq \"{}\"", big(20 << 10))),
            sort_by: None,
            sort_order: None,
            extra_query: None,
            include_raw: None,
            page: None,
        }
    )
    .unwrap_err();
    refused(&err, "URL");

    let body = RawRequest {
        body: Some(RawBody::Json(format!("\"{}\"", big(9 << 20)))),
        ..raw(HttpMethod::Post, "users")
    };
    let err = call!(env, okta_management_raw, call_request, &body).unwrap_err();
    refused(&err, "body");

    for (headers, field) in [
        (
            vec![Pair {
                name: "X-Big".into(),
                value: big(140 << 10),
            }],
            "header",
        ),
        (
            vec![Pair {
                name: "X-Nul".into(),
                value: "a\0b".into(),
            }],
            "control character",
        ),
        (
            vec![Pair {
                name: "X-Tab".into(),
                value: "a\tb".into(),
            }],
            "control character",
        ),
        (
            (0..100)
                .map(|i| Pair {
                    name: format!("X-{i}"),
                    value: "v".into(),
                })
                .collect(),
            "headers",
        ),
    ] {
        let request = RawRequest {
            headers: Some(headers),
            ..raw(HttpMethod::Get, "users/me")
        };
        let err = call!(env, okta_management_raw, call_request, &request).unwrap_err();
        refused(&err, field);
    }
    assert_eq!(env.requests(), 0, "nothing was sent");
}

#[tokio::test]
async fn json_larger_than_a_node_takes_never_reaches_the_instance() {
    let env = Env::start().await;
    let input = json!({"user-id": "a".repeat(okta_host::MAX_INPUT_BYTES + 1)});
    let outcome = env
        .host
        .call_json(&env.conn, "users.get-user", &input)
        .await
        .unwrap();
    let Outcome::Err(error) = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(error["kind"], "invalid-input");
    assert!(error["message"].as_str().unwrap().contains("larger than"));
    assert_eq!(env.requests(), 0);
}
