//! `/api/v1/eventHooks`: event hooks with their status and verification. Verification sends
//! the one-time challenge to the hook's endpoint and checks the echo; only an ACTIVE,
//! VERIFIED hook receives deliveries. The mock reaches only loopback endpoints, over plain
//! HTTP (an `https://127.0.0.1:...` URI is sent to `http://127.0.0.1:...`).

use super::errors::MockError;
use super::state::{MockHook, timestamp};
use super::{Call, Mock, Reply, page};
use axum::extract::{Path, State as Extract};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

/// The loopback HTTP URL a hook URI is reached at, or `None` for any other host.
pub fn loopback_url(uri: &str) -> Option<String> {
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))?;
    let host = rest.split(['/', ':']).next()?;
    matches!(host, "127.0.0.1" | "localhost").then(|| format!("http://{rest}"))
}

/// Sends one request to a loopback endpoint; returns the status and body.
pub async fn send(
    client: &super::HttpClient,
    method: http::Method,
    url: &str,
    headers: &[(String, String)],
    body: Option<Value>,
) -> Result<(u16, Bytes), String> {
    let mut request = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let body = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
    if !body.is_empty() {
        request = request.header("content-type", "application/json");
    }
    let request = request.body(Full::new(body)).map_err(|e| e.to_string())?;
    let response = tokio::time::timeout(Duration::from_secs(3), client.request(request))
        .await
        .map_err(|_| "timed out".to_string())?
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, bytes))
}

fn find<'a>(mock: &'a super::State, id: &str) -> Result<&'a MockHook, MockError> {
    mock.hooks
        .get(id)
        .ok_or_else(|| MockError::not_found(id, "EventHook"))
}

/// Checks a hook's JSON and takes the secret out of it.
fn read_hook(mut body: Value) -> Result<(Value, Option<String>), MockError> {
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    if name.trim().is_empty() {
        return Err(MockError::validation(
            "eventHook",
            "name: The field cannot be left blank",
        ));
    }
    let items = body
        .pointer("/events/items")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if items == 0 {
        return Err(MockError::validation(
            "eventHook",
            "events.items: At least one event type is required",
        ));
    }
    let uri = body
        .pointer("/channel/config/uri")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !uri.starts_with("https://") {
        return Err(MockError::validation(
            "eventHook",
            "channel.config.uri: The URI must use HTTPS",
        ));
    }
    let secret = body
        .pointer_mut("/channel/config/authScheme")
        .and_then(Value::as_object_mut)
        .and_then(|scheme| scheme.remove("value"))
        .and_then(|v| v.as_str().map(str::to_string));
    Ok((body, secret))
}

/// A hook as Okta returns it: with the links its status offers.
fn hook_json(hook: &MockHook, base: &str) -> Value {
    let mut json = hook.json.clone();
    let own = format!(
        "{base}/api/v1/eventHooks/{}",
        json["id"].as_str().unwrap_or_default()
    );
    let lifecycle = if json["status"] == "ACTIVE" {
        "deactivate"
    } else {
        "activate"
    };
    json["_links"] = json!({
        "self": { "href": own, "hints": { "allow": ["GET", "PUT", "DELETE"] } },
        "verify": { "href": format!("{own}/lifecycle/verify"), "hints": { "allow": ["POST"] } },
        lifecycle: { "href": format!("{own}/lifecycle/{lifecycle}"), "hints": { "allow": ["POST"] } },
    });
    json
}

/// `GET /api/v1/eventHooks`.
pub async fn list(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let state = mock.lock();
    Ok(page::json(
        state
            .hooks
            .values()
            .map(|h| hook_json(h, &call.base))
            .collect(),
    ))
}

/// `POST /api/v1/eventHooks`.
pub async fn create(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let (mut json, secret) = read_hook(call.json()?)?;
    let mut state = mock.lock();
    let id = state.next_id("who");
    let now = timestamp(SystemTime::now());
    json["id"] = id.clone().into();
    json["status"] = "ACTIVE".into();
    json["verificationStatus"] = "UNVERIFIED".into();
    json["created"] = now.clone().into();
    json["lastUpdated"] = now.into();
    json["createdBy"] = state.admin_id.clone().into();
    json["channel"]["config"]["method"] = "POST".into();
    let hook = MockHook { json, secret };
    let reply = page::json(hook_json(&hook, &call.base));
    let name = hook.json["name"].clone();
    state.hooks.insert(id.clone(), hook);
    state.log(
        "event_hook.created",
        "Event hook created",
        vec![json!({ "id": id, "type": "EventHook", "displayName": name })],
    );
    Ok(reply)
}

/// `GET /api/v1/eventHooks/{id}`.
pub async fn get(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    Ok(page::json(hook_json(find(&state, &id)?, &call.base)))
}

/// `PUT /api/v1/eventHooks/{id}`: name, events and channel replaced; a replaced URI or
/// secret needs verifying again. The secret is kept when the new scheme gives none.
pub async fn replace(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let (given, secret) = read_hook(call.json()?)?;
    let mut state = mock.lock();
    let hook = state
        .hooks
        .get_mut(&id)
        .ok_or_else(|| MockError::not_found(&id, "EventHook"))?;
    let moved = given.pointer("/channel/config/uri") != hook.json.pointer("/channel/config/uri");
    for member in ["name", "description", "events", "channel"] {
        match given.get(member) {
            Some(value) => hook.json[member] = value.clone(),
            None => {
                if let Some(object) = hook.json.as_object_mut() {
                    object.remove(member);
                }
            }
        }
    }
    hook.json["channel"]["config"]["method"] = "POST".into();
    if moved || secret.is_some() {
        hook.json["verificationStatus"] = "UNVERIFIED".into();
    }
    if secret.is_some() {
        hook.secret = secret;
    }
    hook.json["lastUpdated"] = timestamp(SystemTime::now()).into();
    Ok(page::json(hook_json(hook, &call.base)))
}

