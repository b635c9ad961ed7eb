//! Okta's error JSON → the WIT `okta-error` record.
//!
//! The only module that reads Okta's error body. No message built here contains a
//! credential: the inputs are Okta's own words, status codes and header values.

use crate::client::retry;
use crate::client::spec::Response;
use crate::wit::types::{ErrorKind, OktaError};
use serde_json::Value;
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
    "E0000068", // wrong factor pass code
    "E0000080", // password policy
    "E0000087", // wrong recovery answer
];

/// An error the node reports in its own words (nothing came from Okta).
pub(crate) fn failure(kind: ErrorKind, message: impl Into<String>) -> OktaError {
    OktaError {
        kind,
        message: message.into(),
        status: None,
        error_code: None,
        error_causes: Vec::new(),
        error_id: None,
        request_id: None,
        reset_at: None,
        retryable: false,
        attempts: 0,
    }
}

/// An `invalid-input` error: nothing was sent.
pub(crate) fn invalid_input(message: impl Into<String>) -> OktaError {
    failure(ErrorKind::InvalidInput, message)
}

/// A `decode` error for a body that did not parse as `what`.
pub(crate) fn decode(what: &str, err: impl Display) -> OktaError {
    failure(ErrorKind::Decode, format!("could not read {what}: {err}"))
}

/// A `not-found` for an object the node looked up itself (a login found by search).
pub(crate) fn not_found(summary: String) -> OktaError {
    OktaError {
        status: Some(404),
        error_code: Some("E0000007".into()),
        ..failure(ErrorKind::NotFound, summary)
    }
}

