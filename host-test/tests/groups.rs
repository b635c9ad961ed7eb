//! Every `groups` node through the real component against the stateful mock.

mod common;

use common::*;
use okta_host::wit::groups::*;
use okta_host::wit::types::{ErrorKind, GroupType, PageRequest};
use serde_json::{Value, json};

fn list() -> ListGroupsRequest {
    ListGroupsRequest {
        q: None,
        filter: None,
        search: None,
        sort_by: None,
        sort_order: None,
        expand: None,
        page: None,
        include_raw: None,
        extra_query: None,
    }
}

async fn create(env: &Env, name: &str, extra: Option<&str>) -> okta_host::wit::types::Group {
    let request = CreateGroupRequest {
        name: name.into(),
        description: Some(format!("{name} people")),
        profile_extra: extra.map(Into::into),
    };
    call!(env, okta_management_groups, call_create_group, &request).expect("created")
}

fn group_id(env: &Env, name: &str) -> String {
    let state = env.mock.state();
    state
        .groups
        .values()
        .find(|g| g.profile["name"] == name)
        .unwrap()
        .id
        .clone()
}

#[tokio::test]
async fn create_get_and_list_groups() {
    let env = Env::seeded().await;
    let group = create(&env, "Designers", Some(r#"{"costCenter": "CC-7"}"#)).await;
    assert_eq!(
        (group.name.as_str(), group.group_type),
        ("Designers", GroupType::OktaGroup)
    );
    assert_eq!(group.description.as_deref(), Some("Designers people"));
    assert_eq!(
        serde_json::from_str::<Value>(&group.profile_extra).unwrap(),
        json!({"costCenter": "CC-7"})
    );
    let got = call!(
        env,
        okta_management_groups,
        call_get_group,
        &GetGroupRequest {
            group_id: group.id.clone()
        }
    )
    .unwrap();
    assert_eq!(got.id, group.id);

    let by_q = call!(
        env,
        okta_management_groups,
        call_list_groups,
        &ListGroupsRequest {
            q: Some("desi".into()),
            ..list()
        }
    )
    .unwrap();
    assert_eq!(
        by_q.items
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>(),
        ["Designers"]
    );
    let okta_groups = ListGroupsRequest {
        filter: Some(r#"type eq "OKTA_GROUP""#.into()),
        expand: Some(GroupExpand::Stats),
        ..list()
    };
    let page = call!(env, okta_management_groups, call_list_groups, &okta_groups).unwrap();
    assert!(
        page.items
            .iter()
            .all(|g| g.group_type == GroupType::OktaGroup)
    );
    let engineering = page.items.iter().find(|g| g.name == "Engineering").unwrap();
    assert_eq!(engineering.users_count, Some(4));
    assert!(
        env.mock
            .requests()
            .last()
            .unwrap()
            .query
            .as_deref()
            .unwrap()
            .contains("expand=stats")
    );

    let sorted = ListGroupsRequest {
        search: Some(r#"profile.name sw "E""#.into()),
        sort_by: Some("profile.name".into()),
        sort_order: Some(okta_host::wit::types::SortOrder::Descending),
        ..list()
    };
    let names: Vec<_> = call!(env, okta_management_groups, call_list_groups, &sorted)
        .unwrap()
        .items
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert_eq!(names, ["Everyone", "Engineering"]);

    let paged = ListGroupsRequest {
        page: Some(PageRequest {
            limit: Some(2),
            after: None,
            fetch_all: Some(true),
            max_items: None,
        }),
        ..list()
    };
    let all = call!(env, okta_management_groups, call_list_groups, &paged).unwrap();
    assert_eq!(all.items.len(), 5);

    let missing = call!(
        env,
        okta_management_groups,
        call_get_group,
        &GetGroupRequest {
            group_id: "00gnope".into()
        }
    )
    .unwrap_err();
    assert_error(&missing, ErrorKind::NotFound, Some("E0000007"));
    let both = ListGroupsRequest {
        q: Some("a".into()),
        search: Some("id pr".into()),
        ..list()
    };
    assert_error(
        &call!(env, okta_management_groups, call_list_groups, &both).unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );
}

#[tokio::test]
async fn a_duplicate_name_is_conflict() {
    let env = Env::start().await;
    create(&env, "Finance", None).await;
    let again = CreateGroupRequest {
        name: "finance".into(),
        description: None,
        profile_extra: None,
    };
    let err = call!(env, okta_management_groups, call_create_group, &again).unwrap_err();
    assert_error(&err, ErrorKind::Conflict, Some("E0000001"));
    let blank = CreateGroupRequest {
        name: " ".into(),
        description: None,
        profile_extra: None,
    };
    let before = env.requests();
    assert_error(
        &call!(env, okta_management_groups, call_create_group, &blank).unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );
    assert_eq!(env.requests(), before);
}

#[tokio::test]
async fn update_group_keeps_custom_attributes_through_the_replacing_put() {
    let env = Env::start().await;
    let group = create(
        &env,
        "Ops",
        Some(r#"{"costCenter": "CC-1", "owners": ["ada"]}"#),
    )
    .await;
    env.mock.clear_requests();
    let update = UpdateGroupRequest {
        group_id: group.id.clone(),
        name: None,
        description: Some("Keeps the lights on".into()),
        profile_extra: Some(r#"{"region": "EU"}"#.into()),
    };
    let updated = call!(env, okta_management_groups, call_update_group, &update).unwrap();
    assert_eq!(updated.name, "Ops");
    assert_eq!(updated.description.as_deref(), Some("Keeps the lights on"));
    assert_eq!(
        serde_json::from_str::<Value>(&updated.profile_extra).unwrap(),
        json!({"costCenter": "CC-1", "owners": ["ada"], "region": "EU"})
    );
    let log = env.api_requests();
    assert_eq!(
        log.iter().map(|r| r.method.as_str()).collect::<Vec<_>>(),
        ["GET", "PUT"]
    );
    let put: Value = serde_json::from_str(&log[1].body).unwrap();
    assert_eq!(
        put["profile"]["costCenter"], "CC-1",
        "the PUT carried the attributes the request did not name"
    );

    let nothing = UpdateGroupRequest {
        group_id: group.id,
        name: None,
        description: None,
        profile_extra: None,
    };
    assert_error(
        &call!(env, okta_management_groups, call_update_group, &nothing).unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );
    let everyone = group_id(&env, "Everyone");
    let builtin = UpdateGroupRequest {
        group_id: everyone,
        name: Some("All".into()),
        description: None,
        profile_extra: None,
    };
    assert_error(
        &call!(env, okta_management_groups, call_update_group, &builtin).unwrap_err(),
        ErrorKind::Forbidden,
        Some("E0000006"),
    );
}

#[tokio::test]
async fn delete_group_only_deletes_okta_groups() {
    let env = Env::seeded().await;
    let group = create(&env, "Temp", None).await;
    call!(
        env,
        okta_management_groups,
        call_delete_group,
        &DeleteGroupRequest {
            group_id: group.id.clone()
        }
    )
    .unwrap();
    assert!(!env.mock.state().groups.contains_key(&group.id));
    for name in ["Everyone", "AD Domain Users"] {
        let err = call!(
            env,
            okta_management_groups,
            call_delete_group,
            &DeleteGroupRequest {
                group_id: group_id(&env, name)
            }
        )
        .unwrap_err();
        assert_error(&err, ErrorKind::Forbidden, Some("E0000006"));
    }
    let err = call!(
        env,
        okta_management_groups,
        call_delete_group,
        &DeleteGroupRequest { group_id: group.id }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);
}

#[tokio::test]
async fn members_are_added_listed_and_removed() {
    let env = Env::start().await;
    let group = create(&env, "Approvers", None).await;
    let ada = env.add_user("ada@example.com");
    let bob = env.add_user("bob@example.com");
    for user in [ada.as_str(), "bob@example.com"] {
        let request = MembershipRequest {
            group_id: group.id.clone(),
            user_id: user.into(),
        };
        call!(
            env,
            okta_management_groups,
            call_add_user_to_group,
            &request
        )
        .unwrap();
    }
    // Adding again is harmless: the PUT is idempotent.
    call!(
        env,
        okta_management_groups,
        call_add_user_to_group,
        &MembershipRequest {
            group_id: group.id.clone(),
            user_id: ada.clone()
        }
    )
    .unwrap();
    let put = env
        .mock
        .requests()
        .into_iter()
        .rfind(|r| r.method == "PUT")
        .unwrap();
    assert_eq!(put.path, format!("/api/v1/groups/{}/users/{ada}", group.id));

    let members = call!(
        env,
        okta_management_groups,
        call_list_group_members,
        &ListGroupMembersRequest {
            group_id: group.id.clone(),
            page: None,
            include_raw: None,
        }
    )
    .unwrap();
    let ids: Vec<_> = members.items.iter().map(|u| u.id.clone()).collect();
    assert_eq!(ids, [ada.clone(), bob.clone()]);
    let first = ListGroupMembersRequest {
        group_id: group.id.clone(),
        page: Some(PageRequest {
            limit: Some(1),
            after: None,
            fetch_all: None,
            max_items: None,
        }),
        include_raw: None,
    };
    let pending = call!(
        env,
        okta_management_groups,
        call_list_pending_approvals,
        &first
    )
    .unwrap();
    assert_eq!(pending.items.len(), 1);
    assert!(pending.next_cursor.is_some());

    call!(
        env,
        okta_management_groups,
        call_remove_user_from_group,
        &MembershipRequest {
            group_id: group.id.clone(),
            user_id: "bob@example.com".into()
        }
    )
    .unwrap();
    assert!(!env.mock.state().is_member(&group.id, &bob));
    let err = call!(
        env,
        okta_management_groups,
        call_add_user_to_group,
        &MembershipRequest {
            group_id: group.id.clone(),
            user_id: "nobody@example.com".into()
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);
    let err = call!(
        env,
        okta_management_groups,
        call_remove_user_from_group,
        &MembershipRequest {
            group_id: group_id(&env, "Everyone"),
            user_id: ada
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::Forbidden, None);
    let err = call!(
        env,
        okta_management_groups,
        call_list_group_members,
        &ListGroupMembersRequest {
            group_id: "00gnope".into(),
            page: None,
            include_raw: None,
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);
    let before = env.requests();
    let err = call!(
        env,
        okta_management_groups,
        call_list_pending_approvals,
        &ListGroupMembersRequest {
            group_id: " ".into(),
            page: None,
            include_raw: None,
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::InvalidInput, None);
    assert_eq!(env.requests(), before);
}

#[tokio::test]
async fn list_groups_passes_extra_query_parameters_but_never_over_a_field() {
    let env = Env::seeded().await;
    let request = ListGroupsRequest {
        extra_query: Some(vec![okta_host::wit::types::Pair {
            name: "filter[type]".into(),
            value: "OKTA_GROUP".into(),
        }]),
        ..list()
    };
    call!(env, okta_management_groups, call_list_groups, &request).unwrap();
    assert_eq!(
        env.api_requests()[0].query.as_deref(),
        Some("filter%5Btype%5D=OKTA_GROUP")
    );
    for typed in ["expand", "q", "filter"] {
        let overriding = ListGroupsRequest {
            extra_query: Some(vec![okta_host::wit::types::Pair {
                name: typed.into(),
                value: "x".into(),
            }]),
            ..list()
        };
        let err = call!(env, okta_management_groups, call_list_groups, &overriding).unwrap_err();
        assert_error(&err, ErrorKind::InvalidInput, None);
    }
    assert_eq!(env.requests(), 1);
}
