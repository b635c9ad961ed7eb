//! `/api/v1/users` and `/api/v1/meta/types/user`: the user lifecycle as Okta runs it.

use super::errors::MockError;
use super::filter;
use super::state::{MockUser, Password, State, Status};
use super::{Call, Mock, Reply, page};
use axum::extract::{Path, State as Extract};
use serde_json::{Map, Value, json};
use std::time::SystemTime;

/// The attributes `filter=` supports on users (`search=` takes any).
const FILTERABLE: &[&str] = &[
    "status",
    "lastUpdated",
    "id",
    "profile.login",
    "profile.email",
    "profile.firstName",
    "profile.lastName",
];

/// Fields every user must have in the default schema.
const REQUIRED_PROFILE: &[&str] = &["login", "email", "firstName", "lastName"];

/// `GET /api/v1/users`.
///
/// A page costs its own size, not the org's: users are walked in id order from the
/// cursor and only the page is serialized; a filter or search is evaluated on each user's
/// fields as the walk passes it, and an exact login is found in the login index. Only a
/// sorted search gathers every match first, to sort it.
pub async fn list(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let q = call.param("q");
    let filter = call.param("filter");
    let search = call.param("search");
    if filter.is_some() && search.is_some() {
        return Err(MockError::new(
            400,
            "E0000033",
            "Bad request. Can't specify a search query and filter in the same request.",
        ));
    }
    let state = mock.lock();
    let base = call.base.clone();
    let render = |u: &MockUser| u.to_json(&base);
    if let Some(q) = q {
        let q = q.to_lowercase();
        let limit = call.usize_param("limit")?.unwrap_or(10);
        let items = state
            .users
            .values()
            .filter(|u| {
                u.status != Status::Deprovisioned
                    && ["firstName", "lastName", "email"].iter().any(|k| {
                        u.profile
                            .get(*k)
                            .and_then(Value::as_str)
                            .is_some_and(|v| v.to_lowercase().starts_with(&q))
                    })
            })
            .take(limit)
            .map(render)
            .collect();
        return Ok(page::reply(&call, items, None));
    }
    let cursor = page::Cursor::of(&call)?;
    let expr = match (filter, search) {
        (Some(expr), _) => {
            let parsed = filter::parse(expr).map_err(MockError::bad_search)?;
            for (attr, op) in filter::attributes(&parsed) {
                let allowed = FILTERABLE.contains(&attr)
                    && (op == filter::Op::Eq || (attr == "lastUpdated" && op != filter::Op::Pr));
                if !allowed {
                    return Err(MockError::bad_search(format!(
                        "cannot filter users on {attr} with {op:?}"
                    )));
                }
            }
            Some((parsed, false))
        }
        (None, Some(expr)) => Some((filter::parse(expr).map_err(MockError::bad_search)?, true)),
        (None, None) => None,
    };
    let Some((expr, ignore_case)) = expr else {
        // Unfiltered lists leave out DEPROVISIONED users.
        let walk = state
            .users
            .range(cursor.range())
            .filter(|(_, u)| u.status != Status::Deprovisioned);
        return Ok(cursor.page(&call, walk, render));
    };
    // A search sees a user once its latest write is indexed (`State::search_lags`).
    let now = std::time::SystemTime::now();
    let searched = search.is_some();
    let indexed = |u: &MockUser| !searched || u.indexed_at.is_none_or(|at| at <= now);
    let matches = |u: &MockUser| indexed(u) && filter::matches(&expr, u, ignore_case);
    if let Some(sort_by) = call.param("sortBy").filter(|_| search.is_some()) {
        let mut found: Vec<(String, &MockUser)> = state
            .users
            .values()
            .filter(|u| matches(u))
            .map(|u| (filter::sort_key(u, sort_by), u))
            .collect();
        found.sort_by(|(a, ua), (b, ub)| a.cmp(b).then(ua.id.cmp(&ub.id)));
        if call
            .param("sortOrder")
            .is_some_and(|o| o.eq_ignore_ascii_case("desc"))
        {
            found.reverse();
        }
        let start = cursor.start_in(found.iter().map(|(_, u)| u.id.as_str()));
        let walk = found[start..].iter().map(|(_, u)| (&u.id, *u));
        return Ok(cursor.page(&call, walk, render));
    }
    if let Some(login) = filter::equality(&expr, "profile.login") {
        let found = state
            .user_by_login(login)
            .filter(|u| indexed(u))
            .filter(|u| cursor.after.as_ref().is_none_or(|after| &u.id > after))
            .map(|u| (&u.id, u));
        return Ok(cursor.page(&call, found, render));
    }
    let walk = state
        .users
        .range(cursor.range())
        .filter(|(_, u)| matches(u));
    Ok(cursor.page(&call, walk, render))
}