/// The value of one parameter of a `WWW-Authenticate` challenge (RFC 9110 §11.6.1), such
/// as `error` or `scope` in `Bearer error="insufficient_scope", scope="okta.users.read"`.
pub(crate) fn challenge_param(resp: &Response, name: &str) -> Option<String> {
    resp.header_values("www-authenticate").find_map(|value| {
        let mut rest = value;
        while let Some(at) = rest.find(name) {
            let before = rest[..at].chars().next_back();
            let after = rest[at + name.len()..].trim_start();
            rest = &rest[at + name.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let Some(after) = after.strip_prefix('=') else {
                continue;
            };
            let after = after.trim_start();
            return Some(match after.strip_prefix('"') {
                Some(quoted) => quoted.split('"').next().unwrap_or_default().to_string(),
                None => after
                    .split([',', ' '])
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            });
        }
        None
    })
}

/// The OAuth 2.0 `error` code of an authorization server's answer (RFC 6749 §5.2), such
/// as `invalid_client` or `use_dpop_nonce`.
pub(crate) fn oauth_error(resp: &Response) -> Option<String> {
    let body: Value = serde_json::from_slice(&resp.body).ok()?;
    body.get("error")?.as_str().map(str::to_string)
}

/// Okta's error body as an error of `kind`; a body that is not Okta's error JSON becomes
/// the message (or the status, when it is empty or long). An authorization server's OAuth
/// error (`error`, `error_description`) is read the same way; a 403 for a missing scope
/// names the scope Okta asked for.
fn okta_error(kind: ErrorKind, resp: &Response, body: &Value) -> OktaError {
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
    let summary = text("errorSummary").or_else(|| text("error_description"));
    let summary = match challenge_param(resp, "error").as_deref() {
        Some("insufficient_scope") => Some(format!(
            "the access token lacks the scope {} this request needs{}",
            challenge_param(resp, "scope").unwrap_or_else(|| "(not named)".into()),
            summary.map(|s| format!(": {s}")).unwrap_or_default()
        )),
        _ => summary,
    };
    let message = summary.unwrap_or_else(|| {
        let raw = String::from_utf8_lossy(&resp.body);
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 200 {
            format!("HTTP {}", resp.status)
        } else {
            raw.to_string()
        }
    });
    let error_causes = body
        .get("errorCauses")
        .and_then(Value::as_array)
        .map(|causes| {
            causes
                .iter()
                .filter_map(|c| {
                    c.get("errorSummary")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    OktaError {
        kind,
        message,
        status: Some(resp.status),
        error_code: text("errorCode").or_else(|| text("error")),
        error_causes,
        error_id: text("errorId"),
        request_id: resp.header("x-okta-request-id").map(str::to_string),
        reset_at: (kind == ErrorKind::RateLimited)
            .then(|| retry::reset_at(resp))
            .flatten(),
        retryable: false,
        attempts: 0,
    }
}

/// The kind of failure a non-2xx response means.
fn kind_of(status: u16, body: &Value, operation: Operation) -> ErrorKind {
    let code = body
        .get("errorCode")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let already_exists = body
        .get("errorCauses")
        .and_then(Value::as_array)
        .is_some_and(|causes| {
            causes.iter().any(|c| {
                c.get("errorSummary")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.contains("already exists"))
            })
        });
    match status {
        401 => ErrorKind::Unauthorized,
        403 if STATE_CODES.contains(&code) => ErrorKind::InvalidState,
        403 if REJECTED_INPUT_CODES.contains(&code) => ErrorKind::BadRequest,
        403 => ErrorKind::Forbidden,
        404 | 410 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        429 => ErrorKind::RateLimited,
        400 | 422 if already_exists => ErrorKind::Conflict,
        400 | 422 if STATE_CODES.contains(&code) => ErrorKind::InvalidState,
        400 if operation == Operation::Transition && code == "E0000001" => ErrorKind::InvalidState,
        400 | 405 | 411 | 412 | 413 | 414 | 415 | 422 => ErrorKind::BadRequest,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::Unexpected,
    }
}

/// Maps a non-2xx response to the error a flow branches on, with Okta's body.
pub(crate) fn from_response(resp: &Response, operation: Operation) -> OktaError {
    let body: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
    okta_error(kind_of(resp.status, &body, operation), resp, &body)
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
        let err = from_response(&resp(404, &okta("E0000007", &["why"])), Operation::General);
        assert_eq!(err.kind, ErrorKind::NotFound);
        assert_eq!(err.message, "summary");
        assert_eq!(err.status, Some(404));
        assert_eq!(err.error_code.as_deref(), Some("E0000007"));
        assert_eq!(err.error_causes, vec!["why"]);
        assert_eq!(err.error_id.as_deref(), Some("oae123"));
        assert_eq!(err.request_id.as_deref(), Some("req123"));
        assert_eq!(err.reset_at, None);
    }

    #[test]
    fn maps_statuses_and_codes_to_kinds() {
        use ErrorKind::*;
        let cases: &[(u16, &str, &[&str], Operation, ErrorKind)] = &[
            (401, "E0000011", &[], Operation::General, Unauthorized),
            (403, "E0000006", &[], Operation::General, Forbidden),
            (403, "E0000038", &[], Operation::General, InvalidState),
            (403, "E0000016", &[], Operation::General, InvalidState),
            (403, "E0000014", &[], Operation::General, BadRequest),
            (403, "E0000080", &[], Operation::General, BadRequest),
            (404, "E0000007", &[], Operation::General, NotFound),
            (409, "E0000062", &[], Operation::General, Conflict),
            (
                400,
                "E0000001",
                &["login: An object with this field already exists in the current organization"],
                Operation::General,
                Conflict,
            ),
            (
                400,
                "E0000001",
                &["email: bad"],
                Operation::General,
                BadRequest,
            ),
            (400, "E0000001", &[], Operation::Transition, InvalidState),
            (400, "E0000031", &[], Operation::Transition, BadRequest),
            (429, "E0000047", &[], Operation::General, RateLimited),
            (500, "E0000009", &[], Operation::General, Server),
            (503, "E0000010", &[], Operation::General, Server),
            (302, "", &[], Operation::General, Unexpected),
        ];
        for (status, code, causes, op, want) in cases {
            let got = from_response(&resp(*status, &okta(code, causes)), *op);
            assert_eq!(got.kind, *want, "{status} {code} {causes:?}");
            assert_eq!(got.status, Some(*status));
        }
    }

    #[test]
    fn a_429_carries_the_earliest_reset() {
        let mut r = resp(429, &okta("E0000047", &[]));
        r.headers
            .push(("x-rate-limit-reset".into(), "1700000100".into()));
        r.headers
            .push(("x-rate-limit-reset".into(), "1700000060".into()));
        let err = from_response(&r, Operation::General);
        assert_eq!(err.kind, ErrorKind::RateLimited);
        assert_eq!(err.reset_at, Some(1_700_000_060));
        assert_eq!(err.error_code.as_deref(), Some("E0000047"));
    }

    #[test]
    fn a_body_that_is_not_okta_json_still_gives_an_error() {
        let err = from_response(&resp(502, "<html>bad gateway</html>"), Operation::General);
        assert_eq!(err.kind, ErrorKind::Server);
        assert_eq!(err.error_code, None);
        assert_eq!(err.message, "<html>bad gateway</html>");
        let err = from_response(&resp(500, ""), Operation::General);
        assert_eq!(err.message, "HTTP 500");
    }

    #[test]
    fn own_errors_carry_no_okta_body() {
        let err = invalid_input("user-id is empty");
        assert_eq!(
            (err.kind, err.message.as_str()),
            (ErrorKind::InvalidInput, "user-id is empty")
        );
        assert!(err.status.is_none() && err.error_code.is_none() && err.error_causes.is_empty());
        let err = not_found("Not found: x (User)".into());
        assert_eq!(
            (err.status, err.error_code.as_deref()),
            (Some(404), Some("E0000007"))
        );
    }
}
