//! `/api/v1/meta/types/user`: user types. The default type cannot be deleted, nor a type
//! users still have; a type's `name` is fixed once created.

use super::errors::MockError;
use super::state::State;
use super::{Call, Mock, Reply, page};
use axum::extract::{Path, State as Extract};
use serde_json::Value;
use std::time::SystemTime;

fn not_found(id: &str) -> MockError {
    MockError::not_found(id, "UserType")
}

/// A text member of a type's JSON, or Okta's validation error when it is blank.
fn text<'a>(body: &'a Value, member: &str) -> Result<&'a str, MockError> {
    body.get(member)
        .and_then(Value::as_str)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| {
            MockError::validation(
                "UserType",
                format!("{member}: The field cannot be left blank"),
            )
        })
}

/// `GET /api/v1/meta/types/user`.
pub async fn list(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let state = mock.lock();
    let types: Vec<Value> = state
        .user_types
        .values()
        .map(|t| t.to_json(&call.base))
        .collect();
    Ok(page::json(Value::Array(types)))
}

/// `POST /api/v1/meta/types/user`: `name` and `displayName` are required, `name` unique.
pub async fn create(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let body = call.json()?;
    let name = text(&body, "name")?;
    let display = text(&body, "displayName")?;
    let description = body["description"].as_str().unwrap_or_default();
    let mut state = mock.lock();
    if state.user_types.values().any(|t| t.name == name) {
        return Err(MockError::validation(
            "UserType",
            format!("name: A user type with name '{name}' already exists."),
        ));
    }
    let id = state.add_user_type(name, display, description, false);
    Ok(page::json(state.user_types[&id].to_json(&call.base)))
}

/// `GET /api/v1/meta/types/user/{typeId}`; `default` names the default type.
pub async fn get(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    let id = resolve(&state, &id)?;
    Ok(page::json(state.user_types[&id].to_json(&call.base)))
}

fn resolve(state: &State, id: &str) -> Result<String, MockError> {
    if id == "default" {
        return Ok(state.default_type_id.clone());
    }
    state
        .user_types
        .contains_key(id)
        .then(|| id.to_string())
        .ok_or_else(|| not_found(id))
}

/// `POST` (merge) and `PUT` (replace) `/api/v1/meta/types/user/{typeId}`: the name cannot
/// change; a replace needs the display name.
async fn change(mock: Mock, id: String, call: Call, whole: bool) -> Reply {
    let body = call.json()?;
    let mut state = mock.lock();
    let id = resolve(&state, &id)?;
    let current = &state.user_types[&id];
    if let Some(name) = body.get("name").and_then(Value::as_str)
        && name != current.name
    {
        return Err(MockError::validation(
            "UserType",
            "name: The name of a user type cannot be changed.",
        ));
    }
    let display = match whole {
        true => Some(text(&body, "displayName")?),
        false => body
            .get("displayName")
            .map(|_| text(&body, "displayName"))
            .transpose()?,
    };
    let description = body.get("description").and_then(Value::as_str);
    let kind = state
        .user_types
        .get_mut(&id)
        .ok_or_else(|| not_found(&id))?;
    if let Some(display) = display {
        kind.display_name = display.to_string();
    }
    if let Some(description) = description {
        kind.description = description.to_string();
    } else if whole {
        kind.description.clear();
    }
    kind.last_updated = SystemTime::now();
    Ok(page::json(kind.to_json(&call.base)))
}

/// `POST /api/v1/meta/types/user/{typeId}`.
pub async fn update(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    change(mock, id, call, false).await
}

/// `PUT /api/v1/meta/types/user/{typeId}`.
pub async fn replace(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    change(mock, id, call, true).await
}

/// `DELETE /api/v1/meta/types/user/{typeId}`: not the default type, nor one in use.
pub async fn delete(Extract(mock): Extract<Mock>, Path(id): Path<String>) -> Reply {
    let mut state = mock.lock();
    let id = resolve(&state, &id)?;
    let in_use = state.users.values().any(|u| u.type_id == id);
    if state.user_types[&id].default || in_use {
        return Err(
            MockError::new(403, "E0000142", "This User Type cannot be deleted.").cause(if in_use {
                "The user type is assigned to users."
            } else {
                "The default user type cannot be deleted."
            }),
        );
    }
    state.user_types.remove(&id);
    Ok(page::no_content())
}
