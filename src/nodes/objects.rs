//! Okta's JSON objects ↔ the shared records of the `types` interface: users, groups, app
//! links and user types; and apps, which the `users` and `apps` nodes both list.
//!
//! Every parser keeps the object's raw JSON, so nothing Okta sends is lost.

use crate::client::error::{decode, invalid_input};
use crate::client::paging::Raw;
use crate::nodes::members::{self, Fill, Member, One, Stop};
use crate::wit::apps::{App, AppStatus};
use crate::wit::types::{
    AppLink, AuthProvider, Group, GroupType, LifecycleStatus, OktaError, ProviderType, User,
    UserProfile, UserStatus, UserType,
};
use serde_json::{Map, Value};
use std::time::SystemTime;

/// Reads one standard attribute of a profile.
type Read = fn(&UserProfile) -> &Option<String>;
/// Reaches one standard attribute of a profile for writing.
type Write = fn(&mut UserProfile) -> &mut Option<String>;

/// Declares the standard profile attributes once: WIT field ↔ Okta JSON key.
macro_rules! standard_profile {
    ($($field:ident => $key:literal,)*) => {
        /// Each standard attribute: Okta's key and the WIT field.
        const STANDARD: &[(&str, Read, Write)] = &[$(($key, |p| &p.$field, |p| &mut p.$field),)*];

        /// The WIT field names, in the order of [`STANDARD`].
        #[cfg(test)]
        const FIELDS: &[&str] = &[$(stringify!($field),)*];

        /// A profile with no attribute set.
        pub(crate) fn empty_profile() -> UserProfile {
            UserProfile { $($field: None,)* }
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

/// Writes the given standard attributes into an Okta profile object: blank text is not
/// given.
fn write_standard(profile: &UserProfile, out: &mut Map<String, Value>) {
    for (key, read, _) in STANDARD {
        if let Some(value) = read(profile).as_ref().filter(|v| !v.trim().is_empty()) {
            out.insert((*key).to_string(), Value::String(value.clone()));
        }
    }
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

/// The largest `profile-extra` (or app profile) taken, in bytes: far beyond what an Okta
/// profile holds, small enough to parse in the instance.
const MAX_PROFILE_EXTRA: usize = 1 << 20;

/// Parses `profile-extra`: a JSON object of custom attributes.
pub(crate) fn parse_profile_extra(
    field: &str,
    extra: Option<&str>,
) -> Result<Map<String, Value>, OktaError> {
    let Some(extra) = extra.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(Map::new());
    };
    if extra.len() > MAX_PROFILE_EXTRA {
        return Err(invalid_input(format!(
            "{field} is larger than {MAX_PROFILE_EXTRA} bytes"
        )));
    }
    match serde_json::from_str::<Value>(extra) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid_input(format!("{field} must be a JSON object"))),
        Err(e) => Err(invalid_input(format!("{field} is not valid JSON: {e}"))),
    }
}

/// Builds an Okta profile object from the standard fields and `profile-extra`. A standard
/// attribute has its field: in `profile-extra` it may only be null, which clears it where
/// the field is not given.
pub(crate) fn profile_object(
    profile: &UserProfile,
    extra: Option<&str>,
    extra_field: &str,
) -> Result<Map<String, Value>, OktaError> {
    let mut out = Map::new();
    write_standard(profile, &mut out);
    let own = |key: &str| STANDARD.iter().any(|(k, _, _)| *k == key);
    merge_extra(&mut out, extra, extra_field, own)?;
    Ok(out)
}

/// Merges `profile-extra` into a profile: a key `own` names (one a field of its own sets)
/// may only be null there, and is left as the field set it.
pub(crate) fn merge_extra(
    profile: &mut Map<String, Value>,
    extra: Option<&str>,
    extra_field: &str,
    own: impl Fn(&str) -> bool,
) -> Result<(), OktaError> {
    for (key, value) in parse_profile_extra(extra_field, extra)? {
        if own(&key) {
            if !value.is_null() {
                return Err(invalid_input(format!(
                    "{extra_field} sets `{key}`, which has a field of its own (here it may \
                     only be null, to clear it)"
                )));
            }
            if profile.contains_key(&key) {
                continue;
            }
        }
        profile.insert(key, value);
    }
    Ok(())
}

/// Reads Okta's `LifecycleStatus` member `status`.
pub(crate) fn lifecycle_status(object: &Value) -> LifecycleStatus {
    match object.get("status").and_then(Value::as_str) {
        Some("ACTIVE") => LifecycleStatus::Active,
        Some("INACTIVE") => LifecycleStatus::Inactive,
        _ => LifecycleStatus::Unknown,
    }
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

/// Each provider type and Okta's name for it.
const PROVIDER_TYPES: &[(ProviderType, &str)] = &[
    (ProviderType::Okta, "OKTA"),
    (ProviderType::ActiveDirectory, "ACTIVE_DIRECTORY"),
    (ProviderType::Ldap, "LDAP"),
    (ProviderType::Federation, "FEDERATION"),
    (ProviderType::Social, "SOCIAL"),
    (ProviderType::Import, "IMPORT"),
];

/// Okta's name for a provider type (`None` for `unknown`).
pub(crate) fn provider_type_name(kind: ProviderType) -> Option<&'static str> {
    PROVIDER_TYPES
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, name)| *name)
}

