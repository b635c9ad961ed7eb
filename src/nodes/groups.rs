//! The `groups` interface: WIT requests → request specs, Okta answers → WIT outputs.

use crate::client::encode;
use crate::client::error::invalid_input;
use crate::client::paging::{self, Paging};
use crate::client::spec::RequestSpec;
use crate::client::{Client, Transport};
use crate::nodes::objects;
use crate::nodes::users::{self, user_ref};
use crate::wit::groups::{
    CreateGroupRequest, DeleteGroupRequest, DeletedGroup, GetGroupRequest, GroupExpand,
    ListGroupMembersRequest, ListGroupsRequest, Membership, MembershipRequest, UpdateGroupRequest,
};
use crate::wit::types::{Group, GroupPage, OktaError, UserPage};
use serde_json::{Map, Value, json};

const GROUPS: &str = "/api/v1/groups";

/// `/api/v1/groups/{groupId}`, checked.
fn group_path(group_id: &str) -> Result<String, OktaError> {
    Ok(format!(
        "{GROUPS}/{}",
        encode::segment("group-id", group_id)?
    ))
}

/// `GET /api/v1/groups` with the query, sort, expand and paging.
pub(crate) fn build_list_groups(
    req: &ListGroupsRequest,
) -> Result<(RequestSpec, Paging), OktaError> {
    let spec = RequestSpec::searchable(
        GROUPS.into(),
        &req.q,
        &req.filter,
        &req.search,
        &req.sort_by,
        req.sort_order,
    )?
    .query_opt(
        "expand",
        req.expand.map(|e| match e {
            GroupExpand::Stats => "stats",
            GroupExpand::App => "app",
        }),
    )
    .extra_query(
        req.extra_query.as_deref(),
        &["q", "filter", "search", "sortBy", "sortOrder", "expand"],
    )?;
    Ok((spec, paging::plan(req.page.as_ref(), req.include_raw)?))
}

/// `groups.list-groups`.
pub(crate) fn list_groups<T: Transport>(
    client: &mut Client<T>,
    req: ListGroupsRequest,
) -> Result<GroupPage, OktaError> {
    let (spec, paging) = build_list_groups(&req)?;
    let (items, next_cursor) = client.list(spec, &paging, objects::group)?;
    Ok(GroupPage { items, next_cursor })
}

/// `groups.get-group`.
pub(crate) fn get_group<T: Transport>(
    client: &mut Client<T>,
    req: GetGroupRequest,
) -> Result<Group, OktaError> {
    let resp = client.send(&RequestSpec::get(group_path(&req.group_id)?))?;
    objects::group(&resp.body)
}

/// The group profile keys that fields of their own set.
const OWN: [&str; 2] = ["name", "description"];

/// Merges a name, a description and `profile-extra` into a group profile (blank text is
/// not given; `profile-extra` may only clear `name` or `description`, with null).
fn merge_profile(
    profile: &mut Map<String, Value>,
    name: Option<&str>,
    description: Option<&str>,
    extra: Option<&str>,
) -> Result<(), OktaError> {
    let mut given = Map::new();
    for (key, value) in OWN.iter().zip([name, description]) {
        if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
            given.insert((*key).into(), value.into());
        }
    }
    objects::merge_extra(&mut given, extra, "profile-extra", |key| OWN.contains(&key))?;
    profile.extend(given);
    Ok(())
}

/// `POST /api/v1/groups` with the profile.
pub(crate) fn build_create_group(req: &CreateGroupRequest) -> Result<RequestSpec, OktaError> {
    let name = req.name.trim();
    if name.is_empty() {
        return Err(invalid_input("name is empty"));
    }
    let mut profile = Map::new();
    merge_profile(
        &mut profile,
        Some(name),
        req.description.as_deref(),
        req.profile_extra.as_deref(),
    )?;
    Ok(RequestSpec::post(GROUPS.into()).json(json!({ "profile": profile })))
}

/// `groups.create-group`.
pub(crate) fn create_group<T: Transport>(
    client: &mut Client<T>,
    req: CreateGroupRequest,
) -> Result<Group, OktaError> {
    let resp = client.send(&build_create_group(&req)?)?;
    objects::group(&resp.body)
}

/// The profile to `PUT`: the current one with the changes merged in.
pub(crate) fn merged_group_profile(
    current: &[u8],
    req: &UpdateGroupRequest,
) -> Result<Value, OktaError> {
    let mut group = objects::parse(current, "a group")?;
    let mut profile = objects::take_object(&mut group, "profile");
    let name = encode::non_blank(&req.name);
    merge_profile(
        &mut profile,
        name,
        req.description.as_deref(),
        req.profile_extra.as_deref(),
    )?;
    Ok(json!({ "profile": profile }))
}

