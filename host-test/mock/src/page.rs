//! Replies: JSON bodies, empty bodies and cursor pages with separate `link` headers.

use super::Call;
use super::errors::MockError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::ops::Bound;

/// The largest page the mock serves.
const MAX_LIMIT: usize = 200;

/// 200 with a JSON body.
pub fn json(body: Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// 201 with a JSON body.
pub fn created(body: Value) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

/// 202 with no body.
pub fn accepted() -> Response {
    StatusCode::ACCEPTED.into_response()
}

/// 204.
pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// A JSON array with a `self` link and, when `next` is given, a `next` link.
pub fn reply(call: &Call, items: Vec<Value>, next: Option<String>) -> Response {
    let mut response = json(Value::Array(items));
    let self_link = match call.raw_query() {
        Some(query) => format!("<{}{}?{query}>; rel=\"self\"", call.base, call.raw_path()),
        None => format!("<{}{}>; rel=\"self\"", call.base, call.raw_path()),
    };
    let headers = response.headers_mut();
    for link in std::iter::once(self_link)
        .chain(next.map(|n| format!("<{}{}?{n}>; rel=\"next\"", call.base, call.raw_path())))
    {
        if let Ok(value) = HeaderValue::from_str(&link) {
            headers.append(header::LINK, value);
        }
    }
    response
}

/// Where a page starts and how long it is: Okta's `after` (an id) and `limit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The id the page starts after.
    pub after: Option<String>,
    /// The most items on the page.
    pub limit: usize,
}

impl Cursor {
    /// Reads `after` and `limit` (default and most: 200).
    pub fn of(call: &Call) -> Result<Cursor, MockError> {
        let limit = call.usize_param("limit")?.unwrap_or(MAX_LIMIT);
        if limit == 0 {
            return Err(MockError::new(400, "E0000029", "Invalid paging request."));
        }
        Ok(Cursor {
            after: call.param("after").map(str::to_string),
            limit: limit.min(MAX_LIMIT),
        })
    }

    /// The range of ids after the cursor, for a map keyed by id.
    pub fn range(&self) -> (Bound<String>, Bound<String>) {
        match &self.after {
            Some(after) => (Bound::Excluded(after.clone()), Bound::Unbounded),
            None => (Bound::Unbounded, Bound::Unbounded),
        }
    }

    /// Where a page of a list in some other order (a sorted search) starts: just after the
    /// item with the cursor's id; at the start without a cursor; at the end when the id is
    /// not in the list.
    pub fn start_in<'a>(&self, ids: impl ExactSizeIterator<Item = &'a str>) -> usize {
        let len = ids.len();
        match &self.after {
            None => 0,
            Some(after) => ids
                .into_iter()
                .position(|id| id == after)
                .map_or(len, |i| i + 1),
        }
    }

    /// One page from `items`, which yields `(id, item)` from just after the cursor in list
    /// order. Only the page's items are rendered (and one more looked at), so a page costs
    /// its own size, not the list's. A `next` link follows when more items remain; it keeps
    /// every query parameter and sets `after` to the page's last id.
    pub fn page<K: AsRef<str>, T>(
        &self,
        call: &Call,
        items: impl IntoIterator<Item = (K, T)>,
        mut render: impl FnMut(T) -> Value,
    ) -> Response {
        let mut page = Vec::new();
        let mut last = None;
        let mut more = false;
        for (id, item) in items {
            if page.len() == self.limit {
                more = true;
                break;
            }
            last = Some(id.as_ref().to_string());
            page.push(render(item));
        }
        let next = last.filter(|_| more).map(|last| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            for (key, value) in call.params() {
                if key != "after" && key != "limit" {
                    query.append_pair(key, value);
                }
            }
            query.append_pair("after", &last);
            query.append_pair("limit", &self.limit.to_string());
            query.finish()
        });
        reply(call, page, next)
    }
}
