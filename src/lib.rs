//! Okta Management workflow nodes, as a WebAssembly component.
//!
//! Each exported WIT function is one node. This file only wires: it generates the bindings,
//! checks the connection, hands the request to the interface's module with a client over
//! the WASI transport, and exports the result. The mapping modules are plain Rust, tested
//! natively with `cargo test`; the wasm32 build adds the transport and the exports.
#![warn(missing_docs)]
// The exports exist only in the wasm32 build; a native build compiles the mapping for tests.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod catalog;
mod client;
mod nodes;

/// The parsers that read what Okta and the caller send, for the fuzz targets in `fuzz/`.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    use crate::client::spec::Response;

    /// The `rel="next"` cursor among `Link` header values, as paging follows it.
    pub fn next_cursor(values: &[&str]) -> Option<String> {
        crate::client::paging::next_link(values.iter().copied())
            .and_then(|url| crate::client::paging::cursor_from_url(&url))
    }

    /// The error kind and message a non-2xx answer becomes.
    pub fn error_of(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> String {
        let resp = Response {
            status,
            headers,
            body,
        };
        let err =
            crate::client::error::from_response(&resp, crate::client::error::Operation::General);
        format!("{:?}: {}", err.kind, err.message)
    }

    /// The org host a connection's domain normalizes to, or why it is refused.
    pub fn domain(input: &str) -> Result<String, String> {
        crate::client::connection::normalize_domain(input).map_err(|err| err.message)
    }
}

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "okta-nodes",
    });
}

/// The generated WIT types, by interface.
pub(crate) mod wit {
    pub(crate) use crate::bindings::exports::okta::management::{
        apps, catalog, connection, event_hooks, factors, groups, operations, picklists, policies,
        raw, realms, system_log, triggers, types, users,
    };
}

#[cfg(target_arch = "wasm32")]
mod exports {
    use crate::bindings::exports::okta::management::{
        apps, catalog, connection, event_hooks, factors, groups, operations, picklists, policies,
        raw, realms, system_log, triggers, users,
    };
    use crate::client::Client;
    use crate::client::http::WasiHttp;
    use crate::wit::types::{Connection, Group, GroupPage, OktaError, User, UserPage, UserType};
    use crate::wit::users::*;

    /// The component.
    struct Nodes;

    /// Checks the connection, then runs one node over the WASI transport.
    fn run<R>(
        conn: &Connection,
        node: impl FnOnce(&mut Client<WasiHttp>) -> Result<R, OktaError>,
    ) -> Result<R, OktaError> {
        let connection = crate::client::connection::Connection::from_wit(conn)?;
        let mut client = Client::new(connection, WasiHttp);
        node(&mut client).map_err(|err| client.settle(err))
    }

    impl connection::Guest for Nodes {
        fn test_connection(conn: Connection) -> Result<connection::ConnectionInfo, OktaError> {
            run(&conn, crate::nodes::connection::test_connection)
        }
        fn get_access_token(conn: Connection) -> Result<crate::wit::types::AccessToken, OktaError> {
            run(&conn, crate::nodes::connection::get_access_token)
        }
        fn get_token_grant(conn: Connection) -> Result<connection::TokenGrant, OktaError> {
            run(&conn, crate::nodes::connection::get_token_grant)
        }
    }

