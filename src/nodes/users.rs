//! The `users` interface: WIT requests → request specs, Okta answers → WIT outputs.
//!
//! Every `build_*` function is pure and checks its input before anything is sent; the node
//! functions only chain builds, sends and parses.

use crate::client::encode;
use crate::client::error::{invalid_input, not_found};
use crate::client::paging::{self, Paging};
use crate::client::spec::{Body, RequestSpec, Response, Retry};
use crate::client::{Client, Transport};
use crate::nodes::objects;
use crate::wit::types::{ErrorKind, Group, OktaError, User, UserPage, UserStatus, UserType};
use crate::wit::users::{
    ActivateUserRequest, ActivationResult, ChangePasswordRequest, ChangeRecoveryQuestionRequest,
    ClearUserSessionsRequest, ClearUserSessionsResult, CreateUserRequest, CredentialsResult,
    DeactivateUserRequest, DeleteMode, DeleteOutcome, DeleteUserRequest, DeleteUserResult,
    DigestAlgorithm, ExpirePasswordRequest, ExpirePasswordResult, ForgotPasswordRequest,
    ForgotPasswordResult, GetUserRequest, HashAlgorithm, LifecycleResult, ListUserAppsRequest,
    ListUserGroupsRequest, ListUserTypesRequest, ListUsersRequest, NextLogin, PasswordHash,
    PasswordInput, ReactivateUserRequest, RecoveryQuestion, ResetPasswordRequest,
    ResetPasswordResult, SaltOrder, SetPasswordRequest, SuspendUserRequest, UnlockUserRequest,
    UnsuspendUserRequest, UpdateUserRequest, UserApps, UserAppsView,
};
use serde_json::{Map, Value, json};
use std::time::{Duration, SystemTime};

/// The users collection.
pub(crate) const USERS: &str = "/api/v1/users";

/// How a request names a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum UserRef {
    /// An Okta user id: `00u` and 17 letters or digits.
    Id(String),
    /// A login, a login short name (`jdoe`) or `me`, as one encoded path segment. Okta
    /// takes it in `/users/{id}` and its lifecycle paths, not where only an id will do.
    Name(String),
    /// A login with `/`, which no path can carry: found by a search.
    Slashed(String),
}

/// Whether a value has the shape of an Okta user id.
fn is_user_id(value: &str) -> bool {
    value.len() == 20
        && value.starts_with("00u")
        && value.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Checks how a request names a user.
pub(crate) fn user_ref(field: &str, value: &str) -> Result<UserRef, OktaError> {
    // Validates length and characters for every form.
    let segment = encode::segment(field, value)?;
    let trimmed = value.trim();
    Ok(if is_user_id(trimmed) {
        UserRef::Id(segment)
    } else if trimmed.contains('/') {
        UserRef::Slashed(trimmed.to_string())
    } else {
        UserRef::Name(segment)
    })
}

/// The search that finds a user by exact login.
pub(crate) fn build_find_by_login(login: &str) -> RequestSpec {
    RequestSpec::get(USERS.into())
        .query(
            "search",
            format!("profile.login eq {}", encode::filter_literal(login)),
        )
        .query("limit", 2)
}

/// Finds a user by exact login with a search.
fn find_by_login<T: Transport>(client: &mut Client<T>, login: &str) -> Result<User, OktaError> {
    // The user found may be the node's answer: it keeps its raw object.
    let paging = paging::plan(None, Some(true))?;
    let (users, _) = client.list(build_find_by_login(login), &paging, objects::user)?;
    users
        .into_iter()
        .find(|u| {
            u.profile
                .login
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(login))
        })
        .ok_or_else(|| not_found(format!("Not found: Resource not found: {login} (User)")))
}

/// `/api/v1/users/{segment}` for the endpoints whose `{id}` is an id, a login or a short
/// name (the user itself and its lifecycle): only a login with `/` is looked up first.
fn user_path<T: Transport>(client: &mut Client<T>, user: &UserRef) -> Result<String, OktaError> {
    let segment = match user {
        UserRef::Id(segment) | UserRef::Name(segment) => segment.clone(),
        UserRef::Slashed(login) => encode::segment("user-id", &find_by_login(client, login)?.id)?,
    };
    Ok(format!("{USERS}/{segment}"))
}

/// The user's id. A login, short name or `me` is looked up first (one `GET`); an id costs
/// nothing.
pub(crate) fn resolve_id<T: Transport>(
    client: &mut Client<T>,
    user: &UserRef,
) -> Result<String, OktaError> {
    match user {
        UserRef::Id(id) => Ok(id.clone()),
        UserRef::Slashed(login) => Ok(find_by_login(client, login)?.id),
        UserRef::Name(_) => {
            let path = user_path(client, user)?;
            let resp = client.send(&RequestSpec::get(path))?;
            objects::required(&objects::parse(&resp.body, "a user")?, "id", "a user")
        }
    }
}

/// `/api/v1/users/{userId}` for a user's id.
fn id_path(id: &str) -> Result<String, OktaError> {
    Ok(format!("{USERS}/{}", encode::segment("user-id", id)?))
}

/// The resolved user's id and `/api/v1/users/{userId}`.
pub(crate) fn id_and_path<T: Transport>(
    client: &mut Client<T>,
    user: &UserRef,
) -> Result<(String, String), OktaError> {
    let id = resolve_id(client, user)?;
    let path = id_path(&id)?;
    Ok((id, path))
}

/// `GET /api/v1/users` with the query, sort and paging.
pub(crate) fn build_list_users(req: &ListUsersRequest) -> Result<(RequestSpec, Paging), OktaError> {
    let spec = RequestSpec::searchable(
        USERS.into(),
        &req.q,
        &req.filter,
        &req.search,
        &req.sort_by,
        req.sort_order,
    )?
    .extra_query(
        req.extra_query.as_deref(),
        &["q", "filter", "search", "sortBy", "sortOrder"],
    )?;
    Ok((spec, paging::plan(req.page.as_ref(), req.include_raw)?))
}

/// `users.list-users`.
pub(crate) fn list_users<T: Transport>(
    client: &mut Client<T>,
    req: ListUsersRequest,
) -> Result<UserPage, OktaError> {
    let (spec, paging) = build_list_users(&req)?;
    let (items, next_cursor) = client.list(spec, &paging, objects::user)?;
    Ok(UserPage { items, next_cursor })
}

/// `users.get-user`.
pub(crate) fn get_user<T: Transport>(
    client: &mut Client<T>,
    req: GetUserRequest,
) -> Result<User, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let expand = req
        .expand
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    match user {
        UserRef::Slashed(login) if expand.is_none() => find_by_login(client, &login),
        user => {
            let path = user_path(client, &user)?;
            let resp = client.send(&RequestSpec::get(path).query_opt("expand", expand))?;
            objects::user(&resp.body)
        }
    }
}

/// The `credentials.password` object for a password input.
fn password_json(field: &str, password: &PasswordInput) -> Result<Value, OktaError> {
    match password {
        PasswordInput::Value(value) if value.is_empty() => {
            Err(invalid_input(format!("{field} is empty")))
        }
        PasswordInput::Value(value) => Ok(json!({ "value": value })),
        PasswordInput::Hash(hash) => {
            Ok(json!({ "hash": hash_json(&format!("{field}.hash"), hash)? }))
        }
        PasswordInput::Hook => Ok(json!({ "hook": { "type": "default" } })),
    }
}

