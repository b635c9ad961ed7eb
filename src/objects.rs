//! Okta's JSON objects ↔ the shared records of the `types` interface: users, groups, app
//! links and user types.
//!
//! Every parser keeps the object's raw JSON, so nothing Okta sends is lost.

use crate::error::{decode, invalid_input};
use crate::wit::types::{
    AppLink, AuthProvider, Group, GroupType, OktaError, ProviderType, User, UserProfile,
    UserStatus, UserType,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// Declares the standard profile attributes once: WIT field ↔ Okta JSON key.
macro_rules! standard_profile {
    ($($field:ident => $key:literal,)*) => {
        /// Okta's standard profile keys.
        pub(crate) const STANDARD_KEYS: &[&str] = &[$($key),*];

        /// Writes the present standard attributes into an Okta profile object.
        fn write_standard(profile: &UserProfile, out: &mut Map<String, Value>) {
            $(
                if let Some(value) = &profile.$field {
                    out.insert($key.to_string(), Value::String(value.clone()));
                }
            )*
        }

        /// Takes the standard attributes out of an Okta profile object; what stays is custom.
        fn take_standard(map: &mut Map<String, Value>) -> UserProfile {
            UserProfile {
                $($field: take_string(map, $key),)*
            }
        }
    };
}

standard_profile! {
    login => "login",
    email => "email",
    second_email => "secondEmail",
    first_name => "firstName",
    middle_name => "middleName",
    last_name => "lastName",
    honorific_prefix => "honorificPrefix",
    honorific_suffix => "honorificSuffix",
    display_name => "displayName",
    nick_name => "nickName",
    profile_url => "profileUrl",
    title => "title",
    user_type => "userType",
    organization => "organization",
    division => "division",
    department => "department",
    cost_center => "costCenter",
    employee_number => "employeeNumber",
    manager => "manager",
    manager_id => "managerId",
    mobile_phone => "mobilePhone",
    primary_phone => "primaryPhone",
    street_address => "streetAddress",
    city => "city",
    state => "state",
    zip_code => "zipCode",
    country_code => "countryCode",
    postal_address => "postalAddress",
    preferred_language => "preferredLanguage",
    locale => "locale",
    timezone => "timezone",
}

/// Removes a string attribute; a non-string value stays in the map (and so in
/// `profile-extra`).
fn take_string(map: &mut Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key) {
        Some(Value::String(_)) => match map.remove(key) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        },
        Some(Value::Null) => {
            map.remove(key);
            None
        }
        _ => None,
    }
}

/// Parses `profile-extra`: a JSON object of custom attributes.
pub(crate) fn parse_profile_extra(
    field: &str,
    extra: Option<&str>,
) -> Result<Map<String, Value>, OktaError> {
    let Some(extra) = extra.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(Map::new());
    };
    match serde_json::from_str::<Value>(extra) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid_input(format!("{field} must be a JSON object"))),
        Err(e) => Err(invalid_input(format!("{field} is not valid JSON: {e}"))),
    }
}

/// Builds an Okta profile object from the standard fields and `profile-extra`. A key given
/// both ways is `invalid-input`; `profile-extra` may set a standard key the fields leave out
/// (to send `null`, for example).
pub(crate) fn profile_object(
    profile: &UserProfile,
    extra: Option<&str>,
    extra_field: &str,
) -> Result<Map<String, Value>, OktaError> {
    let mut out = Map::new();
    write_standard(profile, &mut out);
    for (key, value) in parse_profile_extra(extra_field, extra)? {
        if out.contains_key(&key) {
            return Err(invalid_input(format!(
                "{extra_field} sets `{key}`, which the profile fields already set"
            )));
        }
        out.insert(key, value);
    }
    Ok(out)
}

/// Reads Okta's user status.
pub(crate) fn user_status(status: &str) -> UserStatus {
    match status {
        "STAGED" => UserStatus::Staged,
        "PROVISIONED" => UserStatus::Provisioned,
        "ACTIVE" => UserStatus::Active,
        "RECOVERY" => UserStatus::Recovery,
        "PASSWORD_EXPIRED" => UserStatus::PasswordExpired,
        "LOCKED_OUT" => UserStatus::LockedOut,
        "SUSPENDED" => UserStatus::Suspended,
        "DEPROVISIONED" => UserStatus::Deprovisioned,
        _ => UserStatus::Unknown,
    }
}