    impl users::Guest for Nodes {
        fn list_users(conn: Connection, request: ListUsersRequest) -> Result<UserPage, OktaError> {
            run(&conn, |c| crate::nodes::users::list_users(c, request))
        }
        fn get_user(conn: Connection, request: GetUserRequest) -> Result<User, OktaError> {
            run(&conn, |c| crate::nodes::users::get_user(c, request))
        }
        fn create_user(conn: Connection, request: CreateUserRequest) -> Result<User, OktaError> {
            run(&conn, |c| crate::nodes::users::create_user(c, request))
        }
        fn update_user(conn: Connection, request: UpdateUserRequest) -> Result<User, OktaError> {
            run(&conn, |c| crate::nodes::users::update_user(c, request))
        }
        fn delete_user(
            conn: Connection,
            request: DeleteUserRequest,
        ) -> Result<DeleteUserResult, OktaError> {
            run(&conn, |c| crate::nodes::users::delete_user(c, request))
        }
        fn activate_user(
            conn: Connection,
            request: ActivateUserRequest,
        ) -> Result<ActivationResult, OktaError> {
            run(&conn, |c| crate::nodes::users::activate_user(c, request))
        }
        fn reactivate_user(
            conn: Connection,
            request: ReactivateUserRequest,
        ) -> Result<ActivationResult, OktaError> {
            run(&conn, |c| crate::nodes::users::reactivate_user(c, request))
        }
        fn deactivate_user(
            conn: Connection,
            request: DeactivateUserRequest,
        ) -> Result<LifecycleResult, OktaError> {
            run(&conn, |c| crate::nodes::users::deactivate_user(c, request))
        }
        fn suspend_user(
            conn: Connection,
            request: SuspendUserRequest,
        ) -> Result<LifecycleResult, OktaError> {
            run(&conn, |c| crate::nodes::users::suspend_user(c, request))
        }
        fn unsuspend_user(
            conn: Connection,
            request: UnsuspendUserRequest,
        ) -> Result<LifecycleResult, OktaError> {
            run(&conn, |c| crate::nodes::users::unsuspend_user(c, request))
        }
        fn unlock_user(
            conn: Connection,
            request: UnlockUserRequest,
        ) -> Result<LifecycleResult, OktaError> {
            run(&conn, |c| crate::nodes::users::unlock_user(c, request))
        }
        fn reset_password(
            conn: Connection,
            request: ResetPasswordRequest,
        ) -> Result<ResetPasswordResult, OktaError> {
            run(&conn, |c| crate::nodes::users::reset_password(c, request))
        }
        fn expire_password(
            conn: Connection,
            request: ExpirePasswordRequest,
        ) -> Result<ExpirePasswordResult, OktaError> {
            run(&conn, |c| crate::nodes::users::expire_password(c, request))
        }
        fn forgot_password(
            conn: Connection,
            request: ForgotPasswordRequest,
        ) -> Result<ForgotPasswordResult, OktaError> {
            run(&conn, |c| crate::nodes::users::forgot_password(c, request))
        }
        fn change_password(
            conn: Connection,
            request: ChangePasswordRequest,
        ) -> Result<CredentialsResult, OktaError> {
            run(&conn, |c| crate::nodes::users::change_password(c, request))
        }
        fn set_password(conn: Connection, request: SetPasswordRequest) -> Result<User, OktaError> {
            run(&conn, |c| crate::nodes::users::set_password(c, request))
        }
        fn change_recovery_question(
            conn: Connection,
            request: ChangeRecoveryQuestionRequest,
        ) -> Result<CredentialsResult, OktaError> {
            run(&conn, |c| {
                crate::nodes::users::change_recovery_question(c, request)
            })
        }
        fn clear_user_sessions(
            conn: Connection,
            request: ClearUserSessionsRequest,
        ) -> Result<ClearUserSessionsResult, OktaError> {
            run(&conn, |c| {
                crate::nodes::users::clear_user_sessions(c, request)
            })
        }
        fn list_user_groups(
            conn: Connection,
            request: ListUserGroupsRequest,
        ) -> Result<Vec<Group>, OktaError> {
            run(&conn, |c| crate::nodes::users::list_user_groups(c, request))
        }
        fn list_user_apps(
            conn: Connection,
            request: ListUserAppsRequest,
        ) -> Result<UserApps, OktaError> {
            run(&conn, |c| crate::nodes::users::list_user_apps(c, request))
        }
        fn list_user_types(
            conn: Connection,
            request: ListUserTypesRequest,
        ) -> Result<Vec<UserType>, OktaError> {
            run(&conn, |c| crate::nodes::users::list_user_types(c, request))
        }
    }