/// The `hash` object, checked for what each algorithm needs.
fn hash_json(field: &str, hash: &PasswordHash) -> Result<Value, OktaError> {
    let missing =
        |what: &str| invalid_input(format!("{field}.{what} is required for this algorithm"));
    if hash.value.trim().is_empty() {
        return Err(invalid_input(format!("{field}.value is empty")));
    }
    // Blank is no salt; a salt is sent as given.
    let salt = hash.salt.as_deref().filter(|s| !s.trim().is_empty());
    let mut out = Map::new();
    let algorithm = match hash.algorithm {
        HashAlgorithm::Bcrypt => "BCRYPT",
        HashAlgorithm::Md5 => "MD5",
        HashAlgorithm::Sha1 => "SHA-1",
        HashAlgorithm::Sha256 => "SHA-256",
        HashAlgorithm::Sha512 => "SHA-512",
        HashAlgorithm::Pbkdf2 => "PBKDF2",
    };
    out.insert("algorithm".into(), algorithm.into());
    out.insert("value".into(), hash.value.clone().into());
    match hash.algorithm {
        HashAlgorithm::Bcrypt => {
            let salt = salt.ok_or_else(|| missing("salt"))?;
            if salt.chars().count() != 22 {
                return Err(invalid_input(format!(
                    "{field}.salt must be 22 characters for BCRYPT"
                )));
            }
            let work_factor = hash.work_factor.ok_or_else(|| missing("work-factor"))?;
            let bounds = crate::catalog::limits::WORK_FACTOR;
            if !bounds.takes(work_factor) {
                return Err(invalid_input(format!(
                    "{field}.work-factor must be from {} to {}",
                    bounds.min, bounds.max
                )));
            }
            out.insert("salt".into(), salt.into());
            out.insert("workFactor".into(), work_factor.into());
        }
        HashAlgorithm::Pbkdf2 => {
            let salt = salt.ok_or_else(|| missing("salt"))?;
            let iterations = hash
                .iteration_count
                .ok_or_else(|| missing("iteration-count"))?;
            let bounds = crate::catalog::limits::ITERATION_COUNT;
            if !bounds.takes(iterations) {
                return Err(invalid_input(format!(
                    "{field}.iteration-count must be at least {}",
                    bounds.min
                )));
            }
            let key_size = hash.key_size.ok_or_else(|| missing("key-size"))?;
            let digest = hash
                .digest_algorithm
                .ok_or_else(|| missing("digest-algorithm"))?;
            let order = hash.salt_order.ok_or_else(|| missing("salt-order"))?;
            out.insert("salt".into(), salt.into());
            out.insert("saltOrder".into(), salt_order(order).into());
            out.insert("iterationCount".into(), iterations.into());
            out.insert("keySize".into(), key_size.into());
            out.insert(
                "digestAlgorithm".into(),
                match digest {
                    DigestAlgorithm::Sha256Hmac => "SHA256_HMAC",
                    DigestAlgorithm::Sha512Hmac => "SHA512_HMAC",
                }
                .into(),
            );
        }
        HashAlgorithm::Md5
        | HashAlgorithm::Sha1
        | HashAlgorithm::Sha256
        | HashAlgorithm::Sha512 => {
            if let Some(salt) = salt {
                let order = hash.salt_order.ok_or_else(|| {
                    invalid_input(format!("{field}.salt-order is required with a salt"))
                })?;
                out.insert("salt".into(), salt.into());
                out.insert("saltOrder".into(), salt_order(order).into());
            }
        }
    }
    Ok(Value::Object(out))
}

fn salt_order(order: SaltOrder) -> &'static str {
    match order {
        SaltOrder::Prefix => "PREFIX",
        SaltOrder::Postfix => "POSTFIX",
    }
}

fn recovery_json(field: &str, q: &RecoveryQuestion) -> Result<Value, OktaError> {
    if q.question.trim().is_empty() || q.answer.trim().is_empty() {
        return Err(invalid_input(format!(
            "{field} needs both a question and an answer"
        )));
    }
    Ok(json!({ "question": q.question, "answer": q.answer }))
}

/// The `credentials` object of a create or an update: a password and a recovery question,
/// each when given.
fn credentials(
    password: Option<&PasswordInput>,
    question: Option<&RecoveryQuestion>,
) -> Result<Map<String, Value>, OktaError> {
    let mut credentials = Map::new();
    if let Some(password) = password {
        credentials.insert("password".into(), password_json("password", password)?);
    }
    if let Some(question) = question {
        credentials.insert(
            "recovery_question".into(),
            recovery_json("recovery-question", question)?,
        );
    }
    Ok(credentials)
}

/// `POST /api/v1/users?activate=&provider=&nextLogin=` with the profile and credentials.
pub(crate) fn build_create_user(req: &CreateUserRequest) -> Result<RequestSpec, OktaError> {
    let mut profile = req.profile.clone();
    if encode::non_blank(&profile.login).is_none() {
        // As Okta's own sign-up does, an email is the login when no login is given.
        let email = encode::non_blank(&profile.email)
            .ok_or_else(|| invalid_input("profile.login is required (or profile.email)"))?;
        profile.login = Some(email.to_string());
    }
    let profile = objects::profile_object(&profile, req.profile_extra.as_deref(), "profile-extra")?;
    let activate = req.activate.unwrap_or(true);
    let mut credentials = credentials(req.password.as_ref(), req.recovery_question.as_ref())?;
    if let Some(provider) = &req.provider {
        use crate::wit::types::ProviderType;
        let kind = objects::provider_type_name(provider.provider_type)
            .ok_or_else(|| invalid_input("provider.provider-type cannot be unknown"))?;
        if matches!(
            provider.provider_type,
            ProviderType::Federation | ProviderType::Social
        ) && (req.password.is_some() || req.recovery_question.is_some())
        {
            return Err(invalid_input(
                "a FEDERATION or SOCIAL provider takes no password or recovery question",
            ));
        }
        let mut p = Map::new();
        p.insert("type".into(), kind.into());
        if let Some(name) = provider.name.as_deref().filter(|n| !n.trim().is_empty()) {
            p.insert("name".into(), name.into());
        }
        credentials.insert("provider".into(), Value::Object(p));
    }
    if let Some(NextLogin::ChangePassword) = req.next_login {
        if !matches!(
            req.password,
            Some(PasswordInput::Value(_) | PasswordInput::Hash(_))
        ) {
            return Err(invalid_input("next-login change-password needs a password"));
        }
        if !activate {
            return Err(invalid_input("next-login change-password needs activate"));
        }
    }
    let mut body = Map::new();
    body.insert("profile".into(), Value::Object(profile));
    if !credentials.is_empty() {
        body.insert("credentials".into(), Value::Object(credentials));
    }
    if let Some(ids) = &req.group_ids {
        let ids: Vec<&str> = ids.iter().map(|s| s.trim()).collect();
        if ids.iter().any(|id| id.is_empty()) {
            return Err(invalid_input("group-ids contains an empty id"));
        }
        if !ids.is_empty() {
            body.insert("groupIds".into(), json!(ids));
        }
    }
    if let Some(realm) = encode::non_blank(&req.realm_id) {
        body.insert("realmId".into(), realm.into());
    }
    if let Some(type_id) = encode::non_blank(&req.type_id) {
        body.insert("type".into(), json!({ "id": type_id }));
    }
    Ok(RequestSpec::post(USERS.into())
        .query("activate", activate)
        .query_opt("provider", req.provider.as_ref().map(|_| true))
        .query_opt(
            "nextLogin",
            req.next_login
                .map(|NextLogin::ChangePassword| "changePassword"),
        )
        .json(Value::Object(body)))
}

