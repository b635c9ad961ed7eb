// What WIT cannot say about the nodes: one row per node, the secret fields, the cases a
// request accepts and the rules between fields. The build script reads this file with
// `include!` and joins it with `wit/` into the catalog; the component's tests check that
// every node has a row, and the scopes against Okta's spec (`okta-scopes.txt`).
// Plain items, no paths: the same text compiles in the build script and in the crate.

/// What WIT cannot say about one node.
pub struct Row {
    /// `<interface>.<function>`.
    pub id: &'static str,
    /// Removes or disables something: an engine asks before it runs.
    pub destructive: bool,
    /// Running it twice leaves the org as running it once does.
    pub idempotent: bool,
    /// The OAuth scopes a service app needs.
    pub scopes: &'static [&'static str],
    /// Okta's endpoints it calls, as the spec writes them (`POST /api/v1/users/{id}`).
    pub endpoints: &'static [&'static str],
    /// An input a flow builder can start from (JSON); empty for a node without a request.
    pub example: &'static str,
}

/// A rule between the fields of a request that a form enforces.
pub enum Rule {
    /// At most one of these fields is set.
    AtMostOne(&'static [&'static str]),
    /// When the first field is set, so are the others.
    Requires(&'static str, &'static [&'static str]),
    /// When the field (a boolean) is true, the others are set; false, its default, stands
    /// alone.
    WhenTrue(&'static str, &'static [&'static str]),
    /// The first field (a boolean) may be true only when the second (a boolean) is true.
    TrueOnlyWith(&'static str, &'static str),
    /// When `field` (`record/field` reaches inside a record) is one of `cases`, all of
    /// `then` hold.
    When {
        /// The field whose value decides.
        field: &'static str,
        /// The values that ask more.
        cases: &'static [&'static str],
        /// What they ask.
        then: &'static [Then],
    },
    /// At least one of these is set; a field inside a record is `record/field`, and
    /// `record/*` is any of its fields.
    AtLeastOne(&'static [&'static str]),
    /// A whole number inside a record (`page/limit`) is at most this, for this request.
    AtMost(&'static str, u32),
    /// `field` may be set only when `on` is one of `cases`.
    OnlyWhen {
        /// The field that is restricted.
        field: &'static str,
        /// The field whose value allows it.
        on: &'static str,
        /// The values that allow it.
        cases: &'static [&'static str],
    },
}

/// What a [`Rule::When`] asks of another field of the request.
pub enum Then {
    /// The field is given: not null, and not blank if it is text.
    Given(&'static str),
    /// The field is not given: absent, null or blank text.
    Unset(&'static str),
    /// The field is not this JSON value (`"hook"`, `false`).
    Not(&'static str, &'static str),
    /// The field, where it is text, has exactly this many characters.
    Chars(&'static str, u32),
    /// When the first field is given, so is the second.
    Requires(&'static str, &'static str),
}

const R_USERS: &[&str] = &["okta.users.read"];
const M_USERS: &[&str] = &["okta.users.manage"];
const R_GROUPS: &[&str] = &["okta.groups.read"];
const M_GROUPS: &[&str] = &["okta.groups.manage"];
const R_APPS: &[&str] = &["okta.apps.read"];
const M_APPS: &[&str] = &["okta.apps.manage"];
const R_HOOKS: &[&str] = &["okta.eventHooks.read"];
const M_HOOKS: &[&str] = &["okta.eventHooks.manage"];
const R_LOGS: &[&str] = &["okta.logs.read"];
const M_USERS_R: &[&str] = &["okta.users.manage", "okta.users.read"];

/// Builds a row; `d` destructive, `i` idempotent.
const fn row(
    id: &'static str,
    d: bool,
    i: bool,
    scopes: &'static [&'static str],
    endpoints: &'static [&'static str],
    example: &'static str,
) -> Row {
    Row {
        id,
        destructive: d,
        idempotent: i,
        scopes,
        endpoints,
        example,
    }
}

/// Every node, in no particular order.
pub const ROWS: &[Row] = &[
    row(
        "connection.test-connection",
        false,
        true,
        R_USERS,
        &["GET /api/v1/users/{id}", "GET /api/v1/users"],
        "",
    ),
    row("connection.get-access-token", false, true, &[], &[], ""),
    row("connection.get-token-grant", false, false, &[], &[], ""),
    row(
        "users.list-users",
        false,
        true,
        R_USERS,
        &["GET /api/v1/users"],
        r#"{"search": "status eq \"ACTIVE\" and profile.department eq \"Engineering\"", "page": {"limit": 200}}"#,
    ),
    row(
        "users.get-user",
        false,
        true,
        R_USERS,
        &["GET /api/v1/users/{id}", "GET /api/v1/users"],
        r#"{"user-id": "ada.lovelace@example.com"}"#,
    ),
    row(
        "users.create-user",
        false,
        false,
        M_USERS,
        &["POST /api/v1/users"],
        r#"{"profile": {"login": "margaret.hamilton@example.com", "email": "margaret.hamilton@example.com", "first-name": "Margaret", "last-name": "Hamilton"}, "group-ids": ["00g1ero7vZFVEIYLW00E"], "activate": true}"#,
    ),
    row(
        "users.update-user",
        false,
        true,
        M_USERS,
        &["POST /api/v1/users/{id}"],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L", "profile": {"title": "Chief Analyst"}, "profile-extra": "{\"employeeBadge\": \"B-1815\", \"nickName\": null}"}"#,
    ),
    row(
        "users.delete-user",
        true,
        true,
        M_USERS_R,
        &["GET /api/v1/users/{id}", "DELETE /api/v1/users/{id}"],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L", "mode": "delete"}"#,
    ),
    row(
        "users.activate-user",
        false,
        true,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{id}/lifecycle/activate",
        ],
        r#"{"user-id": "alan.turing@example.com", "send-email": false}"#,
    ),
    row(
        "users.reactivate-user",
        false,
        true,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{id}/lifecycle/reactivate",
        ],
        r#"{"user-id": "barbara.liskov@example.com", "send-email": true}"#,
    ),
    row(
        "users.deactivate-user",
        true,
        true,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{id}/lifecycle/deactivate",
        ],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L"}"#,
    ),
    row(
        "users.suspend-user",
        true,
        true,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{id}/lifecycle/suspend",
        ],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L"}"#,
    ),
    row(
        "users.unsuspend-user",
        false,
        true,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{id}/lifecycle/unsuspend",
        ],
        r#"{"user-id": "edsger.dijkstra@example.com"}"#,
    ),
    row(
        "users.unlock-user",
        false,
        true,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{id}/lifecycle/unlock",
        ],
        r#"{"user-id": "john.backus@example.com"}"#,
    ),
    row(
        "users.reset-password",
        false,
        false,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{id}/lifecycle/reset_password",
        ],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L", "send-email": false}"#,
    ),
    row(
        "users.expire-password",
        false,
        false,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{id}/lifecycle/expire_password",
            "POST /api/v1/users/{id}/lifecycle/expire_password_with_temp_password",
        ],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L", "temp-password": true, "revoke-sessions": true}"#,
    ),
    row(
        "users.forgot-password",
        false,
        false,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{userId}/credentials/forgot_password",
        ],
        r#"{"user-id": "ada.lovelace@example.com", "send-email": true}"#,
    ),
    row(
        "users.change-password",
        false,
        false,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{userId}/credentials/change_password",
            "DELETE /api/v1/users/{userId}/sessions",
        ],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L", "old-password": "Welc0me!2026", "new-password": "Battery staple 2"}"#,
    ),
    row(
        "users.set-password",
        false,
        true,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{id}",
            "DELETE /api/v1/users/{userId}/sessions",
        ],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L", "password": {"value": "Battery staple 2"}, "revoke-sessions": true}"#,
    ),
    row(
        "users.change-recovery-question",
        false,
        true,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{userId}/credentials/change_recovery_question",
        ],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L", "password": "Welc0me!2026", "recovery-question": {"question": "First pet?", "answer": "Rex the dog"}}"#,
    ),
    row(
        "users.clear-user-sessions",
        true,
        true,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "DELETE /api/v1/users/{userId}/sessions",
        ],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L", "oauth-tokens": true}"#,
    ),
    row(
        "users.list-user-groups",
        false,
        true,
        R_USERS,
        &["GET /api/v1/users/{id}/groups"],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L"}"#,
    ),
    row(
        "users.list-user-apps",
        false,
        true,
        &["okta.apps.read", "okta.users.read"],
        &["GET /api/v1/users/{id}/appLinks", "GET /api/v1/apps"],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L", "view": "apps", "page": {"fetch-all": true}}"#,
    ),
    row(
        "users.list-user-types",
        false,
        true,
        &["okta.userTypes.read"],
        &["GET /api/v1/meta/types/user"],
        r#"{}"#,
    ),
    row(
        "groups.list-groups",
        false,
        true,
        R_GROUPS,
        &["GET /api/v1/groups"],
        r#"{"search": "profile.name sw \"Eng\"", "expand": "stats"}"#,
    ),
    row(
        "groups.get-group",
        false,
        true,
        R_GROUPS,
        &["GET /api/v1/groups/{groupId}"],
        r#"{"group-id": "00g1ero7vZFVEIYLW00E"}"#,
    ),
    row(
        "groups.create-group",
        false,
        false,
        M_GROUPS,
        &["POST /api/v1/groups"],
        r#"{"name": "Platform", "description": "Runs what Engineering builds"}"#,
    ),
    row(
        "groups.update-group",
        false,
        true,
        &["okta.groups.manage", "okta.groups.read"],
        &[
            "GET /api/v1/groups/{groupId}",
            "PUT /api/v1/groups/{groupId}",
        ],
        r#"{"group-id": "00g1ero7vZFVEIYLW00E", "description": "Everyone who builds and ships"}"#,
    ),
    row(
        "groups.delete-group",
        true,
        true,
        M_GROUPS,
        &["DELETE /api/v1/groups/{groupId}"],
        r#"{"group-id": "00g1ero7vZFVEIYLW00E"}"#,
    ),
    row(
        "groups.list-group-members",
        false,
        true,
        R_GROUPS,
        &["GET /api/v1/groups/{groupId}/users"],
        r#"{"group-id": "00g1ero7vZFVEIYLW00E", "page": {"fetch-all": true, "max-items": 5000}}"#,
    ),
    row(
        "groups.list-pending-approvals",
        false,
        true,
        R_GROUPS,
        &["GET /api/v1/groups/{groupId}/users"],
        r#"{"group-id": "00g1ero7vZFVEIYLW00E"}"#,
    ),
    row(
        "groups.add-user-to-group",
        false,
        true,
        &["okta.groups.manage", "okta.users.read"],
        &[
            "GET /api/v1/users/{id}",
            "PUT /api/v1/groups/{groupId}/users/{userId}",
        ],
        r#"{"group-id": "00g1ero7vZFVEIYLW00E", "user-id": "katherine.johnson@example.com"}"#,
    ),
    row(
        "groups.remove-user-from-group",
        true,
        true,
        &["okta.groups.manage", "okta.users.read"],
        &[
            "GET /api/v1/users/{id}",
            "DELETE /api/v1/groups/{groupId}/users/{userId}",
        ],
        r#"{"group-id": "00g1ero7vZFVEIYLW00E", "user-id": "ada.lovelace@example.com"}"#,
    ),
    row(
        "apps.list-apps",
        false,
        true,
        R_APPS,
        &["GET /api/v1/apps"],
        r#"{"filter": "status eq \"ACTIVE\"", "page": {"limit": 50}}"#,
    ),
    row(
        "apps.get-app",
        false,
        true,
        R_APPS,
        &["GET /api/v1/apps/{appId}"],
        r#"{"app-id": "0oa1ero7vZFVEIYLW00H"}"#,
    ),
    row(
        "apps.list-app-users",
        false,
        true,
        R_APPS,
        &["GET /api/v1/apps/{appId}/users"],
        r#"{"app-id": "0oa1ero7vZFVEIYLW00H", "q": "ada"}"#,
    ),
    row(
        "apps.assign-user-to-app",
        false,
        true,
        &["okta.apps.manage", "okta.apps.read", "okta.users.read"],
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/apps/{appId}/users",
            "GET /api/v1/apps/{appId}/users/{userId}",
        ],
        r#"{"app-id": "0oa1ero7vZFVEIYLW00H", "user-id": "katherine.johnson@example.com", "scope": "user", "username": "katherine"}"#,
    ),
    row(
        "apps.get-app-user-assignment",
        false,
        true,
        &["okta.apps.read", "okta.users.read"],
        &[
            "GET /api/v1/users/{id}",
            "GET /api/v1/apps/{appId}/users/{userId}",
        ],
        r#"{"app-id": "0oa1ero7vZFVEIYLW00H", "user-id": "00u1ero7vZFVEIYLW00L"}"#,
    ),
    row(
        "apps.update-app-user-assignment",
        false,
        true,
        &["okta.apps.manage", "okta.users.read"],
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/apps/{appId}/users/{userId}",
        ],
        r#"{"app-id": "0oa1ero7vZFVEIYLW00H", "user-id": "00u1ero7vZFVEIYLW00L", "profile": "{\"role\": \"admin\"}"}"#,
    ),
    row(
        "apps.remove-user-from-app",
        true,
        true,
        &["okta.apps.manage", "okta.users.read"],
        &[
            "GET /api/v1/users/{id}",
            "DELETE /api/v1/apps/{appId}/users/{userId}",
        ],
        r#"{"app-id": "0oa1ero7vZFVEIYLW00H", "user-id": "00u1ero7vZFVEIYLW00L"}"#,
    ),
    row(
        "factors.list-factors",
        false,
        true,
        R_USERS,
        &[
            "GET /api/v1/users/{id}",
            "GET /api/v1/users/{userId}/factors",
        ],
        r#"{"user-id": "ada.lovelace@example.com"}"#,
    ),
    row(
        "factors.enroll-factor",
        false,
        false,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{userId}/factors",
        ],
        r#"{"user-id": "grace.hopper@example.com", "factor-type": "sms", "phone-number": "+1-555-415-1337", "activate": true}"#,
    ),
    row(
        "factors.activate-factor",
        false,
        false,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{userId}/factors/{factorId}/lifecycle/activate",
        ],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L", "factor-id": "mbl1ero7vZFVEIYLW00S", "pass-code": "123456"}"#,
    ),
    row(
        "factors.unenroll-factor",
        true,
        true,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "DELETE /api/v1/users/{userId}/factors/{factorId}",
        ],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L", "factor-id": "mbl1ero7vZFVEIYLW00S"}"#,
    ),
    row(
        "factors.reset-all-factors",
        true,
        true,
        M_USERS_R,
        &[
            "GET /api/v1/users/{id}",
            "POST /api/v1/users/{id}/lifecycle/reset_factors",
        ],
        r#"{"user-id": "00u1ero7vZFVEIYLW00L"}"#,
    ),
    row(
        "system-log.list-events",
        false,
        true,
        R_LOGS,
        &["GET /api/v1/logs"],
        r#"{"since": "2026-11-30T00:00:00.000Z", "filter": "eventType eq \"user.lifecycle.create\"", "page": {"fetch-all": true}}"#,
    ),
    row(
        "event-hooks.list-event-hooks",
        false,
        true,
        R_HOOKS,
        &["GET /api/v1/eventHooks"],
        r#"{}"#,
    ),
    row(
        "event-hooks.get-event-hook",
        false,
        true,
        R_HOOKS,
        &["GET /api/v1/eventHooks/{eventHookId}"],
        r#"{"event-hook-id": "who1ero7vZFVEIYLW00T"}"#,
    ),
    row(
        "event-hooks.create-event-hook",
        false,
        false,
        M_HOOKS,
        &[
            "POST /api/v1/eventHooks",
            "POST /api/v1/eventHooks/{eventHookId}/lifecycle/deactivate",
        ],
        r#"{"name": "New users", "uri": "https://flows.example.com/hooks/okta", "event-types": ["user.lifecycle.create"], "auth-header-key": "Authorization", "auth-header-value": "a-long-shared-secret"}"#,
    ),
    row(
        "event-hooks.activate-event-hook",
        false,
        true,
        &["okta.eventHooks.manage", "okta.eventHooks.read"],
        &[
            "GET /api/v1/eventHooks/{eventHookId}",
            "POST /api/v1/eventHooks/{eventHookId}/lifecycle/activate",
        ],
        r#"{"event-hook-id": "who1ero7vZFVEIYLW00T"}"#,
    ),
    row(
        "event-hooks.deactivate-event-hook",
        true,
        true,
        &["okta.eventHooks.manage", "okta.eventHooks.read"],
        &[
            "GET /api/v1/eventHooks/{eventHookId}",
            "POST /api/v1/eventHooks/{eventHookId}/lifecycle/deactivate",
        ],
        r#"{"event-hook-id": "who1ero7vZFVEIYLW00T"}"#,
    ),
    row(
        "event-hooks.verify-event-hook",
        false,
        true,
        M_HOOKS,
        &["POST /api/v1/eventHooks/{eventHookId}/lifecycle/verify"],
        r#"{"event-hook-id": "who1ero7vZFVEIYLW00T"}"#,
    ),
    row(
        "event-hooks.delete-event-hook",
        true,
        true,
        &["okta.eventHooks.manage", "okta.eventHooks.read"],
        &[
            "GET /api/v1/eventHooks/{eventHookId}",
            "POST /api/v1/eventHooks/{eventHookId}/lifecycle/deactivate",
            "DELETE /api/v1/eventHooks/{eventHookId}",
        ],
        r#"{"event-hook-id": "who1ero7vZFVEIYLW00T"}"#,
    ),
    row(
        "event-hooks.delete-all-event-hooks",
        true,
        true,
        &["okta.eventHooks.manage", "okta.eventHooks.read"],
        &[
            "GET /api/v1/eventHooks",
            "POST /api/v1/eventHooks/{eventHookId}/lifecycle/deactivate",
            "DELETE /api/v1/eventHooks/{eventHookId}",
        ],
        r#"{"uri": "https://flows.example.com/hooks/okta"}"#,
    ),
    row(
        "policies.list-policies",
        false,
        true,
        &["okta.policies.read"],
        &["GET /api/v1/policies"],
        r#"{"policy-type": "password", "status": "active"}"#,
    ),
    row(
        "realms.list-realms",
        false,
        true,
        &["okta.realms.read"],
        &["GET /api/v1/realms"],
        r#"{"search": "profile.name sw \"Part\""}"#,
    ),
    row(
        "raw.request",
        true,
        false,
        &[],
        &[],
        r#"{"method": "get", "path": "/api/v1/users/me"}"#,
    ),
    row(
        "triggers.answer-verification",
        false,
        true,
        &[],
        &[],
        r#"{"headers": [{"name": "X-Okta-Verification-Challenge", "value": "rBP1MrAX12ZLyCbFW3R6"}]}"#,
    ),
    row(
        "triggers.receive-event-hook",
        false,
        true,
        &[],
        &[],
        r#"{"headers": [{"name": "Authorization", "value": "a-long-shared-secret"}], "body": "{\"eventType\": \"com.okta.event_hook\", \"data\": {\"events\": []}}", "expected-authorization": "a-long-shared-secret", "event-types": ["user.lifecycle.create"]}"#,
    ),
    row(
        "triggers.poll-system-log",
        false,
        true,
        R_LOGS,
        &["GET /api/v1/logs"],
        r#"{"filter": "eventType sw \"user.lifecycle\"", "since": "2026-12-01T00:00:00.000Z"}"#,
    ),
    row(
        "triggers.poll-new-users",
        false,
        true,
        R_USERS,
        &["GET /api/v1/users"],
        r#"{"max-items": 500}"#,
    ),
    row(
        "triggers.poll-updated-users",
        false,
        true,
        R_USERS,
        &["GET /api/v1/users"],
        r#"{}"#,
    ),
    row(
        "picklists.select-user",
        false,
        true,
        R_USERS,
        &["GET /api/v1/users"],
        r#"{"search": "ada"}"#,
    ),
    row(
        "picklists.select-group",
        false,
        true,
        R_GROUPS,
        &["GET /api/v1/groups"],
        r#"{"search": "Eng"}"#,
    ),
    row(
        "picklists.select-app",
        false,
        true,
        R_APPS,
        &["GET /api/v1/apps"],
        r#"{"search": "sales"}"#,
    ),
    row(
        "picklists.select-event-hook",
        false,
        true,
        R_HOOKS,
        &["GET /api/v1/eventHooks"],
        r#"{}"#,
    ),
    row(
        "picklists.select-realm",
        false,
        true,
        &["okta.realms.read"],
        &["GET /api/v1/realms"],
        r#"{"search": "Part", "limit": 20}"#,
    ),
    row(
        "picklists.select-user-factor",
        false,
        true,
        R_USERS,
        &[
            "GET /api/v1/users/{id}",
            "GET /api/v1/users/{userId}/factors",
        ],
        r#"{"user-id": "ada.lovelace@example.com"}"#,
    ),
    row(
        "picklists.select-user-type",
        false,
        true,
        &["okta.userTypes.read"],
        &["GET /api/v1/meta/types/user"],
        r#"{}"#,
    ),
    row(
        "picklists.user-profile-fields",
        false,
        true,
        &["okta.schemas.read", "okta.userTypes.read"],
        &[
            "GET /api/v1/meta/schemas/user/{schemaId}",
            "GET /api/v1/meta/types/user/{typeId}",
        ],
        r#"{}"#,
    ),
    row(
        "picklists.app-user-profile-fields",
        false,
        true,
        &["okta.schemas.read"],
        &["GET /api/v1/meta/schemas/apps/{appId}/default"],
        r#"{"app-id": "0oa1ero7vZFVEIYLW00H"}"#,
    ),
];

