//! What an engine relies on across nodes, through the real component: the connection's
//! defaults, what an error says an engine may do, cursors that belong to their list,
//! outputs small enough to store, results that name what was done, one error channel for
//! bad input, flows that name the package they were written for, a component within its
//! size budget (2 MiB), and a component whose WIT is `wit/`.

mod common;

use common::*;
use okta_host::Outcome;
use okta_host::flow::Flow;
use okta_host::wit::event_hooks::{CreateEventHookRequest, EventHookRequest};
use okta_host::wit::factors::{ResetAllFactorsRequest, UnenrollFactorRequest};
use okta_host::wit::groups::{CreateGroupRequest, DeleteGroupRequest, MembershipRequest};
use okta_host::wit::types::{ErrorKind, PageRequest};
use okta_host::wit::users::{CreateUserRequest, GetUserRequest, ListUsersRequest};
use serde_json::{Value, json};
use std::time::Duration;

fn list_users(search: Option<&str>, page: Option<PageRequest>) -> ListUsersRequest {
    ListUsersRequest {
        q: None,
        filter: None,
        search: search.map(str::to_string),
        sort_by: None,
        sort_order: None,
        extra_query: None,
        include_raw: None,
        page,
    }
}

fn page(limit: Option<u32>, after: Option<String>, fetch_all: bool) -> Option<PageRequest> {
    Some(PageRequest {
        limit,
        after,
        fetch_all: Some(fetch_all),
        max_items: None,
    })
}

#[tokio::test]
async fn a_connection_without_options_takes_every_default() {
    let env = Env::start().await;
    let mut node = env.node().await;
    let mut conn = node.conn.clone();
    conn.options = None;
    let info = node
        .nodes
        .okta_management_connection()
        .call_test_connection(&mut node.store, &conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        info.principal_login.as_deref(),
        AuthMode::from_env().principal_login()
    );
}

#[tokio::test]
async fn an_error_says_how_often_it_was_sent_and_whether_it_may_be_sent_again() {
    let mut env = Env::start().await;
    env.conn.max_retries = Some(1);
    // A read that failed on the way: sent twice, and may be sent again.
    env.mock.fail_next("GET", "/api/v1/users", 503, 2);
    let err = users!(env, call_list_users, &list_users(None, None)).unwrap_err();
    assert_error(&err, ErrorKind::Server, Some("E0000010"));
    assert_eq!((err.attempts, err.retryable), (2, true));
    // A create that failed on the way may have been applied: not again as it is.
    env.mock.fail_next("POST", "/api/v1/users", 500, 1);
    let err = users!(env, call_create_user, &create_request("r@example.com")).unwrap_err();
    assert_eq!(
        (err.kind, err.attempts, err.retryable),
        (ErrorKind::Server, 1, false)
    );
    // A 429 was refused before anything happened: it may be sent again after reset-at.
    env.mock.rate_limit_next(1, Duration::from_secs(600));
    let err = users!(env, call_list_users, &list_users(None, None)).unwrap_err();
    assert_eq!(
        (err.kind, err.attempts, err.retryable),
        (ErrorKind::RateLimited, 1, true)
    );
    // A lookup, then an answer a repeat would get again.
    let err = users!(
        env,
        call_get_user,
        &GetUserRequest {
            user_id: "nobody@example.com".into(),
            expand: None
        }
    )
    .unwrap_err();
    assert_eq!(
        (err.kind, err.attempts, err.retryable),
        (ErrorKind::NotFound, 1, false)
    );
    // Nothing was sent for bad input.
    let err = users!(
        env,
        call_create_user,
        &CreateUserRequest {
            profile: empty_profile(),
            ..create_request("x@example.com")
        }
    )
    .unwrap_err();
    assert_eq!(
        (err.kind, err.attempts, err.retryable),
        (ErrorKind::InvalidInput, 0, false)
    );
}

