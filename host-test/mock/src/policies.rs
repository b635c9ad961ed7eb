//! `/api/v1/policies` and `/api/v1/realms`: the org's policies (without rules) and realms,
//! kept as Okta writes them, with links made from the request's host.

use super::errors::MockError;
use super::filter;
use super::state::{State, timestamp};
use super::{Call, Mock, Reply, page};
use axum::extract::{Path, State as Extract};
use serde_json::{Value, json};
use std::time::SystemTime;

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

/// A policy as Okta returns it: with its links, by its status.
fn policy_json(policy: &Value, base: &str) -> Value {
    let own = format!(
        "{base}/api/v1/policies/{}",
        policy["id"].as_str().unwrap_or_default()
    );
    let lifecycle = if policy["status"] == "ACTIVE" {
        "deactivate"
    } else {
        "activate"
    };
    let mut json = policy.clone();
    json["_links"] = json!({
        "self": { "href": own, "hints": { "allow": ["GET", "PUT", "DELETE"] } },
        "rules": { "href": format!("{own}/rules"), "hints": { "allow": ["GET", "POST"] } },
        "mappings": { "href": format!("{own}/mappings"), "hints": { "allow": ["GET", "POST"] } },
        lifecycle: { "href": format!("{own}/lifecycle/{lifecycle}"), "hints": { "allow": ["POST"] } },
    });
    json
}

