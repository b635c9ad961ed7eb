//! Okta's error bodies, with the codes and summaries of Okta's error-code table.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};

static ERROR_IDS: AtomicU64 = AtomicU64::new(1);

/// An Okta error the mock answers with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockError {
    /// The HTTP status.
    pub status: u16,
    /// The `E0000xxx` code.
    pub code: &'static str,
    /// The summary.
    pub summary: String,
    /// The causes' summaries.
    pub causes: Vec<String>,
}

impl MockError {
    /// Any error.
    pub fn new(status: u16, code: &'static str, summary: impl Into<String>) -> Self {
        MockError {
            status,
            code,
            summary: summary.into(),
            causes: Vec::new(),
        }
    }

    /// Adds a cause.
    pub fn cause(mut self, cause: impl Into<String>) -> Self {
        self.causes.push(cause.into());
        self
    }

    /// `E0000001` 400: a validation failed.
    pub fn validation(what: &str, cause: impl Into<String>) -> Self {
        Self::new(400, "E0000001", format!("Api validation failed: {what}")).cause(cause)
    }

    /// `E0000003` 400: the body is not JSON.
    pub fn unreadable_body() -> Self {
        Self::new(400, "E0000003", "The request body was not well-formed.")
    }

    /// `E0000007` 404.
    pub fn not_found(key: &str, kind: &str) -> Self {
        Self::new(
            404,
            "E0000007",
            format!("Not found: Resource not found: {key} ({kind})"),
        )
    }

    /// `E0000008` 404: no path Okta has, with what the mock could not route.
    pub fn no_path(cause: impl Into<String>) -> Self {
        Self::new(404, "E0000008", "The requested path was not found").cause(cause)
    }

    /// The status an `activate` or `deactivate` lifecycle operation on a resource leads
    /// to; any other operation names no path.
    pub fn lifecycle_status(action: &str, resource: &str) -> Result<&'static str, Self> {
        match action {
            "activate" => Ok("ACTIVE"),
            "deactivate" => Ok("INACTIVE"),
            other => Err(Self::no_path(format!("no {resource} operation `{other}`"))),
        }
    }

    /// `E0000011` 401.
    pub fn invalid_token() -> Self {
        Self::new(401, "E0000011", "Invalid token provided")
    }

    /// `E0000038` 403: the user's status forbids the operation.
    pub fn wrong_status() -> Self {
        Self::new(
            403,
            "E0000038",
            "This operation is not allowed in the user's current status.",
        )
    }

    /// `E0000080` 403: the password policy refuses the new password.
    pub fn policy(cause: impl Into<String>) -> Self {
        Self::new(
            403,
            "E0000080",
            "The password does not meet the complexity requirements of the current password policy.",
        )
        .cause(cause)
    }

    /// `E0000031` 400: a filter or search that cannot be read.
    pub fn bad_search(why: impl Into<String>) -> Self {
        Self::new(400, "E0000031", "Invalid search criteria.").cause(why)
    }

    /// `E0000047` 429.
    pub fn rate_limited() -> Self {
        Self::new(
            429,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
        )
    }

    /// A scripted failure.
    pub fn scripted(status: u16) -> Self {
        match status {
            503 => Self::new(503, "E0000010", "Service is in read only mode"),
            s if s >= 500 => Self::new(s, "E0000009", "Internal Server Error"),
            s => Self::new(s, "E0000001", "Api validation failed: scripted failure"),
        }
    }
}

impl IntoResponse for MockError {
    fn into_response(self) -> Response {
        let id = ERROR_IDS.fetch_add(1, Ordering::Relaxed);
        let body = json!({
            "errorCode": self.code,
            "errorSummary": self.summary,
            "errorLink": self.code,
            "errorId": format!("oaemock{id:012}"),
            "errorCauses": self.causes.iter().map(|c| json!({ "errorSummary": c })).collect::<Vec<_>>(),
        });
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(body)).into_response()
    }
}