/// Finds the user an `{id}` path names: an id, a login or an unambiguous short name (the
/// spec's `pathId`). Okta cannot address a login with `/` in a path.
fn lookup(state: &State, call: &Call, key: &str) -> Result<String, MockError> {
    if call.path_has_encoded_slash() {
        return Err(MockError::not_found(key, "User"));
    }
    if key == "me" {
        return if call.is_bearer() {
            Err(MockError::not_found(key, "User"))
        } else {
            Ok(state.admin_id.clone())
        };
    }
    state.user_id(key)
}

/// Finds the user a `{userId}` path names: only an id will do (the spec's `pathUserId`), as
/// for the credential and session paths.
fn lookup_id(state: &State, key: &str) -> Result<String, MockError> {
    state
        .users
        .get(key)
        .map(|u| u.id.clone())
        .ok_or_else(|| MockError::not_found(key, "User"))
}

/// `GET /api/v1/users/{id}`.
pub async fn get(Extract(mock): Extract<Mock>, Path(key): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    let id = lookup(&state, &call, &key)?;
    Ok(page::json(state.users[&id].to_json(&call.base)))
}

fn password_rules(password: &str) -> Result<(), String> {
    let ok = password.chars().count() >= 8
        && password.chars().any(|c| c.is_ascii_lowercase())
        && password.chars().any(|c| c.is_ascii_uppercase())
        && password.chars().any(|c| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err("Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number.".into())
    }
}

