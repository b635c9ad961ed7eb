//! Okta's profile schemas (`/api/v1/meta/schemas`) as the JSON Schema a form renders: the
//! `picklists.user-profile-fields` and `picklists.app-user-profile-fields` nodes.

use crate::client::encode;
use crate::client::error::decode;
use crate::client::spec::RequestSpec;
use crate::client::{Client, Transport};
use crate::wit::picklists::{AppProfileFieldsRequest, ProfileFields, UserProfileFieldsRequest};
use crate::wit::types::OktaError;
use serde_json::{Map, Value, json};

/// The formats a standard validator knows that Okta's attributes use.
const FORMATS: &[&str] = &["email", "uri", "date-time", "date"];

/// The most attributes read from one schema: Okta allows a few hundred custom ones.
const MAX_ATTRIBUTES: usize = 1000;

/// Okta's schema of a profile as JSON Schema 2020-12: each attribute of its base and custom
/// definitions a property, and the custom attributes' names.
pub(crate) fn profile_fields(okta: &Value, title: &str) -> Result<ProfileFields, OktaError> {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut custom = Vec::new();
    for part in ["base", "custom"] {
        let definition = &okta["definitions"][part];
        let Some(attributes) = definition["properties"].as_object() else {
            continue;
        };
        let listed: Vec<&str> = definition["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (name, attribute) in attributes.iter().take(MAX_ATTRIBUTES) {
            if !attribute.is_object() {
                continue;
            }
            properties.insert(name.clone(), field(name, attribute));
            if listed.contains(&name.as_str()) || attribute["required"] == true {
                required.push(name.clone());
            }
            if part == "custom" {
                custom.push(name.clone());
            }
        }
    }
    if properties.is_empty() && !okta["definitions"].is_object() {
        return Err(decode("a profile schema", "it has no definitions"));
    }
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "title": title,
        "properties": properties,
        "required": required,
    });
    Ok(ProfileFields {
        schema: schema.to_string(),
        custom,
    })
}

