//! `/api/v1/groups`: groups and their members. Only OKTA_GROUPs can be changed.

use super::errors::MockError;
use super::filter;
use super::state::{MockGroup, State};
use super::{Call, Mock, Reply, page};
use axum::extract::{Path, State as Extract};
use serde_json::{Map, Value, json};
use std::time::SystemTime;

/// The group as listed, with `_embedded.stats` when asked.
fn group_json(state: &State, group: &MockGroup, base: &str, stats: bool) -> Value {
    let mut json = group.to_json(base);
    if stats {
        let users = state.member_count(&group.id);
        json["_embedded"] = json!({ "stats": {
            "usersCount": users,
            "appsCount": 0,
            "groupPushMappingsCount": 0,
            "hasAdminPrivilege": false,
        }});
    }
    json
}

/// A group by id, or Okta's 404.
fn find<'a>(state: &'a State, id: &str) -> Result<&'a MockGroup, MockError> {
    state
        .groups
        .get(id)
        .ok_or_else(|| MockError::not_found(id, "UserGroup"))
}

/// Okta's refusal to change a group it does not manage.
fn not_okta_group(group: &MockGroup) -> MockError {
    MockError::new(
        403,
        "E0000006",
        "You do not have permission to perform the requested action",
    )
    .cause(format!(
        "{} groups cannot be changed through the API",
        group.kind
    ))
}

/// A group that can be changed: an OKTA_GROUP.
fn changeable<'a>(state: &'a State, id: &str) -> Result<&'a MockGroup, MockError> {
    let group = find(state, id)?;
    if group.kind == "OKTA_GROUP" {
        Ok(group)
    } else {
        Err(not_okta_group(group))
    }
}

/// Checks a group profile: a name that no other group has.
fn check_profile(
    state: &State,
    profile: &Map<String, Value>,
    except: Option<&str>,
) -> Result<(), MockError> {
    let name = profile
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if name.trim().is_empty() {
        return Err(MockError::validation(
            "group",
            "name: The field cannot be left blank",
        ));
    }
    let taken = state.groups.values().any(|g| {
        Some(g.id.as_str()) != except
            && g.profile
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
    });
    if taken {
        return Err(MockError::validation(
            "group",
            "name: An object with this field already exists in the current organization",
        ));
    }
    Ok(())
}

/// `GET /api/v1/groups`. An org has few groups: each is matched as Okta returns it, and
/// only the page is rendered.
pub async fn list(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let state = mock.lock();
    let stats = call.param("expand") == Some("stats");
    let render = |g: &MockGroup| group_json(&state, g, &call.base, stats);
    let name_starts = |g: &MockGroup, q: &str| {
        g.profile
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.to_lowercase().starts_with(q))
    };
    if let Some(q) = call.param("q") {
        let q = q.to_lowercase();
        let limit = call.usize_param("limit")?.unwrap_or(300);
        let items = state
            .groups
            .values()
            .filter(|g| name_starts(g, &q))
            .take(limit)
            .map(render)
            .collect();
        return Ok(page::reply(&call, items, None));
    }
    let cursor = page::Cursor::of(&call)?;
    let Some(expr) = call.param("filter").or(call.param("search")) else {
        return Ok(cursor.page(&call, state.groups.range(cursor.range()), render));
    };
    let parsed = filter::parse(expr).map_err(MockError::bad_search)?;
    let ignore_case = call.param("search").is_some();
    let mut found: Vec<(&MockGroup, Value)> = state
        .groups
        .values()
        .map(|g| (g, g.to_json(&call.base)))
        .filter(|(_, json)| filter::matches(&parsed, json, ignore_case))
        .collect();
    if let Some(sort_by) = call.param("sortBy") {
        found.sort_by(|(a, ja), (b, jb)| {
            filter::sort_key(ja, sort_by)
                .cmp(&filter::sort_key(jb, sort_by))
                .then(a.id.cmp(&b.id))
        });
        if call
            .param("sortOrder")
            .is_some_and(|o| o.eq_ignore_ascii_case("desc"))
        {
            found.reverse();
        }
    }
    let start = cursor.start_in(found.iter().map(|(g, _)| g.id.as_str()));
    let walk = found[start..].iter().map(|(g, _)| (&g.id, *g));
    Ok(cursor.page(&call, walk, render))
}