    impl groups::Guest for Nodes {
        fn list_groups(
            conn: Connection,
            request: groups::ListGroupsRequest,
        ) -> Result<GroupPage, OktaError> {
            run(&conn, |c| crate::nodes::groups::list_groups(c, request))
        }
        fn get_group(
            conn: Connection,
            request: groups::GetGroupRequest,
        ) -> Result<Group, OktaError> {
            run(&conn, |c| crate::nodes::groups::get_group(c, request))
        }
        fn create_group(
            conn: Connection,
            request: groups::CreateGroupRequest,
        ) -> Result<Group, OktaError> {
            run(&conn, |c| crate::nodes::groups::create_group(c, request))
        }
        fn update_group(
            conn: Connection,
            request: groups::UpdateGroupRequest,
        ) -> Result<Group, OktaError> {
            run(&conn, |c| crate::nodes::groups::update_group(c, request))
        }
        fn delete_group(
            conn: Connection,
            request: groups::DeleteGroupRequest,
        ) -> Result<groups::DeletedGroup, OktaError> {
            run(&conn, |c| crate::nodes::groups::delete_group(c, request))
        }
        fn list_group_members(
            conn: Connection,
            request: groups::ListGroupMembersRequest,
        ) -> Result<UserPage, OktaError> {
            run(&conn, |c| {
                crate::nodes::groups::list_group_members(c, request)
            })
        }
        fn list_pending_approvals(
            conn: Connection,
            request: groups::ListGroupMembersRequest,
        ) -> Result<UserPage, OktaError> {
            run(&conn, |c| {
                crate::nodes::groups::list_group_members(c, request)
            })
        }
        fn add_user_to_group(
            conn: Connection,
            request: groups::MembershipRequest,
        ) -> Result<groups::Membership, OktaError> {
            run(&conn, |c| {
                crate::nodes::groups::add_user_to_group(c, request)
            })
        }
        fn remove_user_from_group(
            conn: Connection,
            request: groups::MembershipRequest,
        ) -> Result<groups::Membership, OktaError> {
            run(&conn, |c| {
                crate::nodes::groups::remove_user_from_group(c, request)
            })
        }
    }

    impl apps::Guest for Nodes {
        fn list_apps(
            conn: Connection,
            request: apps::ListAppsRequest,
        ) -> Result<apps::AppPage, OktaError> {
            run(&conn, |c| crate::nodes::apps::list_apps(c, request))
        }
        fn get_app(conn: Connection, request: apps::GetAppRequest) -> Result<apps::App, OktaError> {
            run(&conn, |c| crate::nodes::apps::get_app(c, request))
        }
        fn list_app_users(
            conn: Connection,
            request: apps::ListAppUsersRequest,
        ) -> Result<apps::AppUserPage, OktaError> {
            run(&conn, |c| crate::nodes::apps::list_app_users(c, request))
        }
        fn assign_user_to_app(
            conn: Connection,
            request: apps::AssignUserToAppRequest,
        ) -> Result<apps::AssignmentResult, OktaError> {
            run(&conn, |c| {
                crate::nodes::apps::assign_user_to_app(c, request)
            })
        }
        fn get_app_user_assignment(
            conn: Connection,
            request: apps::GetAppUserAssignmentRequest,
        ) -> Result<apps::AppUser, OktaError> {
            run(&conn, |c| {
                crate::nodes::apps::get_app_user_assignment(c, request)
            })
        }
        fn update_app_user_assignment(
            conn: Connection,
            request: apps::UpdateAppUserAssignmentRequest,
        ) -> Result<apps::AppUser, OktaError> {
            run(&conn, |c| {
                crate::nodes::apps::update_app_user_assignment(c, request)
            })
        }
        fn remove_user_from_app(
            conn: Connection,
            request: apps::RemoveUserFromAppRequest,
        ) -> Result<apps::Unassignment, OktaError> {
            run(&conn, |c| {
                crate::nodes::apps::remove_user_from_app(c, request)
            })
        }
    }

