//! Every operation Okta's Management spec defines under the tags the mock covers, and what
//! the mock does with it: a route serves it, or it is outside the mock's model and answers
//! what Okta answers in an org that has none of it (an empty list, a 404 for an id the org
//! never issued, or Okta's "feature not enabled"). Never a 405 or "no route" for an
//! operation the spec defines.
//!
//! `spec/operations.tsv` lists the spec's operations (written from the spec by
//! `scripts/mock-spec`); a test fails when it lists one this table does not name.

use super::errors::MockError;
use super::page;
use axum::response::{IntoResponse, Response};

/// What the mock does with an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A route of the mock serves it, statefully.
    Served,
    /// Outside the mock's model: answered as an org without it answers.
    Outside {
        /// Why the mock leaves it out.
        reason: &'static str,
        /// Okta's answer.
        answer: Answer,
    },
}

/// Okta's answer for an operation on something an org does not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// 200 with an empty list: the org has none.
    Empty,
    /// 404 `E0000007`: the id names nothing the org has.
    NotFound,
    /// 401 `E0000015`: the org does not have the feature.
    NotEnabled,
}

impl Answer {
    /// The answer as Okta sends it.
    fn respond(self, path: &str) -> Response {
        match self {
            Answer::Empty => page::json(serde_json::json!([])),
            Answer::NotFound => {
                let id = path.rsplit('/').next().unwrap_or_default();
                MockError::not_found(id, "Resource").into_response()
            }
            Answer::NotEnabled => MockError::new(
                401,
                "E0000015",
                "You do not have permission to access the feature you are requesting",
            )
            .into_response(),
        }
    }
}

const SERVED: Scope = Scope::Served;

const fn outside(answer: Answer, reason: &'static str) -> Scope {
    Scope::Outside { reason, answer }
}

const NO_YUBIKEY: &str = "the org has no YubiKey OTP tokens: seeds are uploaded by a file";
const NO_PUSH: &str = "push and call factors run no transactions in the mock";
const NO_RULES: &str = "the mock's policies carry no rules";
const NO_MAPPINGS: &str = "the mock maps no resources to policies";
const NO_GOVERNANCE: &str = "the mock's role assignments carry no governance grants";
const NO_LOG_STREAMS: &str = "the org streams no logs";