/// The `profile` object of a group request body.
fn profile_of(call: &Call) -> Result<Map<String, Value>, MockError> {
    call.json()?
        .get("profile")
        .and_then(Value::as_object)
        .cloned()
        .ok_or_else(|| MockError::validation("group", "profile: The field cannot be left blank"))
}

/// `POST /api/v1/groups`.
pub async fn create(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let profile = profile_of(&call)?;
    let mut state = mock.lock();
    check_profile(&state, &profile, None)?;
    let id = state.add_group("OKTA_GROUP", "", "");
    if let Some(group) = state.groups.get_mut(&id) {
        group.profile = profile;
    }
    let reply = page::json(state.groups[&id].to_json(&call.base));
    let target = state.group_target(&id);
    state.log("group.lifecycle.create", "Create Okta group", vec![target]);
    Ok(reply)
}

/// `GET /api/v1/groups/{id}`.
pub async fn get(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    let group = find(&state, &id)?;
    Ok(page::json(group_json(&state, group, &call.base, false)))
}

/// `PUT /api/v1/groups/{id}`: replaces the whole profile.
pub async fn replace(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let profile = profile_of(&call)?;
    let mut state = mock.lock();
    changeable(&state, &id)?;
    check_profile(&state, &profile, Some(&id))?;
    let group = state
        .groups
        .get_mut(&id)
        .ok_or_else(|| MockError::not_found(&id, "UserGroup"))?;
    group.profile = profile;
    group.last_updated = SystemTime::now();
    let reply = page::json(group.to_json(&call.base));
    let target = state.group_target(&id);
    state.log("group.profile.update", "Update group profile", vec![target]);
    Ok(reply)
}

/// `DELETE /api/v1/groups/{id}`.
pub async fn delete(Extract(mock): Extract<Mock>, Path(id): Path<String>) -> Reply {
    let mut state = mock.lock();
    changeable(&state, &id)?;
    let target = state.group_target(&id);
    state.remove_group(&id);
    state.log("group.lifecycle.delete", "Delete Okta group", vec![target]);
    Ok(page::no_content())
}

/// `GET /api/v1/groups/{id}/users`.
pub async fn members(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    find(&state, &id)?;
    let cursor = page::Cursor::of(&call)?;
    let members = state
        .members(&id, cursor.after.as_deref())
        .filter_map(|user| state.users.get_key_value(user));
    Ok(cursor.page(&call, members, |u| u.to_json(&call.base)))
}

/// `PUT` or `DELETE /api/v1/groups/{id}/users/{userId}`.
fn change_membership(mock: &Mock, group_id: &str, user_id: &str, add: bool) -> Reply {
    let mut state = mock.lock();
    changeable(&state, group_id)?;
    if !state.users.contains_key(user_id) {
        return Err(MockError::not_found(user_id, "User"));
    }
    let changed = if add {
        state.add_member(group_id, user_id)
    } else {
        state.remove_member(group_id, user_id)
    };
    if changed {
        let targets = vec![state.user_target(user_id), state.group_target(group_id)];
        let (event, message) = if add {
            ("group.user_membership.add", "Add user to group membership")
        } else {
            (
                "group.user_membership.remove",
                "Remove user from group membership",
            )
        };
        state.log(event, message, targets);
    }
    Ok(page::no_content())
}

/// `PUT /api/v1/groups/{id}/users/{userId}`.
pub async fn add_member(
    Extract(mock): Extract<Mock>,
    Path((group, user)): Path<(String, String)>,
) -> Reply {
    change_membership(&mock, &group, &user, true)
}

/// `DELETE /api/v1/groups/{id}/users/{userId}`.
pub async fn remove_member(
    Extract(mock): Extract<Mock>,
    Path((group, user)): Path<(String, String)>,
) -> Reply {
    change_membership(&mock, &group, &user, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_count_members() {
        let mut state = State::new("t".into());
        let everyone = state.everyone_id.clone();
        let json = group_json(&state, &state.groups[&everyone], "https://x", true);
        assert_eq!(json["_embedded"]["stats"]["usersCount"], 1);
        assert!(changeable(&state, &everyone).is_err());
        let id = state.add_group("OKTA_GROUP", "Eng", "");
        assert!(changeable(&state, &id).is_ok());
    }
}