#[tokio::test]
async fn a_cursor_is_refused_by_another_list_or_other_filters() {
    let env = Env::seeded().await;
    let engineering = r#"profile.department eq "Engineering""#;
    let first = users!(
        env,
        call_list_users,
        &list_users(Some(engineering), page(Some(1), None, false))
    )
    .unwrap();
    let cursor = first.next_cursor.expect("more engineers");
    // The same request takes its cursor.
    let second = users!(
        env,
        call_list_users,
        &list_users(
            Some(engineering),
            page(Some(1), Some(cursor.clone()), false)
        )
    )
    .unwrap();
    assert_eq!(
        second.items[0].profile.department.as_deref(),
        Some("Engineering")
    );
    // Sales with the Engineering cursor once gave Engineering users: now it is refused.
    let before = env.requests();
    for other in [
        list_users(
            Some(r#"profile.department eq "Sales""#),
            page(Some(1), Some(cursor.clone()), false),
        ),
        list_users(None, page(Some(1), Some(cursor.clone()), false)),
    ] {
        let err = users!(env, call_list_users, &other).unwrap_err();
        assert_error(&err, ErrorKind::InvalidInput, None);
        assert!(err.message.contains("page.after"), "{}", err.message);
    }
    let everyone = env.mock.state().everyone_id.clone();
    let groups = call!(
        env,
        okta_management_groups,
        call_list_group_members,
        &okta_host::wit::groups::ListGroupMembersRequest {
            group_id: everyone,
            page: page(None, Some(cursor), false),
            include_raw: None,
        }
    )
    .unwrap_err();
    assert_error(&groups, ErrorKind::InvalidInput, None);
    assert_eq!(env.requests(), before, "nothing was sent");
}

#[tokio::test]
async fn lists_leave_raw_out_unless_asked_and_stop_at_a_storable_size() {
    let env = Env::with(okta_mock::MockConfig {
        seed_users: 1_100,
        ..okta_mock::MockConfig::default()
    })
    .await;
    let all = users!(
        env,
        call_list_users,
        &list_users(None, page(None, None, true))
    )
    .unwrap();
    // The default max-items is 1,000; the cursor carries on from there.
    assert_eq!(all.items.len(), 1_000);
    assert!(all.next_cursor.is_some());
    assert!(all.items.iter().all(|u| u.raw.is_none()));
    let with_raw = ListUsersRequest {
        include_raw: Some(true),
        ..list_users(None, page(Some(2), None, false))
    };
    let two = users!(env, call_list_users, &with_raw).unwrap();
    let raw: Value = serde_json::from_str(two.items[0].raw.as_deref().unwrap()).unwrap();
    assert_eq!(raw["id"], two.items[0].id.as_str());
    // A single object always carries it.
    let one = users!(
        env,
        call_get_user,
        &GetUserRequest {
            user_id: "user7@example.com".into(),
            expand: None
        }
    )
    .unwrap();
    assert!(one.raw.is_some());
    let too_many = ListUsersRequest {
        page: Some(PageRequest {
            limit: None,
            after: None,
            fetch_all: Some(true),
            max_items: Some(10_001),
        }),
        ..list_users(None, None)
    };
    let err = users!(env, call_list_users, &too_many).unwrap_err();
    assert_error(&err, ErrorKind::InvalidInput, None);
    assert!(err.message.contains("max-items"), "{}", err.message);
}

#[tokio::test]
async fn nodes_that_change_something_name_what_they_did() {
    let env = Env::start().await;
    let user = env.add_user("named@example.com");
    let group = call!(
        env,
        okta_management_groups,
        call_create_group,
        &CreateGroupRequest {
            name: "Named".into(),
            description: None,
            profile_extra: None,
        }
    )
    .unwrap();
    let membership = MembershipRequest {
        group_id: group.id.clone(),
        user_id: "named@example.com".into(),
    };
    let added = call!(
        env,
        okta_management_groups,
        call_add_user_to_group,
        &membership
    )
    .unwrap();
    assert_eq!(
        (added.group_id.as_str(), added.user_id.as_str()),
        (group.id.as_str(), user.as_str())
    );
    let removed = call!(
        env,
        okta_management_groups,
        call_remove_user_from_group,
        &membership
    )
    .unwrap();
    assert_eq!(
        (removed.group_id, removed.user_id),
        (added.group_id, added.user_id)
    );
    let deleted = call!(
        env,
        okta_management_groups,
        call_delete_group,
        &DeleteGroupRequest {
            group_id: group.id.clone()
        }
    )
    .unwrap();
    assert_eq!(deleted.group_id, group.id);

    let reset = call!(
        env,
        okta_management_factors,
        call_reset_all_factors,
        &ResetAllFactorsRequest {
            user_id: "named@example.com".into()
        }
    )
    .unwrap();
    assert_eq!(reset.user_id, user);
    let err = call!(
        env,
        okta_management_factors,
        call_unenroll_factor,
        &UnenrollFactorRequest {
            user_id: user.clone(),
            factor_id: "mbl1".into(),
            remove_recovery_enrollment: None,
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);

    let hook = call!(
        env,
        okta_management_event_hooks,
        call_create_event_hook,
        &CreateEventHookRequest {
            name: "Named".into(),
            uri: "https://hooks.example.com/named".into(),
            event_types: vec!["user.lifecycle.create".into()],
            headers: None,
            auth_header_key: None,
            auth_header_value: None,
            description: None,
            filters: None,
            do_not_activate: None,
        }
    )
    .unwrap();
    let gone = call!(
        env,
        okta_management_event_hooks,
        call_delete_event_hook,
        &EventHookRequest {
            event_hook_id: hook.id.clone()
        }
    )
    .unwrap();
    assert_eq!(gone.event_hook_id, hook.id);
}

#[tokio::test]
async fn input_of_the_wrong_shape_is_the_nodes_invalid_input() {
    let env = Env::start().await;
    for (node, input, field) in [
        (
            "users.get-user",
            json!({"user-id": null}),
            "request.user-id",
        ),
        ("users.get-user", json!({"usr-id": "x"}), "usr-id"),
        (
            "users.delete-user",
            json!({"user-id": "x", "mode": "erase"}),
            "request.mode",
        ),
        (
            "users.list-users",
            json!({"page": {"limit": -1}}),
            "request.page.limit",
        ),
        (
            "connection.test-connection",
            json!({"x": 1}),
            "takes no request",
        ),
    ] {
        let outcome = env.host.call_json(&env.conn, node, &input).await.unwrap();
        let Outcome::Err(error) = outcome else {
            panic!("{node} {input}: {outcome:?}");
        };
        assert_eq!(error["kind"], "invalid-input", "{node} {input}");
        assert_eq!(
            (&error["attempts"], &error["retryable"]),
            (&json!(0), &json!(false))
        );
        assert!(
            error["message"].as_str().unwrap().contains(field),
            "{node} {input}: {error}"
        );
    }
    assert_eq!(env.requests(), 0);
}

#[tokio::test]
async fn a_flow_names_its_package_and_another_version_is_refused() {
    let env = Env::seeded().await;
    let flow = |package: &str| {
        Flow::parse(
            &json!({
                "package": package,
                "name": "Who am I",
                "steps": [{"id": "me", "node": "connection.test-connection"}],
            })
            .to_string(),
        )
        .unwrap()
    };
    let current = env.host.package().to_string();
    assert_eq!(current, "okta:management@0.6.0");
    let outputs = flow(&current)
        .run(&env.host, &env.conn, |_, _, _, _| {})
        .await
        .unwrap();
    assert_eq!(
        outputs["me"]["principal-login"].as_str(),
        AuthMode::from_env().principal_login()
    );
    for old in ["okta:management@0.4.0", "okta:management@0.5.0"] {
        let err = flow(old)
            .run(&env.host, &env.conn, |_, _, _, _| {})
            .await
            .unwrap_err();
        let message = format!("{err:#}");
        assert!(
            message.contains(old) && message.contains(&current),
            "{message}"
        );
    }
    assert_eq!(env.requests(), 1);
}

#[test]
fn the_shipped_component_fits_its_two_mib_budget() {
    let bytes = okta_host::COMPONENT.len() as u64;
    assert!(
        bytes <= 2 << 20,
        "the component is {bytes} bytes, past its 2 MiB budget"
    );
    assert!(
        !okta_host::COMPONENT
            .windows(b"component-name".len())
            .any(|w| w == b"component-name"),
        "the shipped component carries no name section"
    );
}

/// The package's interfaces as WIT text, without docs, each interface on its own: what
/// bindings generated from either side are made of.
fn interfaces(resolve: &wit_parser::Resolve, package: wit_parser::PackageId) -> Vec<String> {
    let mut printed: Vec<String> = resolve.packages[package]
        .interfaces
        .values()
        .map(|&id| {
            let mut printer = wit_component::WitPrinter::default();
            printer.emit_docs(false);
            printer.print_interface(resolve, id).unwrap();
            format!("{}: {}", resolve.id_of(id).unwrap(), printer.output)
        })
        .collect();
    printed.sort();
    printed
}

#[test]
fn the_wit_in_the_component_is_the_wit_in_the_repository() {
    let decoded = wit_parser::decoding::decode(okta_host::COMPONENT).unwrap();
    let resolve = decoded.resolve();
    let built = resolve
        .package_names
        .iter()
        .find(|(name, _)| name.namespace == "okta" && name.name == "management")
        .map(|(_, &id)| id)
        .expect("the component exports okta:management");
    let mut source = wit_parser::Resolve::default();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../wit");
    let (written, _) = source.push_dir(dir).unwrap();
    assert_eq!(
        resolve.packages[built].name.to_string(),
        source.packages[written].name.to_string(),
        "the same package and version"
    );
    let (built, written) = (interfaces(resolve, built), interfaces(&source, written));
    assert_eq!(built.len(), 15, "every interface of the world");
    assert_eq!(built, written);
    let wit_parser::decoding::DecodedWasm::Component(_, world) = decoded else {
        panic!("the file is a component");
    };
    let exports: Vec<String> = resolve.worlds[world]
        .exports
        .keys()
        .map(|key| resolve.name_world_key(key))
        .collect();
    assert_eq!(exports.len(), 15, "{exports:?}");
}