/// One attribute as a property: its title, type, choices, bounds and format.
fn field(name: &str, attribute: &Value) -> Value {
    let mut out = Map::new();
    let kind = attribute["type"].as_str().unwrap_or("string");
    let scalar = |kind: &str| match kind {
        "boolean" | "integer" | "number" | "string" => kind.to_string(),
        _ => "string".to_string(),
    };
    if kind == "array" {
        out.insert("type".into(), json!(["array", "null"]));
        let items = attribute["items"]["type"].as_str().unwrap_or("string");
        out.insert("items".into(), json!({ "type": scalar(items) }));
    } else {
        out.insert("type".into(), json!([scalar(kind), "null"]));
    }
    let title = attribute["title"]
        .as_str()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(name);
    out.insert("title".into(), json!(title));
    if let Some(about) = attribute["description"].as_str().filter(|d| !d.is_empty()) {
        out.insert("description".into(), json!(about));
    }
    // Choices: `oneOf` of `{const, title}` where Okta titles them, else the `enum`.
    let choices: Vec<Value> = attribute["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c.get("const").is_some())
        .map(|c| json!({ "const": c["const"], "title": c["title"].as_str().unwrap_or_default() }))
        .collect();
    let target = if kind == "array" {
        out.get_mut("items").and_then(Value::as_object_mut)
    } else {
        Some(&mut out)
    };
    if let Some(target) = target {
        if !choices.is_empty() {
            let mut cases = choices;
            if kind != "array" {
                cases.push(json!({ "type": "null", "title": "None" }));
            }
            target.insert("oneOf".into(), Value::Array(cases));
        } else if let Some(values) = attribute["enum"].as_array().filter(|v| !v.is_empty()) {
            let mut values = values.clone();
            if kind != "array" {
                values.push(Value::Null);
            }
            target.insert("enum".into(), Value::Array(values));
        }
        for key in ["minLength", "maxLength", "minimum", "maximum", "pattern"] {
            if let Some(bound) = attribute.get(key).filter(|b| !b.is_null()) {
                target.insert(key.into(), bound.clone());
            }
        }
        if let Some(format) = attribute["format"].as_str().filter(|f| FORMATS.contains(f)) {
            target.insert("format".into(), json!(format));
        }
    }
    // An attribute the org masters elsewhere (a directory, an app) cannot be written here.
    if attribute["mutability"] == "READ_ONLY" {
        out.insert("readOnly".into(), json!(true));
    }
    Value::Object(out)
}

/// The id of the schema a user type links to (the last segment of `_links.schema.href`).
fn schema_of_type(user_type: &Value) -> Result<String, OktaError> {
    user_type["_links"]["schema"]["href"]
        .as_str()
        .and_then(|href| href.rsplit('/').next())
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .ok_or_else(|| decode("a user type", "it links no schema"))
}

/// Reads a JSON answer.
fn json_of<T: Transport>(client: &mut Client<T>, spec: RequestSpec) -> Result<Value, OktaError> {
    let resp = client.send(&spec)?;
    serde_json::from_slice(&resp.body).map_err(|e| decode("a profile schema", e))
}

/// `picklists.user-profile-fields`.
pub(crate) fn user_profile_fields<T: Transport>(
    client: &mut Client<T>,
    req: UserProfileFieldsRequest,
) -> Result<ProfileFields, OktaError> {
    let type_id = encode::non_blank(&req.type_id)
        .map(|id| encode::segment("type-id", id))
        .transpose()?;
    let schema_id = match type_id {
        None => "default".to_string(),
        Some(type_id) => {
            let user_type = json_of(
                client,
                RequestSpec::get(format!("/api/v1/meta/types/user/{type_id}")),
            )?;
            encode::segment("the user type's schema", &schema_of_type(&user_type)?)?
        }
    };
    let okta = json_of(
        client,
        RequestSpec::get(format!("/api/v1/meta/schemas/user/{schema_id}")),
    )?;
    profile_fields(&okta, "User profile")
}

/// `picklists.app-user-profile-fields`.
pub(crate) fn app_user_profile_fields<T: Transport>(
    client: &mut Client<T>,
    req: AppProfileFieldsRequest,
) -> Result<ProfileFields, OktaError> {
    let app = encode::segment("app-id", &req.app_id)?;
    let okta = json_of(
        client,
        RequestSpec::get(format!("/api/v1/meta/schemas/apps/{app}/default")),
    )?;
    profile_fields(&okta, "App user profile")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_and_custom_attributes_become_titled_typed_fields() {
        let okta = json!({
            "definitions": {
                "base": {
                    "properties": {
                        "login": {"title": "Username", "type": "string", "required": true, "maxLength": 100},
                        "email": {"title": "Primary email", "type": "string", "format": "email"},
                    },
                    "required": ["login", "email"],
                },
                "custom": {
                    "properties": {
                        "costCode": {"title": "Cost code", "type": "string", "enum": ["A", "B"]},
                        "level": {"title": "Level", "type": "integer", "minimum": 1,
                                  "oneOf": [{"const": 1, "title": "Junior"}, {"const": 2, "title": "Senior"}]},
                        "badges": {"title": "Badges", "type": "array", "items": {"type": "string"}},
                        "employeeId": {"title": "Employee id", "type": "string", "mutability": "READ_ONLY"},
                    },
                    "required": ["costCode"],
                },
            },
        });
        let fields = profile_fields(&okta, "User profile").unwrap();
        // The attributes' order is the JSON map's (sorted, or as written where the workspace
        // builds serde_json with `preserve_order`): compared as sets.
        let sorted = |mut names: Vec<String>| {
            names.sort();
            names
        };
        assert_eq!(
            sorted(fields.custom),
            ["badges", "costCode", "employeeId", "level"]
        );
        let schema: Value = serde_json::from_str(&fields.schema).unwrap();
        let required = schema["required"].as_array().unwrap().iter();
        let required = sorted(required.map(|r| r.as_str().unwrap().to_string()).collect());
        assert_eq!(required, ["costCode", "email", "login"]);
        let p = &schema["properties"];
        assert_eq!(p["login"]["title"], "Username");
        assert_eq!(p["login"]["maxLength"], 100);
        assert_eq!(p["email"]["format"], "email");
        assert_eq!(p["costCode"]["enum"], json!(["A", "B", null]));
        assert_eq!(p["level"]["type"], json!(["integer", "null"]));
        assert_eq!(
            p["level"]["oneOf"][1],
            json!({"const": 2, "title": "Senior"})
        );
        assert_eq!(p["badges"]["items"], json!({"type": "string"}));
        assert_eq!(p["employeeId"]["readOnly"], true);
    }

    #[test]
    fn a_user_type_names_its_schema_by_link() {
        let user_type = json!({"_links": {"schema": {"href": "https://x.okta.com/api/v1/meta/schemas/user/osc1"}}});
        assert_eq!(schema_of_type(&user_type).unwrap(), "osc1");
        assert!(schema_of_type(&json!({})).is_err());
        assert!(profile_fields(&json!([]), "x").is_err());
    }
}