/// `users.create-user`.
pub(crate) fn create_user<T: Transport>(
    client: &mut Client<T>,
    req: CreateUserRequest,
) -> Result<User, OktaError> {
    let spec = build_create_user(&req)?;
    let started = client.now();
    match client.send(&spec) {
        Ok(resp) => objects::user(&resp.body),
        Err(lost) if lost.kind == ErrorKind::OutcomeUnknown => {
            let login = match &spec.body {
                Some(Body::Json(body)) => body["profile"]["login"].as_str().map(str::to_string),
                _ => None,
            };
            match login {
                Some(login) => reconcile_create(client, &login, started, lost),
                None => Err(lost),
            }
        }
        Err(err) => Err(err),
    }
}

/// How far Okta's clock may be from the instance's when a lost create is reconciled.
const CLOCK_SLACK: Duration = Duration::from_secs(300);

/// After a create whose answer was lost: a login is unique, so the user with this login,
/// created since the call started (give or take the clocks' slack), is the one this call
/// created. Otherwise the lost answer stands.
fn reconcile_create<T: Transport>(
    client: &mut Client<T>,
    login: &str,
    started: SystemTime,
    lost: OktaError,
) -> Result<User, OktaError> {
    let since = started
        .checked_sub(CLOCK_SLACK)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    match find_by_login(client, login) {
        Ok(user)
            if user
                .created
                .as_deref()
                .and_then(objects::timestamp)
                .is_some_and(|created| created >= since) =>
        {
            Ok(user)
        }
        _ => Err(lost),
    }
}

/// The partial update: only the given attributes, credentials and realm. `strict` applies
/// to a password only. The path is put under the user's path once the user is found.
pub(crate) fn build_update(req: &UpdateUserRequest) -> Result<RequestSpec, OktaError> {
    let profile =
        objects::profile_object(&req.profile, req.profile_extra.as_deref(), "profile-extra")?;
    let mut body = Map::new();
    // Given `profile-extra` (`{}` too) is a profile change, if one that changes nothing.
    if !profile.is_empty() || encode::non_blank(&req.profile_extra).is_some() {
        body.insert("profile".into(), Value::Object(profile));
    }
    let credentials = credentials(req.password.as_ref(), req.recovery_question.as_ref())?;
    if !credentials.is_empty() {
        body.insert("credentials".into(), Value::Object(credentials));
    }
    if let Some(realm) = encode::non_blank(&req.realm_id) {
        body.insert("realmId".into(), realm.into());
    }
    if body.is_empty() {
        return Err(invalid_input(
            "nothing to update: set a profile field, profile-extra, password, recovery-question or realm-id",
        ));
    }
    if req.strict == Some(true) && req.password.is_none() {
        return Err(invalid_input("strict works only with a password"));
    }
    // The same attributes twice leave the same user; a password twice can trip the
    // password history policy.
    let retry = if req.password.is_some() {
        Retry::Unsafe
    } else {
        Retry::Safe
    };
    // `strict` speaks of the password: without one, its default (false) says nothing.
    let strict = req.strict.filter(|_| req.password.is_some());
    Ok(RequestSpec::post(String::new())
        .query_opt("strict", strict)
        .json(Value::Object(body))
        .retry(retry))
}

/// `users.update-user`: a partial `POST`, so attributes not given keep their values.
pub(crate) fn update_user<T: Transport>(
    client: &mut Client<T>,
    req: UpdateUserRequest,
) -> Result<User, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let spec = build_update(&req)?;
    let spec = spec.under(&user_path(client, &user)?);
    objects::user(&client.send(&spec)?.body)
}

/// `users.delete-user`: reads the status, then sends only the DELETEs its mode still
/// needs (Okta deactivates on the first and deletes a DEPROVISIONED user on the second),
/// so a repeat never goes further than the first call.
pub(crate) fn delete_user<T: Transport>(
    client: &mut Client<T>,
    req: DeleteUserRequest,
) -> Result<DeleteUserResult, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let path = user_path(client, &user)?;
    let current = client.send(&RequestSpec::get(path))?;
    let current = objects::user(&current.body)?;
    // A repeated DELETE can delete a user the first one only deactivated: never retried.
    let delete = RequestSpec::delete(id_path(&current.id)?)
        .query("sendEmail", req.send_email.unwrap_or(false))
        .retry(Retry::Unsafe);
    let deprovisioned = current.status == UserStatus::Deprovisioned;
    let (outcome, deletes) = match (req.mode.unwrap_or(DeleteMode::Deactivate), deprovisioned) {
        (DeleteMode::Deactivate, true) => (DeleteOutcome::Deactivated, 0),
        (DeleteMode::Deactivate, false) => (DeleteOutcome::Deactivated, 1),
        (DeleteMode::Delete, true) => (DeleteOutcome::Deleted, 1),
        (DeleteMode::Delete, false) => (DeleteOutcome::Deleted, 2),
    };
    for _ in 0..deletes {
        client.send(&delete)?;
    }
    Ok(DeleteUserResult {
        user_id: current.id,
        outcome,
        changed: deletes > 0,
    })
}

/// `POST {user}/lifecycle/{action}` for a transition, with optional query pairs.
fn lifecycle(path: &str, action: &str, retry: Retry) -> RequestSpec {
    RequestSpec::post(format!("{path}/lifecycle/{action}"))
        .retry(retry)
        .transition()
}