/// Fields that hold a secret, as `<interface>.<type>.<field or case>`: a form masks them,
/// and the schema marks them `format: password` and, on input, `writeOnly`.
pub const SECRETS: &[&str] = &[
    "types.auth.api-token",
    "types.auth.bearer-token",
    "types.client-credentials.private-key",
    "types.client-credentials.dpop-key",
    "types.access-token.token",
    "types.access-token.dpop-key",
    "types.authorization-code.client-secret",
    "types.code-grant.code",
    "types.code-grant.code-verifier",
    "types.grant.refresh-token",
    "connection.token-grant.refresh-token",
    "users.password-input.value",
    "users.password-hash.value",
    "users.password-hash.salt",
    "users.recovery-question.answer",
    "users.change-password-request.old-password",
    "users.change-password-request.new-password",
    "users.change-recovery-question-request.password",
    "users.activation-result.activation-token",
    "users.expire-password-result.temp-password",
    "apps.assign-user-to-app-request.password",
    "apps.update-app-user-assignment-request.password",
    "factors.enroll-factor-request.answer",
    "factors.enroll-factor-request.shared-secret",
    "factors.activate-factor-request.pass-code",
    "factors.factor.totp-shared-secret",
    "event-hooks.create-event-hook-request.auth-header-value",
    "triggers.event-hook-delivery.expected-authorization",
];