/// Reads a `credentials.password` object.
fn read_password(password: &Value) -> Result<Password, MockError> {
    if let Some(value) = password.get("value").and_then(Value::as_str) {
        password_rules(value)
            .map_err(|why| MockError::validation("password", format!("password: {why}")))?;
        return Ok(Password::Value(value.to_string()));
    }
    if let Some(hash) = password.get("hash") {
        let algorithm = hash
            .get("algorithm")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let str_field = |k: &str| {
            hash.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let valid = match algorithm {
            "BCRYPT" => {
                str_field("salt").is_some_and(|s| s.len() == 22)
                    && hash
                        .get("workFactor")
                        .and_then(Value::as_u64)
                        .is_some_and(|w| (1..=20).contains(&w))
            }
            "PBKDF2" => {
                str_field("salt").is_some()
                    && hash
                        .get("iterationCount")
                        .and_then(Value::as_u64)
                        .is_some_and(|n| n >= 4096)
                    && hash.get("keySize").is_some()
                    && str_field("digestAlgorithm").is_some()
            }
            "MD5" | "SHA-1" | "SHA-256" | "SHA-512" => {
                str_field("salt").is_none() || str_field("saltOrder").is_some()
            }
            _ => false,
        };
        if !valid || str_field("value").is_none() {
            return Err(MockError::validation(
                "password",
                "password.hash: The hash is not complete for its algorithm",
            ));
        }
        return Ok(Password::Hashed);
    }
    if password.get("hook").is_some() {
        return Ok(Password::Hook);
    }
    Err(MockError::validation(
        "password",
        "password: A password needs a value, a hash or a hook",
    ))
}

fn read_question(q: &Value) -> Result<(String, String), MockError> {
    let question = q
        .get("question")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let answer = q.get("answer").and_then(Value::as_str).unwrap_or_default();
    if question.trim().is_empty() || answer.trim().is_empty() {
        return Err(MockError::validation(
            "recovery_question",
            "recovery_question: needs a question and an answer",
        ));
    }
    Ok((question.to_string(), answer.to_string()))
}

fn check_profile(
    state: &State,
    profile: &Map<String, Value>,
    except: Option<&str>,
) -> Result<(), MockError> {
    for field in REQUIRED_PROFILE {
        if profile
            .get(*field)
            .and_then(Value::as_str)
            .is_none_or(|v| v.trim().is_empty())
        {
            return Err(MockError::validation(
                "user",
                format!("{field}: The field cannot be left blank"),
            ));
        }
    }
    let email = profile
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !email.contains('@') {
        return Err(MockError::validation(
            "user",
            "email: Does not match required pattern",
        ));
    }
    let login = profile
        .get("login")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if state.login_taken(login, except) {
        return Err(MockError::validation(
            "login",
            "login: An object with this field already exists in the current organization",
        ));
    }
    Ok(())
}

/// `POST /api/v1/users`.
pub async fn create(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let activate = call.bool_param("activate")?.unwrap_or(true);
    let with_provider = call.bool_param("provider")?.unwrap_or(false);
    let next_login = call.param("nextLogin");
    if next_login.is_some_and(|n| n != "changePassword") {
        return Err(MockError::validation(
            "nextLogin",
            "nextLogin: must be changePassword",
        ));
    }
    let body = call.json()?;
    let profile = body
        .get("profile")
        .and_then(Value::as_object)
        .cloned()
        .ok_or_else(|| MockError::validation("user", "profile: The field cannot be left blank"))?;
    let credentials = body.get("credentials").cloned().unwrap_or(Value::Null);
    let password = credentials.get("password").map(read_password).transpose()?;
    let recovery = credentials
        .get("recovery_question")
        .map(read_question)
        .transpose()?;
    let provider = credentials.get("provider").map(|p| {
        (
            p.get("type")
                .and_then(Value::as_str)
                .unwrap_or("OKTA")
                .to_string(),
            p.get("name")
                .and_then(Value::as_str)
                .unwrap_or("OKTA")
                .to_string(),
        )
    });
    let federated = provider
        .as_ref()
        .is_some_and(|(t, _)| t == "FEDERATION" || t == "SOCIAL");
    if federated && (password.is_some() || recovery.is_some()) {
        return Err(MockError::new(
            400,
            "E0000041",
            "Credentials should not be set on this resource based on the scheme.",
        ));
    }
    if next_login.is_some() && password.is_none() {
        return Err(MockError::new(
            400,
            "E0000124",
            "Could not create user. To create a user and expire their password immediately, a password must be specified.",
        ));
    }
    if next_login.is_some() && !activate {
        return Err(MockError::new(
            400,
            "E0000125",
            "Could not create user. To create a user and expire their password immediately, \"activate\" must be true.",
        ));
    }
    let mut state = mock.lock();
    check_profile(&state, &profile, None)?;
    let type_id = match body.pointer("/type/id").and_then(Value::as_str) {
        Some(id) if !state.user_types.contains_key(id) => {
            return Err(MockError::validation(
                "type",
                format!("type: Invalid user type id {id}"),
            ));
        }
        other => other.map(str::to_string),
    };
    let group_ids: Vec<String> = match body.get("groupIds") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids)) => ids
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(_) => {
            return Err(MockError::validation(
                "groupIds",
                "groupIds: must be an array",
            ));
        }
    };
    for id in &group_ids {
        if state.groups.get(id).is_none_or(|g| g.kind != "OKTA_GROUP") {
            return Err(MockError::validation(
                "groupIds",
                format!("groupIds: Invalid group id {id}"),
            ));
        }
    }
    let realm = body
        .get("realmId")
        .and_then(Value::as_str)
        .map(str::to_string);
    let has_password = password.is_some();
    let id = state.insert_user(profile, password, recovery, type_id, realm);
    for group in &group_ids {
        state.add_member(group, &id);
    }
    let now = SystemTime::now();
    let user = state.user_mut(&id)?;
    if with_provider && let Some(provider) = provider {
        user.provider = provider;
    }
    let status = match (activate, federated, has_password, next_login.is_some()) {
        (false, ..) => Status::Staged,
        (true, true, ..) => Status::Active,
        (true, false, true, true) => Status::PasswordExpired,
        (true, false, true, false) => Status::Active,
        (true, false, false, _) => Status::Provisioned,
    };
    user.set_status(status, now);
    let reply = page::json(user.to_json(&call.base));
    let target = state.user_target(&id);
    state.log(
        "user.lifecycle.create",
        "Create Okta user",
        vec![target.clone()],
    );
    if status != Status::Staged {
        state.log(
            "user.lifecycle.activate",
            "Activate Okta user",
            vec![target.clone()],
        );
    }
    for group in &group_ids {
        let group_target = state.group_target(group);
        state.log(
            "group.user_membership.add",
            "Add user to group membership",
            vec![target.clone(), group_target],
        );
    }
    Ok(reply)
}

