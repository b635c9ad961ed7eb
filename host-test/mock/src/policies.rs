//! `/api/v1/policies` and `/api/v1/realms`, from the org's seed data.

use super::errors::MockError;
use super::filter;
use super::{Call, Mock, Reply, page};
use axum::extract::State as Extract;
use serde_json::Value;

const POLICY_TYPES: &[&str] = &[
    "ACCESS_POLICY",
    "ENTITY_RISK",
    "IDP_DISCOVERY",
    "MFA_ENROLL",
    "OKTA_SIGN_ON",
    "PASSWORD",
    "POST_AUTH_SESSION",
    "PROFILE_ENROLLMENT",
    "DEVICE_SIGNAL_COLLECTION",
    "SESSION_VIOLATION_DETECTION",
    "CLIENT_UPDATE",
    "IDENTITY_CLAIM_SOURCING",
];

/// Sorts by a dotted property, then by id.
fn sort(items: &mut [Value], by: &str, descending: bool) {
    let key = |v: &Value| {
        filter::lookup(v, by)
            .map(|k| k.to_string())
            .unwrap_or_default()
    };
    items.sort_by(|a, b| {
        key(a)
            .cmp(&key(b))
            .then(a["id"].to_string().cmp(&b["id"].to_string()))
    });
    if descending {
        items.reverse();
    }
}

fn paged(call: &Call, items: Vec<Value>) -> Reply {
    let cursor = page::Cursor::of(call)?;
    let id = |item: &Value| item["id"].as_str().unwrap_or_default().to_string();
    let start = cursor.start_in(items.iter().map(|p| p["id"].as_str().unwrap_or_default()));
    let walk = items.into_iter().skip(start).map(|item| (id(&item), item));
    Ok(cursor.page(call, walk, |item| item))
}

/// `GET /api/v1/policies?type=`.
pub async fn list_policies(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let kind = call.param("type").ok_or_else(|| {
        MockError::new(
            400,
            "E0000028",
            "The request is missing a required parameter.",
        )
        .cause("type")
    })?;
    if !POLICY_TYPES.contains(&kind) {
        return Err(MockError::validation(
            "type",
            format!("type: {kind} is not a policy type"),
        ));
    }
    let status = call.param("status");
    if status.is_some_and(|s| s != "ACTIVE" && s != "INACTIVE") {
        return Err(MockError::validation(
            "status",
            "status must be ACTIVE or INACTIVE",
        ));
    }
    let q = call.param("q").map(str::to_lowercase);
    let state = mock.lock();
    let mut policies: Vec<Value> = state
        .policies
        .iter()
        .filter(|p| p["type"] == kind)
        .filter(|p| status.is_none_or(|s| p["status"] == s))
        .filter(|p| {
            q.as_ref().is_none_or(|q| {
                p["name"]
                    .as_str()
                    .is_some_and(|n| n.to_lowercase().starts_with(q))
            })
        })
        .cloned()
        .collect();
    policies.sort_by_key(|p| p["priority"].as_u64());
    if let Some(by) = call.param("sortBy") {
        sort(&mut policies, by, false);
    }
    paged(&call, policies)
}

/// `GET /api/v1/realms`.
pub async fn list_realms(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let expr = call
        .param("search")
        .map(filter::parse)
        .transpose()
        .map_err(MockError::bad_search)?;
    let state = mock.lock();
    let mut realms: Vec<Value> = state
        .realms
        .iter()
        .filter(|r| expr.as_ref().is_none_or(|x| filter::matches(x, *r, true)))
        .cloned()
        .collect();
    if let Some(by) = call.param("sortBy") {
        sort(
            &mut realms,
            by,
            call.param("sortOrder")
                .is_some_and(|o| o.eq_ignore_ascii_case("desc")),
        );
    }
    paged(&call, realms)
}
