//! Every `event-hooks` node through the real component: the mock really sends the
//! verification challenge, and only a verified, active hook receives deliveries.

mod common;

use common::*;
use okta_host::wit::event_hooks::*;
use okta_host::wit::types::{ErrorKind, LifecycleStatus, Pair};
use okta_host::wit::users::SuspendUserRequest;
use serde_json::Value;

const SECRET: &str = "hook-secret-6d1f2a";

fn create_request(uri: &str) -> CreateEventHookRequest {
    CreateEventHookRequest {
        name: "User suspensions".into(),
        uri: uri.into(),
        event_types: vec!["user.lifecycle.suspend".into()],
        headers: Some(vec![Pair {
            name: "X-Tenant".into(),
            value: "acme".into(),
        }]),
        auth_header_key: Some("Authorization".into()),
        auth_header_value: Some(SECRET.into()),
        description: Some("Tells the HR system".into()),
        filters: None,
        do_not_activate: None,
    }
}

#[tokio::test]
async fn a_verified_active_hook_receives_the_events_it_subscribes_to() {
    let env = Env::start().await;
    let (base, received) = receiver().await;
    let hook = call!(
        env,
        okta_management_event_hooks,
        call_create_event_hook,
        &create_request(&format!("{base}/hook"))
    )
    .unwrap();
    assert_eq!(
        (hook.status, hook.verification_status),
        (LifecycleStatus::Active, VerificationStatus::Unverified)
    );
    assert_eq!(hook.auth_header_key.as_deref(), Some("Authorization"));
    assert_eq!(
        hook.headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str()))
            .collect::<Vec<_>>(),
        [("X-Tenant", "acme")]
    );
    assert!(
        !hook.raw.as_deref().unwrap().contains(SECRET),
        "the secret never comes back"
    );
    let sent: Value = serde_json::from_str(&env.api_requests().last().unwrap().body).unwrap();
    assert_eq!(
        sent["channel"]["config"]["authScheme"]["value"], SECRET,
        "the secret went to Okta"
    );

    // Not verified yet: nothing is delivered.
    let user = env.add_user("hooked@example.com");
    users!(
        env,
        call_suspend_user,
        &SuspendUserRequest {
            user_id: user.clone()
        }
    )
    .unwrap();
    // The mock delivers before it answers: nothing has arrived, nothing will.
    assert!(received.lock().unwrap().is_empty());

    let verified = call!(
        env,
        okta_management_event_hooks,
        call_verify_event_hook,
        &EventHookRequest {
            event_hook_id: hook.id.clone()
        }
    )
    .unwrap();
    assert_eq!(verified.verification_status, VerificationStatus::Verified);
    users!(
        env,
        call_unsuspend_user,
        &okta_host::wit::users::UnsuspendUserRequest {
            user_id: user.clone()
        }
    )
    .unwrap();
    users!(
        env,
        call_suspend_user,
        &SuspendUserRequest {
            user_id: user.clone()
        }
    )
    .unwrap();
    let deliveries = received.lock().unwrap().clone();
    assert_eq!(
        deliveries.len(),
        1,
        "only the subscribed event type is delivered"
    );
    let (headers, body) = &deliveries[0];
    assert_eq!(headers.get("authorization").unwrap(), SECRET);
    assert_eq!(headers.get("x-tenant").unwrap(), "acme");
    assert_eq!(
        body["data"]["events"][0]["eventType"],
        "user.lifecycle.suspend"
    );
    assert_eq!(body["data"]["events"][0]["target"][0]["id"], user.as_str());

    // Deactivated: nothing more arrives.
    let inactive = call!(
        env,
        okta_management_event_hooks,
        call_deactivate_event_hook,
        &EventHookRequest {
            event_hook_id: hook.id.clone()
        }
    )
    .unwrap();
    assert_eq!(
        (inactive.hook.status, inactive.changed),
        (LifecycleStatus::Inactive, true)
    );
    users!(
        env,
        call_unsuspend_user,
        &okta_host::wit::users::UnsuspendUserRequest {
            user_id: user.clone()
        }
    )
    .unwrap();
    users!(
        env,
        call_suspend_user,
        &SuspendUserRequest { user_id: user }
    )
    .unwrap();
    assert_eq!(received.lock().unwrap().len(), 1);
    let activate = EventHookRequest {
        event_hook_id: hook.id,
    };
    let active = call!(
        env,
        okta_management_event_hooks,
        call_activate_event_hook,
        &activate
    )
    .unwrap();
    assert_eq!(
        (active.hook.status, active.changed),
        (LifecycleStatus::Active, true)
    );
    // A repeat finds the hook ACTIVE and sends nothing.
    env.mock.clear_requests();
    let again = call!(
        env,
        okta_management_event_hooks,
        call_activate_event_hook,
        &activate
    )
    .unwrap();
    assert_eq!(
        (again.hook.status, again.changed),
        (LifecycleStatus::Active, false)
    );
    let methods: Vec<_> = env.api_requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["GET"]);
}

