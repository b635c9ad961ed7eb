//! `/api/v1/meta/schemas`: the profile schemas of users (one per user type, `default` for
//! the default type), of each app's users and of groups: Okta's base attributes, and the
//! custom attributes an admin adds (`definitions.custom.properties.<name>`) or removes
//! (the attribute set to null).

use super::errors::MockError;
use super::state::{State, timestamp};
use super::{Call, Mock, Reply, page};
use axum::extract::{Path, State as Extract};
use serde_json::{Map, Value, json};
use std::time::SystemTime;

/// Okta's base user attributes: (name, title, required, format).
const USER_BASE: &[(&str, &str, bool, Option<&str>)] = &[
    ("login", "Username", true, None),
    ("firstName", "First name", true, None),
    ("lastName", "Last name", true, None),
    ("middleName", "Middle name", false, None),
    ("honorificPrefix", "Honorific prefix", false, None),
    ("honorificSuffix", "Honorific suffix", false, None),
    ("email", "Primary email", true, Some("email")),
    ("title", "Title", false, None),
    ("displayName", "Display name", false, None),
    ("nickName", "Nickname", false, None),
    ("profileUrl", "Profile Url", false, Some("uri")),
    ("secondEmail", "Secondary email", false, Some("email")),
    ("mobilePhone", "Mobile phone", false, None),
    ("primaryPhone", "Primary phone", false, None),
    ("streetAddress", "Street address", false, None),
    ("city", "City", false, None),
    ("state", "State", false, None),
    ("zipCode", "Zip code", false, None),
    ("countryCode", "Country code", false, Some("country-code")),
    ("postalAddress", "Postal Address", false, None),
    (
        "preferredLanguage",
        "Preferred language",
        false,
        Some("language-code"),
    ),
    ("locale", "Locale", false, Some("locale")),
    ("timezone", "Time zone", false, None),
    ("userType", "User type", false, None),
    ("employeeNumber", "Employee number", false, None),
    ("costCenter", "Cost center", false, None),
    ("organization", "Organization", false, None),
    ("division", "Division", false, None),
    ("department", "Department", false, None),
    ("managerId", "ManagerId", false, None),
    ("manager", "Manager", false, None),
];

/// The types a custom attribute may have.
const TYPES: &[&str] = &["string", "boolean", "number", "integer", "array"];

/// Which profile a schema is of.
enum Of {
    /// A user type's (`default`, or `osc…` for a user type).
    User(String),
    /// An app's users.
    App(String),
    /// Groups.
    Group,
}

impl Of {
    /// The key of its custom attributes in the state, and the schema's id path; Okta's 404
    /// for a user type or app the org does not have.
    fn key(&self, state: &State) -> Result<(String, String), MockError> {
        match self {
            Of::User(id) => {
                let known = id == "default"
                    || state.user_types.keys().any(|t| {
                        t.get(3..)
                            .is_some_and(|rest| id.strip_prefix("osc") == Some(rest))
                    });
                if !known {
                    return Err(MockError::not_found(id, "UserSchema"));
                }
                let default = format!("osc{}", state.default_type_id.get(3..).unwrap_or_default());
                let canonical = if id == "default" {
                    default.clone()
                } else {
                    id.clone()
                };
                let path = if canonical == default {
                    "user/default".into()
                } else {
                    format!("user/{canonical}")
                };
                Ok((format!("user:{canonical}"), path))
            }
            Of::App(id) if state.apps.contains_key(id) => {
                Ok((format!("app:{id}"), format!("apps/{id}/default")))
            }
            Of::App(id) => Err(MockError::not_found(id, "App")),
            Of::Group => Ok(("group".into(), "group/default".into())),
        }
    }

    /// Okta's base attributes of this profile.
    fn base(&self) -> (Map<String, Value>, Vec<&'static str>) {
        let attribute = |title: &str, format: Option<&str>, required: bool| {
            let mut a = json!({
                "title": title,
                "type": "string",
                "required": required,
                "mutability": "READ_WRITE",
                "scope": "NONE",
                "permissions": [{ "principal": "SELF", "action": "READ_WRITE" }],
                "master": { "type": "PROFILE_MASTER" },
            });
            if let Some(format) = format {
                a["format"] = format.into();
            }
            a
        };
        match self {
            Of::User(_) => (
                USER_BASE
                    .iter()
                    .map(|(name, title, required, format)| {
                        (name.to_string(), attribute(title, *format, *required))
                    })
                    .collect(),
                USER_BASE
                    .iter()
                    .filter(|(_, _, required, _)| *required)
                    .map(|(name, ..)| *name)
                    .collect(),
            ),
            Of::App(_) => (
                [("userName".to_string(), attribute("Username", None, true))]
                    .into_iter()
                    .collect(),
                vec!["userName"],
            ),
            Of::Group => (
                [
                    ("name".to_string(), attribute("Name", None, true)),
                    (
                        "description".to_string(),
                        attribute("Description", None, false),
                    ),
                ]
                .into_iter()
                .collect(),
                vec!["name"],
            ),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Of::User(_) => "user",
            Of::App(_) => "app",
            Of::Group => "group",
        }
    }
}