/// String fields that hold JSON, as `<interface>.<type>.<field or case>`, with what they
/// hold. A caller writes the value as that JSON or as its text; the schema offers each,
/// the text marked `contentMediaType: application/json` with the same `contentSchema`
/// (blank text is none). Every other string field takes a string and nothing else.
pub const JSON_FIELDS: &[(&str, Json)] = &[
    (
        "users.create-user-request.profile-extra",
        Json::ObjectBeside("types.user-profile"),
    ),
    (
        "users.update-user-request.profile-extra",
        Json::ObjectBeside("types.user-profile"),
    ),
    (
        "groups.create-group-request.profile-extra",
        Json::ObjectWithout(GROUP_OWN),
    ),
    (
        "groups.update-group-request.profile-extra",
        Json::ObjectWithout(GROUP_OWN),
    ),
    ("apps.assign-user-to-app-request.profile", Json::Object),
    (
        "apps.update-app-user-assignment-request.profile",
        Json::Object,
    ),
    ("raw.raw-body.json", Json::ObjectOrArray),
    ("triggers.event-hook-delivery.body", Json::Shaped(DELIVERY)),
];

/// What a string field that holds JSON holds.
pub enum Json {
    /// An object.
    Object,
    /// An object or an array.
    ObjectOrArray,
    /// An object of custom attributes beside a record of standard ones: a key a field of
    /// the record sets (its name in camelCase) may only be null there, which clears it.
    ObjectBeside(&'static str),
    /// An object in which these keys, which fields of their own set, may only be null.
    ObjectWithout(&'static [&'static str]),
    /// An object of this JSON Schema (as text).
    Shaped(&'static str),
}

/// The group profile keys `name` and `description`, which fields of their own set.
const GROUP_OWN: &[&str] = &["name", "description"];

/// An event hook delivery: Okta's envelope, `data.events` a list of log events, each
/// with its `uuid`.
const DELIVERY: &str = r#"{"type": "object", "required": ["data"], "properties": {"data":
    {"type": "object", "title": "Data", "required": ["events"], "properties": {"events":
    {"type": "array", "title": "Events", "items": {"type": "object", "required": ["uuid"],
    "properties": {"uuid": {"type": "string", "title": "UUID"}}}}}}}}"#;

