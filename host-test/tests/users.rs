//! Every `users` node through the real component against the stateful mock: success and
//! the main error paths.

mod common;

use common::*;
use okta_host::wit::types::{
    AuthProvider, ErrorKind, GroupType, PageRequest, ProviderType, SortOrder, UserStatus,
};
use okta_host::wit::users::*;
use okta_mock::Status;
use serde_json::{Value, json};
use std::time::Duration;

async fn create(env: &Env, request: CreateUserRequest) -> okta_host::wit::types::User {
    users!(env, call_create_user, &request).expect("created")
}

/// Creates an ACTIVE user with a password and recovery question; returns the id.
async fn active_user(env: &Env, login: &str) -> String {
    let mut request = create_request(login);
    request.password = Some(PasswordInput::Value("Secr3t!pass".into()));
    request.recovery_question = Some(RecoveryQuestion {
        question: "First pet?".into(),
        answer: "rex".into(),
    });
    request.activate = Some(true);
    let user = create(env, request).await;
    assert_eq!(user.status, UserStatus::Active);
    user.id
}

fn page(
    limit: Option<u32>,
    after: Option<String>,
    fetch_all: bool,
    max_items: Option<u32>,
) -> PageRequest {
    PageRequest {
        limit,
        after,
        fetch_all: Some(fetch_all),
        max_items,
    }
}

fn list_request() -> ListUsersRequest {
    ListUsersRequest {
        q: None,
        filter: None,
        search: None,
        sort_by: None,
        sort_order: None,
        page: None,
        include_raw: None,
        extra_query: None,
    }
}

fn status_of(env: &Env, id: &str) -> Status {
    env.mock.state().users[id].status
}

#[tokio::test]
async fn create_user_staged_keeps_the_whole_profile() {
    let env = Env::start().await;
    let mut request = create_request("ada@example.com");
    request.profile.title = Some("Analyst".into());
    request.profile.cost_center = Some("R&D".into());
    request.profile.second_email = Some("ada@home.example".into());
    request.profile_extra = Some(r#"{"favoriteColor": "teal", "badge": 7}"#.into());
    let user = create(&env, request).await;
    assert_eq!(user.status, UserStatus::Staged);
    assert!(user.id.starts_with("00u"));
    assert_eq!(user.profile.login.as_deref(), Some("ada@example.com"));
    assert_eq!(user.profile.cost_center.as_deref(), Some("R&D"));
    assert_eq!(
        user.profile.second_email.as_deref(),
        Some("ada@home.example")
    );
    let extra: Value = serde_json::from_str(&user.profile_extra).unwrap();
    assert_eq!(extra, json!({"favoriteColor": "teal", "badge": 7}));
    let raw: Value = serde_json::from_str(user.raw.as_deref().unwrap()).unwrap();
    assert_eq!(raw["id"], user.id.as_str());
    assert!(!user.has_password);
    let sent = &env.api_requests()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.query.as_deref(), Some("activate=false"));
    assert_eq!(
        sent.auth_scheme.as_deref(),
        Some(AuthMode::from_env().scheme())
    );
}

#[tokio::test]
async fn create_user_activated_with_and_without_a_password() {
    let env = Env::start().await;
    let mut with_password = create_request("pw@example.com");
    with_password.password = Some(PasswordInput::Value("Secr3t!pass".into()));
    with_password.activate = None; // Okta's default is to activate.
    let user = create(&env, with_password).await;
    assert_eq!(user.status, UserStatus::Active);
    assert!(user.has_password);

    let mut without = create_request("nopw@example.com");
    without.activate = Some(true);
    assert_eq!(create(&env, without).await.status, UserStatus::Provisioned);

    let mut expired = create_request("expired@example.com");
    expired.password = Some(PasswordInput::Value("Secr3t!pass".into()));
    expired.activate = Some(true);
    expired.next_login = Some(NextLogin::ChangePassword);
    assert_eq!(
        create(&env, expired).await.status,
        UserStatus::PasswordExpired
    );
}

#[tokio::test]
async fn create_user_with_hash_hook_groups_type_realm_and_provider() {
    let env = Env::seeded().await;
    let (engineering, contractor) = {
        let state = env.mock.state();
        let engineering = state
            .groups
            .values()
            .find(|g| g.profile["name"] == "Engineering")
            .unwrap()
            .id
            .clone();
        let contractor = state
            .user_types
            .values()
            .find(|t| t.name == "contractor")
            .unwrap()
            .id
            .clone();
        (engineering, contractor)
    };
    let mut hashed = create_request("hash@example.com");
    hashed.password = Some(PasswordInput::Hash(PasswordHash {
        algorithm: HashAlgorithm::Sha512,
        value: "a2V5".into(),
        salt: Some("c2FsdA==".into()),
        salt_order: Some(SaltOrder::Prefix),
        work_factor: None,
        iteration_count: None,
        key_size: None,
        digest_algorithm: None,
    }));
    hashed.group_ids = Some(vec![engineering.clone()]);
    hashed.type_id = Some(contractor.clone());
    hashed.realm_id = Some("guo1realm".into());
    let user = create(&env, hashed).await;
    assert_eq!(user.type_id.as_deref(), Some(contractor.as_str()));
    assert_eq!(user.realm_id.as_deref(), Some("guo1realm"));
    assert!(user.has_password);
    assert!(env.mock.state().is_member(&engineering, &user.id));
    let body: Value = serde_json::from_str(&env.api_requests()[0].body).unwrap();
    assert_eq!(
        body["credentials"]["password"]["hash"]["algorithm"],
        "SHA-512"
    );
    assert_eq!(
        body["credentials"]["password"]["hash"]["saltOrder"],
        "PREFIX"
    );

    let mut hooked = create_request("hook@example.com");
    hooked.password = Some(PasswordInput::Hook);
    assert!(create(&env, hooked).await.has_password);

    let mut federated = create_request("fed@example.com");
    federated.provider = Some(AuthProvider {
        provider_type: ProviderType::Federation,
        name: Some("FEDERATION".into()),
    });
    federated.activate = Some(true);
    let user = create(&env, federated).await;
    assert_eq!(user.status, UserStatus::Active);
    assert_eq!(
        user.provider.map(|p| p.provider_type),
        Some(ProviderType::Federation)
    );
    assert!(
        env.mock
            .requests()
            .last()
            .unwrap()
            .query
            .as_deref()
            .unwrap()
            .contains("provider=true")
    );
}

#[tokio::test]
async fn create_user_rejects_a_duplicate_login_as_conflict() {
    let env = Env::start().await;
    create(&env, create_request("dup@example.com")).await;
    let err = users!(env, call_create_user, &create_request("DUP@example.com")).unwrap_err();
    assert_error(&err, ErrorKind::Conflict, Some("E0000001"));
    let api = err;
    assert_eq!(api.status, Some(400));
    assert!(
        api.error_causes[0].contains("already exists"),
        "{:?}",
        api.error_causes
    );
    assert!(api.error_id.is_some());
    assert!(api.request_id.is_some());
}