/// `POST /api/v1/users/{id}`: partial update of the profile and credentials.
pub async fn update(Extract(mock): Extract<Mock>, Path(key): Path<String>, call: Call) -> Reply {
    change(&mock, &key, &call, false)
}

/// `PUT /api/v1/users/{id}`: the profile given replaces the user's whole (an attribute
/// left out is cleared); credentials as with `POST`.
pub async fn replace(Extract(mock): Extract<Mock>, Path(key): Path<String>, call: Call) -> Reply {
    change(&mock, &key, &call, true)
}

/// Changes a user's profile (merged, or replaced `whole`) and credentials.
fn change(mock: &Mock, key: &str, call: &Call, whole: bool) -> Reply {
    let body = call.json()?;
    let mut state = mock.lock();
    let id = lookup(&state, call, key)?;
    let current = state.users[&id].clone();
    if current.status == Status::Deprovisioned {
        return Err(MockError::wrong_status());
    }
    let mut profile = current.profile;
    if whole && body.get("profile").is_none() {
        return Err(MockError::validation(
            "profile",
            "profile: The field cannot be left blank",
        ));
    }
    if let Some(changes) = body.get("profile") {
        let changes = changes
            .as_object()
            .ok_or_else(|| MockError::validation("profile", "profile: must be an object"))?;
        if whole {
            profile.clear();
        }
        for (k, v) in changes {
            profile.insert(k.clone(), v.clone());
        }
        check_profile(&state, &profile, Some(&id))?;
    }
    let credentials = body.get("credentials").cloned().unwrap_or(Value::Null);
    let password = credentials.get("password").map(read_password).transpose()?;
    if matches!(password, Some(Password::Hashed)) && current.status != Status::Staged {
        return Err(MockError::validation(
            "password",
            "password: A hashed password can be set only for STAGED users",
        ));
    }
    let recovery = credentials
        .get("recovery_question")
        .map(read_question)
        .transpose()?;
    let now = SystemTime::now();
    state.set_profile(&id, profile)?;
    let user = state.user_mut(&id)?;
    let password = password.inspect(|_| user.password_changed = Some(now));
    if password.is_some() {
        user.password = password.clone();
    }
    let password_changed = password.is_some();
    if let Some(recovery) = recovery {
        user.recovery = Some(recovery);
    }
    if let Some(realm) = body.get("realmId").and_then(Value::as_str) {
        user.realm_id = Some(realm.to_string());
    }
    user.last_updated = now;
    let reply = page::json(user.to_json(&call.base));
    state.indexed(&id);
    let target = state.user_target(&id);
    if body.get("profile").is_some() {
        state.log(
            "user.account.update_profile",
            "Update user profile for Okta",
            vec![target.clone()],
        );
    }
    if password_changed {
        state.log(
            "user.account.update_password",
            "Update Okta user password",
            vec![target],
        );
    }
    Ok(reply)
}