/// Runs a transition that Okta answers with an empty body.
fn transition<T: Transport>(
    client: &mut Client<T>,
    user_id: &str,
    action: &str,
    status: UserStatus,
    query: &[(&'static str, bool)],
) -> Result<LifecycleResult, OktaError> {
    let user = user_ref("user-id", user_id)?;
    let (id, path) = id_and_path(client, &user)?;
    // Each of these ends in the same status however often it runs.
    let mut spec = lifecycle(&path, action, Retry::Safe);
    for (key, value) in query {
        spec = spec.query(*key, value);
    }
    let changed = match client.send(&spec) {
        Ok(_) => true,
        Err(refusal) => already(client, &path, status, refusal)?,
    };
    Ok(LifecycleResult {
        user_id: id,
        status,
        changed,
    })
}

/// After Okta refused a transition: `Ok(false)` when the user is already in the status it
/// leads to (a repeat), otherwise the refusal.
fn already<T: Transport>(
    client: &mut Client<T>,
    path: &str,
    status: UserStatus,
    refusal: OktaError,
) -> Result<bool, OktaError> {
    if refusal.kind != ErrorKind::InvalidState {
        return Err(refusal);
    }
    let current = client
        .send(&RequestSpec::get(path.to_string()))
        .and_then(|resp| objects::user(&resp.body));
    match current {
        Ok(user) if user.status == status => Ok(false),
        _ => Err(refusal),
    }
}

/// Runs an activation, which answers with a token. `target` is the status a repeat finds
/// the user in, when Okta refuses a repeat.
fn activation<T: Transport>(
    client: &mut Client<T>,
    user_id: &str,
    action: &str,
    send_email: bool,
    target: Option<UserStatus>,
) -> Result<ActivationResult, OktaError> {
    let user = user_ref("user-id", user_id)?;
    let (id, path) = id_and_path(client, &user)?;
    // Each call mints a new token and may send an email: never retried.
    let spec = lifecycle(&path, action, Retry::Unsafe).query("sendEmail", send_email);
    let token = match (client.send(&spec), target) {
        (Ok(resp), _) => objects::parse_or_empty(&resp.body, "an activation token")?,
        (Err(refusal), Some(status)) => {
            already(client, &path, status, refusal)?;
            return Ok(ActivationResult {
                user_id: id,
                activation_url: None,
                activation_token: None,
                changed: false,
            });
        }
        (Err(err), None) => return Err(err),
    };
    Ok(ActivationResult {
        user_id: id,
        activation_url: objects::text(&token, "activationUrl"),
        activation_token: objects::text(&token, "activationToken"),
        changed: true,
    })
}

/// `users.activate-user`.
pub(crate) fn activate_user<T: Transport>(
    client: &mut Client<T>,
    req: ActivateUserRequest,
) -> Result<ActivationResult, OktaError> {
    activation(
        client,
        &req.user_id,
        "activate",
        req.send_email.unwrap_or(true),
        Some(UserStatus::Active),
    )
}

/// `users.reactivate-user`.
pub(crate) fn reactivate_user<T: Transport>(
    client: &mut Client<T>,
    req: ReactivateUserRequest,
) -> Result<ActivationResult, OktaError> {
    activation(
        client,
        &req.user_id,
        "reactivate",
        req.send_email.unwrap_or(false),
        None,
    )
}

/// `users.deactivate-user`.
pub(crate) fn deactivate_user<T: Transport>(
    client: &mut Client<T>,
    req: DeactivateUserRequest,
) -> Result<LifecycleResult, OktaError> {
    let send_email = req.send_email.unwrap_or(false);
    transition(
        client,
        &req.user_id,
        "deactivate",
        UserStatus::Deprovisioned,
        &[("sendEmail", send_email)],
    )
}

/// `users.suspend-user`.
pub(crate) fn suspend_user<T: Transport>(
    client: &mut Client<T>,
    req: SuspendUserRequest,
) -> Result<LifecycleResult, OktaError> {
    transition(client, &req.user_id, "suspend", UserStatus::Suspended, &[])
}

/// `users.unsuspend-user`.
pub(crate) fn unsuspend_user<T: Transport>(
    client: &mut Client<T>,
    req: UnsuspendUserRequest,
) -> Result<LifecycleResult, OktaError> {
    transition(client, &req.user_id, "unsuspend", UserStatus::Active, &[])
}

/// `users.unlock-user`.
pub(crate) fn unlock_user<T: Transport>(
    client: &mut Client<T>,
    req: UnlockUserRequest,
) -> Result<LifecycleResult, OktaError> {
    transition(client, &req.user_id, "unlock", UserStatus::Active, &[])
}

/// `users.reset-password`.
pub(crate) fn reset_password<T: Transport>(
    client: &mut Client<T>,
    req: ResetPasswordRequest,
) -> Result<ResetPasswordResult, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let (id, path) = id_and_path(client, &user)?;
    // A new token each time, and maybe an email: never retried.
    let spec = lifecycle(&path, "reset_password", Retry::Unsafe)
        .query("sendEmail", req.send_email.unwrap_or(true))
        .query_opt("revokeSessions", req.revoke_sessions);
    let resp = client.send(&spec)?;
    let link = objects::parse_or_empty(&resp.body, "a reset link")?;
    Ok(ResetPasswordResult {
        user_id: id,
        status: UserStatus::Recovery,
        reset_password_url: objects::text(&link, "resetPasswordUrl"),
    })
}

/// Checks `expire-password`'s options; returns whether a temporary password is wanted.
pub(crate) fn check_expire_password(req: &ExpirePasswordRequest) -> Result<bool, OktaError> {
    let temp = req.temp_password.unwrap_or(false);
    if !temp && req.revoke_sessions == Some(true) {
        return Err(invalid_input(
            "revoke-sessions works only with temp-password",
        ));
    }
    Ok(temp)
}

/// The request behind `expire-password`.
pub(crate) fn build_expire_password(
    path: &str,
    temp: bool,
    revoke_sessions: Option<bool>,
) -> RequestSpec {
    if temp {
        // Each call replaces the temporary password: never retried.
        lifecycle(path, "expire_password_with_temp_password", Retry::Unsafe)
            .query_opt("revokeSessions", revoke_sessions)
    } else {
        lifecycle(path, "expire_password", Retry::Safe)
    }
}

/// `users.expire-password`.
pub(crate) fn expire_password<T: Transport>(
    client: &mut Client<T>,
    req: ExpirePasswordRequest,
) -> Result<ExpirePasswordResult, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let temp = check_expire_password(&req)?;
    let (id, path) = id_and_path(client, &user)?;
    let resp = client.send(&build_expire_password(&path, temp, req.revoke_sessions))?;
    if temp {
        let temp = objects::parse_or_empty(&resp.body, "a temporary password")?;
        Ok(ExpirePasswordResult {
            user_id: id,
            status: UserStatus::PasswordExpired,
            temp_password: objects::text(&temp, "tempPassword"),
        })
    } else {
        let user = objects::user(&resp.body)?;
        Ok(ExpirePasswordResult {
            user_id: user.id,
            status: user.status,
            temp_password: None,
        })
    }
}

/// `users.forgot-password`.
pub(crate) fn forgot_password<T: Transport>(
    client: &mut Client<T>,
    req: ForgotPasswordRequest,
) -> Result<ForgotPasswordResult, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let (id, path) = id_and_path(client, &user)?;
    let spec = RequestSpec::post(format!("{path}/credentials/forgot_password"))
        .query("sendEmail", req.send_email.unwrap_or(true));
    let resp = client.send(&spec)?;
    let link = objects::parse_or_empty(&resp.body, "a reset link")?;
    Ok(ForgotPasswordResult {
        user_id: id,
        reset_password_url: objects::text(&link, "resetPasswordUrl"),
    })
}

fn credentials_result(user_id: String, resp: &Response) -> Result<CredentialsResult, OktaError> {
    let credentials = objects::credentials(&resp.body)?;
    Ok(CredentialsResult {
        user_id,
        provider: credentials.provider,
        recovery_question: credentials.recovery_question,
    })
}

/// The change-password body.
pub(crate) fn build_change_password_body(req: &ChangePasswordRequest) -> Result<Value, OktaError> {
    if req.old_password.is_empty() {
        return Err(invalid_input("old-password is empty"));
    }
    if req.new_password.is_empty() {
        return Err(invalid_input("new-password is empty"));
    }
    let mut body = json!({
        "oldPassword": { "value": req.old_password },
        "newPassword": { "value": req.new_password },
    });
    if let Some(revoke) = req.revoke_sessions {
        body["revokeSessions"] = revoke.into();
    }
    Ok(body)
}

/// `users.change-password`.
pub(crate) fn change_password<T: Transport>(
    client: &mut Client<T>,
    req: ChangePasswordRequest,
) -> Result<CredentialsResult, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let body = build_change_password_body(&req)?;
    let (id, path) = id_and_path(client, &user)?;
    // After a success the old password no longer matches: never retried.
    let spec = RequestSpec::post(format!("{path}/credentials/change_password"))
        .query_opt("strict", req.strict)
        .json(body);
    let resp = client.send(&spec)?;
    credentials_result(id, &resp)
}

