//! What goes on the wire, as the mock Okta receives it: the framing of every method.

mod common;

use common::*;
use okta_host::wit::raw::{HttpMethod, RawBody, RawRequest};
use okta_host::wit::users::{
    ClearUserSessionsRequest, GetUserRequest, SuspendUserRequest, UpdateUserRequest,
};

/// `(method, path, content-length, transfer-encoding)` of each API request the mock
/// received.
fn framing(env: &Env) -> Vec<(String, String, Option<String>, Option<String>)> {
    env.api_requests()
        .into_iter()
        .map(|r| (r.method, r.path, r.content_length, r.transfer_encoding))
        .collect()
}

#[tokio::test]
async fn each_method_is_framed_as_okta_sdks_frame_it() {
    let env = Env::seeded().await;
    let id = env.add_user("framing@example.com");
    users!(
        env,
        call_get_user,
        &GetUserRequest {
            user_id: id.clone(),
            expand: None
        }
    )
    .unwrap();
    users!(
        env,
        call_suspend_user,
        &SuspendUserRequest {
            user_id: id.clone()
        }
    )
    .unwrap();
    users!(
        env,
        call_clear_user_sessions,
        &ClearUserSessionsRequest {
            user_id: id.clone(),
            oauth_tokens: None,
            forget_devices: None,
        }
    )
    .unwrap();
    let mut update = UpdateUserRequest {
        user_id: id.clone(),
        profile: empty_profile(),
        profile_extra: None,
        password: None,
        recovery_question: None,
        strict: None,
        realm_id: None,
    };
    update.profile.title = Some("Engineer".into());
    users!(env, call_update_user, &update).unwrap();
    let body = r#"{"profile":{"title":"Engineer"}}"#;
    let got = framing(&env);
    let users = format!("/api/v1/users/{id}");
    assert_eq!(
        got,
        vec![
            // A GET and a DELETE carry no body and no framing header.
            ("GET".into(), users.clone(), None, None),
            // A bodiless POST says its length is 0: Okta answers 411 without it.
            (
                "POST".into(),
                format!("{users}/lifecycle/suspend"),
                Some("0".into()),
                None
            ),
            ("DELETE".into(), format!("{users}/sessions"), None, None),
            // A body goes out with its length, never chunked.
            (
                "POST".into(),
                users.clone(),
                Some(body.len().to_string()),
                None
            ),
        ]
    );
    assert_eq!(env.api_requests()[3].body, body);
}

#[tokio::test]
async fn a_raw_request_is_framed_the_same_way() {
    let env = Env::seeded().await;
    let id = env.add_user("raw-framing@example.com");
    for (method, body) in [
        (HttpMethod::Delete, None),
        (HttpMethod::Put, None),
        (HttpMethod::Patch, Some(r#"{"a":1}"#)),
    ] {
        let request = RawRequest {
            body: body.map(|b| RawBody::Json(b.into())),
            retries: Some(0),
            ..raw(method, &format!("/api/v1/users/{id}/sessions"))
        };
        // The mock has no PUT or PATCH route here: only the framing matters.
        let _ = call!(env, okta_management_raw, call_request, &request);
    }
    let got = framing(&env);
    let path = format!("/api/v1/users/{id}/sessions");
    assert_eq!(
        got,
        vec![
            ("DELETE".into(), path.clone(), None, None),
            ("PUT".into(), path.clone(), Some("0".into()), None),
            ("PATCH".into(), path, Some("7".into()), None),
        ]
    );
}
