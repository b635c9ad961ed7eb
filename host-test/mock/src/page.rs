//! Replies: JSON bodies, empty bodies and cursor pages with separate `link` headers.

use super::errors::MockError;
use super::{Call, Reply};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The largest page the mock serves.
const MAX_LIMIT: usize = 200;

/// 200 with a JSON body.
pub fn json(body: Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
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

/// One page of a list whose items have the given ids, cut by `after` (an id) and `limit`.
pub fn cursor_page(call: &Call, ids: &[String], items: Vec<Value>) -> Reply {
    let limit = call.usize_param("limit")?.unwrap_or(MAX_LIMIT);
    if limit == 0 {
        return Err(MockError::new(400, "E0000029", "Invalid paging request."));
    }
    let limit = limit.min(MAX_LIMIT);
    let start = match call.param("after") {
        None => 0,
        Some(after) => match ids.iter().position(|id| id == after) {
            Some(i) => i + 1,
            None => ids
                .iter()
                .position(|id| id.as_str() > after)
                .unwrap_or(ids.len()),
        },
    };
    let end = (start + limit).min(ids.len());
    let next = (end < ids.len()).then(|| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in call.params() {
            if key != "after" && key != "limit" {
                query.append_pair(key, value);
            }
        }
        query.append_pair("after", &ids[end - 1]);
        query.append_pair("limit", &limit.to_string());
        query.finish()
    });
    let page = items.into_iter().skip(start).take(end - start).collect();
    Ok(reply(call, page, next))
}