/// `DELETE /api/v1/eventHooks/{id}`: only an INACTIVE hook ("as a safety precaution",
/// the spec says; of the refusals `deleteEventHook` declares, 403, with Okta's code for an
/// entity not in the state a transition needs).
pub async fn delete(Extract(mock): Extract<Mock>, Path(id): Path<String>) -> Reply {
    let mut state = mock.lock();
    if find(&state, &id)?.json["status"] != "INACTIVE" {
        return Err(MockError::new(
            403,
            "E0000107",
            "The entity is not in the expected state for the requested transition.",
        )
        .cause("You can only delete event hooks with a status of INACTIVE."));
    }
    state.hooks.remove(&id);
    state.log(
        "event_hook.deleted",
        "Event hook deleted",
        vec![json!({ "id": id, "type": "EventHook" })],
    );
    Ok(page::no_content())
}

/// `POST /api/v1/eventHooks/{id}/lifecycle/{action}`.
pub async fn lifecycle(
    Extract(mock): Extract<Mock>,
    Path((id, action)): Path<(String, String)>,
    call: Call,
) -> Reply {
    if action == "verify" {
        return verify(mock, id, &call.base).await;
    }
    let status = MockError::lifecycle_status(&action, "event hook")?;
    let mut state = mock.lock();
    let hook = state
        .hooks
        .get_mut(&id)
        .ok_or_else(|| MockError::not_found(&id, "EventHook"))?;
    hook.json["status"] = status.into();
    hook.json["lastUpdated"] = timestamp(SystemTime::now()).into();
    let json = hook_json(hook, &call.base);
    let event = if status == "ACTIVE" {
        "event_hook.activated"
    } else {
        "event_hook.deactivated"
    };
    state.log(
        event,
        &format!("Event hook {action}d"),
        vec![json!({ "id": id, "type": "EventHook" })],
    );
    Ok(page::json(json))
}

/// `GET /mock/hook`: the demo hook's endpoint answers Okta's verification challenge.
pub async fn answer_challenge(headers: http::HeaderMap) -> axum::Json<Value> {
    let challenge = headers
        .get("x-okta-verification-challenge")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    axum::Json(json!({ "verification": challenge }))
}

/// `POST /mock/hook`: the demo hook's endpoint takes a delivery.
pub async fn take_delivery() -> http::StatusCode {
    http::StatusCode::OK
}

/// Sends the verification challenge and checks the echo.
async fn verify(mock: Mock, id: String, base: &str) -> Reply {
    let (uri, headers, challenge) = {
        let mut state = mock.lock();
        let hook = find(&state, &id)?;
        let (uri, headers) = (hook.uri().to_string(), hook.headers());
        let challenge = format!("challenge-{}", state.next_id(""));
        (uri, headers, challenge)
    };
    let failed =
        |why: String| MockError::validation("eventHook", format!("Verification failed: {why}"));
    let url = loopback_url(&uri)
        .ok_or_else(|| failed("the mock verifies only loopback endpoints".into()))?;
    let mut headers = headers;
    headers.push(("x-okta-verification-challenge".into(), challenge.clone()));
    let (status, body) = send(&mock.client, http::Method::GET, &url, &headers, None)
        .await
        .map_err(failed)?;
    let echoed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if status != 200 || echoed["verification"] != challenge.as_str() {
        return Err(failed(format!(
            "the endpoint answered {status} without the challenge"
        )));
    }
    let mut state = mock.lock();
    let hook = state
        .hooks
        .get_mut(&id)
        .ok_or_else(|| MockError::not_found(&id, "EventHook"))?;
    hook.json["verificationStatus"] = "VERIFIED".into();
    hook.json["lastUpdated"] = timestamp(SystemTime::now()).into();
    let json = hook_json(hook, base);
    state.log(
        "event_hook.verified",
        "Event hook verified",
        vec![json!({ "id": id, "type": "EventHook" })],
    );
    Ok(page::json(json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reaches_only_loopback() {
        assert_eq!(
            loopback_url("https://127.0.0.1:9000/hook").as_deref(),
            Some("http://127.0.0.1:9000/hook")
        );
        assert_eq!(
            loopback_url("https://localhost/hook").as_deref(),
            Some("http://localhost/hook")
        );
        assert_eq!(loopback_url("https://hooks.example.com/hook"), None);
    }

    #[test]
    fn the_secret_is_kept_apart() {
        let body = json!({"name": "h", "events": {"items": ["user.lifecycle.create"]},
            "channel": {"config": {"uri": "https://127.0.0.1:1/h", "authScheme": {"type": "HEADER", "key": "Authorization", "value": "s3cret"}}}});
        let (json, secret) = read_hook(body).unwrap();
        assert_eq!(secret.as_deref(), Some("s3cret"));
        assert!(!json.to_string().contains("s3cret"));
    }
}
