//! The mock org's state: users with Okta's lifecycle, groups, apps, user types, the request
//! log and the fault switches. Plain data and rules; HTTP lives in the route modules.

use super::errors::MockError;
use super::expression::Expression;
use super::filter;
use super::traffic::{DEFAULT_CONCURRENCY, DEFAULT_LOG_CAPACITY, Traffic};
use crate::oauth::OAuth;
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ops::Bound;
use std::time::{Duration, SystemTime};

tokio::task_local! {
    /// The `User-Agent` of the request being served: the system log records the client
    /// that made a change (`client.userAgent.rawUserAgent`).
    pub static USER_AGENT: String;
}

/// Formats a time as Okta does: `2026-11-24T09:10:00.123Z`.
pub fn timestamp(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// Seconds since the Unix epoch.
pub fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// A user's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Created, not activated.
    Staged,
    /// Activated without credentials.
    Provisioned,
    /// Can sign in.
    Active,
    /// Resetting the password.
    Recovery,
    /// Must change the password.
    PasswordExpired,
    /// Locked out.
    LockedOut,
    /// Suspended.
    Suspended,
    /// Deactivated.
    Deprovisioned,
}

impl Status {
    /// Okta's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Staged => "STAGED",
            Status::Provisioned => "PROVISIONED",
            Status::Active => "ACTIVE",
            Status::Recovery => "RECOVERY",
            Status::PasswordExpired => "PASSWORD_EXPIRED",
            Status::LockedOut => "LOCKED_OUT",
            Status::Suspended => "SUSPENDED",
            Status::Deprovisioned => "DEPROVISIONED",
        }
    }
}

/// How a user's password is held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Password {
    /// A clear value the mock can check.
    Value(String),
    /// An imported hash; the mock cannot check it.
    Hashed,
    /// Checked by an inline hook at first sign-in.
    Hook,
}

/// A user.
#[derive(Clone, Debug)]
pub struct MockUser {
    /// The id.
    pub id: String,
    /// The status.
    pub status: Status,
    /// Created.
    pub created: SystemTime,
    /// Became ACTIVE.
    pub activated: Option<SystemTime>,
    /// Status last changed.
    pub status_changed: Option<SystemTime>,
    /// Last sign-in.
    pub last_login: Option<SystemTime>,
    /// Last update.
    pub last_updated: SystemTime,
    /// Password last changed.
    pub password_changed: Option<SystemTime>,
    /// User type id.
    pub type_id: String,
    /// Realm id.
    pub realm_id: Option<String>,
    /// The profile, standard and custom attributes.
    pub profile: Map<String, Value>,
    /// The password.
    pub password: Option<Password>,
    /// The recovery question and answer.
    pub recovery: Option<(String, String)>,
    /// The provider type and name.
    pub provider: (String, String),
    /// Live sessions.
    pub sessions: u32,
    /// When a search first sees the user's latest write (see [`State::search_lags`]);
    /// `None`: at once.
    pub indexed_at: Option<SystemTime>,
}

impl MockUser {
    /// The login.
    pub fn login(&self) -> &str {
        self.profile
            .get("login")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// Moves to a status, stamping the change.
    pub fn set_status(&mut self, status: Status, now: SystemTime) {
        if status == Status::Active && self.activated.is_none() {
            self.activated = Some(now);
        }
        if self.status != status {
            self.status_changed = Some(now);
        }
        self.status = status;
        self.last_updated = now;
    }

    /// The user as Okta returns it.
    pub fn to_json(&self, base: &str) -> Value {
        let mut credentials = Map::new();
        if self.password.is_some() {
            credentials.insert("password".into(), json!({}));
        }
        if let Some((question, _)) = &self.recovery {
            credentials.insert("recovery_question".into(), json!({ "question": question }));
        }
        if let Some(email) = self.profile.get("email").and_then(Value::as_str) {
            credentials.insert(
                "emails".into(),
                json!([{ "value": email, "status": "VERIFIED", "type": "PRIMARY" }]),
            );
        }
        credentials.insert(
            "provider".into(),
            json!({ "type": self.provider.0, "name": self.provider.1 }),
        );
        // Okta writes the base profile's optional contact attributes as null when unset.
        let mut profile = self.profile.clone();
        for attribute in ["mobilePhone", "secondEmail"] {
            profile.entry(attribute).or_insert(Value::Null);
        }
        let ts = |t: Option<SystemTime>| t.map_or(Value::Null, |t| Value::String(timestamp(t)));
        let mut user = json!({
            "id": self.id,
            "status": self.status.as_str(),
            "created": timestamp(self.created),
            "activated": ts(self.activated),
            "statusChanged": ts(self.status_changed),
            "lastLogin": ts(self.last_login),
            "lastUpdated": timestamp(self.last_updated),
            "passwordChanged": ts(self.password_changed),
            "type": { "id": self.type_id },
            "profile": profile,
            "credentials": credentials,
            "_links": self.links(base),
        });
        if let Some(realm) = &self.realm_id {
            user["realmId"] = realm.clone().into();
        }
        user
    }
}

impl MockUser {
    /// The user's `_links`: itself, its schema and type, and the operations its status
    /// allows (a password operation only for a user with a password), as Okta lists them.
    fn links(&self, base: &str) -> Value {
        let own = format!("{base}/api/v1/users/{}", self.id);
        let mut links = json!({
            "self": { "href": own },
            "schema": { "href": format!("{base}/api/v1/meta/schemas/user/osc{}", &self.type_id[3..]) },
            "type": { "href": format!("{base}/api/v1/meta/types/user/{}", self.type_id) },
        });
        let password = self.password.is_some();
        let operations: &[&str] = match self.status {
            Status::Staged => &["activate", "deactivate"],
            Status::Provisioned => &["reactivate", "deactivate"],
            Status::Active => &[
                "suspend",
                "deactivate",
                "resetPassword",
                "expirePassword",
                "resetFactors",
                "forgotPassword",
                "changePassword",
                "changeRecoveryQuestion",
            ],
            Status::Recovery | Status::PasswordExpired => &[
                "suspend",
                "deactivate",
                "resetPassword",
                "expirePassword",
                "resetFactors",
                "changePassword",
                "changeRecoveryQuestion",
            ],
            Status::LockedOut => &[
                "unlock",
                "suspend",
                "deactivate",
                "resetPassword",
                "expirePassword",
                "resetFactors",
            ],
            Status::Suspended => &["unsuspend", "deactivate"],
            Status::Deprovisioned => &["activate"],
        };
        for operation in operations {
            let path = match *operation {
                "resetPassword" => "lifecycle/reset_password",
                "expirePassword" => "lifecycle/expire_password",
                "resetFactors" => "lifecycle/reset_factors",
                "forgotPassword" => "credentials/forgot_password",
                "changePassword" => "credentials/change_password",
                "changeRecoveryQuestion" => "credentials/change_recovery_question",
                lifecycle => &format!("lifecycle/{lifecycle}"),
            };
            let needs_password = path.starts_with("credentials/") || *operation == "expirePassword";
            if needs_password && !password {
                continue;
            }
            links[*operation] = json!({ "href": format!("{own}/{path}"), "method": "POST" });
        }
        links
    }
}

impl filter::Subject for MockUser {
    /// Answers from the user's fields; only a path outside them (such as
    /// `credentials.provider.type`) serializes the user.
    fn reach(&self, path: &str) -> Vec<Cow<'_, Value>> {
        let text = |s: &str| vec![Cow::Owned(Value::String(s.to_string()))];
        let time = |t: Option<SystemTime>| {
            vec![Cow::Owned(
                t.map_or(Value::Null, |t| Value::String(timestamp(t))),
            )]
        };
        match path {
            "id" => text(&self.id),
            "status" => text(self.status.as_str()),
            "created" => time(Some(self.created)),
            "activated" => time(self.activated),
            "statusChanged" => time(self.status_changed),
            "lastLogin" => time(self.last_login),
            "lastUpdated" => time(Some(self.last_updated)),
            "passwordChanged" => time(self.password_changed),
            "type.id" => text(&self.type_id),
            _ => match path.strip_prefix("profile.") {
                Some(rest) => filter::reach_map(&self.profile, rest)
                    .into_iter()
                    .map(Cow::Borrowed)
                    .collect(),
                None => self
                    .to_json("")
                    .reach(path)
                    .into_iter()
                    .map(|v| Cow::Owned(v.into_owned()))
                    .collect(),
            },
        }
    }
}

