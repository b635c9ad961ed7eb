//! Every `apps` node through the real component against the stateful mock.

mod common;

use common::*;
use okta_host::wit::apps::*;
use okta_host::wit::types::{ErrorKind, PageRequest};
use serde_json::{Value, json};

fn app_id(env: &Env, label: &str) -> String {
    env.mock
        .state()
        .apps
        .values()
        .find(|a| a.label == label)
        .unwrap()
        .id
        .clone()
}

fn assign(app: &str, user: &str) -> AssignUserToAppRequest {
    AssignUserToAppRequest {
        app_id: app.into(),
        user_id: user.into(),
        scope: None,
        username: None,
        password: None,
        profile: None,
    }
}

#[tokio::test]
async fn list_and_get_apps() {
    let env = Env::seeded().await;
    let all = ListAppsRequest {
        q: None,
        filter: None,
        expand: None,
        use_optimization: None,
        include_non_deleted: None,
        page: None,
        include_raw: None,
    };
    let page = call!(env, okta_management_apps, call_list_apps, &all).unwrap();
    let labels: Vec<_> = page.items.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["Slack", "Salesforce.com", "Zoom"]);
    assert!(page.items.iter().all(|a| a.status == AppStatus::Active));
    let every = ListAppsRequest {
        include_non_deleted: Some(true),
        ..all.clone()
    };
    let every = call!(env, okta_management_apps, call_list_apps, &every).unwrap();
    let statuses: Vec<_> = every
        .items
        .iter()
        .map(|a| (a.label.as_str(), a.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("Slack", AppStatus::Active),
            ("Salesforce.com", AppStatus::Active),
            ("Zoom", AppStatus::Active),
            ("Zendesk", AppStatus::Inactive)
        ]
    );
    let q = ListAppsRequest {
        q: Some("sales".into()),
        ..all
    };
    let found = call!(env, okta_management_apps, call_list_apps, &q).unwrap();
    assert_eq!(found.items.len(), 1);
    let filtered = ListAppsRequest {
        q: None,
        filter: Some(r#"name eq "zoomus""#.into()),
        page: Some(PageRequest {
            limit: Some(1),
            after: None,
            fetch_all: Some(true),
            max_items: None,
        }),
        ..q
    };
    assert_eq!(
        call!(env, okta_management_apps, call_list_apps, &filtered)
            .unwrap()
            .items[0]
            .label,
        "Zoom"
    );

    let slack = app_id(&env, "Slack");
    let app = call!(
        env,
        okta_management_apps,
        call_get_app,
        &GetAppRequest {
            app_id: slack.clone(),
            expand: None
        }
    )
    .unwrap();
    assert_eq!(
        (app.name.as_str(), app.sign_on_mode.as_deref()),
        ("slack", Some("SAML_2_0"))
    );
    let err = call!(
        env,
        okta_management_apps,
        call_get_app,
        &GetAppRequest {
            app_id: "0oanope".into(),
            expand: None
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, Some("E0000007"));
}

#[tokio::test]
async fn assign_read_update_and_remove_a_user() {
    let env = Env::seeded().await;
    let zoom = app_id(&env, "Zoom");
    let ada = env.add_user("new.hire@example.com");
    let request = AssignUserToAppRequest {
        username: Some("new.hire".into()),
        password: Some("Zo0m!pass".into()),
        profile: Some(r#"{"role": "host"}"#.into()),
        ..assign(&zoom, "new.hire@example.com")
    };
    let result = call!(env, okta_management_apps, call_assign_user_to_app, &request).unwrap();
    assert!(result.changed);
    let assigned = result.assignment;
    assert_eq!(assigned.id, ada);
    assert_eq!(
        (assigned.scope, assigned.username.as_deref()),
        (Some(AssignmentScope::User), Some("new.hire"))
    );
    assert_eq!(
        serde_json::from_str::<Value>(&assigned.profile).unwrap(),
        json!({"role": "host"})
    );
    let sent: Value = serde_json::from_str(&env.api_requests().last().unwrap().body).unwrap();
    assert_eq!(sent["credentials"]["password"]["value"], "Zo0m!pass");
    assert_eq!(sent["id"], ada.as_str());

    // A repeat: Okta refuses (`E0000062`), the node reads the assignment as it is.
    env.mock.clear_requests();
    let again = call!(
        env,
        okta_management_apps,
        call_assign_user_to_app,
        &assign(&zoom, &ada)
    )
    .unwrap();
    assert!(!again.changed);
    assert_eq!(again.assignment.username.as_deref(), Some("new.hire"));
    let statuses: Vec<_> = env
        .mock
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.status))
        .collect();
    assert_eq!(
        statuses,
        [("POST".to_string(), 409), ("GET".to_string(), 200)]
    );

    let got = call!(
        env,
        okta_management_apps,
        call_get_app_user_assignment,
        &GetAppUserAssignmentRequest {
            app_id: zoom.clone(),
            user_id: ada.clone(),
            expand: None
        }
    )
    .unwrap();
    assert_eq!(got.username.as_deref(), Some("new.hire"));

    let update = UpdateAppUserAssignmentRequest {
        app_id: zoom.clone(),
        user_id: ada.clone(),
        username: Some("nh".into()),
        password: None,
        profile: Some(r#"{"plan": "pro"}"#.into()),
    };
    let updated = call!(
        env,
        okta_management_apps,
        call_update_app_user_assignment,
        &update
    )
    .unwrap();
    assert_eq!(updated.username.as_deref(), Some("nh"));
    assert_eq!(
        serde_json::from_str::<Value>(&updated.profile).unwrap(),
        json!({"role": "host", "plan": "pro"})
    );
    let empty = UpdateAppUserAssignmentRequest {
        app_id: zoom.clone(),
        user_id: ada.clone(),
        username: None,
        password: None,
        profile: None,
    };
    assert_error(
        &call!(
            env,
            okta_management_apps,
            call_update_app_user_assignment,
            &empty
        )
        .unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );

    let users = call!(
        env,
        okta_management_apps,
        call_list_app_users,
        &ListAppUsersRequest {
            app_id: zoom.clone(),
            q: None,
            expand: None,
            page: None,
            include_raw: None,
        }
    )
    .unwrap();
    assert_eq!(
        users
            .items
            .iter()
            .map(|u| u.id.as_str())
            .collect::<Vec<_>>(),
        [ada.as_str()]
    );

    let remove = RemoveUserFromAppRequest {
        app_id: zoom.clone(),
        user_id: ada.clone(),
        send_email: Some(false),
    };
    let removed = call!(
        env,
        okta_management_apps,
        call_remove_user_from_app,
        &remove
    )
    .unwrap();
    assert_eq!(
        (removed.app_id.as_str(), removed.user_id.as_str()),
        (zoom.as_str(), ada.as_str())
    );
    assert_eq!(
        env.api_requests().last().unwrap().query.as_deref(),
        Some("sendEmail=false")
    );
    let err = call!(
        env,
        okta_management_apps,
        call_remove_user_from_app,
        &remove
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);
    let err = call!(
        env,
        okta_management_apps,
        call_get_app_user_assignment,
        &GetAppUserAssignmentRequest {
            app_id: zoom,
            user_id: ada,
            expand: None
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);
}

#[tokio::test]
async fn an_inactive_user_cannot_be_assigned() {
    let env = Env::seeded().await;
    let slack = app_id(&env, "Slack");
    let err = call!(
        env,
        okta_management_apps,
        call_assign_user_to_app,
        &assign(&slack, "edsger.dijkstra@example.com")
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::InvalidState, Some("E0000117"));
    let bad = AssignUserToAppRequest {
        profile: Some("not json".into()),
        ..assign(&slack, "ada.lovelace@example.com")
    };
    let before = env.requests();
    assert_error(
        &call!(env, okta_management_apps, call_assign_user_to_app, &bad).unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );
    assert_eq!(env.requests(), before);
}

#[tokio::test]
async fn app_users_page_and_filter() {
    let env = Env::seeded().await;
    let slack = app_id(&env, "Slack");
    let first = ListAppUsersRequest {
        app_id: slack.clone(),
        q: None,
        expand: None,
        page: Some(PageRequest {
            limit: Some(2),
            after: None,
            fetch_all: None,
            max_items: None,
        }),
        include_raw: None,
    };
    let page = call!(env, okta_management_apps, call_list_app_users, &first).unwrap();
    assert_eq!(page.items.len(), 2);
    let rest = ListAppUsersRequest {
        page: Some(PageRequest {
            limit: None,
            after: page.next_cursor.clone(),
            fetch_all: Some(true),
            max_items: None,
        }),
        ..first
    };
    assert_eq!(
        call!(env, okta_management_apps, call_list_app_users, &rest)
            .unwrap()
            .items
            .len(),
        2
    );
    let q = ListAppUsersRequest {
        app_id: slack,
        q: Some("grace".into()),
        expand: None,
        page: None,
        include_raw: None,
    };
    assert_eq!(
        call!(env, okta_management_apps, call_list_app_users, &q)
            .unwrap()
            .items
            .len(),
        1
    );
    let missing = ListAppUsersRequest {
        app_id: "0oanope".into(),
        ..q
    };
    let err = call!(env, okta_management_apps, call_list_app_users, &missing).unwrap_err();
    assert_error(&err, ErrorKind::NotFound, Some("E0000007"));
    let bad = ListAppsRequest {
        q: None,
        filter: Some("name eq".into()),
        expand: None,
        use_optimization: None,
        include_non_deleted: None,
        page: None,
        include_raw: None,
    };
    let err = call!(env, okta_management_apps, call_list_apps, &bad).unwrap_err();
    assert_error(&err, ErrorKind::BadRequest, None);
    let no_page = ListAppsRequest {
        filter: None,
        page: Some(PageRequest {
            limit: Some(0),
            after: None,
            fetch_all: None,
            max_items: None,
        }),
        ..bad
    };
    let before = env.requests();
    let err = call!(env, okta_management_apps, call_list_apps, &no_page).unwrap_err();
    assert_error(&err, ErrorKind::InvalidInput, None);
    assert_eq!(env.requests(), before);
}