/// Every operation of the covered tags, by `operationId`.
pub const OPERATIONS: &[(&str, Scope)] = &[
    ("listApplications", SERVED),
    ("createApplication", SERVED),
    ("getApplication", SERVED),
    ("replaceApplication", SERVED),
    ("deleteApplication", SERVED),
    ("activateApplication", SERVED),
    ("deactivateApplication", SERVED),
    ("uploadApplicationLogo", SERVED),
    ("listApplicationUsers", SERVED),
    ("assignUserToApplication", SERVED),
    ("getApplicationUser", SERVED),
    ("updateApplicationUser", SERVED),
    ("unassignUserFromApplication", SERVED),
    ("listEventHooks", SERVED),
    ("createEventHook", SERVED),
    ("getEventHook", SERVED),
    ("replaceEventHook", SERVED),
    ("deleteEventHook", SERVED),
    ("activateEventHook", SERVED),
    ("deactivateEventHook", SERVED),
    ("verifyEventHook", SERVED),
    ("listGroups", SERVED),
    ("addGroup", SERVED),
    ("getGroup", SERVED),
    ("replaceGroup", SERVED),
    ("deleteGroup", SERVED),
    ("listAssignedApplicationsForGroup", SERVED),
    ("listGroupUsers", SERVED),
    ("assignUserToGroup", SERVED),
    ("unassignUserFromGroup", SERVED),
    ("listLogEvents", SERVED),
    ("listUserTypes", SERVED),
    ("createUserType", SERVED),
    ("getUserType", SERVED),
    ("updateUserType", SERVED),
    ("replaceUserType", SERVED),
    ("deleteUserType", SERVED),
    ("listYubikeyOtpTokens", outside(Answer::Empty, NO_YUBIKEY)),
    (
        "uploadYubikeyOtpTokenSeed",
        outside(Answer::NotEnabled, NO_YUBIKEY),
    ),
    (
        "getYubikeyOtpTokenById",
        outside(Answer::NotFound, NO_YUBIKEY),
    ),
    ("listPolicies", SERVED),
    ("createPolicy", SERVED),
    (
        "createPolicySimulation",
        outside(Answer::NotEnabled, "the mock evaluates no policies"),
    ),
    ("getPolicy", SERVED),
    ("replacePolicy", SERVED),
    ("deletePolicy", SERVED),
    (
        "listPolicyApps",
        outside(Answer::Empty, "deprecated; the mock maps no apps"),
    ),
    (
        "clonePolicy",
        outside(
            Answer::NotEnabled,
            "the mock's policies carry no rules to clone",
        ),
    ),
    ("activatePolicy", SERVED),
    ("deactivatePolicy", SERVED),
    ("listPolicyMappings", outside(Answer::Empty, NO_MAPPINGS)),
    (
        "mapResourceToPolicy",
        outside(Answer::NotEnabled, NO_MAPPINGS),
    ),
    ("getPolicyMapping", outside(Answer::NotFound, NO_MAPPINGS)),
    (
        "deletePolicyResourceMapping",
        outside(Answer::NotFound, NO_MAPPINGS),
    ),
    ("listPolicyRules", outside(Answer::Empty, NO_RULES)),
    ("createPolicyRule", outside(Answer::NotEnabled, NO_RULES)),
    ("getPolicyRule", outside(Answer::NotFound, NO_RULES)),
    ("replacePolicyRule", outside(Answer::NotFound, NO_RULES)),
    ("deletePolicyRule", outside(Answer::NotFound, NO_RULES)),
    ("activatePolicyRule", outside(Answer::NotFound, NO_RULES)),
    ("deactivatePolicyRule", outside(Answer::NotFound, NO_RULES)),
    ("listRealms", SERVED),
    ("createRealm", SERVED),
    ("getRealm", SERVED),
    ("replaceRealm", SERVED),
    ("deleteRealm", SERVED),
    ("listUsers", SERVED),
    ("createUser", SERVED),
    ("getUser", SERVED),
    ("updateUser", SERVED),
    ("replaceUser", SERVED),
    ("deleteUser", SERVED),
    ("listUserBlocks", SERVED),
    ("listAppLinks", SERVED),
    ("listUserClients", SERVED),
    ("changePassword", SERVED),
    ("changeRecoveryQuestion", SERVED),
    ("forgotPassword", SERVED),
    ("forgotPasswordSetNewPassword", SERVED),
    ("listUserDevices", SERVED),
    ("listFactors", SERVED),
    ("enrollFactor", SERVED),
    ("listSupportedFactors", SERVED),
    ("listSupportedSecurityQuestions", SERVED),
    ("getFactor", SERVED),
    ("unenrollFactor", SERVED),
    ("activateFactor", SERVED),
    (
        "resendEnrollFactor",
        outside(
            Answer::NotEnabled,
            "the mock sends one activation code per enrollment",
        ),
    ),
    (
        "getFactorTransactionStatus",
        outside(Answer::NotFound, NO_PUSH),
    ),
    (
        "verifyFactor",
        outside(
            Answer::NotEnabled,
            "the nodes enroll and activate factors; verification is the user's",
        ),
    ),
    ("listUserGroups", SERVED),
    ("activateUser", SERVED),
    ("deactivateUser", SERVED),
    ("expirePassword", SERVED),
    ("expirePasswordWithTempPassword", SERVED),
    ("reactivateUser", SERVED),
    ("resetFactors", SERVED),
    ("resetPassword", SERVED),
    ("suspendUser", SERVED),
    ("unlockUser", SERVED),
    ("unsuspendUser", SERVED),
    ("revokeUserSessions", SERVED),
    ("listGroupRules", SERVED),
    ("createGroupRule", SERVED),
    ("getGroupRule", SERVED),
    ("replaceGroupRule", SERVED),
    ("deleteGroupRule", SERVED),
    ("activateGroupRule", SERVED),
    ("deactivateGroupRule", SERVED),
    ("listAssignedRolesForUser", SERVED),
    ("assignRoleToUser", SERVED),
    ("getUserAssignedRole", SERVED),
    ("unassignRoleFromUser", SERVED),
    ("listUsersWithRoleAssignments", SERVED),
    (
        "getUserAssignedRoleGovernance",
        outside(Answer::NotFound, NO_GOVERNANCE),
    ),
    (
        "getRoleAssignmentGovernanceGrant",
        outside(Answer::NotFound, NO_GOVERNANCE),
    ),
    (
        "getRoleAssignmentGovernanceGrantResources",
        outside(Answer::NotFound, NO_GOVERNANCE),
    ),
    ("listGroupAssignedRoles", SERVED),
    ("assignRoleToGroup", SERVED),
    ("getGroupAssignedRole", SERVED),
    ("unassignRoleFromGroup", SERVED),
    ("getUserSchema", SERVED),
    ("updateUserProfile", SERVED),
    ("getApplicationUserSchema", SERVED),
    ("updateApplicationUserProfile", SERVED),
    ("getGroupSchema", SERVED),
    ("updateGroupSchema", SERVED),
    (
        "listLogStreamSchemas",
        outside(Answer::Empty, NO_LOG_STREAMS),
    ),
    (
        "getLogStreamSchema",
        outside(Answer::NotFound, NO_LOG_STREAMS),
    ),
    ("listApplicationGroupAssignments", SERVED),
    ("getApplicationGroupAssignment", SERVED),
    ("assignGroupToApplication", SERVED),
    ("updateGroupAssignmentToApplication", SERVED),
    ("unassignApplicationFromGroup", SERVED),
];

