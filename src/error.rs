//! Okta's error JSON → the WIT `okta-error` variant.
//!
//! The only module that reads Okta's error body. No message built here contains a
//! credential: the inputs are Okta's own words, status codes and header values.

use crate::retry;
use crate::spec::Response;
use crate::wit::types::{ApiError, OktaError, RateLimit};
use serde::Deserialize;
use std::fmt::Display;

/// How to read an ambiguous error for the operation that got it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Operation {
    /// Reads, creates and updates.
    #[default]
    General,
    /// A lifecycle transition with no body: Okta's `E0000001` can only mean the user's
    /// status does not allow it (suspend, unsuspend).
    Transition,
}

/// Okta codes that say the object's status does not allow the operation.
const STATE_CODES: &[&str] = &[
    "E0000016", // activation failed: already active
    "E0000032", // unlock not allowed
    "E0000034", // forgot password not allowed
    "E0000035", // change password not allowed
    "E0000036", // change recovery question not allowed
    "E0000038", // not allowed in the user's current status
    "E0000107", // entity not in the expected state
    "E0000112", // user still being activated
    "E0000117", // inactive user
];

/// Okta codes sent with a 403 that reject the input itself rather than the caller.
const REJECTED_INPUT_CODES: &[&str] = &[
    "E0000014", // update of credentials failed: wrong current password
    "E0000077", // read-only attribute
    "E0000078", // immutable attribute
    "E0000080", // password policy
    "E0000087", // wrong recovery answer
];

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    error_code: Option<String>,
    error_summary: Option<String>,
    error_id: Option<String>,
    #[serde(default)]
    error_causes: Vec<ErrorCause>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorCause {
    error_summary: Option<String>,
}

/// An `invalid-input` error: nothing was sent.
pub(crate) fn invalid_input(message: impl Into<String>) -> OktaError {
    OktaError::InvalidInput(message.into())
}

/// A `decode` error for a body that did not parse as `what`.
pub(crate) fn decode(what: &str, err: impl Display) -> OktaError {
    OktaError::Decode(format!("could not read {what}: {err}"))
}

/// A `not-found` for an object the node looked up itself (a login found by search).
pub(crate) fn not_found(summary: String) -> OktaError {
    OktaError::NotFound(ApiError {
        status: 404,
        error_code: Some("E0000007".into()),
        error_summary: summary,
        error_causes: Vec::new(),
        error_id: None,
        request_id: None,
    })
}

/// Reads Okta's error body from a response.
fn api_error(resp: &Response) -> ApiError {
    let body: ErrorBody = serde_json::from_slice(&resp.body).unwrap_or_default();
    let summary = body.error_summary.unwrap_or_else(|| {
        let text = String::from_utf8_lossy(&resp.body);
        let text = text.trim();
        if text.is_empty() || text.len() > 200 {
            format!("HTTP {}", resp.status)
        } else {
            text.to_string()
        }
    });
    ApiError {
        status: resp.status,
        error_code: body.error_code,
        error_summary: summary,
        error_causes: body
            .error_causes
            .into_iter()
            .filter_map(|c| c.error_summary)
            .collect(),
        error_id: body.error_id,
        request_id: resp.header("x-okta-request-id").map(str::to_string),
    }
}

fn has_code(api: &ApiError, codes: &[&str]) -> bool {
    api.error_code
        .as_deref()
        .is_some_and(|code| codes.contains(&code))
}

/// Whether a validation error says a unique field (such as the login) already exists.
fn says_already_exists(api: &ApiError) -> bool {
    api.error_causes
        .iter()
        .any(|cause| cause.contains("already exists"))
}

/// Maps a non-2xx response to the error case a flow branches on.
pub(crate) fn from_response(resp: &Response, operation: Operation) -> OktaError {
    let api = api_error(resp);
    match resp.status {
        401 => OktaError::Unauthorized(api),
        403 if has_code(&api, STATE_CODES) => OktaError::InvalidState(api),
        403 if has_code(&api, REJECTED_INPUT_CODES) => OktaError::BadRequest(api),
        403 => OktaError::Forbidden(api),
        404 | 410 => OktaError::NotFound(api),
        409 => OktaError::Conflict(api),
        429 => OktaError::RateLimited(RateLimit {
            reset_at: retry::reset_at(resp),
            limit: header_u32(resp, "x-rate-limit-limit"),
            remaining: header_u32(resp, "x-rate-limit-remaining"),
            error: api,
        }),
        400 | 422 if says_already_exists(&api) => OktaError::Conflict(api),
        400 | 422 if has_code(&api, STATE_CODES) => OktaError::InvalidState(api),
        400 if operation == Operation::Transition && has_code(&api, &["E0000001"]) => {
            OktaError::InvalidState(api)
        }
        400 | 405 | 411 | 412 | 413 | 414 | 415 | 422 => OktaError::BadRequest(api),
        500..=599 => OktaError::Server(api),
        _ => OktaError::Unexpected(api),
    }
}

