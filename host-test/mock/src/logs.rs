//! `/api/v1/logs`: the system log, with Okta's bounded and polling requests.
//!
//! A request is a polling request when it sorts ascending and has no `until`: it always
//! gets a `next` link, even on an empty page, so a poller can come back for later events.

use super::errors::MockError;
use super::filter;
use super::{Call, Mock, Reply, page};
use axum::extract::State as Extract;
use serde_json::Value;
use std::time::{Duration, SystemTime};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

fn parse_time(value: &str, name: &str) -> Result<SystemTime, MockError> {
    humantime::parse_rfc3339_weak(value.trim_end_matches('Z').trim_end_matches("+00:00"))
        .map_err(|_| MockError::new(400, "E0000030", "Bad request. Invalid date. Dates must be of the form yyyy-MM-dd'T'HH:mm:ss.SSSZZ, e.g. 2013-01-01T12:00:00.000-07:00.").cause(name.to_string()))
}

/// `GET /api/v1/logs`.
pub async fn list(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let limit = call.usize_param("limit")?.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(MockError::validation(
            "limit",
            format!("limit must be from 1 to {MAX_LIMIT}"),
        ));
    }
    let descending = match call.param("sortOrder") {
        None | Some("ASCENDING") => false,
        Some("DESCENDING") => true,
        Some(other) => {
            return Err(MockError::validation(
                "sortOrder",
                format!("sortOrder: {other} is not ASCENDING or DESCENDING"),
            ));
        }
    };
    let until = call
        .param("until")
        .map(|u| parse_time(u, "until"))
        .transpose()?;
    let since = match call.param("since") {
        Some(s) => parse_time(s, "since")?,
        None => until.unwrap_or_else(SystemTime::now) - Duration::from_secs(7 * 86_400),
    };
    let expr = call
        .param("filter")
        .map(filter::parse)
        .transpose()
        .map_err(MockError::bad_search)?;
    let terms: Vec<String> = call
        .param("q")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let state = mock.lock();
    let mut events: Vec<&Value> = state
        .events
        .iter()
        .filter(|e| {
            let published = e["published"]
                .as_str()
                .and_then(|p| parse_time(p, "published").ok());
            published.is_some_and(|p| p >= since && until.is_none_or(|u| p < u))
        })
        .filter(|e| expr.as_ref().is_none_or(|x| filter::matches(x, *e, false)))
        .filter(|e| {
            let text = e.to_string().to_lowercase();
            terms.iter().all(|t| text.contains(t))
        })
        .collect();
    if descending {
        events.reverse();
    }
    let start = match call.param("after") {
        None => 0,
        Some(after) => events
            .iter()
            .position(|e| e["uuid"] == after)
            .map_or(events.len(), |i| i + 1),
    };
    let end = (start + limit).min(events.len());
    let polling = !descending && until.is_none();
    let last = if end > start {
        events[end - 1]["uuid"].as_str().map(str::to_string)
    } else {
        call.param("after").map(str::to_string)
    };
    // Okta's `next` link keeps every query parameter, `since` included, and sets `after`.
    let next = (end < events.len() || polling).then(|| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in call.params() {
            if key != "after" {
                query.append_pair(key, value);
            }
        }
        if let Some(after) = &last {
            query.append_pair("after", after);
        }
        query.finish()
    });
    let items = events[start..end].iter().map(|e| (*e).clone()).collect();
    Ok(page::reply(&call, items, next))
}