#[tokio::test]
async fn create_user_bad_input_sends_nothing() {
    let env = Env::start().await;
    let mut no_login = create_request("x@example.com");
    no_login.profile.login = None;
    no_login.profile.email = None;
    let mut bad_extra = create_request("x@example.com");
    bad_extra.profile_extra = Some("[1, 2]".into());
    let mut short_bcrypt = create_request("x@example.com");
    short_bcrypt.password = Some(PasswordInput::Hash(PasswordHash {
        algorithm: HashAlgorithm::Bcrypt,
        value: "abc".into(),
        salt: Some("short".into()),
        salt_order: None,
        work_factor: Some(10),
        iteration_count: None,
        key_size: None,
        digest_algorithm: None,
    }));
    for (request, field) in [
        (no_login, "login"),
        (bad_extra, "profile-extra"),
        (short_bcrypt, "salt"),
    ] {
        let err = users!(env, call_create_user, &request).unwrap_err();
        assert_error(&err, ErrorKind::InvalidInput, None);
        assert!(err.message.contains(field), "{}", err.message);
    }
    assert_eq!(env.requests(), 0);
}

#[tokio::test]
async fn create_user_password_policy_is_bad_request() {
    let env = Env::start().await;
    let mut weak = create_request("weak@example.com");
    weak.password = Some(PasswordInput::Value("password".into()));
    let err = users!(env, call_create_user, &weak).unwrap_err();
    assert_error(&err, ErrorKind::BadRequest, Some("E0000001"));
}

#[tokio::test]
async fn a_create_that_fails_with_500_is_not_retried() {
    let env = Env::start().await;
    env.mock.fail_next("POST", "/api/v1/users", 500, 1);
    let err = users!(env, call_create_user, &create_request("once@example.com")).unwrap_err();
    assert_error(&err, ErrorKind::Server, Some("E0000009"));
    assert_eq!(env.requests(), 1, "a create must not be repeated");
    assert!(env.mock.state().find_user("once@example.com").is_none());
}

#[tokio::test]
async fn a_get_that_fails_with_503_is_retried() {
    let env = Env::start().await;
    let id = create(&env, create_request("retry@example.com")).await.id;
    env.mock.clear_requests();
    env.mock.fail_next("GET", "/api/v1/users/", 503, 1);
    let user = users!(
        env,
        call_get_user,
        &GetUserRequest {
            user_id: id.clone(),
            expand: None
        }
    )
    .unwrap();
    assert_eq!(user.id, id);
    let log = env.api_requests();
    assert_eq!(
        log.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![503, 200]
    );
}