fn header_u32(resp: &Response, name: &str) -> Option<u32> {
    resp.header(name).and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![("x-okta-request-id".into(), "req123".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    fn okta(code: &str, causes: &[&str]) -> String {
        serde_json::json!({
            "errorCode": code,
            "errorSummary": "summary",
            "errorLink": code,
            "errorId": "oae123",
            "errorCauses": causes.iter().map(|c| serde_json::json!({"errorSummary": c})).collect::<Vec<_>>(),
        })
        .to_string()
    }

    #[test]
    fn carries_okta_error_body() {
        let err = from_response(&resp(404, &okta("E0000007", &[])), Operation::General);
        let OktaError::NotFound(api) = err else {
            panic!("{err:?}")
        };
        assert_eq!(api.status, 404);
        assert_eq!(api.error_code.as_deref(), Some("E0000007"));
        assert_eq!(api.error_summary, "summary");
        assert_eq!(api.error_id.as_deref(), Some("oae123"));
        assert_eq!(api.request_id.as_deref(), Some("req123"));
    }

    #[test]
    fn maps_statuses_and_codes_to_cases() {
        let cases: &[(u16, &str, &[&str], Operation, &str)] = &[
            (401, "E0000011", &[], Operation::General, "unauthorized"),
            (403, "E0000006", &[], Operation::General, "forbidden"),
            (403, "E0000038", &[], Operation::General, "invalid-state"),
            (403, "E0000016", &[], Operation::General, "invalid-state"),
            (403, "E0000014", &[], Operation::General, "bad-request"),
            (403, "E0000080", &[], Operation::General, "bad-request"),
            (409, "E0000062", &[], Operation::General, "conflict"),
            (
                400,
                "E0000001",
                &["login: An object with this field already exists in the current organization"],
                Operation::General,
                "conflict",
            ),
            (
                400,
                "E0000001",
                &["email: bad"],
                Operation::General,
                "bad-request",
            ),
            (400, "E0000001", &[], Operation::Transition, "invalid-state"),
            (400, "E0000031", &[], Operation::Transition, "bad-request"),
            (500, "E0000009", &[], Operation::General, "server"),
            (503, "E0000010", &[], Operation::General, "server"),
            (302, "", &[], Operation::General, "unexpected"),
        ];
        for (status, code, causes, op, want) in cases {
            let got = from_response(&resp(*status, &okta(code, causes)), *op);
            let name = match got {
                OktaError::Unauthorized(_) => "unauthorized",
                OktaError::Forbidden(_) => "forbidden",
                OktaError::InvalidState(_) => "invalid-state",
                OktaError::BadRequest(_) => "bad-request",
                OktaError::Conflict(_) => "conflict",
                OktaError::Server(_) => "server",
                OktaError::Unexpected(_) => "unexpected",
                other => panic!("{other:?}"),
            };
            assert_eq!(name, *want, "{status} {code} {causes:?}");
        }
    }

    #[test]
    fn a_429_carries_the_rate_limit_headers() {
        let mut r = resp(429, &okta("E0000047", &[]));
        r.headers.push(("x-rate-limit-limit".into(), "600".into()));
        r.headers
            .push(("x-rate-limit-remaining".into(), "0".into()));
        r.headers
            .push(("x-rate-limit-reset".into(), "1700000100".into()));
        r.headers
            .push(("x-rate-limit-reset".into(), "1700000060".into()));
        let OktaError::RateLimited(rl) = from_response(&r, Operation::General) else {
            panic!()
        };
        assert_eq!(rl.reset_at, Some(1_700_000_060));
        assert_eq!(rl.limit, Some(600));
        assert_eq!(rl.remaining, Some(0));
        assert_eq!(rl.error.error_code.as_deref(), Some("E0000047"));
    }

    #[test]
    fn a_body_that_is_not_okta_json_still_gives_an_error() {
        let OktaError::Server(api) =
            from_response(&resp(502, "<html>bad gateway</html>"), Operation::General)
        else {
            panic!()
        };
        assert_eq!(api.error_code, None);
        assert_eq!(api.error_summary, "<html>bad gateway</html>");
        let OktaError::Server(api) = from_response(&resp(500, ""), Operation::General) else {
            panic!()
        };
        assert_eq!(api.error_summary, "HTTP 500");
    }
}