/// Text the component takes only when it has a character that is not white space (Rust's
/// `trim`): a blank value is refused, or, in an optional field a rule names, taken as
/// unset. As a pattern: one such character somewhere.
pub const NOT_BLANK: &str = "[^{W}]";

/// The white-space characters `trim` removes, as the inside of a character class: `{S}` in
/// the patterns is `[{W}]`.
pub const WHITE: &str =
    "\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// Fields whose text must not be blank, by field name in every request (`user-id`) or as
/// `<interface>.<type>.<field>`.
pub const NOT_BLANK_FIELDS: &[&str] = &[
    "groups.create-group-request.name",
    "event-hooks.create-event-hook-request.name",
    "event-hooks.create-event-hook-request.uri",
    "factors.activate-factor-request.pass-code",
    "users.password-hash.value",
    "event-hooks.delete-all-event-hooks-request.uri",
    "users.recovery-question.question",
    "users.recovery-question.answer",
    "types.pair.name",
    "triggers.event-hook-delivery.body",
];

/// Fields that must not be empty (a password: any characters, spaces too), as
/// `<interface>.<type>.<field or case>`.
pub const NOT_EMPTY_FIELDS: &[&str] = &[
    "users.change-password-request.old-password",
    "users.change-password-request.new-password",
    "users.change-recovery-question-request.password",
    "users.password-input.value",
    "triggers.event-hook-delivery.expected-authorization",
];