/// A realm as Okta returns it.
fn realm_json(realm: &Value, base: &str) -> Value {
    let mut json = realm.clone();
    json["_links"] = json!({ "self": { "href": format!(
        "{base}/api/v1/realms/{}", realm["id"].as_str().unwrap_or_default()
    )}});
    json
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
    let policies = policies
        .iter()
        .map(|p| policy_json(p, &call.base))
        .collect();
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
        .map(|r| realm_json(r, &call.base))
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

fn policy_index(state: &State, id: &str) -> Result<usize, MockError> {
    state
        .policies
        .iter()
        .position(|p| p["id"] == id)
        .ok_or_else(|| MockError::not_found(id, "Policy"))
}

/// Reads a policy a client writes: `name` and a known `type`; the members Okta sets are
/// not the client's.
fn read_policy(call: &Call) -> Result<Value, MockError> {
    let mut body = call.json()?;
    let Some(object) = body.as_object_mut() else {
        return Err(MockError::validation("policy", "policy: must be an object"));
    };
    for member in [
        "id",
        "created",
        "lastUpdated",
        "system",
        "_links",
        "_embedded",
    ] {
        object.remove(member);
    }
    if object
        .get("name")
        .and_then(Value::as_str)
        .is_none_or(|n| n.trim().is_empty())
    {
        return Err(MockError::validation(
            "name",
            "name: The field cannot be left blank",
        ));
    }
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !POLICY_TYPES.contains(&kind) {
        return Err(MockError::validation(
            "type",
            format!("type: '{kind}' is not a policy type"),
        ));
    }
    Ok(body)
}

/// `POST /api/v1/policies`: `activate` (default true) sets its status; it goes last in its
/// type's priority unless it names one.
pub async fn create_policy(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let activate = call.bool_param("activate")?.unwrap_or(true);
    let mut policy = read_policy(&call)?;
    let mut state = mock.lock();
    if policy.get("conditions").is_none() {
        policy["conditions"] = state.policy_conditions(policy["type"].as_str().unwrap_or_default());
    }
    let now = timestamp(SystemTime::now());
    let last = state
        .policies
        .iter()
        .filter(|p| p["type"] == policy["type"])
        .filter_map(|p| p["priority"].as_u64())
        .max()
        .unwrap_or(0);
    policy["id"] = state.next_id("00p").into();
    policy["status"] = if activate { "ACTIVE" } else { "INACTIVE" }.into();
    policy["system"] = false.into();
    if !policy["priority"].is_u64() {
        policy["priority"] = (last + 1).into();
    }
    policy["created"] = now.clone().into();
    policy["lastUpdated"] = now.into();
    let reply = page::json(policy_json(&policy, &call.base));
    state.policies.push(policy);
    Ok(reply)
}

/// `GET /api/v1/policies/{policyId}`.
pub async fn get_policy(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    let at = policy_index(&state, &id)?;
    Ok(page::json(policy_json(&state.policies[at], &call.base)))
}

/// `PUT /api/v1/policies/{policyId}`: the type stays.
pub async fn replace_policy(
    Extract(mock): Extract<Mock>,
    Path(id): Path<String>,
    call: Call,
) -> Reply {
    let mut policy = read_policy(&call)?;
    let mut state = mock.lock();
    let at = policy_index(&state, &id)?;
    let current = state.policies[at].clone();
    if policy.get("conditions").is_none() {
        policy["conditions"] = state.policy_conditions(policy["type"].as_str().unwrap_or_default());
    }
    if policy["type"] != current["type"] {
        return Err(MockError::validation(
            "type",
            "type: The type of a policy cannot be changed.",
        ));
    }
    // Okta's members stay; the priority only when the client gives none.
    for member in ["id", "status", "system", "created"] {
        policy[member] = current[member].clone();
    }
    if !policy["priority"].is_u64() {
        policy["priority"] = current["priority"].clone();
    }
    policy["lastUpdated"] = timestamp(SystemTime::now()).into();
    state.policies[at] = policy;
    Ok(page::json(policy_json(&state.policies[at], &call.base)))
}

/// `DELETE /api/v1/policies/{policyId}`: not a default (system) policy.
pub async fn delete_policy(Extract(mock): Extract<Mock>, Path(id): Path<String>) -> Reply {
    let mut state = mock.lock();
    let at = policy_index(&state, &id)?;
    if state.policies[at]["system"] == true {
        return Err(MockError::new(
            403,
            "E0000006",
            "You do not have permission to perform the requested action",
        )
        .cause("The default policy cannot be deleted."));
    }
    state.policies.remove(at);
    Ok(page::no_content())
}

/// `POST /api/v1/policies/{policyId}/lifecycle/{activate|deactivate}`: 204.
pub async fn policy_lifecycle(
    Extract(mock): Extract<Mock>,
    Path((id, action)): Path<(String, String)>,
) -> Reply {
    let status = MockError::lifecycle_status(&action, "policy")?;
    let mut state = mock.lock();
    let at = policy_index(&state, &id)?;
    state.policies[at]["status"] = status.into();
    state.policies[at]["lastUpdated"] = timestamp(SystemTime::now()).into();
    Ok(page::no_content())
}

fn realm_index(state: &State, id: &str) -> Result<usize, MockError> {
    state
        .realms
        .iter()
        .position(|r| r["id"] == id)
        .ok_or_else(|| MockError::not_found(id, "Realm"))
}

/// The profile of a realm a client writes: a name, and a `realmType` Okta knows.
fn read_realm(call: &Call) -> Result<Value, MockError> {
    let body = call.json()?;
    let profile = body.get("profile").cloned().unwrap_or(Value::Null);
    if profile["name"].as_str().is_none_or(|n| n.trim().is_empty()) {
        return Err(MockError::validation(
            "profile.name",
            "profile.name: The field cannot be left blank",
        ));
    }
    if let Some(kind) = profile.get("realmType")
        && kind != "PARTNER"
        && kind != "DEFAULT"
    {
        return Err(MockError::validation(
            "profile.realmType",
            "profile.realmType: must be PARTNER or DEFAULT",
        ));
    }
    Ok(profile)
}

/// `POST /api/v1/realms`.
pub async fn create_realm(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let profile = read_realm(&call)?;
    let mut state = mock.lock();
    let now = timestamp(SystemTime::now());
    let realm = json!({
        "id": state.next_id("guo"),
        "isDefault": false,
        "profile": profile,
        "created": now,
        "lastUpdated": now,
    });
    let reply = page::json(realm_json(&realm, &call.base));
    state.realms.push(realm);
    Ok(reply)
}

/// `GET /api/v1/realms/{realmId}`.
pub async fn get_realm(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    let at = realm_index(&state, &id)?;
    Ok(page::json(realm_json(&state.realms[at], &call.base)))
}

/// `PUT /api/v1/realms/{realmId}`: the profile replaced.
pub async fn replace_realm(
    Extract(mock): Extract<Mock>,
    Path(id): Path<String>,
    call: Call,
) -> Reply {
    let profile = read_realm(&call)?;
    let mut state = mock.lock();
    let at = realm_index(&state, &id)?;
    state.realms[at]["profile"] = profile;
    state.realms[at]["lastUpdated"] = timestamp(SystemTime::now()).into();
    Ok(page::json(realm_json(&state.realms[at], &call.base)))
}

/// `DELETE /api/v1/realms/{realmId}`: not the default realm, nor one users are in.
pub async fn delete_realm(Extract(mock): Extract<Mock>, Path(id): Path<String>) -> Reply {
    let mut state = mock.lock();
    let at = realm_index(&state, &id)?;
    if state.realms[at]["isDefault"] == true {
        return Err(MockError::validation(
            "realm",
            "The default realm cannot be deleted.",
        ));
    }
    if state
        .users
        .values()
        .any(|u| u.realm_id.as_deref() == Some(id.as_str()))
    {
        return Err(MockError::validation(
            "realm",
            "A realm with users cannot be deleted.",
        ));
    }
    state.realms.remove(at);
    Ok(page::no_content())
}
