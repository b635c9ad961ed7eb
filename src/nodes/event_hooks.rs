//! The `event-hooks` interface: WIT requests → request specs, Okta answers → WIT outputs.
//!
//! The authorization secret goes to Okta in a create request and never comes back: it is
//! removed from every hook's raw JSON, should Okta ever send it.

use crate::client::encode;
use crate::client::error::invalid_input;
use crate::client::paging;
use crate::client::spec::{RequestSpec, Retry};
use crate::client::{Client, Transport};
use crate::nodes::objects::{self, parse, text};
use crate::wit::event_hooks::{
    CreateEventHookRequest, DeleteAllEventHooksRequest, DeletedEventHook, DeletedEventHooks,
    EventFilter, EventHook, EventHookChange, EventHookRequest, ListEventHooksRequest,
    VerificationStatus,
};
use crate::wit::types::{LifecycleStatus, OktaError, Pair};
use serde_json::{Map, Value, json};

const HOOKS: &str = "/api/v1/eventHooks";

/// `/api/v1/eventHooks/{id}`, checked.
fn hook_path(id: &str) -> Result<String, OktaError> {
    Ok(format!("{HOOKS}/{}", encode::segment("event-hook-id", id)?))
}

/// Parses an event hook; its raw JSON loses the secret, if any.
pub(crate) fn event_hook(raw: &[u8]) -> Result<EventHook, OktaError> {
    let mut object = parse(raw, "an event hook")?;
    if let Some(scheme) = object
        .pointer_mut("/channel/config/authScheme")
        .and_then(Value::as_object_mut)
    {
        scheme.remove("value");
    }
    let config = object
        .pointer("/channel/config")
        .cloned()
        .unwrap_or(Value::Null);
    let events = object.get("events").cloned().unwrap_or(Value::Null);
    Ok(EventHook {
        id: objects::required(&object, "id", "an event hook")?,
        name: text(&object, "name").unwrap_or_default(),
        status: objects::lifecycle_status(&object),
        verification_status: match object.get("verificationStatus").and_then(Value::as_str) {
            Some("VERIFIED") => VerificationStatus::Verified,
            Some("UNVERIFIED") => VerificationStatus::Unverified,
            _ => VerificationStatus::Unknown,
        },
        uri: text(&config, "uri").unwrap_or_default(),
        event_types: objects::strings(events.get("items")),
        headers: config
            .get("headers")
            .and_then(Value::as_array)
            .map(|headers| {
                headers
                    .iter()
                    .filter_map(|h| {
                        Some(Pair {
                            name: text(h, "key")?,
                            value: text(h, "value").unwrap_or_default(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        auth_header_key: config.get("authScheme").and_then(|a| text(a, "key")),
        description: text(&object, "description"),
        filters: events
            .pointer("/filter/eventFilterMap")
            .and_then(Value::as_array)
            .map(|map| {
                map.iter()
                    .filter_map(|f| {
                        Some(EventFilter {
                            event_type: text(f, "event")?,
                            expression: f.pointer("/condition/expression")?.as_str()?.to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        created: text(&object, "created"),
        last_updated: text(&object, "lastUpdated"),
        raw: Some(object.to_string()),
    })
}

/// The create request's body, checked.
pub(crate) fn build_create(req: &CreateEventHookRequest) -> Result<Value, OktaError> {
    let name = req.name.trim();
    if name.is_empty() {
        return Err(invalid_input("name is empty"));
    }
    let uri = req.uri.trim();
    if !uri
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        || uri.len() <= 8
        || uri.contains(char::is_whitespace)
    {
        return Err(invalid_input("uri must be an https:// URL"));
    }
    let events: Vec<&str> = req.event_types.iter().map(|e| e.trim()).collect();
    if events.is_empty() || events.iter().any(|e| e.is_empty()) {
        return Err(invalid_input(
            "event-types needs at least one event type, none blank",
        ));
    }
    let mut config = Map::new();
    config.insert("uri".into(), uri.into());
    let headers = req.headers.as_deref().unwrap_or_default();
    if headers.iter().any(|h| h.name.trim().is_empty()) {
        return Err(invalid_input("headers has a header without a name"));
    }
    config.insert(
        "headers".into(),
        headers
            .iter()
            .map(|h| json!({ "key": h.name.trim(), "value": h.value }))
            .collect(),
    );
    match (
        encode::non_blank(&req.auth_header_key),
        encode::non_blank(&req.auth_header_value),
    ) {
        (Some(key), Some(value)) => {
            config.insert(
                "authScheme".into(),
                json!({ "type": "HEADER", "key": key, "value": value }),
            );
        }
        (None, None) => {}
        _ => {
            return Err(invalid_input(
                "auth-header-key and auth-header-value go together",
            ));
        }
    }
    let mut subscriptions = json!({ "type": "EVENT_TYPE", "items": events });
    if let Some(filters) = req.filters.as_deref().filter(|f| !f.is_empty()) {
        if filters
            .iter()
            .any(|f| f.event_type.trim().is_empty() || f.expression.trim().is_empty())
        {
            return Err(invalid_input(
                "filters needs an event type and an expression in each filter",
            ));
        }
        let map: Vec<Value> = filters
            .iter()
            .map(|f| json!({ "event": f.event_type.trim(), "condition": { "expression": f.expression } }))
            .collect();
        subscriptions["filter"] = json!({ "eventFilterMap": map, "type": "EXPRESSION_LANGUAGE" });
    }
    let mut body = json!({
        "name": name,
        "events": subscriptions,
        "channel": { "type": "HTTP", "version": "1.0.0", "config": config },
    });
    if let Some(description) = encode::non_blank(&req.description) {
        body["description"] = description.into();
    }
    Ok(body)
}

/// `event-hooks.list-event-hooks`.
pub(crate) fn list_event_hooks<T: Transport>(
    client: &mut Client<T>,
    req: ListEventHooksRequest,
) -> Result<Vec<EventHook>, OktaError> {
    let paging = paging::everything(req.include_raw);
    Ok(client
        .list(RequestSpec::get(HOOKS.into()), &paging, event_hook)?
        .0)
}

/// `event-hooks.get-event-hook`.
pub(crate) fn get_event_hook<T: Transport>(
    client: &mut Client<T>,
    req: EventHookRequest,
) -> Result<EventHook, OktaError> {
    event_hook(
        &client
            .send(&RequestSpec::get(hook_path(&req.event_hook_id)?))?
            .body,
    )
}

/// Runs a lifecycle operation (`activate`, `deactivate`, `verify`) on a hook.
fn lifecycle<T: Transport>(
    client: &mut Client<T>,
    path: &str,
    action: &str,
) -> Result<EventHook, OktaError> {
    // Each ends in the same state however often it runs.
    let spec = RequestSpec::post(format!("{path}/lifecycle/{action}")).retry(Retry::Safe);
    event_hook(&client.send(&spec)?.body)
}

/// `event-hooks.create-event-hook`.
pub(crate) fn create_event_hook<T: Transport>(
    client: &mut Client<T>,
    req: CreateEventHookRequest,
) -> Result<EventHook, OktaError> {
    let body = build_create(&req)?;
    let created = event_hook(
        &client
            .send(&RequestSpec::post(HOOKS.into()).json(body))?
            .body,
    )?;
    if req.do_not_activate.unwrap_or(false) && created.status != LifecycleStatus::Inactive {
        return lifecycle(client, &hook_path(&created.id)?, "deactivate");
    }
    Ok(created)
}

/// Moves a hook to `status` unless it is there already: a repeat sends nothing.
fn change_status<T: Transport>(
    client: &mut Client<T>,
    req: EventHookRequest,
    status: LifecycleStatus,
    action: &str,
) -> Result<EventHookChange, OktaError> {
    let hook = get_event_hook(client, req)?;
    if hook.status == status {
        return Ok(EventHookChange {
            hook,
            changed: false,
        });
    }
    Ok(EventHookChange {
        hook: lifecycle(client, &hook_path(&hook.id)?, action)?,
        changed: true,
    })
}

/// `event-hooks.activate-event-hook`.
pub(crate) fn activate_event_hook<T: Transport>(
    client: &mut Client<T>,
    req: EventHookRequest,
) -> Result<EventHookChange, OktaError> {
    change_status(client, req, LifecycleStatus::Active, "activate")
}

/// `event-hooks.deactivate-event-hook`.
pub(crate) fn deactivate_event_hook<T: Transport>(
    client: &mut Client<T>,
    req: EventHookRequest,
) -> Result<EventHookChange, OktaError> {
    change_status(client, req, LifecycleStatus::Inactive, "deactivate")
}

/// `event-hooks.verify-event-hook`.
pub(crate) fn verify_event_hook<T: Transport>(
    client: &mut Client<T>,
    req: EventHookRequest,
) -> Result<EventHook, OktaError> {
    lifecycle(client, &hook_path(&req.event_hook_id)?, "verify")
}

/// Deletes a hook, deactivating it first when it is not INACTIVE.
fn delete_hook<T: Transport>(client: &mut Client<T>, hook: &EventHook) -> Result<(), OktaError> {
    let path = hook_path(&hook.id)?;
    if hook.status != LifecycleStatus::Inactive {
        lifecycle(client, &path, "deactivate")?;
    }
    client.send(&RequestSpec::delete(path))?;
    Ok(())
}

/// `event-hooks.delete-event-hook`.
pub(crate) fn delete_event_hook<T: Transport>(
    client: &mut Client<T>,
    req: EventHookRequest,
) -> Result<DeletedEventHook, OktaError> {
    let hook = get_event_hook(client, req)?;
    delete_hook(client, &hook)?;
    Ok(DeletedEventHook {
        event_hook_id: hook.id,
    })
}

/// `event-hooks.delete-all-event-hooks`.
pub(crate) fn delete_all_event_hooks<T: Transport>(
    client: &mut Client<T>,
    req: DeleteAllEventHooksRequest,
) -> Result<DeletedEventHooks, OktaError> {
    let uri = match req.uri.as_deref().map(str::trim) {
        Some("") => return Err(invalid_input("uri is empty")),
        other => other,
    };
    let mut ids = Vec::new();
    for hook in list_event_hooks(client, ListEventHooksRequest { include_raw: None })? {
        if uri.is_none_or(|uri| hook.uri == uri) {
            if let Err(mut err) = delete_hook(client, &hook) {
                if !ids.is_empty() {
                    err.message = format!(
                        "{} (deleted before this failure: {})",
                        err.message,
                        ids.join(", ")
                    );
                }
                return Err(err);
            }
            ids.push(hook.id);
        }
    }
    Ok(DeletedEventHooks { ids })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::fake::{FakeTransport, client};

    fn create() -> CreateEventHookRequest {
        CreateEventHookRequest {
            name: "New users".into(),
            uri: "https://hooks.example.com/okta".into(),
            event_types: vec!["user.lifecycle.create".into()],
            headers: Some(vec![Pair {
                name: "X-Tenant".into(),
                value: "acme".into(),
            }]),
            auth_header_key: Some("Authorization".into()),
            auth_header_value: Some("s3cret-value".into()),
            description: None,
            filters: Some(vec![EventFilter {
                event_type: "user.lifecycle.create".into(),
                expression: "event.target.size()>0".into(),
            }]),
            do_not_activate: None,
        }
    }

    #[test]
    fn builds_the_channel_and_the_subscriptions() {
        let body = build_create(&create()).unwrap();
        assert_eq!(
            body["channel"]["config"]["authScheme"],
            json!({"type": "HEADER", "key": "Authorization", "value": "s3cret-value"})
        );
        assert_eq!(
            body["channel"]["config"]["headers"],
            json!([{"key": "X-Tenant", "value": "acme"}])
        );
        assert_eq!(body["events"]["items"], json!(["user.lifecycle.create"]));
        assert_eq!(body["events"]["filter"]["type"], "EXPRESSION_LANGUAGE");
        for bad in [
            CreateEventHookRequest {
                uri: "http://hooks.example.com".into(),
                ..create()
            },
            CreateEventHookRequest {
                event_types: vec![],
                ..create()
            },
            CreateEventHookRequest {
                auth_header_value: None,
                ..create()
            },
            CreateEventHookRequest {
                name: " ".into(),
                ..create()
            },
        ] {
            assert!(build_create(&bad).is_err());
        }
    }

    #[test]
    fn the_secret_never_comes_back() {
        let raw = br#"{"id":"who1","name":"h","status":"ACTIVE","verificationStatus":"UNVERIFIED",
            "events":{"type":"EVENT_TYPE","items":["user.lifecycle.create"]},
            "channel":{"type":"HTTP","config":{"uri":"https://x","authScheme":{"type":"HEADER","key":"Authorization","value":"s3cret-value"}}}}"#;
        let hook = event_hook(raw).unwrap();
        let raw = hook.raw.unwrap();
        assert!(!raw.contains("s3cret-value"), "{raw}");
        assert_eq!(hook.auth_header_key.as_deref(), Some("Authorization"));
        assert_eq!(
            (hook.status, hook.verification_status),
            (LifecycleStatus::Active, VerificationStatus::Unverified)
        );
    }

    #[test]
    fn delete_deactivates_an_active_hook_first() {
        let active = r#"{"id":"who1","status":"ACTIVE","channel":{"config":{"uri":"https://x"}}}"#;
        let inactive =
            r#"{"id":"who1","status":"INACTIVE","channel":{"config":{"uri":"https://x"}}}"#;
        let transport = FakeTransport::default()
            .respond(200, &[], active)
            .respond(200, &[], inactive)
            .respond(204, &[], "");
        let mut c = client(transport);
        delete_event_hook(
            &mut c,
            EventHookRequest {
                event_hook_id: "who1".into(),
            },
        )
        .unwrap();
        let seen: Vec<_> = c
            .transport()
            .seen
            .iter()
            .map(|s| {
                (
                    s.method,
                    s.url.rsplit("/api/v1").next().unwrap().to_string(),
                )
            })
            .collect();
        use crate::client::spec::Method::*;
        assert_eq!(
            seen,
            vec![
                (Get, "/eventHooks/who1".to_string()),
                (Post, "/eventHooks/who1/lifecycle/deactivate".to_string()),
                (Delete, "/eventHooks/who1".to_string()),
            ]
        );
    }
}