/// Okta's name for a provider type.
pub(crate) fn provider_type_name(kind: ProviderType) -> Option<&'static str> {
    Some(match kind {
        ProviderType::Okta => "OKTA",
        ProviderType::ActiveDirectory => "ACTIVE_DIRECTORY",
        ProviderType::Ldap => "LDAP",
        ProviderType::Federation => "FEDERATION",
        ProviderType::Social => "SOCIAL",
        ProviderType::Import => "IMPORT",
        ProviderType::Unknown => return None,
    })
}

fn provider_type(name: &str) -> ProviderType {
    match name {
        "OKTA" => ProviderType::Okta,
        "ACTIVE_DIRECTORY" => ProviderType::ActiveDirectory,
        "LDAP" => ProviderType::Ldap,
        "FEDERATION" => ProviderType::Federation,
        "SOCIAL" => ProviderType::Social,
        "IMPORT" => ProviderType::Import,
        _ => ProviderType::Unknown,
    }
}

#[derive(Deserialize)]
struct IdRef {
    id: Option<String>,
}

/// Okta's `credentials` object, as far as outputs need it.
#[derive(Deserialize, Default)]
pub(crate) struct WireCredentials {
    password: Option<Value>,
    recovery_question: Option<WireQuestion>,
    provider: Option<WireProvider>,
}

#[derive(Deserialize)]
struct WireQuestion {
    question: Option<String>,
}

#[derive(Deserialize)]
struct WireProvider {
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
}

impl WireCredentials {
    /// The credential provider.
    pub(crate) fn provider(&self) -> Option<AuthProvider> {
        self.provider.as_ref().map(|p| AuthProvider {
            provider_type: provider_type(p.kind.as_deref().unwrap_or_default()),
            name: p.name.clone(),
        })
    }

