//! `/api/v1/groups/rules`: group rules. A rule is created INACTIVE; once activated, every
//! user whose profile meets its condition is added to its groups, and so is each user
//! created or changed while it is active. Only an inactive rule can be replaced or deleted.

use super::errors::MockError;
use super::expression::Expression;
use super::state::{State, timestamp};
use super::{Call, Mock, Reply, page};
use axum::extract::{Path, State as Extract};
use serde_json::{Value, json};
use std::time::SystemTime;

/// The expression language a rule's condition is written in.
const EXPRESSION_TYPE: &str = "urn:okta:expression:1.0";

/// A rule by id, or Okta's 404.
fn index(state: &State, id: &str) -> Result<usize, MockError> {
    state
        .group_rules
        .iter()
        .position(|r| r["id"] == id)
        .ok_or_else(|| MockError::not_found(id, "GroupMembershipRule"))
}

/// A rule as Okta returns it, with `_embedded.groupIdToGroupNameMap` when asked.
fn rule_json(state: &State, rule: &Value, call: &Call) -> Value {
    let mut json = rule.clone();
    if call
        .param("expand")
        .is_some_and(|e| e.split(',').any(|e| e == "groupIdToGroupNameMap"))
    {
        let names: serde_json::Map<String, Value> =
            rule["actions"]["assignUserToGroups"]["groupIds"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|id| {
                    let id = id.as_str()?;
                    let name = state.groups.get(id)?.profile.get("name")?.clone();
                    Some((id.to_string(), name))
                })
                .collect();
        json["_embedded"] = json!({ "groupIdToGroupNameMap": names });
    }
    json
}

/// The rule a request describes, checked as Okta checks it: a name of 1 to 50 characters,
/// a condition the mock evaluates, and groups the org has.
fn read_rule(state: &State, call: &Call) -> Result<Value, MockError> {
    let body = call.json()?;
    let name = body["name"].as_str().unwrap_or_default();
    if name.trim().is_empty() || name.chars().count() > 50 {
        return Err(MockError::validation(
            "GroupRule",
            "name: The name must be from 1 to 50 characters.",
        ));
    }
    if body.get("type").is_some_and(|t| t != "group_rule") {
        return Err(MockError::validation(
            "GroupRule",
            "type: The rule type must be group_rule.",
        ));
    }
    let expression = &body["conditions"]["expression"];
    let condition = expression["value"].as_str().unwrap_or_default();
    if let Err(why) = Expression::parse(condition) {
        return Err(MockError::validation(
            "GroupRule",
            format!("conditions.expression.value: Invalid property expression: {why}"),
        ));
    }
    let groups = body["actions"]["assignUserToGroups"]["groupIds"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if groups.is_empty() {
        return Err(MockError::validation(
            "GroupRule",
            "actions.assignUserToGroups.groupIds: At least one group is required.",
        ));
    }
    for group in &groups {
        let id = group.as_str().unwrap_or_default();
        match state.groups.get(id) {
            Some(g) if g.kind == "OKTA_GROUP" => {}
            _ => {
                return Err(MockError::validation(
                    "GroupRule",
                    format!("actions.assignUserToGroups.groupIds: Invalid group id {id}."),
                ));
            }
        }
    }
    let mut conditions = json!({
        "expression": { "type": EXPRESSION_TYPE, "value": condition },
    });
    if let Some(people) = body["conditions"].get("people").filter(|p| !p.is_null()) {
        conditions["people"] = people.clone();
    }
    Ok(json!({
        "type": "group_rule",
        "name": name,
        "conditions": conditions,
        "actions": { "assignUserToGroups": { "groupIds": groups } },
    }))
}

/// `GET /api/v1/groups/rules`: every rule, or those whose name holds `search`.
pub async fn list(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let state = mock.lock();
    let search = call.param("search").unwrap_or_default().to_lowercase();
    let rules: Vec<Value> = state
        .group_rules
        .iter()
        .filter(|r| {
            r["name"]
                .as_str()
                .is_some_and(|n| n.to_lowercase().contains(&search))
        })
        .map(|r| rule_json(&state, r, &call))
        .collect();
    Ok(page::json(json!(rules)))
}

/// `POST /api/v1/groups/rules`: a new rule, INACTIVE.
pub async fn create(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let mut state = mock.lock();
    let mut rule = read_rule(&state, &call)?;
    let now = timestamp(SystemTime::now());
    rule["id"] = state.next_id("0pr").into();
    rule["status"] = "INACTIVE".into();
    rule["created"] = now.clone().into();
    rule["lastUpdated"] = now.into();
    state.group_rules.push(rule.clone());
    Ok(page::json(rule_json(&state, &rule, &call)))
}

/// `GET /api/v1/groups/rules/{groupRuleId}`.
pub async fn get(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    let at = index(&state, &id)?;
    Ok(page::json(rule_json(&state, &state.group_rules[at], &call)))
}

/// Okta's refusal to change an active rule.
fn active(action: &str) -> MockError {
    MockError::validation(
        "GroupRule",
        format!("Cannot {action} a rule that is ACTIVE; deactivate it first."),
    )
}

/// `PUT /api/v1/groups/rules/{groupRuleId}`: an inactive rule replaced.
pub async fn replace(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let mut state = mock.lock();
    let at = index(&state, &id)?;
    if state.group_rules[at]["status"] == "ACTIVE" {
        return Err(active("update"));
    }
    let given = read_rule(&state, &call)?;
    let rule = &mut state.group_rules[at];
    for key in ["name", "conditions", "actions"] {
        rule[key] = given[key].clone();
    }
    rule["lastUpdated"] = timestamp(SystemTime::now()).into();
    let rule = rule.clone();
    Ok(page::json(rule_json(&state, &rule, &call)))
}

/// `DELETE /api/v1/groups/rules/{groupRuleId}`: an inactive rule; with `removeUsers`, the
/// users its groups have that its condition adds leave them. Okta answers 202.
pub async fn delete(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let remove_users = call.bool_param("removeUsers")?.unwrap_or(false);
    let mut state = mock.lock();
    let at = index(&state, &id)?;
    if state.group_rules[at]["status"] == "ACTIVE" {
        return Err(active("delete"));
    }
    let rule = state.group_rules.remove(at);
    if remove_users
        && let Some(Ok(condition)) = rule["conditions"]["expression"]["value"]
            .as_str()
            .map(Expression::parse)
    {
        let matching: Vec<String> = state
            .users
            .values()
            .filter(|u| condition.matches(&u.profile))
            .map(|u| u.id.clone())
            .collect();
        for group in rule["actions"]["assignUserToGroups"]["groupIds"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            for user in &matching {
                state.remove_member(group, user);
            }
        }
    }
    Ok(page::accepted())
}

/// `POST /api/v1/groups/rules/{groupRuleId}/lifecycle/{activate|deactivate}`.
pub async fn lifecycle(
    Extract(mock): Extract<Mock>,
    Path((id, action)): Path<(String, String)>,
) -> Reply {
    let mut state = mock.lock();
    let at = index(&state, &id)?;
    let status = MockError::lifecycle_status(&action, "group rule")?;
    state.group_rules[at]["status"] = status.into();
    state.group_rules[at]["lastUpdated"] = timestamp(SystemTime::now()).into();
    if status == "ACTIVE" {
        state.apply_group_rules(None);
    }
    Ok(page::no_content())
}