/// A group.
#[derive(Clone, Debug)]
pub struct MockGroup {
    /// The id.
    pub id: String,
    /// `OKTA_GROUP`, `APP_GROUP` or `BUILT_IN`.
    pub kind: &'static str,
    /// The profile: name, description and custom attributes.
    pub profile: Map<String, Value>,
    /// Created.
    pub created: SystemTime,
    /// Profile last updated.
    pub last_updated: SystemTime,
    /// Membership last changed.
    pub last_membership_updated: SystemTime,
}

impl MockGroup {
    /// The group as Okta returns it: a description unset is null.
    pub fn to_json(&self, base: &str) -> Value {
        let own = format!("{base}/api/v1/groups/{}", self.id);
        let mut profile = self.profile.clone();
        profile.entry("description").or_insert(Value::Null);
        json!({
            "id": self.id,
            "created": timestamp(self.created),
            "lastUpdated": timestamp(self.last_updated),
            "lastMembershipUpdated": timestamp(self.last_membership_updated),
            "objectClass": ["okta:user_group"],
            "type": self.kind,
            "profile": profile,
            "_links": {
                "logo": [
                    { "name": "medium", "href": format!("{base}/img/logos/groups/okta-medium.png"), "type": "image/png" },
                    { "name": "large", "href": format!("{base}/img/logos/groups/okta-large.png"), "type": "image/png" },
                ],
                "users": { "href": format!("{own}/users") },
                "apps": { "href": format!("{own}/apps") },
                "self": { "href": own },
            },
        })
    }
}

/// An app instance.
#[derive(Clone, Debug)]
pub struct MockApp {
    /// The id.
    pub id: String,
    /// The integration name, such as `slack`.
    pub name: String,
    /// The label.
    pub label: String,
    /// `ACTIVE` or `INACTIVE`.
    pub status: &'static str,
    /// The sign-on mode, such as `SAML_2_0` or `BOOKMARK`.
    pub sign_on_mode: String,
    /// Created.
    pub created: SystemTime,
    /// Last updated.
    pub last_updated: SystemTime,
    /// The members the app was created or replaced with: `settings`, `credentials`,
    /// `accessibility`, `visibility` and the like, as given.
    pub members: Map<String, Value>,
}

/// A user's assignment to an app.
#[derive(Clone, Debug)]
pub struct MockAssignment {
    /// `USER` or `GROUP`.
    pub scope: String,
    /// The user's name in the app.
    pub username: Option<String>,
    /// The app-specific profile.
    pub profile: Map<String, Value>,
    /// Created.
    pub created: SystemTime,
    /// Last updated.
    pub last_updated: SystemTime,
}

/// A user's MFA factor.
#[derive(Clone, Debug)]
pub struct MockFactor {
    /// The id.
    pub id: String,
    /// Okta's factor type, such as `sms`.
    pub factor_type: String,
    /// The provider.
    pub provider: String,
    /// `PENDING_ACTIVATION` or `ACTIVE`.
    pub status: &'static str,
    /// The factor's profile (phone number, email, question).
    pub profile: Map<String, Value>,
    /// The code that activates a pending factor.
    pub pass_code: Option<String>,
    /// The TOTP shared secret, for `token:software:totp`.
    pub shared_secret: Option<String>,
    /// Created.
    pub created: SystemTime,
    /// Last updated.
    pub last_updated: SystemTime,
}

/// A message the mock "sent": an activation code by SMS, voice or email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxMessage {
    /// The user.
    pub user_id: String,
    /// The factor.
    pub factor_id: String,
    /// `sms`, `call` or `email`.
    pub channel: String,
    /// The phone number or address.
    pub to: String,
    /// The code.
    pub code: String,
}

/// An event hook.
#[derive(Clone, Debug)]
pub struct MockHook {
    /// The hook as Okta returns it (without the secret).
    pub json: Value,
    /// The authorization header's value, sent with each delivery.
    pub secret: Option<String>,
}

impl MockHook {
    /// The hook's URI.
    pub fn uri(&self) -> &str {
        self.json["channel"]["config"]["uri"]
            .as_str()
            .unwrap_or_default()
    }