/// Fields the component puts into a URL path as one segment (`/api/v1/users/{user-id}`), by
/// field name in every request: not blank, not `.` or `..` (spaces aside), no control
/// character, at most 1024 characters.
pub const PATH_SEGMENTS: &[&str] = &[
    "user-id",
    "group-id",
    "app-id",
    "event-hook-id",
    "factor-id",
];

/// The pattern of a path segment: see [`PATH_SEGMENTS`].
pub const SEGMENT: &str =
    "^(?=[\\s\\S]*[^{W}])(?!{S}*\\.{1,2}{S}*$)[^\\u0000-\\u001f\\u007f-\\u009f]*$";

/// Text fields with a pattern of their own: (`<interface>.<type>.<field>`, the pattern); a
/// field of a list's items is `<path>[].<field>`. `{S}` stands for a white-space character
/// (what `trim` removes), `{HEADERS}` for the headers a raw request cannot set.
pub const PATTERNS: &[(&str, &str)] = &[
    ("event-hooks.create-event-hook-request.uri", "^{S}*https://"),
    // On the org: a URL (its host is checked against the connection's at call time), a
    // path from `/`, or one relative to /api/v1; no query, fragment, dot segment or
    // character that needs percent-encoding.
    (
        "raw.raw-request.path",
        "^{S}*(?:[Hh][Tt][Tt][Pp][Ss]://[^/]*(?=/))?(?!.*://)(?!//)(?!(?:[^/]*/)*(?:\\.|%2[Ee]){1,2}(?:/|{S}*$))[!$%&'()*+,\\-./0-9:;=@A-Z\\[\\]_a-z~]+{S}*$",
    ),
    // An HTTP token, and not a header the component sets itself.
    (
        "raw.raw-request.headers[].name",
        "^(?!{S}*(?:{HEADERS}){S}*$){S}*[!#$%&'*+\\-.^_`|~0-9A-Za-z]+{S}*$",
    ),
    ("users.create-user-request.group-ids[]", "[^{W}]"),
    (
        "event-hooks.create-event-hook-request.event-types[]",
        "[^{W}]",
    ),
    (
        "raw.multipart-part.name",
        "^(?=[\\s\\S]*[^{W}])[^\"\\u0000-\\u001f\\u007f-\\u009f]*$",
    ),
    (
        "raw.multipart-part.data-base64",
        "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
    ),
];