/// The operations of every other tag (`spec/elsewhere.tsv`, from `scripts/mock-spec`):
/// outside the mock's model, each answered as an org without the feature answers, 401
/// `E0000015`.
pub const ELSEWHERE: &str = include_str!("../spec/elsewhere.tsv");

/// The spec's operations: `operationId`, tag, method, path template, declared statuses.
pub const SPEC: &str = include_str!("../spec/operations.tsv");

/// One operation of [`SPEC`].
#[derive(Clone, Copy, Debug)]
pub struct SpecOperation<'a> {
    /// The `operationId`.
    pub id: &'a str,
    /// The spec tag.
    pub tag: &'a str,
    /// The method, upper case.
    pub method: &'a str,
    /// The path template, `{name}` for a parameter.
    pub path: &'a str,
    /// The statuses the spec declares.
    pub statuses: &'a str,
}

/// The operations of [`SPEC`].
pub fn spec() -> impl Iterator<Item = SpecOperation<'static>> {
    operations_of(SPEC)
}

/// The operations of [`ELSEWHERE`].
pub fn elsewhere() -> impl Iterator<Item = SpecOperation<'static>> {
    operations_of(ELSEWHERE)
}

/// The operations a table of the spec lists.
fn operations_of(table: &'static str) -> impl Iterator<Item = SpecOperation<'static>> {
    table
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let mut cells = line.split('\t');
            Some(SpecOperation {
                id: cells.next()?,
                tag: cells.next()?,
                method: cells.next()?,
                path: cells.next()?,
                statuses: cells.next().unwrap_or_default(),
            })
        })
}

/// The scope the table gives an operation.
pub fn scope(id: &str) -> Option<Scope> {
    OPERATIONS
        .iter()
        .find(|(name, _)| *name == id)
        .map(|(_, scope)| *scope)
}

/// Whether a path matches a template segment by segment (`{name}` takes one segment).
fn matches(template: &str, path: &str) -> bool {
    let (mut t, mut p) = (template.split('/'), path.split('/'));
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(want), Some(got)) => {
                let parameter = want.starts_with('{') && want.ends_with('}');
                if !(parameter && !got.is_empty() || want == got) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The spec operation a request names, when the spec defines one.
pub fn find(method: &str, path: &str) -> Option<SpecOperation<'static>> {
    // A literal segment wins over a parameter (`/factors/catalog` over `/factors/{id}`).
    spec()
        .filter(|op| op.method == method && matches(op.path, path))
        .max_by_key(|op| op.path.split('/').filter(|s| !s.starts_with('{')).count())
}

/// The answer for a request no route serves, when it names an operation outside the mock's
/// model: one of a covered tag by the table, any other by [`ELSEWHERE`]. The most literal
/// template wins across both (`/meta/schemas/user/linkedObjects` over
/// `/meta/schemas/user/{schemaId}`).
pub fn answer_outside(method: &str, path: &str) -> Option<Response> {
    let literal = |op: &SpecOperation| op.path.split('/').filter(|s| !s.starts_with('{')).count();
    let covered = find(method, path);
    let other = elsewhere()
        .filter(|op| op.method == method && matches(op.path, path))
        .max_by_key(literal);
    match (covered, other) {
        (Some(op), Some(other)) if literal(&other) > literal(&op) => {
            Some(Answer::NotEnabled.respond(path))
        }
        (Some(op), _) => match scope(op.id)? {
            Scope::Outside { answer, .. } => Some(answer.respond(path)),
            Scope::Served => None,
        },
        (None, Some(_)) => Some(Answer::NotEnabled.respond(path)),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_one_segment_per_parameter() {
        assert!(matches("/api/v1/users/{id}", "/api/v1/users/00u1"));
        assert!(!matches("/api/v1/users/{id}", "/api/v1/users/00u1/groups"));
        assert!(!matches("/api/v1/users/{id}", "/api/v1/users/"));
        assert_eq!(
            find("GET", "/api/v1/users/00u1/factors/catalog").map(|op| op.id),
            Some("listSupportedFactors")
        );
        assert_eq!(
            find("GET", "/api/v1/users/00u1/factors/mbl1").map(|op| op.id),
            Some("getFactor")
        );
    }
}