/// `users.set-password`: an admin update of `credentials.password`, then optionally the
/// sessions cleared.
pub(crate) fn set_password<T: Transport>(
    client: &mut Client<T>,
    req: SetPasswordRequest,
) -> Result<User, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let password = password_json("password", &req.password)?;
    let path = user_path(client, &user)?;
    // A repeat can trip the password history policy: never retried.
    let spec = RequestSpec::post(path.clone())
        .query_opt("strict", req.strict)
        .json(json!({ "credentials": { "password": password } }));
    let resp = client.send(&spec)?;
    let updated = objects::user(&resp.body)?;
    if req.revoke_sessions.unwrap_or(false) {
        let sessions = format!("{}/sessions", id_path(&updated.id)?);
        client.send(&RequestSpec::delete(sessions))?;
    }
    Ok(updated)
}

/// `users.change-recovery-question`.
pub(crate) fn change_recovery_question<T: Transport>(
    client: &mut Client<T>,
    req: ChangeRecoveryQuestionRequest,
) -> Result<CredentialsResult, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    if req.password.is_empty() {
        return Err(invalid_input("password is empty"));
    }
    let question = recovery_json("recovery-question", &req.recovery_question)?;
    let (id, path) = id_and_path(client, &user)?;
    let spec = RequestSpec::post(format!("{path}/credentials/change_recovery_question"))
        .retry(Retry::Safe)
        .json(json!({ "password": { "value": req.password }, "recovery_question": question }));
    let resp = client.send(&spec)?;
    credentials_result(id, &resp)
}

/// `users.clear-user-sessions`.
pub(crate) fn clear_user_sessions<T: Transport>(
    client: &mut Client<T>,
    req: ClearUserSessionsRequest,
) -> Result<ClearUserSessionsResult, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let (id, path) = id_and_path(client, &user)?;
    let spec = RequestSpec::delete(format!("{path}/sessions"))
        .query("oauthTokens", req.oauth_tokens.unwrap_or(false))
        .query_opt("forgetDevices", req.forget_devices);
    client.send(&spec)?;
    Ok(ClearUserSessionsResult { user_id: id })
}

/// `users.list-user-groups`.
pub(crate) fn list_user_groups<T: Transport>(
    client: &mut Client<T>,
    req: ListUserGroupsRequest,
) -> Result<Vec<Group>, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let path = user_path(client, &user)?;
    let (groups, _) = client.list(
        RequestSpec::get(format!("{path}/groups")),
        &paging::everything(req.include_raw),
        objects::group,
    )?;
    Ok(groups)
}

/// The `apps` view of a user's apps: the app records assigned to the user, with the
/// assignment embedded (the pairing the spec documents under `expand`).
pub(crate) fn build_user_app_records(user_id: &str) -> RequestSpec {
    RequestSpec::get("/api/v1/apps".into())
        .query(
            "filter",
            format!("user.id eq {}", encode::filter_literal(user_id)),
        )
        .query("expand", format!("user/{user_id}"))
}

/// `users.list-user-apps`.
pub(crate) fn list_user_apps<T: Transport>(
    client: &mut Client<T>,
    req: ListUserAppsRequest,
) -> Result<UserApps, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    match req.view.unwrap_or(UserAppsView::Links) {
        UserAppsView::Links => {
            if req.page.is_some() {
                return Err(invalid_input(
                    "page works only with view apps: Okta does not page the links",
                ));
            }
            let path = user_path(client, &user)?;
            let (links, _) = client.list(
                RequestSpec::get(format!("{path}/appLinks")),
                &paging::everything(req.include_raw),
                objects::app_link,
            )?;
            Ok(UserApps {
                links,
                apps: Vec::new(),
                next_cursor: None,
            })
        }
        UserAppsView::Apps => {
            let paging = paging::plan(req.page.as_ref(), req.include_raw)?;
            let id = resolve_id(client, &user)?;
            let (apps, next_cursor) =
                client.list(build_user_app_records(&id), &paging, objects::app)?;
            Ok(UserApps {
                links: Vec::new(),
                apps,
                next_cursor,
            })
        }
    }
}