/// `DELETE /api/v1/users/{id}`: deactivates first, deletes a DEPROVISIONED user.
pub async fn delete(Extract(mock): Extract<Mock>, Path(key): Path<String>, call: Call) -> Reply {
    call.bool_param("sendEmail")?;
    let mut state = mock.lock();
    let id = lookup(&state, &call, &key)?;
    let target = state.user_target(&id);
    if state.users[&id].status == Status::Deprovisioned {
        state.remove_user(&id);
        state.log(
            "user.lifecycle.delete.completed",
            "Delete Okta user completed",
            vec![target],
        );
    } else {
        deactivate(state.user_mut(&id)?);
        state.log(
            "user.lifecycle.deactivate",
            "Deactivate Okta user",
            vec![target],
        );
    }
    Ok(page::no_content())
}

fn deactivate(user: &mut MockUser) {
    user.set_status(Status::Deprovisioned, SystemTime::now());
    user.sessions = 0;
}

fn activation_reply(call: &Call, user: &MockUser, send_email: bool) -> axum::response::Response {
    if send_email {
        page::json(json!({}))
    } else {
        let token = format!("tok{}", &user.id[3..]);
        page::json(json!({
            "activationUrl": format!("{}/welcome/{token}", call.base),
            "activationToken": token,
        }))
    }
}

/// The system log event each lifecycle and credential operation records.
const EVENTS: &[(&str, &str, &str)] = &[
    ("activate", "user.lifecycle.activate", "Activate Okta user"),
    (
        "reactivate",
        "user.lifecycle.reactivate",
        "Reactivate Okta user",
    ),
    (
        "deactivate",
        "user.lifecycle.deactivate",
        "Deactivate Okta user",
    ),
    ("suspend", "user.lifecycle.suspend", "Suspend Okta user"),
    (
        "unsuspend",
        "user.lifecycle.unsuspend",
        "Unsuspend Okta user",
    ),
    ("unlock", "user.account.unlock", "Unlock Okta user"),
    (
        "reset_password",
        "user.account.reset_password",
        "Reset Okta user password",
    ),
    (
        "expire_password",
        "user.account.expire_password",
        "Expire Okta user password",
    ),
    (
        "expire_password_with_temp_password",
        "user.account.expire_password",
        "Expire Okta user password",
    ),
    (
        "reset_factors",
        "user.mfa.factor.reset_all",
        "Reset all factors for user",
    ),
    (
        "forgot_password",
        "user.account.reset_password",
        "Start forgot password flow",
    ),
    (
        "change_password",
        "user.account.update_password",
        "Update Okta user password",
    ),
    (
        "change_recovery_question",
        "user.account.update_recovery_question",
        "Update recovery question",
    ),
];

/// Records the event of an operation on a user.
fn log_operation(state: &mut State, action: &str, id: &str) {
    if let Some((_, event, message)) = EVENTS.iter().find(|(a, ..)| *a == action) {
        let target = state.user_target(id);
        state.log(event, message, vec![target]);
    }
}

/// `POST /api/v1/users/{id}/lifecycle/{action}`.
pub async fn lifecycle(
    Extract(mock): Extract<Mock>,
    Path((key, action)): Path<(String, String)>,
    call: Call,
) -> Reply {
    let id = lookup(&mock.lock(), &call, &key)?;
    operate(&mock, &call, &id, &action, transition)
}