/// Lists that must hold at least one item, as `<interface>.<type>.<field>`.
pub const NOT_EMPTY_LISTS: &[&str] = &["event-hooks.create-event-hook-request.event-types"];

/// Header lists that must carry exactly one header of a name (any case), with a value that
/// is not blank: (`<interface>.<type>.<field>`, the header).
pub const ONE_HEADER: &[(&str, &str)] = &[(
    "triggers.verification-request.headers",
    "X-Okta-Verification-Challenge",
)];

/// Fields a picklist fills, by field name wherever a request has one: (`user-id`, the
/// picklist node). The catalog notes each at its JSON Pointer in each input.
pub const PICKLIST_FIELDS: &[(&str, &str)] = &[
    ("user-id", "picklists.select-user"),
    ("manager-id", "picklists.select-user"),
    ("group-id", "picklists.select-group"),
    ("group-ids", "picklists.select-group"),
    ("app-id", "picklists.select-app"),
    ("event-hook-id", "picklists.select-event-hook"),
    ("realm-id", "picklists.select-realm"),
    ("type-id", "picklists.select-user-type"),
    ("factor-id", "picklists.select-user-factor"),
];

/// Fields whose object's shape is the org's own, as `<interface>.<type>.<field>`, and the
/// node whose output's `schema` describes it: a form renders the org's attributes as typed
/// fields.
pub const FIELDS_FROM: &[(&str, &str)] = &[
    (
        "users.create-user-request.profile-extra",
        "picklists.user-profile-fields",
    ),
    (
        "users.update-user-request.profile-extra",
        "picklists.user-profile-fields",
    ),
    (
        "apps.assign-user-to-app-request.profile",
        "picklists.app-user-profile-fields",
    ),
    (
        "apps.update-app-user-assignment-request.profile",
        "picklists.app-user-profile-fields",
    ),
];