#[tokio::test]
async fn verification_fails_when_the_endpoint_does_not_echo() {
    let env = Env::start().await;
    let (base, _) = receiver().await;
    let hook = call!(
        env,
        okta_management_event_hooks,
        call_create_event_hook,
        &create_request(&format!("{base}/deaf"))
    )
    .unwrap();
    let err = call!(
        env,
        okta_management_event_hooks,
        call_verify_event_hook,
        &EventHookRequest {
            event_hook_id: hook.id.clone()
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::BadRequest, Some("E0000001"));
    let got = call!(
        env,
        okta_management_event_hooks,
        call_get_event_hook,
        &EventHookRequest {
            event_hook_id: hook.id
        }
    )
    .unwrap();
    assert_eq!(got.verification_status, VerificationStatus::Unverified);
}

#[tokio::test]
async fn create_checks_its_input_and_can_leave_the_hook_inactive() {
    let env = Env::start().await;
    let (base, _) = receiver().await;
    for bad in [
        CreateEventHookRequest {
            uri: "http://hooks.example.com/okta".into(),
            ..create_request("x")
        },
        CreateEventHookRequest {
            event_types: vec![],
            ..create_request(&format!("{base}/hook"))
        },
        CreateEventHookRequest {
            auth_header_value: None,
            ..create_request(&format!("{base}/hook"))
        },
    ] {
        assert_error(
            &call!(
                env,
                okta_management_event_hooks,
                call_create_event_hook,
                &bad
            )
            .unwrap_err(),
            ErrorKind::InvalidInput,
            None,
        );
    }
    assert_eq!(env.requests(), 0);
    let filtered = CreateEventHookRequest {
        do_not_activate: Some(true),
        filters: Some(vec![EventFilter {
            event_type: "user.lifecycle.suspend".into(),
            expression: "event.target.size() > 0".into(),
        }]),
        ..create_request(&format!("{base}/hook"))
    };
    let hook = call!(
        env,
        okta_management_event_hooks,
        call_create_event_hook,
        &filtered
    )
    .unwrap();
    assert_eq!(hook.status, LifecycleStatus::Inactive);
    assert_eq!(hook.filters.len(), 1);
    let missing = call!(
        env,
        okta_management_event_hooks,
        call_get_event_hook,
        &EventHookRequest {
            event_hook_id: "whonope".into()
        }
    )
    .unwrap_err();
    assert_error(&missing, ErrorKind::NotFound, Some("E0000007"));
    let unknown = EventHookRequest {
        event_hook_id: "whonope".into(),
    };
    for err in [
        call!(
            env,
            okta_management_event_hooks,
            call_activate_event_hook,
            &unknown
        ),
        call!(
            env,
            okta_management_event_hooks,
            call_deactivate_event_hook,
            &unknown
        ),
    ] {
        assert_error(&err.unwrap_err(), ErrorKind::NotFound, Some("E0000007"));
    }
    let before = env.requests();
    let blank = EventHookRequest {
        event_hook_id: "..".into(),
    };
    let err = call!(
        env,
        okta_management_event_hooks,
        call_activate_event_hook,
        &blank
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::InvalidInput, None);
    assert_eq!(env.requests(), before);
}

#[tokio::test]
async fn delete_one_and_delete_all_by_uri() {
    let env = Env::start().await;
    let (base, _) = receiver().await;
    let a = format!("{base}/hook");
    let b = "https://hooks.example.com/other".to_string();
    let mut ids = Vec::new();
    for uri in [&a, &a, &b, &b] {
        ids.push(
            call!(
                env,
                okta_management_event_hooks,
                call_create_event_hook,
                &create_request(uri)
            )
            .unwrap()
            .id,
        );
    }
    // An ACTIVE hook is deactivated first: Okta deletes only INACTIVE hooks.
    call!(
        env,
        okta_management_event_hooks,
        call_delete_event_hook,
        &EventHookRequest {
            event_hook_id: ids[3].clone()
        }
    )
    .unwrap();
    let err = call!(
        env,
        okta_management_event_hooks,
        call_delete_event_hook,
        &EventHookRequest {
            event_hook_id: ids[3].clone()
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);

    let deleted = call!(
        env,
        okta_management_event_hooks,
        call_delete_all_event_hooks,
        &DeleteAllEventHooksRequest {
            uri: Some(a.clone())
        }
    )
    .unwrap();
    assert_eq!(deleted.ids, ids[..2]);
    let left = call!(
        env,
        okta_management_event_hooks,
        call_list_event_hooks,
        ListEventHooksRequest { include_raw: None }
    )
    .unwrap();
    assert_eq!(
        left.iter().map(|h| h.id.clone()).collect::<Vec<_>>(),
        [ids[2].clone()]
    );
    let everything = call!(
        env,
        okta_management_event_hooks,
        call_delete_all_event_hooks,
        &DeleteAllEventHooksRequest { uri: None }
    )
    .unwrap();
    assert_eq!(everything.ids, [ids[2].clone()]);

    // A failure part way names the hooks already deleted.
    let mut more = Vec::new();
    for _ in 0..2 {
        more.push(
            call!(
                env,
                okta_management_event_hooks,
                call_create_event_hook,
                &create_request(&b)
            )
            .unwrap()
            .id,
        );
    }
    env.mock
        .fail_next("DELETE", &format!("/api/v1/eventHooks/{}", more[1]), 500, 3);
    let err = call!(
        env,
        okta_management_event_hooks,
        call_delete_all_event_hooks,
        &DeleteAllEventHooksRequest { uri: None }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::Server, None);
    assert!(
        err.message
            .ends_with(&format!("(deleted before this failure: {})", more[0])),
        "{}",
        err.message
    );
    let rest = call!(
        env,
        okta_management_event_hooks,
        call_delete_all_event_hooks,
        &DeleteAllEventHooksRequest { uri: None }
    )
    .unwrap();
    assert_eq!(rest.ids, [more[1].clone()]);
    assert!(
        call!(
            env,
            okta_management_event_hooks,
            call_list_event_hooks,
            ListEventHooksRequest { include_raw: None }
        )
        .unwrap()
        .is_empty()
    );
    assert_error(
        &call!(
            env,
            okta_management_event_hooks,
            call_delete_all_event_hooks,
            &DeleteAllEventHooksRequest {
                uri: Some(" ".into())
            }
        )
        .unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );
}