/// Runs an operation on a user, and logs it when it succeeds.
fn operate(
    mock: &Mock,
    call: &Call,
    id: &str,
    action: &str,
    operation: fn(&mut State, &Call, &str, &str) -> Reply,
) -> Reply {
    let mut state = mock.lock();
    let reply = operation(&mut state, call, id, action)?;
    log_operation(&mut state, action, id);
    Ok(reply)
}

/// Runs a lifecycle operation by the user state machine.
fn transition(state: &mut State, call: &Call, id: &str, action: &str) -> Reply {
    let now = SystemTime::now();
    if action == "reset_factors" {
        state.user_mut(id)?;
        state.factors.remove(id);
        return Ok(page::json(json!({})));
    }
    let user = state.user_mut(id)?;
    let status = user.status;
    match action {
        "activate" => {
            let send_email = call.bool_param("sendEmail")?.unwrap_or(true);
            match status {
                Status::Staged | Status::Deprovisioned => {}
                Status::Active => {
                    return Err(MockError::new(
                        403,
                        "E0000016",
                        "Activation failed because the user is already active",
                    ));
                }
                _ => return Err(MockError::wrong_status()),
            }
            let next = if user.password.is_some() {
                Status::Active
            } else {
                Status::Provisioned
            };
            user.set_status(next, now);
            Ok(activation_reply(call, user, send_email))
        }
        "reactivate" => {
            let send_email = call.bool_param("sendEmail")?.unwrap_or(false);
            if !matches!(status, Status::Provisioned | Status::Recovery) {
                return Err(MockError::wrong_status());
            }
            Ok(activation_reply(call, user, send_email))
        }
        "deactivate" => {
            call.bool_param("sendEmail")?;
            if status == Status::Deprovisioned {
                return Err(MockError::wrong_status());
            }
            deactivate(user);
            Ok(page::json(json!({})))
        }
        "suspend" => {
            if status != Status::Active {
                return Err(MockError::validation(
                    "suspend",
                    "Cannot suspend a user that is not active",
                ));
            }
            user.set_status(Status::Suspended, now);
            user.sessions = 0;
            Ok(page::json(json!({})))
        }
        "unsuspend" => {
            if status != Status::Suspended {
                return Err(MockError::validation(
                    "unsuspend",
                    "Cannot unsuspend a user that is not suspended",
                ));
            }
            user.set_status(Status::Active, now);
            Ok(page::json(json!({})))
        }
        "unlock" => {
            // Okta refuses to unlock a user who is not locked out, ACTIVE ones included.
            if status != Status::LockedOut {
                return Err(MockError::new(
                    403,
                    "E0000032",
                    "Unlock is not allowed for this user.",
                )
                .cause("The user is not locked out."));
            }
            user.set_status(Status::Active, now);
            Ok(page::json(json!({})))
        }
        "reset_password" => {
            let send_email = call.bool_param("sendEmail")?.ok_or_else(|| {
                MockError::new(
                    400,
                    "E0000028",
                    "The request is missing a required parameter.",
                )
                .cause("sendEmail")
            })?;
            if call.bool_param("revokeSessions")?.unwrap_or(false) {
                user.sessions = 0;
            }
            if matches!(
                status,
                Status::Staged | Status::Suspended | Status::Deprovisioned
            ) {
                return Err(MockError::wrong_status());
            }
            user.set_status(Status::Recovery, now);
            if send_email {
                Ok(page::json(json!({})))
            } else {
                Ok(page::json(json!({
                    "resetPasswordUrl": format!("{}/signin/reset-password/rst{}", call.base, &user.id[3..]),
                })))
            }
        }
        "expire_password" | "expire_password_with_temp_password" => {
            if !matches!(
                status,
                Status::Active | Status::PasswordExpired | Status::Recovery | Status::LockedOut
            ) || user.password.is_none()
            {
                return Err(MockError::wrong_status());
            }
            user.set_status(Status::PasswordExpired, now);
            if action == "expire_password" {
                return Ok(page::json(user.to_json(&call.base)));
            }
            if call.bool_param("revokeSessions")?.unwrap_or(false) {
                user.sessions = 0;
            }
            let temp = format!("Tmp{}x9", &user.id[user.id.len() - 6..]);
            user.password = Some(Password::Value(temp.clone()));
            user.password_changed = Some(now);
            Ok(page::json(json!({ "tempPassword": temp })))
        }
        other => Err(MockError::no_path(format!(
            "no lifecycle operation `{other}`"
        ))),
    }
}