/// Fields an engine keeps from a node's last output and passes back, as
/// `<interface>.<type>.<field>`: opaque to a person, hidden by a form.
pub const ENGINE_KEPT: &[&str] = &[
    "types.page-request.after",
    "picklists.picklist-request.cursor",
    "triggers.poll-system-log-request.state",
    "triggers.poll-users-request.state",
];

/// The factor types `enroll-factor` enrolls; the others are enrolled on the user's device.
pub const ENROLLABLE_FACTORS: &[&str] = &[
    "call",
    "email",
    "push",
    "question",
    "sms",
    "token-hotp",
    "token-software-totp",
];

/// Fields of a request that accept fewer cases than their type has:
/// (`<interface>.<request>.<field>`, the cases).
pub const ACCEPTS: &[(&str, &[&str])] = &[(
    "factors.enroll-factor-request.factor-type",
    ENROLLABLE_FACTORS,
)];

const SEARCHABLE: &[Rule] = &[
    Rule::AtMostOne(&["q", "filter", "search"]),
    Rule::Requires("sort-by", &["search"]),
    Rule::Requires("sort-order", &["search"]),
];

/// The rules between a request's fields, by request type (`<interface>.<type>`).
pub const RULES: &[(&str, &[Rule])] = &[
    (
        "system-log.list-events-request",
        &[Rule::AtMost(
            "page/limit",
            super::limits::LOG_PAGE_LIMIT.max,
        )],
    ),
    (
        "users.create-user-request",
        &[
            Rule::AtLeastOne(&["profile/login", "profile/email"]),
            Rule::When {
                field: "next-login",
                cases: &["change-password"],
                then: &[
                    Then::Given("password"),
                    Then::Not("password", "\"hook\""),
                    Then::Not("activate", "false"),
                ],
            },
            Rule::When {
                field: "provider/provider-type",
                cases: &["federation", "social"],
                then: &[Then::Unset("password"), Then::Unset("recovery-question")],
            },
        ],
    ),
    (
        "users.password-hash",
        &[
            Rule::When {
                field: "algorithm",
                cases: &["bcrypt"],
                then: &[
                    Then::Given("salt"),
                    Then::Chars("salt", 22),
                    Then::Given("work-factor"),
                ],
            },
            Rule::When {
                field: "algorithm",
                cases: &["pbkdf2"],
                then: &[
                    Then::Given("salt"),
                    Then::Given("salt-order"),
                    Then::Given("iteration-count"),
                    Then::Given("key-size"),
                    Then::Given("digest-algorithm"),
                ],
            },
            Rule::When {
                field: "algorithm",
                cases: &["md5", "sha1", "sha256", "sha512"],
                then: &[Then::Requires("salt", "salt-order")],
            },
        ],
    ),
    (
        "groups.update-group-request",
        &[Rule::AtLeastOne(&["name", "description", "profile-extra"])],
    ),
    (
        "apps.update-app-user-assignment-request",
        &[Rule::AtLeastOne(&["username", "password", "profile"])],
    ),
    ("users.list-users-request", SEARCHABLE),
    ("groups.list-groups-request", SEARCHABLE),
    (
        "users.update-user-request",
        &[
            Rule::WhenTrue("strict", &["password"]),
            Rule::AtLeastOne(&[
                "profile/*",
                "profile-extra",
                "password",
                "recovery-question",
                "realm-id",
            ]),
        ],
    ),
    (
        "users.expire-password-request",
        &[Rule::TrueOnlyWith("revoke-sessions", "temp-password")],
    ),
    (
        "users.list-user-apps-request",
        &[Rule::OnlyWhen {
            field: "page",
            on: "view",
            cases: &["apps"],
        }],
    ),
    (
        "event-hooks.create-event-hook-request",
        &[
            Rule::Requires("auth-header-key", &["auth-header-value"]),
            Rule::Requires("auth-header-value", &["auth-header-key"]),
        ],
    ),
    (
        "factors.enroll-factor-request",
        &[
            Rule::When {
                field: "factor-type",
                cases: &["sms", "call"],
                then: &[Then::Given("phone-number")],
            },
            Rule::When {
                field: "factor-type",
                cases: &["email"],
                then: &[Then::Given("email")],
            },
            Rule::When {
                field: "factor-type",
                cases: &["question"],
                then: &[Then::Given("question"), Then::Given("answer")],
            },
            Rule::When {
                field: "factor-type",
                cases: &["token-hotp"],
                then: &[
                    Then::Given("factor-profile-id"),
                    Then::Given("shared-secret"),
                ],
            },
            Rule::OnlyWhen {
                field: "activate",
                on: "factor-type",
                cases: &["sms", "call", "email", "token-hotp"],
            },
            Rule::OnlyWhen {
                field: "factor-profile-id",
                on: "factor-type",
                cases: &["token-hotp"],
            },
            Rule::OnlyWhen {
                field: "shared-secret",
                on: "factor-type",
                cases: &["token-hotp"],
            },
            Rule::OnlyWhen {
                field: "update-phone",
                on: "factor-type",
                cases: &["sms", "call"],
            },
            Rule::OnlyWhen {
                field: "token-lifetime-seconds",
                on: "factor-type",
                cases: &["sms", "call", "email"],
            },
        ],
    ),
];