/// `groups.update-group`: read, merge, write, so the attributes not given survive Okta's
/// replacing `PUT`.
pub(crate) fn update_group<T: Transport>(
    client: &mut Client<T>,
    req: UpdateGroupRequest,
) -> Result<Group, OktaError> {
    let path = group_path(&req.group_id)?;
    // Checked whole before anything is sent.
    merged_group_profile(br#"{"profile": {}}"#, &req)?;
    let nothing = encode::non_blank(&req.name).is_none()
        && encode::non_blank(&req.description).is_none()
        && encode::non_blank(&req.profile_extra).is_none();
    if nothing {
        return Err(invalid_input(
            "nothing to update: set name, description or profile-extra",
        ));
    }
    let current = client.send(&RequestSpec::get(path.clone()))?;
    let body = merged_group_profile(&current.body, &req)?;
    let resp = client.send(&RequestSpec::put(path).json(body))?;
    objects::group(&resp.body)
}

/// `groups.delete-group`.
pub(crate) fn delete_group<T: Transport>(
    client: &mut Client<T>,
    req: DeleteGroupRequest,
) -> Result<DeletedGroup, OktaError> {
    client.send(&RequestSpec::delete(group_path(&req.group_id)?))?;
    Ok(DeletedGroup {
        group_id: req.group_id.trim().to_string(),
    })
}

/// `groups.list-group-members` and `groups.list-pending-approvals`.
pub(crate) fn list_group_members<T: Transport>(
    client: &mut Client<T>,
    req: ListGroupMembersRequest,
) -> Result<UserPage, OktaError> {
    let path = group_path(&req.group_id)?;
    let paging = paging::plan(req.page.as_ref(), req.include_raw)?;
    let (items, next_cursor) = client.list(
        RequestSpec::get(format!("{path}/users")),
        &paging,
        objects::user,
    )?;
    Ok(UserPage { items, next_cursor })
}

/// The membership path and what it names: the group's id and the user's id (a login is
/// looked up first).
fn membership<T: Transport>(
    client: &mut Client<T>,
    req: &MembershipRequest,
) -> Result<(String, Membership), OktaError> {
    let group = group_path(&req.group_id)?;
    let user = user_ref("user-id", &req.user_id)?;
    let user_id = users::resolve_id(client, &user)?;
    let path = format!("{group}/users/{}", encode::segment("user-id", &user_id)?);
    Ok((
        path,
        Membership {
            group_id: req.group_id.trim().to_string(),
            user_id,
        },
    ))
}

/// `groups.add-user-to-group`: a `PUT`, so adding twice is harmless.
pub(crate) fn add_user_to_group<T: Transport>(
    client: &mut Client<T>,
    req: MembershipRequest,
) -> Result<Membership, OktaError> {
    let (path, done) = membership(client, &req)?;
    client.send(&RequestSpec::put(path))?;
    Ok(done)
}

/// `groups.remove-user-from-group`.
pub(crate) fn remove_user_from_group<T: Transport>(
    client: &mut Client<T>,
    req: MembershipRequest,
) -> Result<Membership, OktaError> {
    let (path, done) = membership(client, &req)?;
    client.send(&RequestSpec::delete(path))?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wit::types::{ErrorKind, SortOrder};

    fn list() -> ListGroupsRequest {
        ListGroupsRequest {
            q: None,
            filter: None,
            search: None,
            sort_by: None,
            sort_order: None,
            expand: None,
            extra_query: None,
            include_raw: None,
            page: None,
        }
    }

    #[test]
    fn list_groups_builds_the_query() {
        let req = ListGroupsRequest {
            search: Some("profile.name sw \"Eng\"".into()),
            sort_by: Some("profile.name".into()),
            sort_order: Some(SortOrder::Ascending),
            expand: Some(GroupExpand::Stats),
            ..list()
        };
        let (spec, _) = build_list_groups(&req).unwrap();
        assert_eq!(
            spec.path_and_query(),
            "/api/v1/groups?search=profile.name%20sw%20%22Eng%22&sortBy=profile.name&sortOrder=asc&expand=stats"
        );
        let both = ListGroupsRequest {
            q: Some("a".into()),
            filter: Some("type eq \"OKTA_GROUP\"".into()),
            ..list()
        };
        assert_eq!(
            build_list_groups(&both).unwrap_err().kind,
            ErrorKind::InvalidInput
        );
    }

    #[test]
    fn create_group_sends_the_profile() {
        let req = CreateGroupRequest {
            name: " Engineering ".into(),
            description: Some("Builds".into()),
            profile_extra: Some(r#"{"costCenter": "R&D"}"#.into()),
        };
        let spec = build_create_group(&req).unwrap();
        assert_eq!(
            spec.body.unwrap(),
            json!({"profile": {"costCenter": "R&D", "name": "Engineering", "description": "Builds"}})
        );
        let empty = CreateGroupRequest {
            name: " ".into(),
            description: None,
            profile_extra: None,
        };
        assert!(build_create_group(&empty).is_err());
        let clash = CreateGroupRequest {
            profile_extra: Some(r#"{"name": "x"}"#.into()),
            ..req
        };
        assert!(build_create_group(&clash).is_err());
    }

    #[test]
    fn update_keeps_the_attributes_not_given() {
        let current = br#"{"id":"00g1","type":"OKTA_GROUP","profile":{"name":"Eng","description":"old","costCenter":"R&D","owners":["a"]}}"#;
        let req = UpdateGroupRequest {
            group_id: "00g1".into(),
            name: None,
            description: Some("new".into()),
            profile_extra: Some(r#"{"region": "EU"}"#.into()),
        };
        assert_eq!(
            merged_group_profile(current, &req).unwrap(),
            json!({"profile": {"name": "Eng", "description": "new", "costCenter": "R&D", "owners": ["a"], "region": "EU"}})
        );
    }
}