    impl factors::Guest for Nodes {
        fn list_factors(
            conn: Connection,
            request: factors::ListFactorsRequest,
        ) -> Result<Vec<factors::Factor>, OktaError> {
            run(&conn, |c| crate::nodes::factors::list_factors(c, request))
        }
        fn enroll_factor(
            conn: Connection,
            request: factors::EnrollFactorRequest,
        ) -> Result<factors::Factor, OktaError> {
            run(&conn, |c| crate::nodes::factors::enroll_factor(c, request))
        }
        fn activate_factor(
            conn: Connection,
            request: factors::ActivateFactorRequest,
        ) -> Result<factors::Factor, OktaError> {
            run(&conn, |c| {
                crate::nodes::factors::activate_factor(c, request)
            })
        }
        fn unenroll_factor(
            conn: Connection,
            request: factors::UnenrollFactorRequest,
        ) -> Result<factors::UnenrolledFactor, OktaError> {
            run(&conn, |c| {
                crate::nodes::factors::unenroll_factor(c, request)
            })
        }
        fn reset_all_factors(
            conn: Connection,
            request: factors::ResetAllFactorsRequest,
        ) -> Result<factors::FactorsReset, OktaError> {
            run(&conn, |c| {
                crate::nodes::factors::reset_all_factors(c, request)
            })
        }
    }

    impl system_log::Guest for Nodes {
        fn list_events(
            conn: Connection,
            request: system_log::ListEventsRequest,
        ) -> Result<system_log::LogPage, OktaError> {
            run(&conn, |c| crate::nodes::system_log::list_events(c, request))
        }
    }

    impl event_hooks::Guest for Nodes {
        fn list_event_hooks(
            conn: Connection,
            request: event_hooks::ListEventHooksRequest,
        ) -> Result<Vec<event_hooks::EventHook>, OktaError> {
            run(&conn, |c| {
                crate::nodes::event_hooks::list_event_hooks(c, request)
            })
        }
        fn get_event_hook(
            conn: Connection,
            request: event_hooks::EventHookRequest,
        ) -> Result<event_hooks::EventHook, OktaError> {
            run(&conn, |c| {
                crate::nodes::event_hooks::get_event_hook(c, request)
            })
        }
        fn create_event_hook(
            conn: Connection,
            request: event_hooks::CreateEventHookRequest,
        ) -> Result<event_hooks::EventHook, OktaError> {
            run(&conn, |c| {
                crate::nodes::event_hooks::create_event_hook(c, request)
            })
        }
        fn activate_event_hook(
            conn: Connection,
            request: event_hooks::EventHookRequest,
        ) -> Result<event_hooks::EventHookChange, OktaError> {
            run(&conn, |c| {
                crate::nodes::event_hooks::activate_event_hook(c, request)
            })
        }
        fn deactivate_event_hook(
            conn: Connection,
            request: event_hooks::EventHookRequest,
        ) -> Result<event_hooks::EventHookChange, OktaError> {
            run(&conn, |c| {
                crate::nodes::event_hooks::deactivate_event_hook(c, request)
            })
        }
        fn verify_event_hook(
            conn: Connection,
            request: event_hooks::EventHookRequest,
        ) -> Result<event_hooks::EventHook, OktaError> {
            run(&conn, |c| {
                crate::nodes::event_hooks::verify_event_hook(c, request)
            })
        }
        fn delete_event_hook(
            conn: Connection,
            request: event_hooks::EventHookRequest,
        ) -> Result<event_hooks::DeletedEventHook, OktaError> {
            run(&conn, |c| {
                crate::nodes::event_hooks::delete_event_hook(c, request)
            })
        }
        fn delete_all_event_hooks(
            conn: Connection,
            request: event_hooks::DeleteAllEventHooksRequest,
        ) -> Result<event_hooks::DeletedEventHooks, OktaError> {
            run(&conn, |c| {
                crate::nodes::event_hooks::delete_all_event_hooks(c, request)
            })
        }
    }

    impl policies::Guest for Nodes {
        fn list_policies(
            conn: Connection,
            request: policies::ListPoliciesRequest,
        ) -> Result<policies::PolicyPage, OktaError> {
            run(&conn, |c| crate::nodes::policies::list_policies(c, request))
        }
    }

    impl realms::Guest for Nodes {
        fn list_realms(
            conn: Connection,
            request: realms::ListRealmsRequest,
        ) -> Result<realms::RealmPage, OktaError> {
            run(&conn, |c| crate::nodes::realms::list_realms(c, request))
        }
    }

    impl operations::Guest for Nodes {
        fn call(
            conn: Connection,
            request: operations::OperationRequest,
        ) -> Result<String, OktaError> {
            run(&conn, |c| crate::nodes::operations::call(c, request))
        }
    }