    /// The headers every request to the hook carries, verification and deliveries alike:
    /// its extra headers and its authorization header.
    pub fn headers(&self) -> Vec<(String, String)> {
        let config = &self.json["channel"]["config"];
        let mut headers: Vec<(String, String)> = config["headers"]
            .as_array()
            .map(|h| {
                h.iter()
                    .filter_map(|h| {
                        let value = h["value"].as_str().unwrap_or_default().to_string();
                        Some((h["key"].as_str()?.to_string(), value))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if let (Some(key), Some(secret)) = (config["authScheme"]["key"].as_str(), &self.secret) {
            headers.push((key.to_string(), secret.clone()));
        }
        headers
    }
}

/// An event to deliver to a hook.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The hook's URI.
    pub uri: String,
    /// Headers to send.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Value,
}

/// An admin role assigned to a user or a group.
#[derive(Clone, Debug)]
pub struct MockRole {
    /// The assignment's id.
    pub id: String,
    /// `USER` or `GROUP`.
    pub assignment_type: &'static str,
    /// The user's or group's id.
    pub assignee: String,
    /// The standard role, such as `USER_ADMIN`.
    pub role_type: String,
    /// When it was assigned.
    pub created: SystemTime,
}

impl MockRole {
    /// The assignment as Okta returns it (the spec's `StandardRole`).
    pub fn to_json(&self, base: &str) -> Value {
        let when = timestamp(self.created);
        let (collection, label) = match self.assignment_type {
            "GROUP" => ("groups", "group"),
            _ => ("users", "user"),
        };
        json!({
            "id": self.id,
            "label": role_label(&self.role_type),
            "type": self.role_type,
            "status": "ACTIVE",
            "created": when,
            "lastUpdated": when,
            "assignmentType": self.assignment_type,
            "_links": {
                "assignee": { "href": format!("{base}/api/v1/{collection}/{}", self.assignee) },
                label: { "href": format!("{base}/api/v1/{collection}/{}", self.assignee) },
            },
        })
    }
}

/// The standard roles an admin can be given, and their labels in the Admin Console.
pub const STANDARD_ROLES: &[(&str, &str)] = &[
    (
        "ACCESS_CERTIFICATIONS_ADMIN",
        "Access Certifications Administrator",
    ),
    ("ACCESS_REQUESTS_ADMIN", "Access Requests Administrator"),
    (
        "API_ACCESS_MANAGEMENT_ADMIN",
        "API Access Management Administrator",
    ),
    ("APP_ADMIN", "Application Administrator"),
    ("GROUP_MEMBERSHIP_ADMIN", "Group Membership Administrator"),
    ("HELP_DESK_ADMIN", "Help Desk Administrator"),
    ("ORG_ADMIN", "Organizational Administrator"),
    ("READ_ONLY_ADMIN", "Read-only Administrator"),
    ("REPORT_ADMIN", "Report Administrator"),
    ("SUPER_ADMIN", "Super Administrator"),
    ("USER_ADMIN", "Group Administrator"),
    ("WORKFLOWS_ADMIN", "Workflows Administrator"),
];

/// A standard role's label.
fn role_label(role: &str) -> &'static str {
    STANDARD_ROLES
        .iter()
        .find(|(r, _)| *r == role)
        .map_or("Custom role", |(_, label)| label)
}

/// A user type.
#[derive(Clone, Debug)]
pub struct MockUserType {
    /// The id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The display name.
    pub display_name: String,
    /// The description.
    pub description: String,
    /// Whether it is the default.
    pub default: bool,
    /// Created.
    pub created: SystemTime,
    /// Last updated.
    pub last_updated: SystemTime,
}

impl MockUserType {
    /// The type as Okta returns it.
    pub fn to_json(&self, base: &str) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "displayName": self.display_name,
            "description": self.description,
            "default": self.default,
            "created": timestamp(self.created),
            "lastUpdated": timestamp(self.last_updated),
            "createdBy": "00u_mock_admin",
            "lastUpdatedBy": "00u_mock_admin",
            "_links": {
                "self": { "href": format!("{base}/api/v1/meta/types/user/{}", self.id) },
                "schema": { "href": format!("{base}/api/v1/meta/schemas/user/osc{}", &self.id[3..]) },
            },
        })
    }
}

/// Everything the mock org holds.
#[derive(Debug)]
pub struct State {
    /// The credential the org accepts (as SSWS or Bearer).
    pub token: String,
    /// The admin user the API token belongs to.
    pub admin_id: String,
    /// The `Everyone` group.
    pub everyone_id: String,
    /// The default user type.
    pub default_type_id: String,
    /// Users by id: ids sort in creation order, so the map is the order lists walk in.
    /// Add, remove and re-login users through [`State::insert_user`],
    /// [`State::remove_user`] and [`State::set_profile`], which keep the indexes.
    pub users: BTreeMap<String, MockUser>,
    /// Lower-case login → user id.
    logins: BTreeMap<String, String>,
    /// Groups by id.
    pub groups: BTreeMap<String, MockGroup>,
    /// (group id, user id) memberships.
    memberships: BTreeSet<(String, String)>,
    /// The same memberships as (user id, group id).
    member_of: BTreeSet<(String, String)>,
    /// Apps by id.
    pub apps: BTreeMap<String, MockApp>,
    /// Assignments by (app id, user id).
    assignments: BTreeMap<(String, String), MockAssignment>,
    /// The same assignments as (user id, app id).
    assigned: BTreeSet<(String, String)>,
    /// Factors by user id.
    pub factors: BTreeMap<String, Vec<MockFactor>>,
    /// Codes "sent" to users.
    pub outbox: Vec<OutboxMessage>,
    /// Event hooks by id.
    pub hooks: BTreeMap<String, MockHook>,
    /// Deliveries waiting to be sent.
    pub deliveries: Vec<Delivery>,
    /// The system log, oldest first.
    pub events: Vec<Value>,
    /// Policies.
    pub policies: Vec<Value>,
    /// Realms.
    pub realms: Vec<Value>,
    /// User types by id.
    pub user_types: BTreeMap<String, MockUserType>,
    /// Group rules, as Okta writes them.
    pub group_rules: Vec<Value>,
    /// Admin role assignments to users and groups.
    pub roles: Vec<MockRole>,
    /// Custom profile attributes by schema: `user:<schemaId>`, `app:<appId>`, `group`.
    pub schemas: BTreeMap<String, Map<String, Value>>,
    /// Group assignments to apps by (app id, group id), as Okta writes them.
    pub app_groups: BTreeMap<(String, String), Value>,
    /// Rate limits, fault switches and the request log.
    pub traffic: Traffic,
    /// Service apps, the tokens issued to them, and the mock's clock.
    pub oauth: OAuth,
    /// How late the next user writes (a create, a profile update) reach the search index,
    /// one each, oldest first: Okta's search "is computed from asynchronously indexed and
    /// eventually consistent data". Empty (the default): at once.
    pub search_lags: VecDeque<Duration>,
    counter: u128,
}