/// `POST /api/v1/users/{id}/credentials/{action}`.
pub async fn credentials(
    Extract(mock): Extract<Mock>,
    Path((key, action)): Path<(String, String)>,
    call: Call,
) -> Reply {
    let id = lookup_id(&mock.lock(), &key)?;
    operate(&mock, &call, &id, &action, credential_change)
}

/// Runs a credential operation, checking the current password where Okta does.
fn credential_change(state: &mut State, call: &Call, id: &str, action: &str) -> Reply {
    let id = id.to_string();
    let now = SystemTime::now();
    match action {
        "forgot_password" => {
            let send_email = call.bool_param("sendEmail")?.unwrap_or(true);
            let user = state.user_mut(&id)?;
            // A user without a recovery question is answered too (Okta's recorded answers
            // carry the reset URL); only the status forbids it.
            if user.status != Status::Active {
                return Err(MockError::new(
                    403,
                    "E0000034",
                    "Forgot password not allowed on specified user.",
                ));
            }
            if send_email {
                Ok(page::json(json!({})))
            } else {
                Ok(page::json(json!({
                    "resetPasswordUrl": format!("{}/signin/reset-password/fgt{}", call.base, &user.id[3..]),
                })))
            }
        }
        "change_password" => {
            let body = call.json()?;
            let old = body
                .pointer("/oldPassword/value")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let new = body
                .pointer("/newPassword/value")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let user = state.user_mut(&id)?;
            let allowed = [
                Status::Staged,
                Status::Active,
                Status::PasswordExpired,
                Status::Recovery,
            ];
            let not_allowed = MockError::new(
                403,
                "E0000035",
                "Change password not allowed on specified user.",
            );
            let current = check_password(user, &allowed, not_allowed, "oldPassword", old)?;
            password_rules(new).map_err(MockError::policy)?;
            if new == current {
                return Err(MockError::policy("Password has been used too recently"));
            }
            user.password = Some(Password::Value(new.to_string()));
            user.password_changed = Some(now);
            if matches!(user.status, Status::Recovery | Status::PasswordExpired) {
                user.set_status(Status::Active, now);
            }
            if body
                .get("revokeSessions")
                .and_then(Value::as_bool)
                .unwrap_or(false)
            {
                user.sessions = 0;
            }
            Ok(page::json(credentials_json(user)))
        }
        "forgot_password_recovery_question" => {
            let body = call.json()?;
            let answer = body
                .pointer("/recovery_question/answer")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let password = body
                .get("password")
                .map(read_password)
                .transpose()?
                .ok_or_else(|| {
                    MockError::validation("password", "password: The field cannot be left blank")
                })?;
            let user = state.user_mut(&id)?;
            let expected = match (&user.recovery, user.status) {
                (Some((_, expected)), Status::Active) => expected.clone(),
                _ => {
                    return Err(MockError::new(
                        403,
                        "E0000034",
                        "Forgot password not allowed on specified user.",
                    ));
                }
            };
            if !answer.trim().eq_ignore_ascii_case(expected.trim()) {
                return Err(MockError::new(
                    403,
                    "E0000087",
                    "The recovery question answer did not match our records.",
                ));
            }
            user.password = Some(password);
            user.password_changed = Some(now);
            user.last_updated = now;
            Ok(page::json(credentials_json(user)))
        }
        "change_recovery_question" => {
            let body = call.json()?;
            let password = body
                .pointer("/password/value")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let question = body
                .get("recovery_question")
                .map(read_question)
                .transpose()?;
            let user = state.user_mut(&id)?;
            let allowed = [Status::Staged, Status::Active, Status::Recovery];
            let not_allowed = MockError::new(
                403,
                "E0000036",
                "Change recovery question not allowed on specified user.",
            );
            check_password(user, &allowed, not_allowed, "password", password)?;
            let question = question.ok_or_else(|| {
                MockError::validation(
                    "recovery_question",
                    "recovery_question: The field cannot be left blank",
                )
            })?;
            user.recovery = Some(question);
            user.last_updated = now;
            Ok(page::json(credentials_json(user)))
        }
        other => Err(MockError::no_path(format!(
            "no credentials operation `{other}`"
        ))),
    }
}