/// The schema as Okta returns it.
fn schema_json(state: &State, of: &Of, base_url: &str) -> Result<Value, MockError> {
    let (key, path) = of.key(state)?;
    let custom = state.schemas.get(&key).cloned().unwrap_or_default();
    let required: Vec<&String> = custom
        .iter()
        .filter(|(_, a)| a["required"] == true)
        .map(|(name, _)| name)
        .collect();
    let (base, base_required) = of.base();
    let id = format!("{base_url}/meta/schemas/{path}");
    let now = timestamp(SystemTime::now());
    Ok(json!({
        "id": id,
        "$schema": "http://json-schema.org/draft-04/schema#",
        "name": of.name(),
        "title": match of { Of::User(_) => "User", Of::App(_) => "App user", Of::Group => "Okta group" },
        "created": now,
        "lastUpdated": now,
        "definitions": {
            "custom": { "id": "#custom", "type": "object", "properties": custom, "required": required },
            "base": { "id": "#base", "type": "object", "properties": base, "required": base_required },
        },
        "type": "object",
        "properties": { "profile": { "allOf": [
            { "$ref": "#/definitions/custom" },
            { "$ref": "#/definitions/base" },
        ] } },
        "_links": { "self": { "href": format!("{base_url}/api/v1/meta/schemas/{path}"), "method": "GET" } },
    }))
}

/// Adds, changes or removes (null) the custom attributes a request names, checked.
fn update(state: &mut State, of: &Of, call: &Call) -> Reply {
    let body = call.json()?;
    let (key, _) = of.key(state)?;
    let (base, _) = of.base();
    let given = body["definitions"]["custom"]["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, attribute) in &given {
        if base.contains_key(name) {
            return Err(MockError::validation(
                "UserSchema",
                format!("{name}: A custom attribute cannot have the name of a base attribute."),
            ));
        }
        if attribute.is_null() {
            continue;
        }
        let kind = attribute["type"].as_str().unwrap_or_default();
        if !TYPES.contains(&kind) {
            return Err(MockError::validation(
                "UserSchema",
                format!("{name}.type: The type must be one of {}.", TYPES.join(", ")),
            ));
        }
        if attribute["title"]
            .as_str()
            .is_none_or(|t| t.trim().is_empty())
        {
            return Err(MockError::validation(
                "UserSchema",
                format!("{name}.title: The field cannot be left blank."),
            ));
        }
    }
    let custom = state.schemas.entry(key).or_default();
    for (name, attribute) in given {
        if attribute.is_null() {
            custom.remove(&name);
            continue;
        }
        let mut attribute = attribute;
        for (field, default) in [
            ("mutability", json!("READ_WRITE")),
            ("scope", json!("NONE")),
            (
                "permissions",
                json!([{ "principal": "SELF", "action": "READ_ONLY" }]),
            ),
            ("master", json!({ "type": "PROFILE_MASTER" })),
        ] {
            if attribute.get(field).is_none_or(Value::is_null) {
                attribute[field] = default;
            }
        }
        custom.insert(name, attribute);
    }
    schema_json(state, of, &call.base).map(page::json)
}

/// `GET /api/v1/meta/schemas/user/{schemaId}`.
pub async fn user(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    schema_json(&mock.lock(), &Of::User(id), &call.base).map(page::json)
}

/// `POST /api/v1/meta/schemas/user/{schemaId}`.
pub async fn update_user(
    Extract(mock): Extract<Mock>,
    Path(id): Path<String>,
    call: Call,
) -> Reply {
    update(&mut mock.lock(), &Of::User(id), &call)
}

/// `GET /api/v1/meta/schemas/apps/{appId}/default`.
pub async fn app(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    schema_json(&mock.lock(), &Of::App(id), &call.base).map(page::json)
}

/// `POST /api/v1/meta/schemas/apps/{appId}/default`.
pub async fn update_app(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    update(&mut mock.lock(), &Of::App(id), &call)
}

/// `GET /api/v1/meta/schemas/group/default`.
pub async fn group(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    schema_json(&mock.lock(), &Of::Group, &call.base).map(page::json)
}

/// `POST /api/v1/meta/schemas/group/default`.
pub async fn update_group(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    update(&mut mock.lock(), &Of::Group, &call)
}