    /// The recovery question.
    pub(crate) fn question(&self) -> Option<String> {
        self.recovery_question
            .as_ref()
            .and_then(|q| q.question.clone())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireUser {
    id: String,
    status: Option<String>,
    transitioning_to_status: Option<String>,
    created: Option<String>,
    activated: Option<String>,
    status_changed: Option<String>,
    last_login: Option<String>,
    last_updated: Option<String>,
    password_changed: Option<String>,
    #[serde(rename = "type")]
    user_type: Option<IdRef>,
    realm_id: Option<String>,
    #[serde(default)]
    profile: Map<String, Value>,
    credentials: Option<WireCredentials>,
}

/// Parses an Okta user.
pub(crate) fn user(raw: &RawValue) -> Result<User, OktaError> {
    let wire: WireUser = serde_json::from_str(raw.get()).map_err(|e| decode("a user", e))?;
    let mut profile_map = wire.profile;
    let profile = take_standard(&mut profile_map);
    let credentials = wire.credentials.unwrap_or_default();
    Ok(User {
        id: wire.id,
        status: wire
            .status
            .as_deref()
            .map_or(UserStatus::Unknown, user_status),
        transitioning_to_status: wire.transitioning_to_status.as_deref().map(user_status),
        created: wire.created,
        activated: wire.activated,
        status_changed: wire.status_changed,
        last_login: wire.last_login,
        last_updated: wire.last_updated,
        password_changed: wire.password_changed,
        type_id: wire.user_type.and_then(|t| t.id),
        realm_id: wire.realm_id,
        profile,
        profile_extra: Value::Object(profile_map).to_string(),
        provider: credentials.provider(),
        has_password: credentials.password.is_some(),
        recovery_question: credentials.question(),
        raw: raw.get().to_string(),
    })
}

/// Parses a whole response body as one object with `parse`.
pub(crate) fn from_body<T>(
    body: &[u8],
    what: &str,
    parse: fn(&RawValue) -> Result<T, OktaError>,
) -> Result<T, OktaError> {
    let raw: &RawValue = serde_json::from_slice(body).map_err(|e| decode(what, e))?;
    parse(raw)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireGroup {
    id: String,
    #[serde(rename = "type")]
    group_type: Option<String>,
    created: Option<String>,
    last_updated: Option<String>,
    last_membership_updated: Option<String>,
    #[serde(default)]
    profile: Map<String, Value>,
}

/// Parses an Okta group.
pub(crate) fn group(raw: &RawValue) -> Result<Group, OktaError> {
    let wire: WireGroup = serde_json::from_str(raw.get()).map_err(|e| decode("a group", e))?;
    let mut profile = wire.profile;
    let name = take_string(&mut profile, "name").unwrap_or_default();
    let description = take_string(&mut profile, "description");
    Ok(Group {
        id: wire.id,
        group_type: match wire.group_type.as_deref() {
            Some("OKTA_GROUP") => GroupType::OktaGroup,
            Some("APP_GROUP") => GroupType::AppGroup,
            Some("BUILT_IN") => GroupType::BuiltIn,
            _ => GroupType::Unknown,
        },
        name,
        description,
        profile_extra: Value::Object(profile).to_string(),
        created: wire.created,
        last_updated: wire.last_updated,
        last_membership_updated: wire.last_membership_updated,
        raw: raw.get().to_string(),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAppLink {
    id: String,
    label: Option<String>,
    link_url: Option<String>,
    logo_url: Option<String>,
    app_name: Option<String>,
    app_instance_id: Option<String>,
    app_assignment_id: Option<String>,
    #[serde(default)]
    credentials_setup: bool,
    #[serde(default)]
    hidden: bool,
    sort_order: Option<i32>,
}

/// Parses an app link from a user's dashboard.
pub(crate) fn app_link(raw: &RawValue) -> Result<AppLink, OktaError> {
    let wire: WireAppLink =
        serde_json::from_str(raw.get()).map_err(|e| decode("an app link", e))?;
    Ok(AppLink {
        id: wire.id,
        label: wire.label.unwrap_or_default(),
        link_url: wire.link_url,
        logo_url: wire.logo_url,
        app_name: wire.app_name,
        app_instance_id: wire.app_instance_id,
        app_assignment_id: wire.app_assignment_id,
        credentials_setup: wire.credentials_setup,
        hidden: wire.hidden,
        sort_order: wire.sort_order,
        raw: raw.get().to_string(),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireUserType {
    id: String,
    name: Option<String>,
    display_name: Option<String>,
    description: Option<String>,
    #[serde(default)]
    default: bool,
    created: Option<String>,
    last_updated: Option<String>,
}

/// Parses a user type.
pub(crate) fn user_type(raw: &RawValue) -> Result<UserType, OktaError> {
    let wire: WireUserType =
        serde_json::from_str(raw.get()).map_err(|e| decode("a user type", e))?;
    Ok(UserType {
        id: wire.id,
        name: wire.name.unwrap_or_default(),
        display_name: wire.display_name.unwrap_or_default(),
        description: wire.description,
        is_default: wire.default,
        created: wire.created,
        last_updated: wire.last_updated,
        raw: raw.get().to_string(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A user profile with every field empty.
    pub(crate) fn empty_profile() -> UserProfile {
        let mut map = Map::new();
        take_standard(&mut map)
    }

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_string()).unwrap()
    }

    #[test]
    fn every_standard_key_round_trips() {
        let mut map = Map::new();
        for (i, key) in STANDARD_KEYS.iter().enumerate() {
            map.insert(key.to_string(), Value::String(format!("v{i}")));
        }
        let mut taken = map.clone();
        let profile = take_standard(&mut taken);
        assert!(taken.is_empty(), "{taken:?}");
        assert_eq!(profile.second_email.as_deref(), Some("v2"));
        let mut out = Map::new();
        write_standard(&profile, &mut out);
        assert_eq!(out, map);
        assert_eq!(STANDARD_KEYS.len(), 31);
    }

    #[test]
    fn parses_a_user_with_custom_attributes() {
        let json = r#"{
            "id": "00u1", "status": "ACTIVE", "transitioningToStatus": null,
            "created": "2026-01-01T00:00:00.000Z", "lastLogin": null,
            "type": {"id": "oty1"}, "realmId": "guo1",
            "profile": {"login": "a@x.com", "firstName": "A", "costCenter": "cc", "favoriteColor": "blue",
                        "title": null, "nicknames": ["x"]},
            "credentials": {"password": {}, "recovery_question": {"question": "q?"},
                            "provider": {"type": "OKTA", "name": "OKTA"}},
            "_links": {"self": {"href": "https://x.okta.com/api/v1/users/00u1"}}
        }"#;
        let u = user(&raw(json)).unwrap();
        assert_eq!(u.id, "00u1");
        assert_eq!(u.status, UserStatus::Active);
        assert_eq!(u.transitioning_to_status, None);
        assert_eq!(u.type_id.as_deref(), Some("oty1"));
        assert_eq!(u.realm_id.as_deref(), Some("guo1"));
        assert_eq!(u.profile.login.as_deref(), Some("a@x.com"));
        assert_eq!(u.profile.cost_center.as_deref(), Some("cc"));
        assert_eq!(u.profile.title, None);
        let extra: Value = serde_json::from_str(&u.profile_extra).unwrap();
        assert_eq!(
            extra,
            serde_json::json!({"favoriteColor": "blue", "nicknames": ["x"]})
        );
        assert!(u.has_password);
        assert_eq!(u.recovery_question.as_deref(), Some("q?"));
        assert_eq!(
            u.provider.map(|p| p.provider_type),
            Some(ProviderType::Okta)
        );
        assert_eq!(u.raw, json);
    }

    #[test]
    fn unknown_statuses_do_not_fail_the_parse() {
        let u = user(&raw(r#"{"id":"00u1","status":"ACTIVATING","profile":{}}"#)).unwrap();
        assert_eq!(u.status, UserStatus::Unknown);
        assert_eq!(u.profile_extra, "{}");
        assert!(!u.has_password);
        assert!(user(&raw(r#"{"status":"ACTIVE"}"#)).is_err());
    }

    #[test]
    fn builds_a_profile_from_fields_and_extra() {
        let mut profile = empty_profile();
        profile.login = Some("a@x.com".into());
        profile.first_name = Some("A".into());
        let out = profile_object(
            &profile,
            Some(r#"{"favoriteColor":"blue","title":null}"#),
            "profile-extra",
        )
        .unwrap();
        assert_eq!(
            Value::Object(out),
            serde_json::json!({"login":"a@x.com","firstName":"A","favoriteColor":"blue","title":null})
        );
        let clash = profile_object(&profile, Some(r#"{"login":"b@x.com"}"#), "profile-extra");
        assert!(matches!(clash, Err(OktaError::InvalidInput(m)) if m.contains("login")));
        assert!(profile_object(&profile, Some("[1]"), "profile-extra").is_err());
        assert!(profile_object(&profile, Some("{nope"), "profile-extra").is_err());
        assert!(profile_object(&profile, Some("  "), "profile-extra").is_ok());
    }

    #[test]
    fn parses_groups_links_and_types() {
        let g = group(&raw(r#"{"id":"00g1","type":"BUILT_IN","profile":{"name":"Everyone","description":"All","dept":"x"}}"#)).unwrap();
        assert_eq!(
            (g.name.as_str(), g.group_type),
            ("Everyone", GroupType::BuiltIn)
        );
        assert_eq!(g.description.as_deref(), Some("All"));
        assert_eq!(g.profile_extra, r#"{"dept":"x"}"#);
        let l = app_link(&raw(r#"{"id":"0oa1","label":"Slack","linkUrl":"https://x/home","appName":"slack","hidden":false,"sortOrder":2}"#)).unwrap();
        assert_eq!((l.label.as_str(), l.sort_order), ("Slack", Some(2)));
        assert!(!l.credentials_setup);
        let t = user_type(&raw(
            r#"{"id":"oty1","name":"user","displayName":"User","default":true}"#,
        ))
        .unwrap();
        assert!(t.is_default);
        assert_eq!(t.display_name, "User");
    }
}