/// Checks that a credential operation is allowed in the user's status and that `given` is
/// the current password; returns it.
fn check_password(
    user: &MockUser,
    allowed: &[Status],
    not_allowed: MockError,
    field: &str,
    given: &str,
) -> Result<String, MockError> {
    match &user.password {
        Some(Password::Value(current)) if allowed.contains(&user.status) => {
            if current == given {
                Ok(current.clone())
            } else {
                Err(
                    MockError::new(403, "E0000014", "Update of credentials failed")
                        .cause(format!("{field}: The credentials provided were incorrect.")),
                )
            }
        }
        _ => Err(not_allowed),
    }
}

fn credentials_json(user: &MockUser) -> Value {
    user.to_json("")["credentials"].clone()
}

/// `DELETE /api/v1/users/{id}/sessions`.
pub async fn clear_sessions(
    Extract(mock): Extract<Mock>,
    Path(key): Path<String>,
    call: Call,
) -> Reply {
    call.bool_param("oauthTokens")?;
    call.bool_param("forgetDevices")?;
    let mut state = mock.lock();
    let id = lookup_id(&state, &key)?;
    state.user_mut(&id)?.sessions = 0;
    let target = state.user_target(&id);
    state.log("user.session.clear", "Clear user session", vec![target]);
    Ok(page::no_content())
}

/// `GET /api/v1/users/{id}/blocks`, `/clients` and `/devices`: the mock's users have no
/// lockout blocks, OAuth clients or devices, so a user the org has gets an empty list.
pub async fn none_of(Extract(mock): Extract<Mock>, Path(key): Path<String>, call: Call) -> Reply {
    lookup(&mock.lock(), &call, &key)?;
    Ok(page::json(json!([])))
}

/// `GET /api/v1/users/{id}/groups`.
pub async fn groups(Extract(mock): Extract<Mock>, Path(key): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    let id = lookup(&state, &call, &key)?;
    // Okta does not page this list (it declares no `limit` or `after`), but links it to
    // itself.
    let groups = state
        .groups_of(&id)
        .filter_map(|group| state.groups.get(group))
        .map(|g| g.to_json(&call.base))
        .collect();
    Ok(page::reply(&call, groups, None))
}

/// `GET /api/v1/users/{id}/appLinks`.
pub async fn app_links(Extract(mock): Extract<Mock>, Path(key): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    let id = lookup(&state, &call, &key)?;
    let links: Vec<Value> = state
        .apps_of(&id)
        .filter_map(|app| state.apps.get(app))
        .enumerate()
        .map(|(i, app)| {
            json!({
                "id": format!("00a{}", &app.id[3..]),
                "label": app.label,
                "linkUrl": format!("{}/home/{}/{}/alnk", call.base, app.name, app.id),
                "logoUrl": format!("{}/assets/img/logos/{}.png", call.base, app.name),
                "appName": app.name,
                "appInstanceId": app.id,
                "appAssignmentId": format!("0ua{}", &id[3..]),
                "credentialsSetup": false,
                "hidden": false,
                "sortOrder": i,
            })
        })
        .collect();
    Ok(page::json(Value::Array(links)))
}