/// The second items of the pairs whose first item is `first`, after `after`, in order.
fn pairs_after<'a>(
    pairs: &'a BTreeSet<(String, String)>,
    first: &'a str,
    after: Option<&str>,
) -> impl Iterator<Item = &'a str> + 'a {
    let from = (first.to_string(), after.unwrap_or_default().to_string());
    let start = match after {
        Some(_) => Bound::Excluded(from),
        None => Bound::Included(from),
    };
    pairs
        .range((start, Bound::Unbounded))
        .take_while(move |(f, _)| f == first)
        .map(|(_, second)| second.as_str())
}

/// Where the id counter starts: ids look like Okta's (`00u1ero7vZFVEIYLW00D`) and still sort
/// in creation order.
const ID_START: u128 = 79_096_110_691_311_131_375_504_625_296;

const ID_ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl State {
    /// The user's latest write reaches the search index after the next lag in
    /// [`State::search_lags`], or at once.
    pub fn indexed(&mut self, id: &str) {
        let lag = self.search_lags.pop_front();
        if let Some(user) = self.users.get_mut(id) {
            user.indexed_at = lag.map(|lag| SystemTime::now() + lag);
        }
    }

    /// An org with an admin, the `Everyone` group and the default user type.
    pub fn new(token: String) -> Self {
        let now = SystemTime::now();
        let mut state = State {
            token,
            admin_id: String::new(),
            everyone_id: String::new(),
            default_type_id: String::new(),
            users: BTreeMap::new(),
            logins: BTreeMap::new(),
            groups: BTreeMap::new(),
            memberships: BTreeSet::new(),
            member_of: BTreeSet::new(),
            apps: BTreeMap::new(),
            assignments: BTreeMap::new(),
            assigned: BTreeSet::new(),
            factors: BTreeMap::new(),
            outbox: Vec::new(),
            hooks: BTreeMap::new(),
            deliveries: Vec::new(),
            events: Vec::new(),
            policies: Vec::new(),
            realms: Vec::new(),
            user_types: BTreeMap::new(),
            group_rules: Vec::new(),
            roles: Vec::new(),
            schemas: BTreeMap::new(),
            app_groups: BTreeMap::new(),
            traffic: Traffic::new(1.0, DEFAULT_CONCURRENCY, DEFAULT_LOG_CAPACITY),
            oauth: OAuth::default(),
            search_lags: VecDeque::new(),
            counter: ID_START,
        };
        state.default_type_id = state.add_user_type("user", "User", "The default user type", true);
        state.add_user_type(
            "contractor",
            "Contractor",
            "People who work for a vendor",
            false,
        );
        state.everyone_id =
            state.add_group("BUILT_IN", "Everyone", "All users in your organization");
        let mut profile = Map::new();
        for (k, v) in [
            ("login", "admin@example.com"),
            ("email", "admin@example.com"),
            ("firstName", "Org"),
            ("lastName", "Admin"),
        ] {
            profile.insert(k.into(), v.into());
        }
        let admin = state.insert_user(
            profile,
            Some(Password::Value("Adm1n!Passw0rd".into())),
            None,
            None,
            None,
        );
        if let Some(user) = state.users.get_mut(&admin) {
            user.set_status(Status::Active, now);
        }
        state.admin_id = admin;
        state.seed_policies_and_realms(now);
        state
    }

    /// The org's policies and realms.
    fn seed_policies_and_realms(&mut self, now: SystemTime) {
        let policies = [
            (
                "OKTA_SIGN_ON",
                "Default Policy",
                "The default global session policy",
                "ACTIVE",
                1,
                true,
            ),
            (
                "OKTA_SIGN_ON",
                "Contractors",
                "Shorter sessions for contractors",
                "INACTIVE",
                2,
                false,
            ),
            (
                "PASSWORD",
                "Default Policy",
                "The default password policy",
                "ACTIVE",
                1,
                true,
            ),
            (
                "MFA_ENROLL",
                "Default Policy",
                "Authenticator enrollment",
                "ACTIVE",
                1,
                true,
            ),
            (
                "ACCESS_POLICY",
                "Default Policy",
                "Any app",
                "ACTIVE",
                1,
                true,
            ),
            (
                "ACCESS_POLICY",
                "Any two factors",
                "Sensitive apps",
                "ACTIVE",
                2,
                false,
            ),
        ];
        for (kind, name, description, status, priority, system) in policies {
            let id = self.next_id("00p");
            let mut policy = json!({
                "id": id,
                "type": kind,
                "name": name,
                "description": description,
                "status": status,
                "priority": priority,
                "system": system,
                "created": timestamp(now),
                "lastUpdated": timestamp(now),
                "conditions": self.policy_conditions(kind),
            });
            // As Okta writes them: a password policy carries its settings, an enrollment
            // policy its authenticators.
            match kind {
                "PASSWORD" => {
                    policy["settings"] = json!({
                        "password": {
                            "complexity": {
                                "minLength": 8, "minLowerCase": 1, "minUpperCase": 1,
                                "minNumber": 1, "minSymbol": 0, "excludeUsername": true,
                                "dictionary": { "common": { "exclude": false } },
                            },
                            "age": { "maxAgeDays": 0, "expireWarnDays": 0, "minAgeMinutes": 0, "historyCount": 4 },
                            "lockout": { "maxAttempts": 10, "autoUnlockMinutes": 0, "showLockoutFailures": false },
                        },
                        "recovery": { "factors": { "recovery_question": {
                            "status": "ACTIVE",
                            "properties": { "complexity": { "minLength": 4 } },
                        }}},
                        "delegation": { "options": { "skipUnlock": false } },
                    });
                }
                "MFA_ENROLL" => {
                    policy["settings"] = json!({
                        "type": "AUTHENTICATORS",
                        "authenticators": [
                            { "key": "okta_email", "enroll": { "self": "REQUIRED" } },
                            { "key": "okta_password", "enroll": { "self": "REQUIRED" } },
                        ],
                    });
                }
                _ => {}
            }
            self.policies.push(policy);
        }
        for (name, kind, default, domains) in [
            ("Default Realm", "", true, vec![]),
            ("Partners", "PARTNER", false, vec!["partner.example.com"]),
            ("Contractors", "PARTNER", false, vec!["vendor.example.com"]),
        ] {
            let id = self.next_id("guo");
            // The org's default realm has only its name, as in Okta's recorded answers; the
            // partner realms were created with a type and domains, as the spec's example
            // creates one.
            let profile = if default {
                json!({ "name": name })
            } else {
                json!({ "name": name, "realmType": kind, "domains": domains })
            };
            self.realms.push(json!({
                "id": id,
                "isDefault": default,
                "profile": profile,
                "created": timestamp(now),
                "lastUpdated": timestamp(now),
            }));
        }
    }

    /// The conditions Okta gives a policy of this type that states none: everyone, by the
    /// Everyone group (a password policy also names its provider); an app sign-in policy's
    /// are null.
    pub fn policy_conditions(&self, kind: &str) -> Value {
        let mut conditions = json!({ "people": { "groups": { "include": [self.everyone_id] } } });
        match kind {
            "ACCESS_POLICY" => Value::Null,
            "PASSWORD" => {
                conditions["authProvider"] = json!({ "provider": "OKTA" });
                conditions
            }
            _ => conditions,
        }
    }

    /// A new id with Okta's prefix (`00u` users, `00g` groups, `0oa` apps, `oty` types).
    /// Ids sort in creation order.
    pub fn next_id(&mut self, prefix: &str) -> String {
        self.counter += 1;
        let mut n = self.counter;
        let mut digits = [b'0'; 17];
        for slot in digits.iter_mut().rev() {
            *slot = ID_ALPHABET[(n % 62) as usize];
            n /= 62;
        }
        format!("{prefix}{}", String::from_utf8_lossy(&digits))
    }

    /// Adds a user type; returns its id.
    pub fn add_user_type(
        &mut self,
        name: &str,
        display: &str,
        description: &str,
        default: bool,
    ) -> String {
        let id = self.next_id("oty");
        self.user_types.insert(
            id.clone(),
            MockUserType {
                id: id.clone(),
                name: name.into(),
                display_name: display.into(),
                description: description.into(),
                default,
                created: SystemTime::now(),
                last_updated: SystemTime::now(),
            },
        );
        id
    }

    /// Adds a group; returns its id.
    pub fn add_group(&mut self, kind: &'static str, name: &str, description: &str) -> String {
        let id = self.next_id("00g");
        let now = SystemTime::now();
        let mut profile = Map::new();
        profile.insert("name".into(), name.into());
        profile.insert("description".into(), description.into());
        self.groups.insert(
            id.clone(),
            MockGroup {
                id: id.clone(),
                kind,
                profile,
                created: now,
                last_updated: now,
                last_membership_updated: now,
            },
        );
        id
    }

    /// Adds an app with a status (`ACTIVE` or `INACTIVE`); returns its id.
    /// Adds a SAML 2.0 app from Okta's catalog (`slack`, `salesforce`…), signing with the
    /// org's key and naming users by their login, as Okta creates them.
    pub fn add_app(&mut self, name: &str, label: &str, status: &'static str) -> String {
        let id = self.next_id("0oa");
        let members = json!({
            "credentials": {
                "userNameTemplate": { "template": "${source.login}", "type": "BUILT_IN" },
                "signing": { "kid": format!("mock-signing-{}", &id[3..]) },
            },
            "settings": { "app": {}, "notifications": { "vpn": {
                "network": { "connection": "DISABLED" }, "message": null, "helpUrl": null,
            }}},
        });
        let now = SystemTime::now();
        self.apps.insert(
            id.clone(),
            MockApp {
                id: id.clone(),
                name: name.into(),
                label: label.into(),
                status,
                sign_on_mode: "SAML_2_0".into(),
                created: now,
                last_updated: now,
                members: members.as_object().cloned().unwrap_or_default(),
            },
        );
        id
    }

    /// Adds a user to a group.
    /// Returns whether the user was not a member yet.
    pub fn add_member(&mut self, group_id: &str, user_id: &str) -> bool {
        let added = self.memberships.insert((group_id.into(), user_id.into()));
        if added {
            self.member_of.insert((user_id.into(), group_id.into()));
            if let Some(group) = self.groups.get_mut(group_id) {
                group.last_membership_updated = SystemTime::now();
            }
        }
        added
    }

    /// Removes a user from a group; returns whether they were a member.
    pub fn remove_member(&mut self, group_id: &str, user_id: &str) -> bool {
        let removed = self
            .memberships
            .remove(&(group_id.to_string(), user_id.to_string()));
        if removed {
            self.member_of
                .remove(&(user_id.to_string(), group_id.to_string()));
            if let Some(group) = self.groups.get_mut(group_id) {
                group.last_membership_updated = SystemTime::now();
            }
        }
        removed
    }

    /// Whether a user is in a group.
    pub fn is_member(&self, group_id: &str, user_id: &str) -> bool {
        self.memberships
            .contains(&(group_id.to_string(), user_id.to_string()))
    }

    /// The ids of a group's members after `after` (a user id), in id order.
    pub fn members<'a>(
        &'a self,
        group_id: &'a str,
        after: Option<&str>,
    ) -> impl Iterator<Item = &'a str> + 'a {
        pairs_after(&self.memberships, group_id, after)
    }

    /// How many members a group has.
    pub fn member_count(&self, group_id: &str) -> usize {
        self.members(group_id, None).count()
    }

    /// The ids of the groups a user is in, in id order.
    pub fn groups_of<'a>(&'a self, user_id: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        pairs_after(&self.member_of, user_id, None)
    }

    /// Removes a group and its memberships.
    pub fn remove_group(&mut self, group_id: &str) {
        self.groups.remove(group_id);
        let members: Vec<String> = self.members(group_id, None).map(str::to_string).collect();
        for user in members {
            self.remove_member(group_id, &user);
        }
    }

    /// Assigns an app to a user directly.
    pub fn assign(&mut self, app_id: &str, user_id: &str) {
        let now = SystemTime::now();
        let username = self.users.get(user_id).map(|u| u.login().to_string());
        self.add_assignment(
            app_id,
            user_id,
            MockAssignment {
                scope: "USER".into(),
                username,
                profile: Map::new(),
                created: now,
                last_updated: now,
            },
        );
    }

    /// Adds (or replaces) a user's assignment to an app.
    pub fn add_assignment(&mut self, app_id: &str, user_id: &str, assignment: MockAssignment) {
        self.assignments
            .insert((app_id.into(), user_id.into()), assignment);
        self.assigned.insert((user_id.into(), app_id.into()));
    }

    /// Removes a user's assignment to an app; returns whether there was one.
    pub fn remove_assignment(&mut self, app_id: &str, user_id: &str) -> bool {
        self.assigned
            .remove(&(user_id.to_string(), app_id.to_string()));
        self.assignments
            .remove(&(app_id.to_string(), user_id.to_string()))
            .is_some()
    }

    /// A user's assignment to an app.
    pub fn assignment(&self, app_id: &str, user_id: &str) -> Option<&MockAssignment> {
        self.assignments
            .get(&(app_id.to_string(), user_id.to_string()))
    }

    /// A user's assignment to an app, for changing.
    pub fn assignment_mut(&mut self, app_id: &str, user_id: &str) -> Option<&mut MockAssignment> {
        self.assignments
            .get_mut(&(app_id.to_string(), user_id.to_string()))
    }

    /// An app's assignments after `after` (a user id), in user id order.
    pub fn app_assignments<'a>(
        &'a self,
        app_id: &'a str,
        after: Option<&str>,
    ) -> impl Iterator<Item = (&'a str, &'a MockAssignment)> + 'a {
        let from = (app_id.to_string(), after.unwrap_or_default().to_string());
        let start = match after {
            Some(_) => Bound::Excluded(from),
            None => Bound::Included(from),
        };
        self.assignments
            .range((start, Bound::Unbounded))
            .take_while(move |((app, _), _)| app == app_id)
            .map(|((_, user), a)| (user.as_str(), a))
    }

    /// The ids of the apps assigned to a user, in id order.
    pub fn apps_of<'a>(&'a self, user_id: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        pairs_after(&self.assigned, user_id, None)
    }

    /// A log target for a user.
    pub fn user_target(&self, user_id: &str) -> Value {
        let user = self.users.get(user_id);
        let name = user.map(|u| {
            let field = |k: &str| {
                u.profile
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            format!("{} {}", field("firstName"), field("lastName"))
                .trim()
                .to_string()
        });
        json!({
            "id": user_id,
            "type": "User",
            "alternateId": user.map(|u| u.login().to_string()),
            "displayName": name,
        })
    }

    /// A log target for a group.
    pub fn group_target(&self, group_id: &str) -> Value {
        let name = self
            .groups
            .get(group_id)
            .and_then(|g| g.profile.get("name").cloned());
        json!({ "id": group_id, "type": "UserGroup", "alternateId": "unknown", "displayName": name })
    }

    /// A log target for an app.
    pub fn app_target(&self, app_id: &str) -> Value {
        let app = self.apps.get(app_id);
        json!({
            "id": app_id,
            "type": "AppInstance",
            "alternateId": app.map(|a| a.label.clone()),
            "displayName": app.map(|a| a.label.clone()),
        })
    }

    /// Records a system log event for a write, as the org's admin, and queues it for every
    /// active, verified hook that subscribes to its type.
    pub fn log(&mut self, event_type: &str, message: &str, targets: Vec<Value>) {
        let now = SystemTime::now();
        self.counter += 1;
        let uuid = uuid::Uuid::new_v4().to_string();
        let admin = self
            .users
            .get(&self.admin_id)
            .map(|u| u.login().to_string());
        let event = json!({
            "uuid": uuid,
            "published": timestamp(now),
            "eventType": event_type,
            "version": "0",
            "severity": "INFO",
            "legacyEventType": null,
            "displayMessage": message,
            "actor": { "id": self.admin_id, "type": "User", "alternateId": admin, "displayName": "Org Admin" },
            "client": {
                "userAgent": {
                    "rawUserAgent": USER_AGENT.try_with(Clone::clone).unwrap_or_default(),
                    "os": "Unknown",
                    "browser": "UNKNOWN",
                },
                "zone": "null",
                "device": "Unknown",
                "ipAddress": "127.0.0.1",
                "geographicalContext": {
                    "city": "San Francisco", "state": "California", "country": "United States",
                    "postalCode": "94105", "geolocation": { "lat": 37.7852, "lon": -122.3874 }
                }
            },
            "outcome": { "result": "SUCCESS", "reason": null },
            "target": targets,
            "transaction": { "type": "WEB", "id": format!("txmock{:x}", self.counter) },
            "debugContext": { "debugData": {} },
            "authenticationContext": { "authenticationStep": 0, "externalSessionId": "mock" },
            "securityContext": {},
            "request": { "ipChain": [] },
        });
        for hook in self.hooks.values() {
            let json = &hook.json;
            let subscribed = json["events"]["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i == event_type));
            if json["status"] == "ACTIVE" && json["verificationStatus"] == "VERIFIED" && subscribed
            {
                self.deliveries.push(Delivery {
                    uri: hook.uri().to_string(),
                    headers: hook.headers(),
                    body: json!({
                        "eventType": "com.okta.event_hook",
                        "eventTypeVersion": "1.0",
                        "cloudEventsVersion": "0.1",
                        "source": "https://mock.okta.com/api/v1/eventHooks",
                        "eventId": format!("evmock{:x}", self.counter),
                        "eventTime": timestamp(now),
                        "contentType": "application/json",
                        "data": { "events": [event.clone()] },
                    }),
                });
            }
        }
        self.events.push(event);
    }

    /// Inserts a STAGED user (no checks); returns the id.
    pub fn insert_user(
        &mut self,
        profile: Map<String, Value>,
        password: Option<Password>,
        recovery: Option<(String, String)>,
        type_id: Option<String>,
        realm_id: Option<String>,
    ) -> String {
        let id = self.next_id("00u");
        let now = SystemTime::now();
        let user = MockUser {
            id: id.clone(),
            status: Status::Staged,
            created: now,
            activated: None,
            status_changed: None,
            last_login: None,
            last_updated: now,
            password_changed: password.as_ref().map(|_| now),
            type_id: type_id.unwrap_or_else(|| self.default_type_id.clone()),
            realm_id,
            profile,
            password,
            recovery,
            provider: ("OKTA".into(), "OKTA".into()),
            sessions: 0,
            indexed_at: None,
        };
        self.logins.insert(user.login().to_lowercase(), id.clone());
        self.users.insert(id.clone(), user);
        self.indexed(&id);
        let everyone = self.everyone_id.clone();
        if !everyone.is_empty() {
            self.add_member(&everyone, &id);
        }
        self.apply_group_rules(Some(&id));
        id
    }

    /// Adds users to the groups of every active group rule whose condition they meet: one
    /// user (created, or whose profile changed), or every user (a rule activated). Okta
    /// evaluates rules a moment later; the mock at once.
    pub fn apply_group_rules(&mut self, only: Option<&str>) {
        let rules: Vec<(Expression, Vec<String>, Vec<String>)> = self
            .group_rules
            .iter()
            .filter(|rule| rule["status"] == "ACTIVE")
            .filter_map(|rule| {
                let condition = rule["conditions"]["expression"]["value"].as_str()?;
                let strings = |v: &Value| -> Vec<String> {
                    v.as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|g| g.as_str().map(str::to_string))
                        .collect()
                };
                Some((
                    Expression::parse(condition).ok()?,
                    strings(&rule["actions"]["assignUserToGroups"]["groupIds"]),
                    strings(&rule["conditions"]["people"]["users"]["exclude"]),
                ))
            })
            .collect();
        let users: Vec<String> = match only {
            Some(id) => vec![id.to_string()],
            None => self.users.keys().cloned().collect(),
        };
        for (condition, groups, excluded) in &rules {
            for user in &users {
                let meets = self.users.get(user).is_some_and(|u| {
                    u.status != Status::Deprovisioned && condition.matches(&u.profile)
                });
                if !meets || excluded.contains(user) {
                    continue;
                }
                for group in groups {
                    if self.groups.contains_key(group) {
                        self.add_member(group, user);
                    }
                }
            }
        }
    }

    /// Replaces a user's profile, keeping the login index.
    pub fn set_profile(&mut self, id: &str, profile: Map<String, Value>) -> Result<(), MockError> {
        let user = self
            .users
            .get_mut(id)
            .ok_or_else(|| MockError::not_found(id, "User"))?;
        self.logins.remove(&user.login().to_lowercase());
        user.profile = profile;
        self.logins.insert(user.login().to_lowercase(), id.into());
        self.apply_group_rules(Some(id));
        Ok(())
    }

    /// Deletes a user with their memberships, assignments and factors.
    pub fn remove_user(&mut self, id: &str) {
        let Some(user) = self.users.remove(id) else {
            return;
        };
        self.logins.remove(&user.login().to_lowercase());
        let groups: Vec<String> = self.groups_of(id).map(str::to_string).collect();
        for group in groups {
            self.remove_member(&group, id);
        }
        let apps: Vec<String> = self.apps_of(id).map(str::to_string).collect();
        for app in apps {
            self.remove_assignment(&app, id);
        }
        self.factors.remove(id);
    }

    /// Finds a user by id, login or unambiguous login short name (the part before `@`).
    pub fn find_user(&self, key: &str) -> Option<&MockUser> {
        if let Some(user) = self.users.get(key) {
            return Some(user);
        }
        let key = key.to_lowercase();
        let id = match self.logins.get(&key) {
            Some(id) => id,
            None => {
                // Logins that start with `key@`: the range up to the character after `@`.
                let mut short = self
                    .logins
                    .range(format!("{key}@")..format!("{key}A"))
                    .map(|(_, id)| id);
                match (short.next(), short.next()) {
                    (Some(id), None) => id,
                    _ => return None,
                }
            }
        };
        self.users.get(id)
    }

    /// The user whose login is exactly this (any case).
    pub fn user_by_login(&self, login: &str) -> Option<&MockUser> {
        self.logins
            .get(&login.to_lowercase())
            .and_then(|id| self.users.get(id))
    }

    /// The id of a user found by [`State::find_user`], or Okta's 404.
    pub fn user_id(&self, key: &str) -> Result<String, MockError> {
        self.find_user(key)
            .map(|u| u.id.clone())
            .ok_or_else(|| MockError::not_found(key, "User"))
    }

    /// A user by id for changing.
    pub fn user_mut(&mut self, id: &str) -> Result<&mut MockUser, MockError> {
        self.users
            .get_mut(id)
            .ok_or_else(|| MockError::not_found(id, "User"))
    }

    /// Whether a login is taken by a user other than `except`.
    pub fn login_taken(&self, login: &str, except: Option<&str>) -> bool {
        self.logins
            .get(&login.to_lowercase())
            .is_some_and(|id| Some(id.as_str()) != except)
    }

    /// Adds `count` ACTIVE users, `user{n}@example.com`, spread over five departments: a
    /// large org for benchmarks and for engines to page through. 100,000 take about a
    /// second.
    pub fn seed_users(&mut self, count: usize) {
        const DEPARTMENTS: [&str; 5] = ["Engineering", "Sales", "Support", "Finance", "Legal"];
        let now = SystemTime::now();
        let first = self.users.len();
        for n in first..first + count {
            let login = format!("user{n}@example.com");
            let mut profile = Map::new();
            profile.insert("login".into(), login.clone().into());
            profile.insert("email".into(), login.into());
            profile.insert("firstName".into(), "User".into());
            profile.insert("lastName".into(), format!("Number{n}").into());
            profile.insert(
                "department".into(),
                DEPARTMENTS[n % DEPARTMENTS.len()].into(),
            );
            let id = self.insert_user(profile, Some(Password::Hashed), None, None, None);
            if let Some(user) = self.users.get_mut(&id) {
                user.set_status(Status::Active, now);
            }
        }
    }

    /// Puts the whole demo org in: people, groups and apps.
    /// `base` is the mock's own URL: the demo hook sends to the mock's hook endpoint there.
    pub fn seed_demo(&mut self, base: &str) {
        let engineering = self.add_group("OKTA_GROUP", "Engineering", "Builds the product");
        let sales = self.add_group("OKTA_GROUP", "Sales", "Sells the product");
        self.add_group(
            "APP_GROUP",
            "AD Domain Users",
            "Imported from Active Directory",
        );
        let slack = self.add_app("slack", "Slack", "ACTIVE");
        let salesforce = self.add_app("salesforce", "Salesforce.com", "ACTIVE");
        self.add_app("zoomus", "Zoom", "ACTIVE");
        self.add_app("zendesk", "Zendesk", "INACTIVE");
        let people = [
            (
                "ada.lovelace@example.com",
                "Ada",
                "Lovelace",
                "Engineering",
                Status::Active,
            ),
            (
                "grace.hopper@example.com",
                "Grace",
                "Hopper",
                "Engineering",
                Status::Active,
            ),
            (
                "alan.turing@example.com",
                "Alan",
                "Turing",
                "Engineering",
                Status::Staged,
            ),
            (
                "katherine.johnson@example.com",
                "Katherine",
                "Johnson",
                "Sales",
                Status::Active,
            ),
            (
                "edsger.dijkstra@example.com",
                "Edsger",
                "Dijkstra",
                "Sales",
                Status::Suspended,
            ),
            (
                "barbara.liskov@example.com",
                "Barbara",
                "Liskov",
                "Engineering",
                Status::Provisioned,
            ),
            (
                "john.backus@example.com",
                "John",
                "Backus",
                "Sales",
                Status::LockedOut,
            ),
        ];
        let now = SystemTime::now();
        for (login, first, last, department, status) in people {
            let mut profile = Map::new();
            for (k, v) in [
                ("login", login),
                ("email", login),
                ("firstName", first),
                ("lastName", last),
                ("department", department),
            ] {
                profile.insert(k.into(), v.into());
            }
            let id = self.insert_user(
                profile,
                Some(Password::Value("Welc0me!2026".into())),
                Some((
                    "What is the first program you wrote?".into(),
                    "hello".into(),
                )),
                None,
                None,
            );
            if let Some(user) = self.users.get_mut(&id) {
                user.set_status(status, now);
            }
            let (group, app) = if department == "Engineering" {
                (&engineering, &slack)
            } else {
                (&sales, &salesforce)
            };
            let (group, app) = (group.clone(), app.clone());
            self.add_member(&group, &id);
            self.assign(&app, &id);
        }
        // Ada's SMS factor, waiting for its code, and an inactive, verified event hook.
        let ada = self
            .find_user("ada.lovelace@example.com")
            .map(|u| u.id.clone())
            .unwrap_or_default();
        let factor = MockFactor {
            id: self.next_id("mbl"),
            factor_type: "sms".into(),
            provider: "OKTA".into(),
            status: "PENDING_ACTIVATION",
            profile: Map::from_iter([("phoneNumber".into(), "+15554151337".into())]),
            pass_code: Some(demo::ADA_SMS_CODE.into()),
            shared_secret: None,
            created: now,
            last_updated: now,
        };
        self.factors.entry(ada).or_default().push(factor);
        let created = timestamp(now);
        let id = self.next_id("who");
        let hook = json!({
            "id": id,
            "name": "Flows",
            "status": "INACTIVE",
            "verificationStatus": "VERIFIED",
            "events": {"type": "EVENT_TYPE", "items": ["user.lifecycle.create"]},
            "channel": {
                "type": "HTTP",
                "version": "1.0.0",
                "config": {"uri": demo::hook_uri(base), "headers": [], "method": "POST"},
            },
            "created": created,
            "lastUpdated": created,
            "createdBy": self.admin_id,
        });
        let hook = MockHook {
            json: hook,
            secret: None,
        };
        self.hooks.insert(id, hook);
    }
}