/// `users.list-user-types`.
pub(crate) fn list_user_types<T: Transport>(
    client: &mut Client<T>,
    req: ListUserTypesRequest,
) -> Result<Vec<UserType>, OktaError> {
    let spec = RequestSpec::get("/api/v1/meta/types/user".into());
    let paging = paging::everything(req.include_raw);
    Ok(client.list(spec, &paging, objects::user_type)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::fake::{FakeTransport, client};
    use crate::client::spec::{Body, Method};
    use crate::nodes::objects::empty_profile;
    use crate::wit::types::{AuthProvider, ErrorKind, PageRequest, ProviderType, SortOrder};

    fn create(login: &str) -> CreateUserRequest {
        let mut profile = empty_profile();
        profile.login = Some(login.into());
        profile.email = Some(login.into());
        CreateUserRequest {
            profile,
            profile_extra: None,
            password: None,
            recovery_question: None,
            provider: None,
            group_ids: None,
            realm_id: None,
            type_id: None,
            activate: None,
            next_login: None,
        }
    }

    fn list(q: Option<&str>, filter: Option<&str>, search: Option<&str>) -> ListUsersRequest {
        ListUsersRequest {
            q: q.map(Into::into),
            filter: filter.map(Into::into),
            search: search.map(Into::into),
            sort_by: None,
            sort_order: None,
            extra_query: None,
            include_raw: None,
            page: None,
        }
    }

    /// A user id of Okta's shape.
    const ID: &str = "00u1aaaaaaaaaaaaaaaa";

    fn user_json(id: &str, login: &str, status: &str) -> String {
        json!({"id": id, "status": status, "profile": {"login": login}}).to_string()
    }

    #[test]
    fn a_user_is_named_by_id_login_short_name_or_slashed_login() {
        assert_eq!(
            user_ref("user-id", "a+b@x.com").unwrap(),
            UserRef::Name("a%2Bb%40x.com".into())
        );
        assert_eq!(
            user_ref("user-id", " 00ub0oNGTSWTBKOLGLNR ").unwrap(),
            UserRef::Id("00ub0oNGTSWTBKOLGLNR".into())
        );
        // Not an id's shape: a short name, resolved where an id is needed.
        for name in ["jdoe", "00u1x", "me", "00ub0oNGTSWTBKOLGLN-"] {
            assert!(
                matches!(user_ref("user-id", name).unwrap(), UserRef::Name(_)),
                "{name}"
            );
        }
        assert_eq!(
            user_ref("user-id", " a/b@x.com ").unwrap(),
            UserRef::Slashed("a/b@x.com".into())
        );
        assert!(user_ref("user-id", "").is_err());
        assert_eq!(
            build_find_by_login("a/\"b\"@x.com").path_and_query(),
            "/api/v1/users?search=profile.login%20eq%20%22a%2F%5C%22b%5C%22%40x.com%22&limit=2"
        );
    }

    #[test]
    fn list_users_takes_one_query_and_sorts_only_searches() {
        let (spec, _) = build_list_users(&list(None, None, None)).unwrap();
        assert_eq!(spec.path_and_query(), "/api/v1/users");
        let mut req = list(None, None, Some("profile.department eq \"Eng\""));
        req.sort_by = Some("profile.lastName".into());
        req.sort_order = Some(SortOrder::Descending);
        req.page = Some(PageRequest {
            limit: Some(2),
            after: None,
            fetch_all: None,
            max_items: None,
        });
        let (spec, paging) = build_list_users(&req).unwrap();
        assert_eq!(spec.query_value("sortBy"), Some("profile.lastName"));
        assert_eq!(spec.query_value("sortOrder"), Some("desc"));
        assert_eq!(paging.limit, Some(2));
        assert!(build_list_users(&list(Some("a"), Some("status eq \"ACTIVE\""), None)).is_err());
        let mut req = list(None, Some("status eq \"ACTIVE\""), None);
        req.sort_by = Some("id".into());
        assert!(build_list_users(&req).is_err());
        // Blank queries count as absent.
        assert!(build_list_users(&list(Some(" "), Some("status eq \"ACTIVE\""), None)).is_ok());
    }

    #[test]
    fn create_sends_profile_extra_credentials_and_flags() {
        let mut req = create("a@x.com");
        req.profile_extra = Some(r#"{"favoriteColor":"blue"}"#.into());
        req.password = Some(PasswordInput::Value("Secr3t!pass".into()));
        req.recovery_question = Some(RecoveryQuestion {
            question: "q?".into(),
            answer: "a".into(),
        });
        req.group_ids = Some(vec!["00g1".into()]);
        req.type_id = Some("oty1".into());
        req.realm_id = Some("guo1".into());
        req.activate = Some(true);
        req.next_login = Some(NextLogin::ChangePassword);
        let spec = build_create_user(&req).unwrap();
        assert_eq!(spec.method, Method::Post);
        assert_eq!(spec.retry, Retry::Unsafe);
        assert_eq!(
            spec.path_and_query(),
            "/api/v1/users?activate=true&nextLogin=changePassword"
        );
        assert_eq!(
            spec.body.unwrap(),
            json!({
                "profile": {"login": "a@x.com", "email": "a@x.com", "favoriteColor": "blue"},
                "credentials": {"password": {"value": "Secr3t!pass"}, "recovery_question": {"question": "q?", "answer": "a"}},
                "groupIds": ["00g1"],
                "realmId": "guo1",
                "type": {"id": "oty1"},
            })
        );
    }

    #[test]
    fn profile_extra_only_clears_a_standard_attribute_and_blank_text_is_not_given() {
        let mut req = create("a@x.com");
        req.profile.title = Some("  ".into());
        req.profile_extra = Some(r#"{"nickName": null, "badge": "B-1"}"#.into());
        let json = |req: &CreateUserRequest| match build_create_user(req).unwrap().body {
            Some(Body::Json(body)) => body,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            json(&req)["profile"],
            json!({"login": "a@x.com", "email": "a@x.com", "nickName": null, "badge": "B-1"})
        );
        // A standard attribute with a value belongs in its field.
        req.profile_extra = Some(r#"{"title": "Chief"}"#.into());
        let err = build_create_user(&req).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert!(err.message.contains("`title`"), "{}", err.message);
        // Null beside a given field: the field stands.
        req.profile.title = Some("Chief".into());
        req.profile_extra = Some(r#"{"title": null}"#.into());
        assert_eq!(json(&req)["profile"]["title"], "Chief");
    }

    #[test]
    fn a_bcrypt_salt_is_22_characters_not_bytes_and_a_blank_salt_is_none() {
        let hash = |salt: &str| PasswordHash {
            algorithm: HashAlgorithm::Bcrypt,
            value: "v".into(),
            salt: Some(salt.into()),
            salt_order: None,
            work_factor: Some(10),
            iteration_count: None,
            key_size: None,
            digest_algorithm: None,
        };
        assert!(hash_json("h", &hash(&"é".repeat(22))).is_ok());
        assert!(hash_json("h", &hash(&"a".repeat(21))).is_err());
        let err = hash_json("h", &hash("   ")).unwrap_err();
        assert!(
            err.message.contains("h.salt is required"),
            "{}",
            err.message
        );
    }

    #[test]
    fn create_checks_its_input_before_sending() {
        // Without a login, the email is the login; without either, nothing is sent.
        let mut email_only = create("a@x.com");
        email_only.profile.login = Some(" ".into());
        let body = build_create_user(&email_only).unwrap().body.unwrap();
        assert!(matches!(body, Body::Json(body) if body["profile"]["login"] == "a@x.com"));
        let mut no_login = email_only.clone();
        no_login.profile.email = None;
        assert!(
            matches!(build_create_user(&no_login), Err(e) if e.kind == ErrorKind::InvalidInput && e.message.contains("login"))
        );

        let mut staged_expiry = create("a@x.com");
        staged_expiry.password = Some(PasswordInput::Value("p".into()));
        staged_expiry.activate = Some(false);
        staged_expiry.next_login = Some(NextLogin::ChangePassword);
        assert!(build_create_user(&staged_expiry).is_err());

        let mut federated = create("a@x.com");
        federated.provider = Some(AuthProvider {
            provider_type: ProviderType::Federation,
            name: None,
        });
        assert_eq!(
            build_create_user(&federated)
                .unwrap()
                .query_value("provider"),
            Some("true")
        );
        federated.password = Some(PasswordInput::Value("p".into()));
        assert!(build_create_user(&federated).is_err());

        let mut bad_groups = create("a@x.com");
        bad_groups.group_ids = Some(vec!["00g1".into(), "".into()]);
        assert!(build_create_user(&bad_groups).is_err());
    }

    fn hash(algorithm: HashAlgorithm) -> PasswordHash {
        PasswordHash {
            algorithm,
            value: "aGFzaA==".into(),
            salt: None,
            salt_order: None,
            work_factor: None,
            iteration_count: None,
            key_size: None,
            digest_algorithm: None,
        }
    }

    #[test]
    fn password_hashes_need_what_their_algorithm_needs() {
        let mut bcrypt = hash(HashAlgorithm::Bcrypt);
        assert!(hash_json("p", &bcrypt).is_err());
        bcrypt.salt = Some("rwh3vH166HCH/NT9XV5FYu".into());
        assert!(hash_json("p", &bcrypt).is_err());
        bcrypt.work_factor = Some(10);
        assert_eq!(
            hash_json("p", &bcrypt).unwrap(),
            json!({"algorithm": "BCRYPT", "value": "aGFzaA==", "salt": "rwh3vH166HCH/NT9XV5FYu", "workFactor": 10})
        );
        bcrypt.work_factor = Some(21);
        assert!(hash_json("p", &bcrypt).is_err());

        let mut sha = hash(HashAlgorithm::Sha512);
        assert_eq!(
            hash_json("p", &sha).unwrap(),
            json!({"algorithm": "SHA-512", "value": "aGFzaA=="})
        );
        sha.salt = Some("c2FsdA==".into());
        assert!(hash_json("p", &sha).is_err());
        sha.salt_order = Some(SaltOrder::Postfix);
        assert_eq!(hash_json("p", &sha).unwrap()["saltOrder"], "POSTFIX");

        let mut pbkdf2 = hash(HashAlgorithm::Pbkdf2);
        pbkdf2.salt = Some("c2FsdA==".into());
        pbkdf2.salt_order = Some(SaltOrder::Prefix);
        pbkdf2.iteration_count = Some(1000);
        pbkdf2.key_size = Some(32);
        pbkdf2.digest_algorithm = Some(DigestAlgorithm::Sha256Hmac);
        assert!(
            matches!(hash_json("p", &pbkdf2), Err(e) if e.kind == ErrorKind::InvalidInput && e.message.contains("4096"))
        );
        pbkdf2.iteration_count = Some(4096);
        let out = hash_json("p", &pbkdf2).unwrap();
        assert_eq!(out["digestAlgorithm"], "SHA256_HMAC");
        assert_eq!(out["iterationCount"], 4096);

        let mut empty = hash(HashAlgorithm::Md5);
        empty.value = " ".into();
        assert!(hash_json("p", &empty).is_err());
        assert_eq!(
            password_json("p", &PasswordInput::Hook).unwrap(),
            json!({"hook": {"type": "default"}})
        );
        assert!(password_json("p", &PasswordInput::Value(String::new())).is_err());
    }

    #[test]
    fn update_sends_only_what_changes() {
        let update = |profile, extra: Option<&str>| UpdateUserRequest {
            user_id: ID.into(),
            profile,
            profile_extra: extra.map(str::to_string),
            password: None,
            recovery_question: None,
            strict: None,
            realm_id: None,
        };
        let mut profile = empty_profile();
        profile.title = Some("CTO".into());
        let spec = build_update(&update(profile, Some(r#"{"team":"core"}"#))).unwrap();
        assert_eq!(
            spec.body.unwrap(),
            json!({"profile": {"title": "CTO", "team": "core"}})
        );
        assert_eq!(spec.retry, Retry::Safe);
        assert!(matches!(
            build_update(&update(empty_profile(), None)),
            Err(OktaError {
                kind: ErrorKind::InvalidInput,
                ..
            })
        ));
        // Credentials and the realm, as Okta's `UpdateUserRequest` takes them.
        let mut credentials = update(empty_profile(), None);
        credentials.password = Some(PasswordInput::Value("N3w!password".into()));
        credentials.recovery_question = Some(RecoveryQuestion {
            question: "q?".into(),
            answer: "a".into(),
        });
        credentials.strict = Some(true);
        credentials.realm_id = Some("guo1".into());
        let spec = build_update(&credentials).unwrap().under("/api/v1/users/x");
        assert_eq!(spec.path_and_query(), "/api/v1/users/x?strict=true");
        assert_eq!(
            spec.body.unwrap(),
            json!({"credentials": {"password": {"value": "N3w!password"}, "recovery_question": {"question": "q?", "answer": "a"}}, "realmId": "guo1"})
        );
        assert_eq!(
            spec.retry,
            Retry::Unsafe,
            "a password twice can trip the history policy"
        );
        let mut strict_alone = update(empty_profile(), Some(r#"{"a":1}"#));
        strict_alone.strict = Some(true);
        assert!(build_update(&strict_alone).is_err());
        // Its default, false, stands alone and is not sent.
        strict_alone.strict = Some(false);
        assert_eq!(build_update(&strict_alone).unwrap().path_and_query(), "");
    }

    #[test]
    fn expire_password_picks_the_endpoint() {
        let req = |temp, revoke| ExpirePasswordRequest {
            user_id: "00u1aaaaaaaaaaaaaaaa".into(),
            temp_password: temp,
            revoke_sessions: revoke,
        };
        assert!(!check_expire_password(&req(None, None)).unwrap());
        assert!(check_expire_password(&req(None, Some(true))).is_err());
        assert!(check_expire_password(&req(Some(true), Some(true))).unwrap());
        assert_eq!(
            build_expire_password("/api/v1/users/00u1aaaaaaaaaaaaaaaa", false, None)
                .path_and_query(),
            "/api/v1/users/00u1aaaaaaaaaaaaaaaa/lifecycle/expire_password"
        );
        let spec = build_expire_password("/api/v1/users/00u1aaaaaaaaaaaaaaaa", true, Some(true));
        assert_eq!(
            spec.path_and_query(),
            "/api/v1/users/00u1aaaaaaaaaaaaaaaa/lifecycle/expire_password_with_temp_password?revokeSessions=true"
        );
        assert_eq!(spec.retry, Retry::Unsafe);
    }

    #[test]
    fn change_password_body() {
        let mut req = ChangePasswordRequest {
            user_id: "00u1aaaaaaaaaaaaaaaa".into(),
            old_password: "old".into(),
            new_password: "new".into(),
            strict: None,
            revoke_sessions: Some(true),
        };
        assert_eq!(
            build_change_password_body(&req).unwrap(),
            json!({"oldPassword": {"value": "old"}, "newPassword": {"value": "new"}, "revokeSessions": true})
        );
        req.new_password.clear();
        assert!(build_change_password_body(&req).is_err());
    }

    #[test]
    fn an_id_only_endpoint_looks_a_login_up() {
        let transport =
            FakeTransport::default().respond(200, &[], &user_json("00u7", "a@x.com", "ACTIVE"));
        let mut c = client(transport);
        let id = resolve_id(&mut c, &user_ref("user-id", "a@x.com").unwrap()).unwrap();
        assert_eq!(id, "00u7");
        assert_eq!(
            c.transport().seen[0].url,
            "https://x.okta.com/api/v1/users/a%40x.com"
        );
        let id = resolve_id(
            &mut c,
            &user_ref("user-id", "00u8aaaaaaaaaaaaaaaa").unwrap(),
        )
        .unwrap();
        assert_eq!(
            (id.as_str(), c.transport().seen.len()),
            ("00u8aaaaaaaaaaaaaaaa", 1)
        );
    }

    #[test]
    fn get_by_login_with_a_slash_searches() {
        let transport = FakeTransport::default().respond(
            200,
            &[],
            &format!("[{}]", user_json("00u9", "a/b@x.com", "ACTIVE")),
        );
        let mut c = client(transport);
        let user = get_user(
            &mut c,
            GetUserRequest {
                user_id: "a/b@x.com".into(),
                expand: None,
            },
        )
        .unwrap();
        assert_eq!(user.id, "00u9");
        let seen = &c.transport().seen;
        assert_eq!(seen.len(), 1);
        assert!(
            seen[0]
                .url
                .contains("search=profile.login%20eq%20%22a%2Fb%40x.com%22"),
            "{}",
            seen[0].url
        );

        let mut c = client(FakeTransport::default().respond(200, &[], "[]"));
        let err = get_user(
            &mut c,
            GetUserRequest {
                user_id: "a/b@x.com".into(),
                expand: None,
            },
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::NotFound);
    }

    #[test]
    fn a_lifecycle_node_on_a_slashed_login_resolves_the_id_first() {
        let transport = FakeTransport::default()
            .respond(
                200,
                &[],
                &format!("[{}]", user_json("00u9", "a/b@x.com", "ACTIVE")),
            )
            .respond(200, &[], "");
        let mut c = client(transport);
        let out = suspend_user(
            &mut c,
            SuspendUserRequest {
                user_id: "a/b@x.com".into(),
            },
        )
        .unwrap();
        assert_eq!(out.status, UserStatus::Suspended);
        assert_eq!(
            c.transport().seen[1].url,
            "https://x.okta.com/api/v1/users/00u9/lifecycle/suspend"
        );
    }

    #[test]
    fn delete_deactivates_then_deletes_when_asked() {
        let active = user_json("00u1aaaaaaaaaaaaaaaa", "a@x.com", "ACTIVE");
        let transport = FakeTransport::default()
            .respond(200, &[], &active)
            .respond(204, &[], "")
            .respond(204, &[], "");
        let mut c = client(transport);
        let out = delete_user(
            &mut c,
            DeleteUserRequest {
                user_id: "00u1aaaaaaaaaaaaaaaa".into(),
                mode: Some(DeleteMode::Delete),
                send_email: None,
            },
        )
        .unwrap();
        assert_eq!(out.outcome, DeleteOutcome::Deleted);
        let methods: Vec<_> = c.transport().seen.iter().map(|s| s.method).collect();
        assert_eq!(methods, vec![Method::Get, Method::Delete, Method::Delete]);
        assert!(
            c.transport().seen[1]
                .url
                .ends_with("/api/v1/users/00u1aaaaaaaaaaaaaaaa?sendEmail=false")
        );

        let transport = FakeTransport::default()
            .respond(200, &[], &active)
            .respond(204, &[], "");
        let mut c = client(transport);
        let out = delete_user(
            &mut c,
            DeleteUserRequest {
                user_id: "00u1aaaaaaaaaaaaaaaa".into(),
                mode: None,
                send_email: Some(true),
            },
        )
        .unwrap();
        assert_eq!(out.outcome, DeleteOutcome::Deactivated);
        assert_eq!(c.transport().seen.len(), 2);

        let gone = user_json("00u1aaaaaaaaaaaaaaaa", "a@x.com", "DEPROVISIONED");
        let transport = FakeTransport::default()
            .respond(200, &[], &gone)
            .respond(204, &[], "");
        let mut c = client(transport);
        let out = delete_user(
            &mut c,
            DeleteUserRequest {
                user_id: "00u1aaaaaaaaaaaaaaaa".into(),
                mode: Some(DeleteMode::Delete),
                send_email: None,
            },
        )
        .unwrap();
        assert_eq!(out.outcome, DeleteOutcome::Deleted);
        assert_eq!(c.transport().seen.len(), 2);
    }

    #[test]
    fn a_failed_delete_is_not_repeated() {
        let transport = FakeTransport::default()
            .respond(
                200,
                &[],
                &user_json("00u1aaaaaaaaaaaaaaaa", "a@x.com", "ACTIVE"),
            )
            .respond(503, &[], "{}");
        let mut c = client(transport);
        let err = delete_user(
            &mut c,
            DeleteUserRequest {
                user_id: "00u1aaaaaaaaaaaaaaaa".into(),
                mode: Some(DeleteMode::Delete),
                send_email: None,
            },
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Server);
        assert_eq!(c.transport().seen.len(), 2);
    }

    #[test]
    fn activation_returns_the_link_when_no_email_is_sent() {
        let transport = FakeTransport::default()
            .respond(200, &[], &user_json(ID, "a@x.com", "STAGED"))
            .respond(
                200,
                &[],
                r#"{"activationUrl":"https://x/welcome/t","activationToken":"t"}"#,
            );
        let mut c = client(transport);
        let out = activate_user(
            &mut c,
            ActivateUserRequest {
                user_id: "a@x.com".into(),
                send_email: Some(false),
            },
        )
        .unwrap();
        assert_eq!(out.activation_token.as_deref(), Some("t"));
        // The result carries the id, never the login that was given.
        assert_eq!(out.user_id, ID);
        let urls: Vec<_> = c.transport().seen.iter().map(|s| s.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://x.okta.com/api/v1/users/a%40x.com".to_string(),
                format!("https://x.okta.com/api/v1/users/{ID}/lifecycle/activate?sendEmail=false"),
            ]
        );
        let transport = FakeTransport::default().respond(200, &[], "");
        let mut c = client(transport);
        let out = activate_user(
            &mut c,
            ActivateUserRequest {
                user_id: "00u1aaaaaaaaaaaaaaaa".into(),
                send_email: None,
            },
        )
        .unwrap();
        assert_eq!(out.activation_url, None);
    }

    #[test]
    fn a_wrong_state_on_suspend_is_invalid_state() {
        let transport = FakeTransport::default().respond(
            400,
            &[],
            r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: suspend","errorCauses":[{"errorSummary":"Cannot suspend a user that is not active"}]}"#,
        );
        let mut c = client(transport);
        let err = suspend_user(
            &mut c,
            SuspendUserRequest {
                user_id: "00u1aaaaaaaaaaaaaaaa".into(),
            },
        )
        .unwrap_err();
        assert!(
            err.kind == ErrorKind::InvalidState && err.error_code.as_deref() == Some("E0000001")
        );
    }

    #[test]
    fn set_password_can_revoke_sessions_afterwards() {
        let transport = FakeTransport::default()
            .respond(
                200,
                &[],
                &user_json("00u1aaaaaaaaaaaaaaaa", "a@x.com", "ACTIVE"),
            )
            .respond(204, &[], "");
        let mut c = client(transport);
        let req = SetPasswordRequest {
            user_id: "00u1aaaaaaaaaaaaaaaa".into(),
            password: PasswordInput::Value("N3w!password".into()),
            strict: Some(true),
            revoke_sessions: Some(true),
        };
        set_password(&mut c, req).unwrap();
        let seen = &c.transport().seen;
        assert_eq!(
            seen[0].url,
            "https://x.okta.com/api/v1/users/00u1aaaaaaaaaaaaaaaa?strict=true"
        );
        assert_eq!(
            seen[0].body.as_deref(),
            Some(r#"{"credentials":{"password":{"value":"N3w!password"}}}"#)
        );
        assert_eq!(
            (seen[1].method, seen[1].url.as_str()),
            (
                Method::Delete,
                "https://x.okta.com/api/v1/users/00u1aaaaaaaaaaaaaaaa/sessions"
            )
        );
    }

    #[test]
    fn clear_sessions_query() {
        let mut c = client(FakeTransport::default().respond(204, &[], ""));
        clear_user_sessions(
            &mut c,
            ClearUserSessionsRequest {
                user_id: "00u1aaaaaaaaaaaaaaaa".into(),
                oauth_tokens: Some(true),
                forget_devices: Some(false),
            },
        )
        .unwrap();
        assert_eq!(
            c.transport().seen[0].url,
            "https://x.okta.com/api/v1/users/00u1aaaaaaaaaaaaaaaa/sessions?oauthTokens=true&forgetDevices=false"
        );
    }

    #[test]
    fn nothing_is_sent_for_bad_input() {
        let mut c = client(FakeTransport::default());
        assert!(
            suspend_user(
                &mut c,
                SuspendUserRequest {
                    user_id: "..".into()
                }
            )
            .is_err()
        );
        assert!(
            update_user(
                &mut c,
                UpdateUserRequest {
                    user_id: "a/b".into(),
                    profile: empty_profile(),
                    profile_extra: None,
                    password: None,
                    recovery_question: None,
                    strict: None,
                    realm_id: None,
                }
            )
            .is_err()
        );
        let req = ListUserGroupsRequest {
            user_id: "a\nb".into(),
            include_raw: None,
        };
        assert!(list_user_groups(&mut c, req).is_err());
        assert!(c.transport().seen.is_empty());
    }
}
