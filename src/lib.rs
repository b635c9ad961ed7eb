//! Okta Management workflow nodes, as a WebAssembly component.
//!
//! Each exported WIT function is one node. This file only wires: it generates the bindings,
//! checks the connection, hands the request to the interface's module with a client over
//! the WASI transport, and exports the result. The mapping modules are plain Rust, tested
//! natively with `cargo test`; the wasm32 build adds the transport and the exports.
#![warn(missing_docs)]
// The exports exist only in the wasm32 build; a native build compiles the mapping for tests.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod client;
mod connection;
mod encode;
mod error;
#[cfg(target_arch = "wasm32")]
mod http;
mod objects;
mod paging;
mod retry;
mod spec;
mod users;

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "okta-nodes",
    });
}

/// The generated WIT types, by interface.
pub(crate) mod wit {
    pub(crate) use crate::bindings::exports::okta::management::{connection, types, users};
}

#[cfg(target_arch = "wasm32")]
mod exports {
    use crate::bindings::exports::okta::management::{connection, users};
    use crate::client::Client;
    use crate::http::WasiHttp;
    use crate::wit::types::{AppLink, Connection, GroupPage, OktaError, User, UserPage, UserType};
    use crate::wit::users::*;

    /// The component.
    struct Nodes;

    /// Checks the connection, then runs one node over the WASI transport.
    fn run<R>(
        conn: &Connection,
        node: impl FnOnce(&mut Client<WasiHttp>) -> Result<R, OktaError>,
    ) -> Result<R, OktaError> {
        let connection = crate::connection::Connection::from_wit(conn)?;
        node(&mut Client::new(connection, WasiHttp))
    }

    impl connection::Guest for Nodes {
        fn test_connection(conn: Connection) -> Result<connection::ConnectionInfo, OktaError> {
            run(&conn, crate::connection::test_connection)
        }
    }

    impl users::Guest for Nodes {
        fn list_users(conn: Connection, request: ListUsersRequest) -> Result<UserPage, OktaError> {
            run(&conn, |c| crate::users::list_users(c, request))
        }
        fn get_user(conn: Connection, request: GetUserRequest) -> Result<User, OktaError> {
            run(&conn, |c| crate::users::get_user(c, request))
        }
        fn create_user(conn: Connection, request: CreateUserRequest) -> Result<User, OktaError> {
            run(&conn, |c| crate::users::create_user(c, request))
        }
        fn update_user(conn: Connection, request: UpdateUserRequest) -> Result<User, OktaError> {
            run(&conn, |c| crate::users::update_user(c, request))
        }
        fn delete_user(
            conn: Connection,
            request: DeleteUserRequest,
        ) -> Result<DeleteUserResult, OktaError> {
            run(&conn, |c| crate::users::delete_user(c, request))
        }
        fn activate_user(
            conn: Connection,
            request: ActivateUserRequest,
        ) -> Result<ActivationResult, OktaError> {
            run(&conn, |c| crate::users::activate_user(c, request))
        }
        fn reactivate_user(
            conn: Connection,
            request: ReactivateUserRequest,
        ) -> Result<ActivationResult, OktaError> {
            run(&conn, |c| crate::users::reactivate_user(c, request))
        }
        fn deactivate_user(
            conn: Connection,
            request: DeactivateUserRequest,
        ) -> Result<LifecycleResult, OktaError> {
            run(&conn, |c| crate::users::deactivate_user(c, request))
        }
        fn suspend_user(
            conn: Connection,
            request: SuspendUserRequest,
        ) -> Result<LifecycleResult, OktaError> {
            run(&conn, |c| crate::users::suspend_user(c, request))
        }
        fn unsuspend_user(
            conn: Connection,
            request: UnsuspendUserRequest,
        ) -> Result<LifecycleResult, OktaError> {
            run(&conn, |c| crate::users::unsuspend_user(c, request))
        }
        fn unlock_user(
            conn: Connection,
            request: UnlockUserRequest,
        ) -> Result<LifecycleResult, OktaError> {
            run(&conn, |c| crate::users::unlock_user(c, request))
        }
        fn reset_password(
            conn: Connection,
            request: ResetPasswordRequest,
        ) -> Result<ResetPasswordResult, OktaError> {
            run(&conn, |c| crate::users::reset_password(c, request))
        }
        fn expire_password(
            conn: Connection,
            request: ExpirePasswordRequest,
        ) -> Result<ExpirePasswordResult, OktaError> {
            run(&conn, |c| crate::users::expire_password(c, request))
        }
        fn forgot_password(
            conn: Connection,
            request: ForgotPasswordRequest,
        ) -> Result<ForgotPasswordResult, OktaError> {
            run(&conn, |c| crate::users::forgot_password(c, request))
        }
        fn change_password(
            conn: Connection,
            request: ChangePasswordRequest,
        ) -> Result<CredentialsResult, OktaError> {
            run(&conn, |c| crate::users::change_password(c, request))
        }
        fn set_password(conn: Connection, request: SetPasswordRequest) -> Result<User, OktaError> {
            run(&conn, |c| crate::users::set_password(c, request))
        }
        fn change_recovery_question(
            conn: Connection,
            request: ChangeRecoveryQuestionRequest,
        ) -> Result<CredentialsResult, OktaError> {
            run(&conn, |c| {
                crate::users::change_recovery_question(c, request)
            })
        }
        fn clear_user_sessions(
            conn: Connection,
            request: ClearUserSessionsRequest,
        ) -> Result<ClearUserSessionsResult, OktaError> {
            run(&conn, |c| crate::users::clear_user_sessions(c, request))
        }
        fn list_user_groups(
            conn: Connection,
            request: ListUserGroupsRequest,
        ) -> Result<GroupPage, OktaError> {
            run(&conn, |c| crate::users::list_user_groups(c, request))
        }
        fn list_user_apps(
            conn: Connection,
            request: ListUserAppsRequest,
        ) -> Result<Vec<AppLink>, OktaError> {
            run(&conn, |c| crate::users::list_user_apps(c, request))
        }
        fn list_user_types(conn: Connection) -> Result<Vec<UserType>, OktaError> {
            run(&conn, crate::users::list_user_types)
        }
    }

    crate::bindings::export!(Nodes with_types_in crate::bindings);
}