/// The ids the demo org's objects get, which the catalog's examples name (a test holds
/// them to the seed).
pub mod demo {
    /// The Engineering group.
    pub const ENGINEERING: &str = "00g1ero7vZFVEIYLW00E";
    /// The Slack app.
    pub const SLACK: &str = "0oa1ero7vZFVEIYLW00H";
    /// Ada Lovelace, `ada.lovelace@example.com`.
    pub const ADA: &str = "00u1ero7vZFVEIYLW00L";
    /// Ada's SMS factor, waiting for its code.
    pub const ADA_SMS: &str = "mbl1ero7vZFVEIYLW00S";
    /// The code that activates it.
    pub const ADA_SMS_CODE: &str = "123456";
    /// An inactive, verified event hook.
    pub const HOOK: &str = "who1ero7vZFVEIYLW00T";
    /// Where it sends, on the mock itself: an endpoint that answers Okta's verification
    /// challenge and takes deliveries (without a credential, as a hook's endpoint does).
    pub const HOOK_PATH: &str = "/mock/hook";

    /// The hook's URI on the mock at `base` (`http://127.0.0.1:8080`), as Okta requires it:
    /// https (the mock reaches a loopback URI over plain HTTP).
    pub fn hook_uri(base: &str) -> String {
        let host = base
            .trim_start_matches("http://")
            .trim_start_matches("https://");
        format!("https://{host}{HOOK_PATH}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_in_creation_order() {
        let mut s = State::new("t".into());
        let a = s.next_id("00u");
        let b = s.next_id("00u");
        assert!(a < b);
        assert_eq!(a.len(), 20);
    }

    #[test]
    fn the_demo_org_has_the_ids_the_catalog_examples_name() {
        let mut s = State::new("t".into());
        s.seed_demo("http://127.0.0.1:8080");
        let ada = s.find_user("ada.lovelace@example.com").unwrap();
        assert_eq!(ada.id, demo::ADA);
        assert_eq!(s.groups[demo::ENGINEERING].profile["name"], "Engineering");
        assert_eq!(s.apps[demo::SLACK].label, "Slack");
        let factor = &s.factors[demo::ADA][0];
        assert_eq!(
            (factor.id.as_str(), factor.pass_code.as_deref()),
            (demo::ADA_SMS, Some(demo::ADA_SMS_CODE))
        );
        assert_eq!(
            s.hooks[demo::HOOK].uri(),
            "https://127.0.0.1:8080/mock/hook"
        );
    }

    #[test]
    fn finds_users_by_id_login_and_short_name() {
        let mut s = State::new("t".into());
        s.seed_demo("http://127.0.0.1:8080");
        let ada = s.find_user("ada.lovelace@example.com").unwrap().id.clone();
        assert_eq!(s.find_user("ADA.LOVELACE").unwrap().id, ada);
        assert_eq!(
            s.find_user(&ada).unwrap().login(),
            "ada.lovelace@example.com"
        );
        assert!(s.find_user("nobody").is_none());
        assert!(s.memberships.contains(&(s.everyone_id.clone(), ada)));
    }
}
