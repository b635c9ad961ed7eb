//! Admin role assignments: `/api/v1/users/{userId}/roles`, `/api/v1/groups/{groupId}/roles`
//! and `/api/v1/iam/assignees/users`. Standard roles only (a custom role needs a resource
//! set, which the mock has none of); a role once per assignee (`E0000090`); no role for a
//! group a group rule fills (`E0000192`), as Okta has it.

use super::errors::MockError;
use super::state::{MockRole, STANDARD_ROLES, State};
use super::{Call, Mock, Reply, page};
use axum::extract::{Path, State as Extract};
use serde_json::{Value, json};
use std::time::SystemTime;

/// The org's id in the ORNs it names its users by.
const ORG_ID: &str = "00o1mock0rg000000001";

/// Who a role is assigned to.
#[derive(Clone, Copy)]
enum Assignee {
    User,
    Group,
}

impl Assignee {
    fn kind(self) -> &'static str {
        match self {
            Assignee::User => "USER",
            Assignee::Group => "GROUP",
        }
    }

    /// The assignee's id as the org knows it (a user by id or login), or Okta's 404.
    fn resolve(self, state: &State, key: &str) -> Result<String, MockError> {
        match self {
            Assignee::User => state.user_id(key),
            Assignee::Group if state.groups.contains_key(key) => Ok(key.to_string()),
            Assignee::Group => Err(MockError::not_found(key, "UserGroup")),
        }
    }
}

/// The role a request asks for: a standard role's type.
fn requested(call: &Call) -> Result<String, MockError> {
    let body = call.json()?;
    match body["type"].as_str() {
        Some(role) if STANDARD_ROLES.iter().any(|(r, _)| *r == role) => Ok(role.to_string()),
        Some("CUSTOM") => Err(MockError::validation(
            "RoleAssignment",
            "role, resource-set: A custom role needs a role and a resource set.",
        )),
        _ => Err(MockError::new(
            400,
            "E0000091",
            "The provided role type was not the same as required role type.",
        )),
    }
}

fn list(mock: &Mock, who: Assignee, key: &str, call: &Call) -> Reply {
    let state = mock.lock();
    let id = who.resolve(&state, key)?;
    let roles: Vec<Value> = state
        .roles
        .iter()
        .filter(|r| r.assignment_type == who.kind() && r.assignee == id)
        .map(|r| r.to_json(&call.base))
        .collect();
    Ok(page::json(json!(roles)))
}

fn assign(mock: &Mock, who: Assignee, key: &str, call: &Call) -> Result<Value, MockError> {
    call.bool_param("disableNotifications")?;
    let role_type = requested(call)?;
    let mut state = mock.lock();
    let id = who.resolve(&state, key)?;
    if state
        .roles
        .iter()
        .any(|r| r.assignee == id && r.role_type == role_type)
    {
        return Err(MockError::new(
            409,
            "E0000090",
            "The role specified is already assigned to the user.",
        ));
    }
    let ruled = state.group_rules.iter().any(|rule| {
        rule["actions"]["assignUserToGroups"]["groupIds"]
            .as_array()
            .is_some_and(|groups| groups.iter().any(|g| g == id.as_str()))
    });
    if matches!(who, Assignee::Group) && ruled {
        return Err(MockError::new(
            400,
            "E0000192",
            "Roles cannot be granted to groups with group membership rules.",
        ));
    }
    let role = MockRole {
        id: state.next_id("ra1"),
        assignment_type: who.kind(),
        assignee: id,
        role_type,
        created: SystemTime::now(),
    };
    let json = role.to_json(&call.base);
    state.roles.push(role);
    Ok(json)
}

fn find(mock: &Mock, who: Assignee, key: &str, role: &str, call: &Call) -> Reply {
    let state = mock.lock();
    let id = who.resolve(&state, key)?;
    state
        .roles
        .iter()
        .find(|r| r.id == role && r.assignee == id)
        .map(|r| page::json(r.to_json(&call.base)))
        .ok_or_else(|| MockError::not_found(role, "RoleAssignment"))
}

fn unassign(mock: &Mock, who: Assignee, key: &str, role: &str) -> Reply {
    let mut state = mock.lock();
    let id = who.resolve(&state, key)?;
    let at = state
        .roles
        .iter()
        .position(|r| r.id == role && r.assignee == id)
        .ok_or_else(|| MockError::not_found(role, "RoleAssignment"))?;
    state.roles.remove(at);
    Ok(page::no_content())
}

/// `GET /api/v1/users/{userId}/roles`.
pub async fn of_user(Extract(mock): Extract<Mock>, Path(user): Path<String>, call: Call) -> Reply {
    list(&mock, Assignee::User, &user, &call)
}

/// `POST /api/v1/users/{userId}/roles`: 201.
pub async fn assign_to_user(
    Extract(mock): Extract<Mock>,
    Path(user): Path<String>,
    call: Call,
) -> Reply {
    assign(&mock, Assignee::User, &user, &call).map(page::created)
}

/// `GET /api/v1/users/{userId}/roles/{roleAssignmentId}`.
pub async fn user_role(
    Extract(mock): Extract<Mock>,
    Path((user, role)): Path<(String, String)>,
    call: Call,
) -> Reply {
    find(&mock, Assignee::User, &user, &role, &call)
}

/// `DELETE /api/v1/users/{userId}/roles/{roleAssignmentId}`.
pub async fn unassign_from_user(
    Extract(mock): Extract<Mock>,
    Path((user, role)): Path<(String, String)>,
) -> Reply {
    unassign(&mock, Assignee::User, &user, &role)
}

/// `GET /api/v1/groups/{groupId}/roles`.
pub async fn of_group(
    Extract(mock): Extract<Mock>,
    Path(group): Path<String>,
    call: Call,
) -> Reply {
    list(&mock, Assignee::Group, &group, &call)
}

/// `POST /api/v1/groups/{groupId}/roles`: 201 for a new assignment.
pub async fn assign_to_group(
    Extract(mock): Extract<Mock>,
    Path(group): Path<String>,
    call: Call,
) -> Reply {
    assign(&mock, Assignee::Group, &group, &call).map(page::created)
}

/// `GET /api/v1/groups/{groupId}/roles/{roleAssignmentId}`.
pub async fn group_role(
    Extract(mock): Extract<Mock>,
    Path((group, role)): Path<(String, String)>,
    call: Call,
) -> Reply {
    find(&mock, Assignee::Group, &group, &role, &call)
}

/// `DELETE /api/v1/groups/{groupId}/roles/{roleAssignmentId}`.
pub async fn unassign_from_group(
    Extract(mock): Extract<Mock>,
    Path((group, role)): Path<(String, String)>,
) -> Reply {
    unassign(&mock, Assignee::Group, &group, &role)
}

/// `GET /api/v1/iam/assignees/users`: the users with a role of their own, by id.
pub async fn assignees(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let state = mock.lock();
    let mut users: Vec<&str> = state
        .roles
        .iter()
        .filter(|r| r.assignment_type == "USER")
        .map(|r| r.assignee.as_str())
        .collect();
    users.sort_unstable();
    users.dedup();
    let value: Vec<Value> = users
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "orn": format!("orn:okta:directory:{ORG_ID}:users:{id}"),
                "_links": { "roles": { "href": format!("{}/api/v1/users/{id}/roles", call.base) } },
            })
        })
        .collect();
    Ok(page::json(json!({ "value": value, "_links": {} })))
}