fn provider_type(name: &str) -> ProviderType {
    PROVIDER_TYPES
        .iter()
        .find(|(_, n)| *n == name)
        .map_or(ProviderType::Unknown, |(kind, _)| *kind)
}

/// Parses JSON that Okta sent; `what` names it in a decode error.
pub(crate) fn parse(raw: &[u8], what: &str) -> Result<Value, OktaError> {
    serde_json::from_slice(raw).map_err(|e| decode(what, e))
}

/// Parses a body that Okta may leave empty (read as `{}`).
pub(crate) fn parse_or_empty(body: &[u8], what: &str) -> Result<Value, OktaError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(Value::Object(Map::new()))
    } else {
        parse(body, what)
    }
}

/// A string member (absent, `null` or not a string: `None`).
pub(crate) fn text(object: &Value, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A scalar member as text: a string as it is, a number or boolean in its JSON form
/// (Okta's system log sends `postalCode` as a number). Absent, `null`, an array or an
/// object: `None`.
pub(crate) fn scalar_text(object: &Value, key: &str) -> Option<String> {
    match object.get(key)? {
        Value::String(s) => Some(s.clone()),
        value @ (Value::Number(_) | Value::Bool(_)) => Some(value.to_string()),
        _ => None,
    }
}

/// An Okta timestamp (`2026-11-24T09:10:00.123Z`, UTC) as a time. `None` for any other
/// form.
pub(crate) fn timestamp(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    let digits = |from: usize, len: usize| -> Option<u64> {
        let part = text.get(from..from + len)?;
        part.bytes()
            .all(|d| d.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !text.ends_with('Z') {
        return None;
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y / 400;
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = (era * 146_097 + day_of_era).checked_sub(719_468)?;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    // A fraction of a second (`.123`), to the millisecond.
    let fraction = &text[19..text.len() - 1];
    let millis = match fraction.strip_prefix('.') {
        None if fraction.is_empty() => 0,
        Some(digits)
            if !digits.is_empty()
                && digits.len() <= 9
                && digits.bytes().all(|d| d.is_ascii_digit()) =>
        {
            format!("{digits:0<3}")[..3].parse::<u64>().ok()?
        }
        _ => return None,
    };
    SystemTime::UNIX_EPOCH.checked_add(std::time::Duration::from_millis(
        seconds.checked_mul(1_000)?.checked_add(millis)?,
    ))
}

/// A time field of a request: absent is none; otherwise Okta's UTC form
/// (`2026-11-24T09:10:00Z`, a fraction allowed, as the schema's pattern says), given back as
/// Okta writes it, to the millisecond. Any other text, blank included, is `invalid-input`,
/// where Okta would answer 400.
pub(crate) fn utc_time(field: &str, value: &Option<String>) -> Result<Option<String>, OktaError> {
    let Some(text) = value else {
        return Ok(None);
    };
    match timestamp(text) {
        Some(time) => Ok(Some(iso_timestamp(time))),
        None => Err(crate::client::error::invalid_input(format!(
            "{field} must be a UTC time, such as 2026-12-01T09:00:00.000Z"
        ))),
    }
}

/// A time as Okta writes one, in UTC with milliseconds: `2026-11-24T09:10:00.123Z`.
pub(crate) fn iso_timestamp(time: SystemTime) -> String {
    let since = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let (secs, millis) = (since.as_secs(), since.subsec_millis());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // The civil date of a day count (Howard Hinnant's algorithm, the inverse of `timestamp`).
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

/// The strings of an array (absent or not an array: empty; other items are skipped).
pub(crate) fn strings(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// A boolean member (absent or not a boolean: `false`).
pub(crate) fn flag(object: &Value, key: &str) -> bool {
    object.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// A required string member.
pub(crate) fn required(object: &Value, key: &str, what: &str) -> Result<String, OktaError> {
    text(object, key).ok_or_else(|| decode(what, format!("no `{key}`")))
}

/// Takes an object member out (absent or not an object: empty).
pub(crate) fn take_object(object: &mut Value, key: &str) -> Map<String, Value> {
    match object.get_mut(key).map(Value::take) {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Implements [`Raw`] for each record with a `raw` field.
macro_rules! raw_records {
    ($($record:ty),* $(,)?) => {
        $(impl Raw for $record {
            fn raw_mut(&mut self) -> &mut Option<String> {
                &mut self.raw
            }
        })*
    };
}

raw_records!(
    User,
    Group,
    AppLink,
    UserType,
    crate::wit::apps::App,
    crate::wit::apps::AppUser,
    crate::wit::factors::Factor,
    crate::wit::system_log::LogEvent,
    crate::wit::event_hooks::EventHook,
    crate::wit::policies::Policy,
    crate::wit::realms::Realm,
);

/// The raw text of a value Okta sent (valid UTF-8: it parsed as JSON).
pub(crate) fn raw_text(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

/// What a `credentials` object says.
#[derive(Default)]
pub(crate) struct Credentials {
    /// Who validates the credentials.
    pub provider: Option<AuthProvider>,
    /// Whether there is a password (a `password` member that is not `null`).
    pub has_password: bool,
    /// The recovery question, when one is set.
    pub recovery_question: Option<String>,
}

impl Fill for Credentials {
    fn member(&mut self, key: &str, value: &mut dyn Member) -> Result<(), Stop> {
        match key {
            "password" => self.has_password = value.present()?,
            "provider" => value.object(self.provider.insert(AuthProvider {
                provider_type: ProviderType::Unknown,
                name: None,
            }))?,
            "recovery_question" => {
                value.object(&mut One("question", &mut self.recovery_question))?;
            }
            _ => value.skip()?,
        }
        Ok(())
    }
}

impl Fill for AuthProvider {
    fn member(&mut self, key: &str, value: &mut dyn Member) -> Result<(), Stop> {
        match key {
            "type" => {
                self.provider_type = value
                    .text()?
                    .map_or(ProviderType::Unknown, |name| provider_type(&name));
            }
            "name" => self.name = value.text()?,
            _ => value.skip()?,
        }
        Ok(())
    }
}

/// Reads Okta's credentials object (an empty body reads as `{}`).
pub(crate) fn credentials(body: &[u8]) -> Result<Credentials, OktaError> {
    let mut credentials = Credentials::default();
    if !body.iter().all(u8::is_ascii_whitespace) {
        members::fill(body, "credentials", &mut credentials)?;
    }
    Ok(credentials)
}

/// A user as it is read: the record, its id when Okta sent one, and the custom profile
/// attributes.
struct UserRead {
    id: Option<String>,
    user: User,
    credentials: Credentials,
    extra: Map<String, Value>,
}

impl Fill for UserRead {
    fn member(&mut self, key: &str, value: &mut dyn Member) -> Result<(), Stop> {
        let user = &mut self.user;
        match key {
            "id" => self.id = value.text()?,
            "status" => {
                user.status = value
                    .text()?
                    .map_or(UserStatus::Unknown, |s| user_status(&s));
            }
            "transitioningToStatus" => {
                user.transitioning_to_status = value.text()?.map(|s| user_status(&s));
            }
            "created" => user.created = value.text()?,
            "activated" => user.activated = value.text()?,
            "statusChanged" => user.status_changed = value.text()?,
            "lastLogin" => user.last_login = value.text()?,
            "lastUpdated" => user.last_updated = value.text()?,
            "passwordChanged" => user.password_changed = value.text()?,
            "realmId" => user.realm_id = value.text()?,
            "type" => value.object(&mut One("id", &mut user.type_id))?,
            "profile" => value.object(&mut ProfileRead {
                profile: &mut user.profile,
                extra: &mut self.extra,
            })?,
            "credentials" => value.object(&mut self.credentials)?,
            _ => value.skip()?,
        }
        Ok(())
    }
}

/// A user's profile as it is read: the standard attributes into the record, the rest
/// (and a standard attribute that is not a string) kept as custom.
struct ProfileRead<'r> {
    profile: &'r mut UserProfile,
    extra: &'r mut Map<String, Value>,
}

impl Fill for ProfileRead<'_> {
    fn member(&mut self, key: &str, value: &mut dyn Member) -> Result<(), Stop> {
        match (STANDARD.iter().find(|(k, _, _)| *k == key), value.value()?) {
            (Some((_, _, write)), Value::String(s)) => *write(self.profile) = Some(s),
            (Some(_), Value::Null) => {}
            (_, value) => {
                self.extra.insert(key.to_owned(), value);
            }
        }
        Ok(())
    }
}

/// Parses an Okta user, member by member into the record.
pub(crate) fn user(raw: &[u8]) -> Result<User, OktaError> {
    let mut read = UserRead {
        id: None,
        user: User {
            id: String::new(),
            status: UserStatus::Unknown,
            transitioning_to_status: None,
            created: None,
            activated: None,
            status_changed: None,
            last_login: None,
            last_updated: None,
            password_changed: None,
            type_id: None,
            realm_id: None,
            profile: empty_profile(),
            profile_extra: String::new(),
            provider: None,
            has_password: false,
            recovery_question: None,
            raw: None,
        },
        credentials: Credentials::default(),
        extra: Map::new(),
    };
    members::fill(raw, "a user", &mut read)?;
    let UserRead {
        id,
        mut user,
        credentials,
        extra,
    } = read;
    user.id = id.ok_or_else(|| decode("a user", "no `id`"))?;
    user.profile_extra = Value::Object(extra).to_string();
    user.provider = credentials.provider;
    user.has_password = credentials.has_password;
    user.recovery_question = credentials.recovery_question;
    user.raw = Some(raw_text(raw));
    Ok(user)
}

/// A count from a group's `_embedded.stats`.
fn count(group: &Value, key: &str) -> Option<u32> {
    group
        .pointer("/_embedded/stats")
        .and_then(|stats| stats.get(key))
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
}

/// Parses an Okta group.
pub(crate) fn group(raw: &[u8]) -> Result<Group, OktaError> {
    let mut object = parse(raw, "a group")?;
    let id = required(&object, "id", "a group")?;
    let mut profile = take_object(&mut object, "profile");
    let name = take_string(&mut profile, "name").unwrap_or_default();
    let description = take_string(&mut profile, "description");
    Ok(Group {
        id,
        group_type: match object.get("type").and_then(Value::as_str) {
            Some("OKTA_GROUP") => GroupType::OktaGroup,
            Some("APP_GROUP") => GroupType::AppGroup,
            Some("BUILT_IN") => GroupType::BuiltIn,
            _ => GroupType::Unknown,
        },
        name,
        description,
        profile_extra: Value::Object(profile).to_string(),
        created: text(&object, "created"),
        last_updated: text(&object, "lastUpdated"),
        last_membership_updated: text(&object, "lastMembershipUpdated"),
        users_count: count(&object, "usersCount"),
        apps_count: count(&object, "appsCount"),
        raw: Some(raw_text(raw)),
    })
}

/// Parses an app link from a user's dashboard.
pub(crate) fn app_link(raw: &[u8]) -> Result<AppLink, OktaError> {
    let object = parse(raw, "an app link")?;
    Ok(AppLink {
        id: required(&object, "id", "an app link")?,
        label: text(&object, "label").unwrap_or_default(),
        link_url: text(&object, "linkUrl"),
        logo_url: text(&object, "logoUrl"),
        app_name: text(&object, "appName"),
        app_instance_id: text(&object, "appInstanceId"),
        app_assignment_id: text(&object, "appAssignmentId"),
        credentials_setup: flag(&object, "credentialsSetup"),
        hidden: flag(&object, "hidden"),
        sort_order: object
            .get("sortOrder")
            .and_then(Value::as_i64)
            .and_then(|n| i32::try_from(n).ok()),
        raw: Some(raw_text(raw)),
    })
}

/// Parses a user type.
pub(crate) fn user_type(raw: &[u8]) -> Result<UserType, OktaError> {
    let object = parse(raw, "a user type")?;
    Ok(UserType {
        id: required(&object, "id", "a user type")?,
        name: text(&object, "name").unwrap_or_default(),
        display_name: text(&object, "displayName").unwrap_or_default(),
        description: text(&object, "description"),
        is_default: flag(&object, "default"),
        created: text(&object, "created"),
        last_updated: text(&object, "lastUpdated"),
        raw: Some(raw_text(raw)),
    })
}

/// Parses an app.
pub(crate) fn app(raw: &[u8]) -> Result<App, OktaError> {
    let object = parse(raw, "an app")?;
    Ok(App {
        id: required(&object, "id", "an app")?,
        name: text(&object, "name").unwrap_or_default(),
        label: text(&object, "label").unwrap_or_default(),
        status: match object.get("status").and_then(Value::as_str) {
            Some("ACTIVE") => AppStatus::Active,
            Some("INACTIVE") => AppStatus::Inactive,
            Some("DELETED") => AppStatus::Deleted,
            _ => AppStatus::Unknown,
        },
        sign_on_mode: text(&object, "signOnMode"),
        created: text(&object, "created"),
        last_updated: text(&object, "lastUpdated"),
        raw: Some(raw_text(raw)),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn writes_times_as_okta_does_and_reads_them_back() {
        for text in [
            "1970-01-01T00:00:00.000Z",
            "2000-02-29T23:59:59.999Z",
            "2026-12-01T09:10:00.123Z",
            "2100-03-01T00:00:01.000Z",
        ] {
            assert_eq!(
                iso_timestamp(timestamp(text).unwrap()),
                text,
                "to the millisecond"
            );
        }
    }

    #[test]
    fn reads_okta_timestamps() {
        let at = |t: &str| {
            timestamp(t).map(|t| t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs())
        };
        assert_eq!(at("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(at("2026-12-01T15:36:42.090Z"), Some(1_796_139_402));
        assert_eq!(at("2000-02-29T23:59:59Z"), Some(951_868_799));
        for bad in [
            "",
            "2026-12-01",
            "2026-13-01T00:00:00Z",
            "2026-12-01T00:00:00+01:00",
            "x026-12-01T00:00:00Z",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }
    use crate::wit::types::ErrorKind;

    fn raw(json: &str) -> &[u8] {
        json.as_bytes()
    }

    #[test]
    fn every_standard_key_round_trips() {
        let mut map = Map::new();
        for (i, (key, _, _)) in STANDARD.iter().enumerate() {
            map.insert(key.to_string(), Value::String(format!("v{i}")));
        }
        let text = serde_json::json!({ "id": "00u1", "profile": map }).to_string();
        let read = user(text.as_bytes()).unwrap();
        assert_eq!(read.profile_extra, "{}");
        let profile = read.profile;
        assert_eq!(profile.second_email.as_deref(), Some("v2"));
        let mut out = Map::new();
        write_standard(&profile, &mut out);
        assert_eq!(out, map);
        assert_eq!(STANDARD.len(), 31);
        // The catalog names each key by its field in camelCase (`build.rs`, `camel`).
        for ((key, _, _), field) in STANDARD.iter().zip(FIELDS) {
            let mut camel = String::new();
            for (i, word) in field.split('_').enumerate() {
                let mut chars = word.chars();
                match (i, chars.next()) {
                    (0, _) => camel.push_str(word),
                    (_, Some(first)) => camel.extend(first.to_uppercase().chain(chars)),
                    (_, None) => {}
                }
            }
            assert_eq!(*key, camel);
        }
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
        let u = user(raw(json)).unwrap();
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
        assert_eq!(u.raw.as_deref(), Some(json));
    }

    #[test]
    fn unknown_statuses_do_not_fail_the_parse() {
        let u = user(raw(r#"{"id":"00u1","status":"ACTIVATING","profile":{}}"#)).unwrap();
        assert_eq!(u.status, UserStatus::Unknown);
        assert_eq!(u.profile_extra, "{}");
        assert!(!u.has_password);
        assert!(user(raw(r#"{"status":"ACTIVE"}"#)).is_err());
    }

    #[test]
    fn a_member_of_an_unexpected_type_reads_as_absent() {
        let json = r#"{"id":"00u1","status":7,"type":"oty1","realmId":{"id":"guo1"},
            "created":["2026"],"profile":[{"login":"a"}],"credentials":null,"_links":[1,{"a":[]}]}"#;
        let u = user(raw(json)).unwrap();
        assert_eq!(u.status, UserStatus::Unknown);
        assert_eq!((u.type_id, u.realm_id, u.created), (None, None, None));
        assert_eq!((u.profile.login, u.profile_extra.as_str()), (None, "{}"));
        assert!(!u.has_password && u.provider.is_none());
        let u = user(raw(
            r#"{"id":"00u\u0031","profile":{"first\u004eame":"A","login":5,"email":"e"},
            "credentials":{"password":null,"provider":{"type":"LDAP"},"recovery_question":"q"}}"#,
        ))
        .unwrap();
        assert_eq!(u.id, "00u1");
        assert_eq!(u.profile.first_name.as_deref(), Some("A"));
        assert_eq!(u.profile_extra, r#"{"login":5}"#);
        assert!(!u.has_password && u.recovery_question.is_none());
        assert_eq!(
            u.provider.map(|p| (p.provider_type, p.name)),
            Some((ProviderType::Ldap, None))
        );
        for bad in [
            &b"{\"id\":\"00u1\""[..],
            b"{\"id\":\"00u1\"} x",
            b"",
            b"[1,",
        ] {
            let err = user(bad).unwrap_err();
            assert_eq!(
                err.kind,
                ErrorKind::Decode,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(user(b"[]").is_err(), "an array has no id");
        assert!(credentials(b"  ").unwrap().provider.is_none());
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
        assert!(
            matches!(clash, Err(e) if e.kind == ErrorKind::InvalidInput && e.message.contains("login"))
        );
        assert!(profile_object(&profile, Some("[1]"), "profile-extra").is_err());
        assert!(profile_object(&profile, Some("{nope"), "profile-extra").is_err());
        assert!(profile_object(&profile, Some("  "), "profile-extra").is_ok());
    }

    #[test]
    fn parses_groups_links_and_types() {
        let g = group(raw(r#"{"id":"00g1","type":"BUILT_IN","profile":{"name":"Everyone","description":"All","dept":"x"}}"#)).unwrap();
        assert_eq!(
            (g.name.as_str(), g.group_type),
            ("Everyone", GroupType::BuiltIn)
        );
        assert_eq!(g.description.as_deref(), Some("All"));
        assert_eq!(g.profile_extra, r#"{"dept":"x"}"#);
        let l = app_link(raw(r#"{"id":"0oa1","label":"Slack","linkUrl":"https://x/home","appName":"slack","hidden":false,"sortOrder":2}"#)).unwrap();
        assert_eq!((l.label.as_str(), l.sort_order), ("Slack", Some(2)));
        assert!(!l.credentials_setup);
        let t = user_type(raw(
            r#"{"id":"oty1","name":"user","displayName":"User","default":true}"#,
        ))
        .unwrap();
        assert!(t.is_default);
        assert_eq!(t.display_name, "User");
    }
}