#[tokio::test]
async fn get_user_by_id_login_and_short_name() {
    let env = Env::start().await;
    let id = create(&env, create_request("grace.hopper@example.com"))
        .await
        .id;
    for key in [id.as_str(), "grace.hopper@example.com", "grace.hopper"] {
        let user = users!(
            env,
            call_get_user,
            &GetUserRequest {
                user_id: key.into(),
                expand: None
            }
        )
        .unwrap();
        assert_eq!(user.id, id, "{key}");
    }
    let err = users!(
        env,
        call_get_user,
        &GetUserRequest {
            user_id: "nobody@example.com".into(),
            expand: None
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, Some("E0000007"));
    let err = users!(
        env,
        call_get_user,
        &GetUserRequest {
            user_id: " ".into(),
            expand: None
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::InvalidInput, None);
}

#[tokio::test]
async fn logins_with_plus_hash_at_and_slash_reach_okta_intact() {
    let env = Env::start().await;
    for login in ["a+tag@example.com", "we#ird@example.com", "x/y@example.com"] {
        let id = create(&env, create_request(login)).await.id;
        env.mock.clear_requests();
        let user = users!(
            env,
            call_get_user,
            &GetUserRequest {
                user_id: login.into(),
                expand: None
            }
        )
        .unwrap();
        assert_eq!(user.id, id, "{login}");
        assert_eq!(user.profile.login.as_deref(), Some(login));
        let sent = &env.api_requests()[0];
        if login.contains('/') {
            // A `/` cannot be addressed in a path: the node searched by exact login.
            assert_eq!(sent.path, "/api/v1/users");
            let query = sent.query.as_deref().unwrap();
            assert!(
                query.contains("search=profile.login%20eq%20%22x%2Fy%40example.com%22"),
                "{query}"
            );
        } else {
            let encoded = login
                .replace('+', "%2B")
                .replace('#', "%23")
                .replace('@', "%40");
            assert_eq!(sent.path, format!("/api/v1/users/{encoded}"));
        }
        // Lifecycle nodes find the user the same way.
        let out = users!(
            env,
            call_deactivate_user,
            &DeactivateUserRequest {
                user_id: login.into(),
                send_email: None
            }
        )
        .unwrap();
        assert_eq!(out.status, UserStatus::Deprovisioned);
        assert_eq!(status_of(&env, &id), Status::Deprovisioned);
    }
    assert!(env.mock.unmatched().is_empty());
}

#[tokio::test]
async fn search_values_with_plus_arrive_as_plus() {
    let env = Env::start().await;
    create(&env, create_request("plus+one@example.com")).await;
    create(&env, create_request("plus one@example.com")).await;
    let request = ListUsersRequest {
        search: Some(r#"profile.login eq "plus+one@example.com""#.into()),
        ..list_request()
    };
    let page = users!(env, call_list_users, &request).unwrap();
    let logins: Vec<_> = page
        .items
        .iter()
        .map(|u| u.profile.login.clone().unwrap())
        .collect();
    assert_eq!(logins, vec!["plus+one@example.com"]);
}

#[tokio::test]
async fn update_user_changes_only_what_is_given() {
    let env = Env::start().await;
    let mut request = create_request("upd@example.com");
    request.profile.title = Some("Engineer".into());
    request.profile.city = Some("Oslo".into());
    request.profile_extra = Some(r#"{"team": "core", "level": 2}"#.into());
    let id = create(&env, request).await.id;
    let update = UpdateUserRequest {
        user_id: id.clone(),
        profile: okta_host::wit::types::UserProfile {
            title: Some("Staff Engineer".into()),
            ..empty_profile()
        },
        profile_extra: Some(r#"{"level": 3}"#.into()),
        password: None,
        recovery_question: None,
        strict: None,
        realm_id: None,
    };
    let user = users!(env, call_update_user, &update).unwrap();
    assert_eq!(user.profile.title.as_deref(), Some("Staff Engineer"));
    assert_eq!(user.profile.city.as_deref(), Some("Oslo"));
    let extra: Value = serde_json::from_str(&user.profile_extra).unwrap();
    assert_eq!(extra, json!({"team": "core", "level": 3}));
    let sent: Value = serde_json::from_str(&env.api_requests().last().unwrap().body).unwrap();
    assert_eq!(
        sent,
        json!({"profile": {"title": "Staff Engineer", "level": 3}})
    );

    let nothing = UpdateUserRequest {
        user_id: id.clone(),
        profile: empty_profile(),
        profile_extra: None,
        password: None,
        recovery_question: None,
        strict: None,
        realm_id: None,
    };
    assert_error(
        &users!(env, call_update_user, &nothing).unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );
    let missing = UpdateUserRequest {
        user_id: "00unope".into(),
        ..update
    };
    assert_error(
        &users!(env, call_update_user, &missing).unwrap_err(),
        ErrorKind::NotFound,
        Some("E0000007"),
    );
}

#[tokio::test]
async fn update_user_to_a_taken_login_is_conflict() {
    let env = Env::start().await;
    create(&env, create_request("taken@example.com")).await;
    let id = create(&env, create_request("mine@example.com")).await.id;
    let update = UpdateUserRequest {
        user_id: id,
        profile: okta_host::wit::types::UserProfile {
            login: Some("taken@example.com".into()),
            ..empty_profile()
        },
        profile_extra: None,
        password: None,
        recovery_question: None,
        strict: None,
        realm_id: None,
    };
    assert_error(
        &users!(env, call_update_user, &update).unwrap_err(),
        ErrorKind::Conflict,
        Some("E0000001"),
    );
}

#[tokio::test]
async fn delete_user_goes_as_far_as_its_mode_and_a_repeat_never_further() {
    let env = Env::start().await;
    let id = active_user(&env, "leaver@example.com").await;
    let deactivate = DeleteUserRequest {
        user_id: id.clone(),
        mode: None,
        send_email: None,
    };
    let out = users!(env, call_delete_user, &deactivate).unwrap();
    assert_eq!(
        (out.user_id.as_str(), out.outcome, out.changed),
        (id.as_str(), DeleteOutcome::Deactivated, true)
    );
    assert_eq!(status_of(&env, &id), Status::Deprovisioned);
    // An engine repeats the call after a lost answer: the user is not deleted.
    env.mock.clear_requests();
    let again = users!(env, call_delete_user, &deactivate).unwrap();
    assert_eq!(
        (again.outcome, again.changed),
        (DeleteOutcome::Deactivated, false)
    );
    assert_eq!(status_of(&env, &id), Status::Deprovisioned);
    let methods: Vec<_> = env.api_requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["GET"], "a repeat sends no DELETE");

    let id = active_user(&env, "gone@example.com").await;
    env.mock.clear_requests();
    let delete = DeleteUserRequest {
        user_id: id.clone(),
        mode: Some(DeleteMode::Delete),
        send_email: Some(true),
    };
    let out = users!(env, call_delete_user, &delete).unwrap();
    assert_eq!((out.outcome, out.changed), (DeleteOutcome::Deleted, true));
    let methods: Vec<_> = env
        .mock
        .requests()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(methods, ["GET", "DELETE", "DELETE"]);
    assert_eq!(
        env.api_requests()[1].query.as_deref(),
        Some("sendEmail=true")
    );
    assert!(!env.mock.state().users.contains_key(&id));
    let err = users!(env, call_delete_user, &delete).unwrap_err();
    assert_error(&err, ErrorKind::NotFound, Some("E0000007"));
    assert!(!err.retryable);
}

#[tokio::test]
async fn activate_user_from_staged_and_already_active() {
    let env = Env::start().await;
    let id = create(&env, create_request("act@example.com")).await.id;
    let request = ActivateUserRequest {
        user_id: id.clone(),
        send_email: Some(false),
    };
    let out = users!(env, call_activate_user, &request).unwrap();
    assert!(out.activation_url.as_deref().unwrap().contains("/welcome/"));
    assert!(out.activation_token.is_some());
    assert_eq!(status_of(&env, &id), Status::Provisioned);

    // A repeat: Okta refuses an ACTIVE user (`E0000016`); the node says nothing changed.
    let active = active_user(&env, "already@example.com").await;
    env.mock.clear_requests();
    let again = users!(
        env,
        call_activate_user,
        &ActivateUserRequest {
            user_id: active.clone(),
            send_email: None
        }
    )
    .unwrap();
    assert_eq!(
        (again.user_id.as_str(), again.changed, again.activation_url),
        (active.as_str(), false, None)
    );
    let answered: Vec<_> = env.api_requests().into_iter().map(|r| r.status).collect();
    assert_eq!(answered, [403, 200], "the refusal, then the user's status");
    // A status Okta refuses that is not the target stays an error.
    let suspended = active_user(&env, "away@example.com").await;
    env.mock.state().users.get_mut(&suspended).unwrap().status = Status::Suspended;
    let err = users!(
        env,
        call_activate_user,
        &ActivateUserRequest {
            user_id: suspended,
            send_email: None
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::InvalidState, Some("E0000038"));
    let err = users!(
        env,
        call_activate_user,
        &ActivateUserRequest {
            user_id: "00unope".into(),
            send_email: None
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);
}

#[tokio::test]
async fn reactivate_user_only_while_provisioned() {
    let env = Env::start().await;
    let mut request = create_request("react@example.com");
    request.activate = Some(true);
    let id = create(&env, request).await.id;
    let out = users!(
        env,
        call_reactivate_user,
        &ReactivateUserRequest {
            user_id: id.clone(),
            send_email: None
        }
    )
    .unwrap();
    assert!(
        out.activation_token.is_some(),
        "send-email defaults to false, so the link comes back"
    );
    let active = active_user(&env, "react2@example.com").await;
    let err = users!(
        env,
        call_reactivate_user,
        &ReactivateUserRequest {
            user_id: active,
            send_email: None
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::InvalidState, Some("E0000038"));
}

#[tokio::test]
async fn deactivate_user_and_again() {
    let env = Env::start().await;
    let id = active_user(&env, "deact@example.com").await;
    let request = DeactivateUserRequest {
        user_id: id.clone(),
        send_email: Some(true),
    };
    assert_eq!(
        users!(env, call_deactivate_user, &request).unwrap().status,
        UserStatus::Deprovisioned
    );
    assert_eq!(
        env.api_requests().last().unwrap().query.as_deref(),
        Some("sendEmail=true")
    );
    // A repeat: Okta refuses (`E0000038`); the user is already there.
    let again = users!(env, call_deactivate_user, &request).unwrap();
    assert_eq!(
        (again.status, again.changed),
        (UserStatus::Deprovisioned, false)
    );
}

#[tokio::test]
async fn suspend_and_unsuspend_follow_the_state_machine() {
    let env = Env::start().await;
    let id = active_user(&env, "susp@example.com").await;
    let out = users!(
        env,
        call_suspend_user,
        &SuspendUserRequest {
            user_id: id.clone()
        }
    )
    .unwrap();
    assert_eq!(
        (out.user_id.as_str(), out.status),
        (id.as_str(), UserStatus::Suspended)
    );
    assert_eq!(status_of(&env, &id), Status::Suspended);
    assert!(out.changed);
    // Okta answers a suspend of a user who is not ACTIVE with 400 E0000001; a SUSPENDED
    // user is where the call leads, so the repeat succeeds with nothing changed.
    let again = users!(
        env,
        call_suspend_user,
        &SuspendUserRequest {
            user_id: id.clone()
        }
    )
    .unwrap();
    assert_eq!(
        (again.status, again.changed),
        (UserStatus::Suspended, false)
    );
    let out = users!(
        env,
        call_unsuspend_user,
        &UnsuspendUserRequest {
            user_id: id.clone()
        }
    )
    .unwrap();
    assert_eq!((out.status, out.changed), (UserStatus::Active, true));
    let again = users!(
        env,
        call_unsuspend_user,
        &UnsuspendUserRequest {
            user_id: id.clone()
        }
    )
    .unwrap();
    assert!(!again.changed);
    let staged = create(&env, create_request("staged@example.com")).await.id;
    let err = users!(
        env,
        call_suspend_user,
        &SuspendUserRequest { user_id: staged }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::InvalidState, None);
    let err = users!(
        env,
        call_unsuspend_user,
        &UnsuspendUserRequest {
            user_id: "00unope".into()
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);
}

#[tokio::test]
async fn unlock_user_unlocks_a_locked_out_user() {
    let env = Env::start().await;
    let id = active_user(&env, "locked@example.com").await;
    env.mock.state().users.get_mut(&id).unwrap().status = Status::LockedOut;
    let out = users!(
        env,
        call_unlock_user,
        &UnlockUserRequest {
            user_id: id.clone()
        }
    )
    .unwrap();
    assert_eq!((out.status, out.changed), (UserStatus::Active, true));
    assert_eq!(status_of(&env, &id), Status::Active);
    // A repeat: Okta refuses an ACTIVE user (`E0000032`); it is already unlocked.
    let again = users!(
        env,
        call_unlock_user,
        &UnlockUserRequest {
            user_id: id.clone()
        }
    )
    .unwrap();
    assert_eq!((again.status, again.changed), (UserStatus::Active, false));
    let staged = create(&env, create_request("nolock@example.com")).await.id;
    let err = users!(
        env,
        call_unlock_user,
        &UnlockUserRequest { user_id: staged }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::InvalidState, Some("E0000032"));
}

#[tokio::test]
async fn reset_password_moves_to_recovery() {
    let env = Env::start().await;
    let id = active_user(&env, "reset@example.com").await;
    let request = ResetPasswordRequest {
        user_id: id.clone(),
        send_email: Some(false),
        revoke_sessions: Some(true),
    };
    let out = users!(env, call_reset_password, &request).unwrap();
    assert_eq!(out.status, UserStatus::Recovery);
    assert!(out.reset_password_url.unwrap().contains("reset-password"));
    assert_eq!(status_of(&env, &id), Status::Recovery);
    assert_eq!(
        env.api_requests().last().unwrap().query.as_deref(),
        Some("sendEmail=false&revokeSessions=true")
    );
    let emailed = users!(
        env,
        call_reset_password,
        &ResetPasswordRequest {
            user_id: id,
            send_email: None,
            revoke_sessions: None
        }
    )
    .unwrap();
    assert_eq!(emailed.reset_password_url, None);
    let staged = create(&env, create_request("noreset@example.com")).await.id;
    let err = users!(
        env,
        call_reset_password,
        &ResetPasswordRequest {
            user_id: staged,
            send_email: None,
            revoke_sessions: None
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::InvalidState, Some("E0000038"));
}

#[tokio::test]
async fn expire_password_with_and_without_a_temporary_password() {
    let env = Env::start().await;
    let id = active_user(&env, "expire@example.com").await;
    let plain = ExpirePasswordRequest {
        user_id: id.clone(),
        temp_password: None,
        revoke_sessions: None,
    };
    let out = users!(env, call_expire_password, &plain).unwrap();
    assert_eq!(
        (out.user_id.as_str(), out.status),
        (id.as_str(), UserStatus::PasswordExpired)
    );
    assert_eq!(out.temp_password, None);
    let temp = ExpirePasswordRequest {
        user_id: id.clone(),
        temp_password: Some(true),
        revoke_sessions: Some(true),
    };
    let out = users!(env, call_expire_password, &temp).unwrap();
    assert!(out.temp_password.is_some_and(|t| !t.is_empty()));
    assert!(
        env.mock
            .requests()
            .last()
            .unwrap()
            .path
            .ends_with("/lifecycle/expire_password_with_temp_password")
    );
    let bad = ExpirePasswordRequest {
        user_id: id,
        temp_password: None,
        revoke_sessions: Some(true),
    };
    let before = env.requests();
    assert_error(
        &users!(env, call_expire_password, &bad).unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );
    assert_eq!(env.requests(), before);
    let staged = create(&env, create_request("noexpire@example.com"))
        .await
        .id;
    let err = users!(
        env,
        call_expire_password,
        &ExpirePasswordRequest {
            user_id: staged,
            temp_password: None,
            revoke_sessions: None
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::InvalidState, Some("E0000038"));
}

#[tokio::test]
async fn forgot_password_needs_an_active_user() {
    let env = Env::start().await;
    let id = active_user(&env, "forgot@example.com").await;
    let out = users!(
        env,
        call_forgot_password,
        &ForgotPasswordRequest {
            user_id: id.clone(),
            send_email: Some(false)
        }
    )
    .unwrap();
    assert!(out.reset_password_url.is_some());
    assert_eq!(
        status_of(&env, &id),
        Status::Active,
        "forgot-password does not change the status"
    );
    let mut no_question = create_request("noq@example.com");
    no_question.password = Some(PasswordInput::Value("Secr3t!pass".into()));
    no_question.activate = Some(true);
    let no_question = create(&env, no_question).await.id;
    // Okta's recorded answers: a user without a recovery question gets the reset link too.
    let out = users!(
        env,
        call_forgot_password,
        &ForgotPasswordRequest {
            user_id: no_question.clone(),
            send_email: Some(false)
        }
    )
    .unwrap();
    assert!(out.reset_password_url.is_some());
    let suspended = active_user(&env, "suspended-forgot@example.com").await;
    env.mock.state().users.get_mut(&suspended).unwrap().status = Status::Suspended;
    let err = users!(
        env,
        call_forgot_password,
        &ForgotPasswordRequest {
            user_id: suspended,
            send_email: None
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::InvalidState, Some("E0000034"));
}

#[tokio::test]
async fn change_password_checks_the_old_one_and_the_policy() {
    let env = Env::start().await;
    let id = active_user(&env, "chg@example.com").await;
    let mut request = ChangePasswordRequest {
        user_id: id.clone(),
        old_password: "wrong-Passw0rd".into(),
        new_password: "N3w!password".into(),
        strict: Some(true),
        revoke_sessions: None,
    };
    let err = users!(env, call_change_password, &request).unwrap_err();
    assert_error(&err, ErrorKind::BadRequest, Some("E0000014"));
    request.old_password = "Secr3t!pass".into();
    request.new_password = "short".into();
    let err = users!(env, call_change_password, &request).unwrap_err();
    assert_error(&err, ErrorKind::BadRequest, Some("E0000080"));
    request.new_password = "N3w!password".into();
    let out = users!(env, call_change_password, &request).unwrap();
    assert_eq!(out.user_id, id);
    assert_eq!(out.recovery_question.as_deref(), Some("First pet?"));
    assert_eq!(
        out.provider.map(|p| p.provider_type),
        Some(ProviderType::Okta)
    );
    assert_eq!(
        env.api_requests().last().unwrap().query.as_deref(),
        Some("strict=true")
    );
    request.old_password = String::new();
    assert_error(
        &users!(env, call_change_password, &request).unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );
}

#[tokio::test]
async fn change_password_from_recovery_makes_the_user_active() {
    let env = Env::start().await;
    let id = active_user(&env, "recover@example.com").await;
    users!(
        env,
        call_reset_password,
        &ResetPasswordRequest {
            user_id: id.clone(),
            send_email: Some(false),
            revoke_sessions: None
        }
    )
    .unwrap();
    let request = ChangePasswordRequest {
        user_id: id.clone(),
        old_password: "Secr3t!pass".into(),
        new_password: "N3w!password".into(),
        strict: None,
        revoke_sessions: Some(true),
    };
    users!(env, call_change_password, &request).unwrap();
    assert_eq!(status_of(&env, &id), Status::Active);
    let suspended = active_user(&env, "nochg@example.com").await;
    users!(
        env,
        call_suspend_user,
        &SuspendUserRequest {
            user_id: suspended.clone()
        }
    )
    .unwrap();
    let err = users!(
        env,
        call_change_password,
        &ChangePasswordRequest {
            user_id: suspended,
            ..request
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::InvalidState, Some("E0000035"));
}

#[tokio::test]
async fn set_password_as_admin_and_revoke_sessions() {
    let env = Env::start().await;
    let id = create(&env, create_request("setpw@example.com")).await.id;
    let request = SetPasswordRequest {
        user_id: id.clone(),
        password: PasswordInput::Value("Adm1n!chosen".into()),
        strict: None,
        revoke_sessions: Some(true),
    };
    let user = users!(env, call_set_password, &request).unwrap();
    assert!(user.has_password);
    assert!(user.password_changed.is_some());
    let log = env.api_requests();
    let last_two: Vec<_> = log[log.len() - 2..]
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    let path = format!("/api/v1/users/{id}");
    let sessions = format!("{path}/sessions");
    assert_eq!(
        last_two,
        vec![("POST", path.as_str()), ("DELETE", sessions.as_str())]
    );

    // A hash can be set only while the user is STAGED; Okta refuses it afterwards.
    users!(
        env,
        call_activate_user,
        &ActivateUserRequest {
            user_id: id.clone(),
            send_email: Some(false)
        }
    )
    .unwrap();
    let hashed = SetPasswordRequest {
        user_id: id.clone(),
        password: PasswordInput::Hash(PasswordHash {
            algorithm: HashAlgorithm::Md5,
            value: "aGFzaA==".into(),
            salt: None,
            salt_order: None,
            work_factor: None,
            iteration_count: None,
            key_size: None,
            digest_algorithm: None,
        }),
        strict: None,
        revoke_sessions: None,
    };
    assert_error(
        &users!(env, call_set_password, &hashed).unwrap_err(),
        ErrorKind::BadRequest,
        Some("E0000001"),
    );
    let weak = SetPasswordRequest {
        user_id: id,
        password: PasswordInput::Value("weak".into()),
        strict: None,
        revoke_sessions: None,
    };
    assert_error(
        &users!(env, call_set_password, &weak).unwrap_err(),
        ErrorKind::BadRequest,
        Some("E0000001"),
    );
    let missing = SetPasswordRequest {
        user_id: "00unope".into(),
        ..weak
    };
    assert_error(
        &users!(env, call_set_password, &missing).unwrap_err(),
        ErrorKind::NotFound,
        Some("E0000007"),
    );
}

#[tokio::test]
async fn change_recovery_question_proves_the_password() {
    let env = Env::start().await;
    let id = active_user(&env, "question@example.com").await;
    let mut request = ChangeRecoveryQuestionRequest {
        user_id: id.clone(),
        password: "Secr3t!pass".into(),
        recovery_question: RecoveryQuestion {
            question: "Favourite tree?".into(),
            answer: "oak".into(),
        },
    };
    let out = users!(env, call_change_recovery_question, &request).unwrap();
    assert_eq!(out.recovery_question.as_deref(), Some("Favourite tree?"));
    request.password = "Wr0ng!pass".into();
    assert_error(
        &users!(env, call_change_recovery_question, &request).unwrap_err(),
        ErrorKind::BadRequest,
        Some("E0000014"),
    );
    request.recovery_question.answer = " ".into();
    assert_error(
        &users!(env, call_change_recovery_question, &request).unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );
}

#[tokio::test]
async fn clear_user_sessions_sends_the_options() {
    let env = Env::start().await;
    let id = active_user(&env, "sessions@example.com").await;
    env.mock.state().users.get_mut(&id).unwrap().sessions = 3;
    let request = ClearUserSessionsRequest {
        user_id: id.clone(),
        oauth_tokens: Some(true),
        forget_devices: Some(false),
    };
    assert_eq!(
        users!(env, call_clear_user_sessions, &request)
            .unwrap()
            .user_id,
        id
    );
    assert_eq!(env.mock.state().users[&id].sessions, 0);
    let sent = env.api_requests().pop().unwrap();
    assert_eq!(
        (sent.method.as_str(), sent.query.as_deref()),
        ("DELETE", Some("oauthTokens=true&forgetDevices=false"))
    );
    let err = users!(
        env,
        call_clear_user_sessions,
        &ClearUserSessionsRequest {
            user_id: "00unope".into(),
            oauth_tokens: None,
            forget_devices: None
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);
}

#[tokio::test]
async fn list_user_groups_returns_every_group_and_sends_no_paging() {
    let env = Env::seeded().await;
    let groups = users!(
        env,
        call_list_user_groups,
        &ListUserGroupsRequest {
            user_id: "ada.lovelace@example.com".into(),
            include_raw: None,
        }
    )
    .unwrap();
    let names: Vec<_> = groups
        .iter()
        .map(|g| (g.name.as_str(), g.group_type))
        .collect();
    assert_eq!(
        names,
        vec![
            ("Everyone", GroupType::BuiltIn),
            ("Engineering", GroupType::OktaGroup)
        ]
    );
    // `GET /api/v1/users/{id}/groups` declares no query parameter.
    let sent = &env.api_requests()[0];
    assert_eq!(
        (sent.path.as_str(), sent.query.as_deref()),
        ("/api/v1/users/ada.lovelace%40example.com/groups", None)
    );
    let err = users!(
        env,
        call_list_user_groups,
        &ListUserGroupsRequest {
            user_id: "nobody".into(),
            include_raw: None,
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);
}

fn user_apps(user: &str, view: Option<UserAppsView>) -> ListUserAppsRequest {
    ListUserAppsRequest {
        user_id: user.into(),
        view,
        page: None,
        include_raw: None,
    }
}

#[tokio::test]
async fn list_user_apps_returns_dashboard_links() {
    let env = Env::seeded().await;
    let apps = users!(
        env,
        call_list_user_apps,
        &user_apps("katherine.johnson@example.com", None)
    )
    .unwrap();
    let links = &apps.links;
    assert_eq!((links.len(), apps.apps.len()), (1, 0));
    assert_eq!(links[0].label, "Salesforce.com");
    assert_eq!(links[0].app_name.as_deref(), Some("salesforce"));
    assert!(
        links[0]
            .link_url
            .as_deref()
            .unwrap()
            .contains("/home/salesforce/")
    );
    assert!(
        env.mock
            .requests()
            .last()
            .unwrap()
            .path
            .ends_with("/appLinks")
    );
    let err = users!(env, call_list_user_apps, &user_apps("nobody", None)).unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);
    let paged_links = ListUserAppsRequest {
        page: Some(page(Some(1), None, false, None)),
        ..user_apps("katherine.johnson@example.com", None)
    };
    let before = env.requests();
    let err = users!(env, call_list_user_apps, &paged_links).unwrap_err();
    assert_error(&err, ErrorKind::InvalidInput, None);
    assert_eq!(env.requests(), before);
}

#[tokio::test]
async fn list_user_apps_returns_app_records_a_page_at_a_time() {
    let env = Env::seeded().await;
    let ada = env
        .mock
        .state()
        .user_id("ada.lovelace@example.com")
        .unwrap();
    let (zoom, salesforce) = {
        let mut state = env.mock.state();
        let ids: Vec<String> = state.apps.keys().cloned().collect();
        // Ada has Slack; give her Salesforce and Zoom too.
        state.assign(&ids[1], &ada);
        state.assign(&ids[2], &ada);
        (ids[2].clone(), ids[1].clone())
    };
    let first = ListUserAppsRequest {
        page: Some(page(Some(2), None, false, None)),
        include_raw: Some(true),
        ..user_apps("ada.lovelace@example.com", Some(UserAppsView::Apps))
    };
    let one = users!(env, call_list_user_apps, &first).unwrap();
    assert!(one.links.is_empty());
    let labels: Vec<_> = one.apps.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["Slack", "Salesforce.com"]);
    let sent = env.api_requests().last().unwrap().clone();
    assert_eq!(sent.path, "/api/v1/apps");
    let query: Vec<(String, String)> =
        form_urlencoded::parse(sent.query.as_deref().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    assert_eq!(
        query,
        [
            ("filter".to_string(), format!("user.id eq \"{ada}\"")),
            ("expand".to_string(), format!("user/{ada}")),
            ("limit".to_string(), "2".to_string()),
        ]
    );
    // The assignment is embedded in each app's raw object.
    let raw: Value = serde_json::from_str(one.apps[1].raw.as_deref().unwrap()).unwrap();
    assert_eq!(raw["id"], salesforce.as_str());
    assert_eq!(raw["_embedded"]["user"]["id"], ada.as_str());
    let next = ListUserAppsRequest {
        page: Some(page(Some(2), one.next_cursor.clone(), false, None)),
        ..first
    };
    let two = users!(env, call_list_user_apps, &next).unwrap();
    let ids: Vec<_> = two.apps.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, [zoom.as_str()]);
    assert_eq!(two.next_cursor, None);
}

#[tokio::test]
async fn list_user_types_lists_the_default_and_custom_types() {
    let env = Env::start().await;
    let types = users!(
        env,
        call_list_user_types,
        ListUserTypesRequest { include_raw: None }
    )
    .unwrap();
    let names: Vec<_> = types
        .iter()
        .map(|t| (t.name.as_str(), t.is_default))
        .collect();
    assert_eq!(names, vec![("user", true), ("contractor", false)]);
    let wrong = okta_host::Connection::api_token(ORG, "wrong-token");
    let err = list_user_types_as(&env, &wrong).await;
    assert_error(&err, ErrorKind::Unauthorized, Some("E0000011"));
}

async fn list_user_types_as(
    env: &Env,
    conn: &okta_host::Connection,
) -> okta_host::wit::types::OktaError {
    let mut node = env.node_for(conn).await;
    node.nodes
        .okta_management_users()
        .call_list_user_types(
            &mut node.store,
            &node.conn,
            ListUserTypesRequest { include_raw: None },
        )
        .await
        .unwrap()
        .unwrap_err()
}

#[tokio::test]
async fn list_users_leaves_out_deprovisioned_unless_filtered() {
    let env = Env::seeded().await;
    let gone = active_user(&env, "gone@example.com").await;
    users!(
        env,
        call_deactivate_user,
        &DeactivateUserRequest {
            user_id: gone.clone(),
            send_email: None
        }
    )
    .unwrap();
    let all = users!(env, call_list_users, &list_request()).unwrap();
    assert!(all.items.iter().all(|u| u.id != gone));
    assert!(all.items.len() >= 6);
    let filtered = users!(
        env,
        call_list_users,
        &ListUsersRequest {
            filter: Some(r#"status eq "DEPROVISIONED""#.into()),
            ..list_request()
        }
    )
    .unwrap();
    assert_eq!(
        filtered
            .items
            .iter()
            .map(|u| u.id.as_str())
            .collect::<Vec<_>>(),
        vec![gone.as_str()]
    );
    assert_eq!(filtered.items[0].status, UserStatus::Deprovisioned);
}

#[tokio::test]
async fn list_users_by_q_search_and_sort() {
    let env = Env::seeded().await;
    let q = users!(
        env,
        call_list_users,
        &ListUsersRequest {
            q: Some("grace".into()),
            ..list_request()
        }
    )
    .unwrap();
    assert_eq!(q.items.len(), 1);
    assert_eq!(q.items[0].profile.first_name.as_deref(), Some("Grace"));
    let search = ListUsersRequest {
        search: Some(r#"profile.department eq "Engineering""#.into()),
        sort_by: Some("profile.firstName".into()),
        sort_order: Some(SortOrder::Descending),
        ..list_request()
    };
    let page = users!(env, call_list_users, &search).unwrap();
    let names: Vec<_> = page
        .items
        .iter()
        .filter_map(|u| u.profile.first_name.clone())
        .collect();
    assert_eq!(names, vec!["Grace", "Barbara", "Alan", "Ada"]);
    let both = ListUsersRequest {
        filter: Some(r#"status eq "ACTIVE""#.into()),
        search: Some("id pr".into()),
        ..list_request()
    };
    assert_error(
        &users!(env, call_list_users, &both).unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );
    let garbage = ListUsersRequest {
        filter: Some("status eq".into()),
        ..list_request()
    };
    assert_error(
        &users!(env, call_list_users, &garbage).unwrap_err(),
        ErrorKind::BadRequest,
        Some("E0000031"),
    );
}

#[tokio::test]
async fn list_users_pages_through_link_headers() {
    let env = Env::start().await;
    for i in 0..6 {
        create(&env, create_request(&format!("p{i}@example.com"))).await;
    }
    // 7 users with the admin; 2 per page is 4 pages.
    env.mock.clear_requests();
    let first = users!(
        env,
        call_list_users,
        &ListUsersRequest {
            page: Some(page(Some(2), None, false, None)),
            ..list_request()
        }
    )
    .unwrap();
    assert_eq!(first.items.len(), 2);
    let cursor = first.next_cursor.clone().expect("a next page");
    let second = users!(
        env,
        call_list_users,
        &ListUsersRequest {
            page: Some(page(None, Some(cursor), false, None)),
            ..list_request()
        }
    )
    .unwrap();
    assert_eq!(second.items.len(), 2);
    assert_ne!(first.items[0].id, second.items[0].id);

    env.mock.clear_requests();
    let all = users!(
        env,
        call_list_users,
        &ListUsersRequest {
            page: Some(page(Some(2), None, true, None)),
            ..list_request()
        }
    )
    .unwrap();
    assert_eq!(all.items.len(), 7);
    assert_eq!(all.next_cursor, None);
    assert_eq!(env.requests(), 4);
    let mut ids: Vec<_> = all.items.iter().map(|u| u.id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 7, "no user twice");

    env.mock.clear_requests();
    let capped = users!(
        env,
        call_list_users,
        &ListUsersRequest {
            page: Some(page(Some(2), None, true, Some(5))),
            ..list_request()
        }
    )
    .unwrap();
    assert_eq!(capped.items.len(), 5);
    assert_eq!(env.requests(), 3);
    let rest = users!(
        env,
        call_list_users,
        &ListUsersRequest {
            page: Some(page(Some(2), capped.next_cursor.clone(), true, None)),
            ..list_request()
        }
    )
    .unwrap();
    let together: Vec<_> = capped
        .items
        .iter()
        .chain(&rest.items)
        .map(|u| u.id.clone())
        .collect();
    assert_eq!(
        together, ids,
        "the cursor after max-items continues exactly"
    );

    let bad = ListUsersRequest {
        page: Some(page(Some(0), None, false, None)),
        ..list_request()
    };
    assert_error(
        &users!(env, call_list_users, &bad).unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );
}

#[tokio::test]
async fn a_429_is_waited_out_then_the_call_succeeds() {
    let env = Env::start().await;
    let id = create(&env, create_request("limited@example.com")).await.id;
    env.mock.clear_requests();
    env.mock.rate_limit_next(1, Duration::from_secs(1));
    let user = users!(
        env,
        call_get_user,
        &GetUserRequest {
            user_id: id.clone(),
            expand: None
        }
    )
    .unwrap();
    assert_eq!(user.id, id);
    let log = env.api_requests();
    assert_eq!(
        log.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![429, 200]
    );
    // The node waited for the window to reset: the retry came after X-Rate-Limit-Reset.
    // The mock's 429 said X-Rate-Limit-Reset = the second it answered + 1.
    let reset = okta_mock::state::unix(log[0].at) + 1;
    let retry = okta_mock::state::unix(log[1].at);
    assert!(
        retry >= reset,
        "retried at {retry}, before the reset at {reset}"
    );
}

#[tokio::test]
async fn a_429_longer_than_the_cap_fails_at_once_with_the_reset_time() {
    let env = Env::start().await;
    env.mock.rate_limit_next(5, Duration::from_secs(600));
    let err = users!(
        env,
        call_list_user_types,
        ListUserTypesRequest { include_raw: None }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::RateLimited, Some("E0000047"));
    let reset = err.reset_at.unwrap();
    assert!(reset >= okta_mock::state::unix(std::time::SystemTime::now()) + 590);
    assert_eq!(env.requests(), 1);
}

#[tokio::test]
async fn retries_stop_after_max_retries() {
    let mut env = Env::start().await;
    env.conn.max_retries = Some(1);
    env.mock.rate_limit_next(5, Duration::from_secs(1));
    let err = users!(
        env,
        call_list_user_types,
        ListUserTypesRequest { include_raw: None }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::RateLimited, None);
    assert_eq!(env.requests(), 2);
}

/// The paths of the requests the mock received, from the `n`th on.
fn paths_from(env: &Env, n: usize) -> Vec<String> {
    env.api_requests()[n..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn a_login_or_short_name_becomes_the_id_where_okta_takes_only_an_id() {
    let env = Env::start().await;
    let id = env.add_user("jdoe@example.com");
    let users = format!("/api/v1/users/{id}");
    // Okta's `{userId}` paths take only an id: each node looks the user up first, by
    // login or by short name, and reports the id.
    let question = users!(
        env,
        call_change_recovery_question,
        &ChangeRecoveryQuestionRequest {
            user_id: "jdoe".into(),
            password: "Secr3t!pass".into(),
            recovery_question: RecoveryQuestion {
                question: "First pet?".into(),
                answer: "rex".into(),
            },
        }
    )
    .unwrap();
    assert_eq!(question.user_id, id);
    assert_eq!(
        paths_from(&env, 0),
        [
            "GET /api/v1/users/jdoe".to_string(),
            format!("POST {users}/credentials/change_recovery_question"),
        ]
    );
    let forgot = users!(
        env,
        call_forgot_password,
        &ForgotPasswordRequest {
            user_id: "jdoe@example.com".into(),
            send_email: Some(false),
        }
    )
    .unwrap();
    assert_eq!(forgot.user_id, id);
    assert_eq!(
        paths_from(&env, 2),
        [
            "GET /api/v1/users/jdoe%40example.com".to_string(),
            format!("POST {users}/credentials/forgot_password"),
        ]
    );
    let changed = users!(
        env,
        call_change_password,
        &ChangePasswordRequest {
            user_id: "JDOE".into(),
            old_password: "Secr3t!pass".into(),
            new_password: "N3w!Secr3t".into(),
            strict: None,
            revoke_sessions: None,
        }
    )
    .unwrap();
    assert_eq!(changed.user_id, id);
    assert_eq!(
        paths_from(&env, 4),
        [
            "GET /api/v1/users/JDOE".to_string(),
            format!("POST {users}/credentials/change_password"),
        ]
    );
    let cleared = users!(
        env,
        call_clear_user_sessions,
        &ClearUserSessionsRequest {
            user_id: "jdoe@example.com".into(),
            oauth_tokens: None,
            forget_devices: None,
        }
    )
    .unwrap();
    assert_eq!(cleared.user_id, id);
    assert_eq!(
        paths_from(&env, 6),
        [
            "GET /api/v1/users/jdoe%40example.com".to_string(),
            format!("DELETE {users}/sessions"),
        ]
    );
    // `/users/{id}` takes the short name; the session revoke that follows needs the id.
    let set = users!(
        env,
        call_set_password,
        &SetPasswordRequest {
            user_id: "jdoe".into(),
            password: PasswordInput::Value("An0ther!pass".into()),
            strict: None,
            revoke_sessions: Some(true),
        }
    )
    .unwrap();
    assert_eq!(set.id, id);
    assert_eq!(
        paths_from(&env, 8),
        [
            "POST /api/v1/users/jdoe".to_string(),
            format!("DELETE {users}/sessions"),
        ]
    );
    // A lifecycle node reports the id too; an id costs no lookup.
    let suspended = users!(
        env,
        call_suspend_user,
        &SuspendUserRequest {
            user_id: "jdoe@example.com".into()
        }
    )
    .unwrap();
    assert_eq!(suspended.user_id, id);
    let unsuspended = users!(
        env,
        call_unsuspend_user,
        &UnsuspendUserRequest {
            user_id: id.clone()
        }
    )
    .unwrap();
    assert_eq!(unsuspended.user_id, id);
    assert_eq!(
        paths_from(&env, 10),
        [
            "GET /api/v1/users/jdoe%40example.com".to_string(),
            format!("POST {users}/lifecycle/suspend"),
            format!("POST {users}/lifecycle/unsuspend"),
        ]
    );
    assert!(env.mock.unmatched().is_empty());
}

#[tokio::test]
async fn the_mock_takes_only_an_id_where_okta_does() {
    let env = Env::start().await;
    env.add_user("jdoe@example.com");
    for path in [
        "/api/v1/users/jdoe%40example.com/sessions",
        "/api/v1/users/jdoe/sessions",
    ] {
        let request = raw(okta_host::wit::raw::HttpMethod::Delete, path);
        let err = call!(env, okta_management_raw, call_request, &request).unwrap_err();
        assert_error(&err, ErrorKind::NotFound, Some("E0000007"));
    }
}

#[tokio::test]
async fn a_standard_attribute_sent_as_a_number_stays_in_profile_extra() {
    let env = Env::start().await;
    let id = env.add_user("numbers@example.com");
    {
        let mut state = env.mock.state();
        let profile = &mut state.users.get_mut(&id).unwrap().profile;
        profile.insert("zipCode".into(), json!(10013));
        profile.insert("employeeNumber".into(), json!(4711));
        profile.insert("title".into(), Value::Null);
    }
    let user = users!(
        env,
        call_get_user,
        &GetUserRequest {
            user_id: id,
            expand: None
        }
    )
    .unwrap();
    // The typed fields hold strings; a number keeps its type in `profile-extra`.
    assert_eq!(user.profile.zip_code, None);
    assert_eq!(user.profile.title, None);
    let extra: Value = serde_json::from_str(&user.profile_extra).unwrap();
    assert_eq!(extra, json!({"zipCode": 10013, "employeeNumber": 4711}));
}

#[tokio::test]
async fn update_user_sets_credentials_strictly_and_moves_the_realm() {
    let env = Env::start().await;
    let id = env.add_user("creds@example.com");
    let update = UpdateUserRequest {
        user_id: "creds@example.com".into(),
        profile: empty_profile(),
        profile_extra: None,
        password: Some(PasswordInput::Value("N3w!Passw0rd".into())),
        recovery_question: Some(RecoveryQuestion {
            question: "Tree?".into(),
            answer: "oak".into(),
        }),
        strict: Some(true),
        realm_id: Some("guo1realm".into()),
    };
    let user = users!(env, call_update_user, &update).unwrap();
    assert_eq!(user.realm_id.as_deref(), Some("guo1realm"));
    assert_eq!(user.recovery_question.as_deref(), Some("Tree?"));
    let sent = env.api_requests().last().unwrap().clone();
    assert_eq!(sent.query.as_deref(), Some("strict=true"));
    let body: Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(
        body,
        json!({
            "credentials": {"password": {"value": "N3w!Passw0rd"}, "recovery_question": {"question": "Tree?", "answer": "oak"}},
            "realmId": "guo1realm",
        })
    );
    assert_eq!(
        env.mock.state().users[&id].password,
        Some(okta_mock::state::Password::Value("N3w!Passw0rd".into()))
    );
    // A hash is for STAGED users only: Okta says so, not the node.
    let hashed = UpdateUserRequest {
        password: Some(PasswordInput::Hash(PasswordHash {
            algorithm: HashAlgorithm::Sha256,
            value: "aGFzaA==".into(),
            salt: None,
            salt_order: None,
            work_factor: None,
            iteration_count: None,
            key_size: None,
            digest_algorithm: None,
        })),
        recovery_question: None,
        strict: None,
        realm_id: None,
        ..update
    };
    let err = users!(env, call_update_user, &hashed).unwrap_err();
    assert_error(&err, ErrorKind::BadRequest, Some("E0000001"));
}

#[tokio::test]
async fn create_user_takes_the_email_as_login_when_none_is_given() {
    let env = Env::start().await;
    let mut request = create_request("mail.only@example.com");
    request.profile.login = None;
    let user = create(&env, request).await;
    assert_eq!(user.profile.login.as_deref(), Some("mail.only@example.com"));
    let body: Value = serde_json::from_str(&env.api_requests()[0].body).unwrap();
    assert_eq!(body["profile"]["login"], "mail.only@example.com");
}

#[tokio::test]
async fn list_users_passes_extra_query_parameters_but_never_over_a_field() {
    let env = Env::seeded().await;
    let request = ListUsersRequest {
        search: Some(r#"profile.department eq "Sales""#.into()),
        extra_query: Some(vec![okta_host::wit::types::Pair {
            name: "fields".into(),
            value: "id,profile:(login)".into(),
        }]),
        ..list_request()
    };
    let page = users!(env, call_list_users, &request).unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(
        env.api_requests()[0].query.as_deref(),
        Some("search=profile.department%20eq%20%22Sales%22&fields=id%2Cprofile%3A%28login%29")
    );
    for typed in ["search", "limit", "after", "sortBy"] {
        let overriding = ListUsersRequest {
            extra_query: Some(vec![okta_host::wit::types::Pair {
                name: typed.into(),
                value: "x".into(),
            }]),
            ..list_request()
        };
        let err = users!(env, call_list_users, &overriding).unwrap_err();
        assert_error(&err, ErrorKind::InvalidInput, None);
        assert!(err.message.contains(typed), "{}", err.message);
    }
    assert_eq!(env.requests(), 1);
}