    impl raw::Guest for Nodes {
        fn request(
            conn: Connection,
            request: raw::RawRequest,
        ) -> Result<raw::RawResponse, OktaError> {
            run(&conn, |c| crate::nodes::raw::request(c, request))
        }
    }

    impl catalog::Guest for Nodes {
        fn nodes() -> Vec<catalog::NodeInfo> {
            crate::catalog::nodes()
        }
        fn schema() -> String {
            crate::catalog::schema()
        }
    }

    impl triggers::Guest for Nodes {
        fn answer_verification(
            request: triggers::VerificationRequest,
        ) -> Result<String, OktaError> {
            crate::nodes::triggers::answer_verification(request)
        }
        fn receive_event_hook(
            request: triggers::EventHookDelivery,
        ) -> Result<Vec<crate::wit::system_log::LogEvent>, OktaError> {
            crate::nodes::triggers::receive_event_hook(request)
        }
        fn poll_system_log(
            conn: Connection,
            request: triggers::PollSystemLogRequest,
        ) -> Result<triggers::LogPoll, OktaError> {
            run(&conn, |c| {
                crate::nodes::triggers::poll_system_log(c, request)
            })
        }
        fn poll_new_users(
            conn: Connection,
            request: triggers::PollUsersRequest,
        ) -> Result<triggers::UserPoll, OktaError> {
            use crate::nodes::triggers::{UserWatch, poll_users};
            run(&conn, |c| poll_users(c, request, UserWatch::Created))
        }
        fn poll_updated_users(
            conn: Connection,
            request: triggers::PollUsersRequest,
        ) -> Result<triggers::UserPoll, OktaError> {
            use crate::nodes::triggers::{UserWatch, poll_users};
            run(&conn, |c| poll_users(c, request, UserWatch::Updated))
        }
    }

    impl picklists::Guest for Nodes {
        fn select_user(
            conn: Connection,
            request: picklists::PicklistRequest,
        ) -> Result<picklists::ChoicePage, OktaError> {
            run(&conn, |c| crate::nodes::picklists::select_user(c, request))
        }
        fn select_group(
            conn: Connection,
            request: picklists::PicklistRequest,
        ) -> Result<picklists::ChoicePage, OktaError> {
            run(&conn, |c| crate::nodes::picklists::select_group(c, request))
        }
        fn select_app(
            conn: Connection,
            request: picklists::PicklistRequest,
        ) -> Result<picklists::ChoicePage, OktaError> {
            run(&conn, |c| crate::nodes::picklists::select_app(c, request))
        }
        fn select_event_hook(
            conn: Connection,
            request: picklists::PicklistRequest,
        ) -> Result<picklists::ChoicePage, OktaError> {
            run(&conn, |c| {
                crate::nodes::picklists::select_event_hook(c, request)
            })
        }
        fn select_realm(
            conn: Connection,
            request: picklists::PicklistRequest,
        ) -> Result<picklists::ChoicePage, OktaError> {
            run(&conn, |c| crate::nodes::picklists::select_realm(c, request))
        }
        fn select_user_factor(
            conn: Connection,
            request: picklists::UserPicklistRequest,
        ) -> Result<picklists::ChoicePage, OktaError> {
            run(&conn, |c| {
                crate::nodes::picklists::select_user_factor(c, request)
            })
        }
        fn select_user_type(
            conn: Connection,
            request: picklists::PicklistRequest,
        ) -> Result<picklists::ChoicePage, OktaError> {
            run(&conn, |c| {
                crate::nodes::picklists::select_user_type(c, request)
            })
        }
        fn user_profile_fields(
            conn: Connection,
            request: picklists::UserProfileFieldsRequest,
        ) -> Result<picklists::ProfileFields, OktaError> {
            run(&conn, |c| {
                crate::nodes::schemas::user_profile_fields(c, request)
            })
        }
        fn app_user_profile_fields(
            conn: Connection,
            request: picklists::AppProfileFieldsRequest,
        ) -> Result<picklists::ProfileFields, OktaError> {
            run(&conn, |c| {
                crate::nodes::schemas::app_user_profile_fields(c, request)
            })
        }
    }

    crate::bindings::export!(Nodes with_types_in crate::bindings);
}
