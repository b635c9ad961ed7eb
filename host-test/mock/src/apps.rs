//! `/api/v1/apps`: app instances and users' assignments to them.

use super::errors::MockError;
use super::filter;
use super::state::{MockApp, MockAssignment, State, Status, timestamp};
use super::{Call, Mock, Reply, page};
use axum::extract::{Path, State as Extract};
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};
use std::time::SystemTime;

/// An app as Okta returns it.
fn app_json(app: &MockApp, base: &str) -> Value {
    json!({
        "id": app.id,
        "name": app.name,
        "label": app.label,
        "status": app.status,
        "signOnMode": app.sign_on_mode,
        "created": timestamp(app.created),
        "lastUpdated": timestamp(app.created),
        "accessibility": { "selfService": false, "errorRedirectUrl": null, "loginRedirectUrl": null },
        "visibility": { "autoSubmitToolbar": false, "hide": { "iOS": false, "web": false } },
        "features": [],
        "settings": { "app": {} },
        "_links": {
            "self": { "href": format!("{base}/api/v1/apps/{}", app.id) },
            "users": { "href": format!("{base}/api/v1/apps/{}/users", app.id) },
        },
    })
}

/// An assignment as Okta returns it (an AppUser).
fn assignment_json(app_id: &str, user_id: &str, a: &MockAssignment, base: &str) -> Value {
    json!({
        "id": user_id,
        "externalId": null,
        "created": timestamp(a.created),
        "lastUpdated": timestamp(a.last_updated),
        "scope": a.scope,
        "status": "PROVISIONED",
        "statusChanged": timestamp(a.created),
        "passwordChanged": null,
        "syncState": "DISABLED",
        "credentials": { "userName": a.username },
        "profile": a.profile,
        "_links": {
            "app": { "href": format!("{base}/api/v1/apps/{app_id}") },
            "user": { "href": format!("{base}/api/v1/users/{user_id}") },
        },
    })
}

fn find_app<'a>(state: &'a State, id: &str) -> Result<&'a MockApp, MockError> {
    state
        .apps
        .get(id)
        .ok_or_else(|| MockError::not_found(id, "AppInstance"))
}

/// `GET /api/v1/apps`.
pub async fn list(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let state = mock.lock();
    // Without `includeNonDeleted`, only active apps are listed.
    let every = call.bool_param("includeNonDeleted")?.unwrap_or(false);
    let q = call.param("q").map(str::to_lowercase);
    let expr = call
        .param("filter")
        .map(filter::parse)
        .transpose()
        .map_err(MockError::bad_search)?;
    let cursor = page::Cursor::of(&call)?;
    // `filter=user.id eq "{id}"`: the apps assigned to a user, each with the assignment
    // embedded when asked with `expand=user/{id}` (the pairing Okta's spec documents).
    let user = expr
        .as_ref()
        .and_then(|expr| filter::equality(expr, "user.id"));
    let embed = user.filter(|id| call.param("expand") == Some(&format!("user/{id}")));
    let assigned: Option<std::collections::BTreeSet<&str>> =
        user.map(|id| state.apps_of(id).collect());
    // An org has few apps: each is matched as Okta returns it.
    let walk = state
        .apps
        .range(cursor.range())
        .filter(|(id, _)| {
            assigned
                .as_ref()
                .is_none_or(|apps| apps.contains(id.as_str()))
        })
        .filter(|(_, a)| every || a.status == "ACTIVE")
        .filter(|(_, a)| {
            q.as_ref().is_none_or(|q| {
                a.name.to_lowercase().starts_with(q) || a.label.to_lowercase().starts_with(q)
            })
        })
        .map(|(id, a)| {
            let mut json = app_json(a, &call.base);
            if let Some(user) = embed
                && let Some(assignment) = state.assignment(id, user)
            {
                json["_embedded"] =
                    json!({ "user": assignment_json(id, user, assignment, &call.base) });
            }
            (id, json)
        })
        .filter(|(_, json)| {
            user.is_some()
                || expr
                    .as_ref()
                    .is_none_or(|expr| filter::matches(expr, json, false))
        });
    Ok(cursor.page(&call, walk, |json| json))
}

/// `GET /api/v1/apps/{id}`.
pub async fn get(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    Ok(page::json(app_json(find_app(&state, &id)?, &call.base)))
}

/// `GET /api/v1/apps/{id}/users`.
pub async fn users(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    find_app(&state, &id)?;
    let q = call.param("q").map(str::to_lowercase);
    let cursor = page::Cursor::of(&call)?;
    let assigned = state
        .app_assignments(&id, cursor.after.as_deref())
        .filter(|(user, a)| {
            let Some(q) = &q else { return true };
            let starts = |v: Option<&str>| v.is_some_and(|v| v.to_lowercase().starts_with(q));
            let profile = state.users.get(*user).map(|u| &u.profile);
            starts(a.username.as_deref())
                || ["firstName", "lastName", "email"]
                    .iter()
                    .any(|k| starts(profile.and_then(|p| p.get(*k)).and_then(Value::as_str)))
        })
        .map(|(user, a)| (user, (user, a)));
    Ok(cursor.page(&call, assigned, |(user, a)| {
        assignment_json(&id, user, a, &call.base)
    }))
}

/// The largest logo Okta takes.
const MAX_LOGO: usize = 1 << 20;

/// `POST /api/v1/apps/{id}/logo`: one `multipart/form-data` part named `file`, an image
/// under 1 MB. Answers 201 with no body.
pub async fn upload_logo(
    Extract(mock): Extract<Mock>,
    Path(id): Path<String>,
    call: Call,
) -> Reply {
    find_app(&mock.lock(), &id)?;
    let invalid = |why: &str| MockError::validation("file", format!("file: {why}"));
    let boundary = call
        .content_type()
        .and_then(|t| t.strip_prefix("multipart/form-data; boundary="))
        .ok_or_else(|| invalid("the request must be multipart/form-data"))?;
    let body = String::from_utf8_lossy(call.body());
    let file = body
        .split(&format!("--{boundary}"))
        .find(|part| part.contains("name=\"file\""))
        .and_then(|part| part.split_once("\r\n\r\n"))
        .map(|(head, data)| (head.to_ascii_lowercase(), data.len().saturating_sub(2)))
        .ok_or_else(|| invalid("a part named file is required"))?;
    let (head, size) = file;
    let image = ["image/png", "image/jpeg", "image/gif", "image/svg+xml"]
        .iter()
        .any(|t| head.contains(&format!("content-type: {t}")));
    if !image || size == 0 || size > MAX_LOGO {
        return Err(invalid("a PNG, JPG, SVG or GIF image under 1 MB"));
    }
    Ok(axum::http::StatusCode::CREATED.into_response())
}

/// The app username and profile an assignment request sets.
type AssignmentChange = (Option<String>, Option<Map<String, Value>>);

/// Reads the credentials and profile of an assignment request.
fn read_assignment(body: &Value) -> Result<AssignmentChange, MockError> {
    let username = body
        .pointer("/credentials/userName")
        .and_then(Value::as_str)
        .map(str::to_string);
    let profile = match body.get("profile") {
        None | Some(Value::Null) => None,
        Some(Value::Object(p)) => Some(p.clone()),
        Some(_) => {
            return Err(MockError::validation(
                "profile",
                "profile: must be an object",
            ));
        }
    };
    Ok((username, profile))
}

/// `POST /api/v1/apps/{id}/users`.
pub async fn assign(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let body = call.json()?;
    let user_id = body
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| MockError::validation("appUser", "id: The field cannot be left blank"))?
        .to_string();
    let (username, profile) = read_assignment(&body)?;
    let mut state = mock.lock();
    find_app(&state, &id)?;
    let user = state
        .users
        .get(&user_id)
        .ok_or_else(|| MockError::not_found(&user_id, "User"))?;
    if matches!(user.status, Status::Deprovisioned | Status::Suspended) {
        return Err(MockError::new(
            403,
            "E0000117",
            "Cannot assign apps or update app profiles for an inactive user.",
        ));
    }
    if state.assignment(&id, &user_id).is_some() {
        return Err(MockError::new(
            409,
            "E0000062",
            "The specified user is already assigned to the application.",
        ));
    }
    let now = SystemTime::now();
    let assignment = MockAssignment {
        scope: body
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or("USER")
            .to_string(),
        username: username.or_else(|| Some(user.login().to_string())),
        profile: profile.unwrap_or_default(),
        created: now,
        last_updated: now,
    };
    let reply = page::json(assignment_json(&id, &user_id, &assignment, &call.base));
    state.add_assignment(&id, &user_id, assignment);
    let targets = vec![state.user_target(&user_id), state.app_target(&id)];
    state.log(
        "application.user_membership.add",
        "Add user to application membership",
        targets,
    );
    Ok(reply)
}

/// `GET /api/v1/apps/{id}/users/{userId}`.
pub async fn assignment(
    Extract(mock): Extract<Mock>,
    Path((id, user)): Path<(String, String)>,
    call: Call,
) -> Reply {
    let state = mock.lock();
    find_app(&state, &id)?;
    let a = state
        .assignment(&id, &user)
        .ok_or_else(|| MockError::not_found(&user, "AppUser"))?;
    Ok(page::json(assignment_json(&id, &user, a, &call.base)))
}

/// `POST /api/v1/apps/{id}/users/{userId}`.
pub async fn update(
    Extract(mock): Extract<Mock>,
    Path((id, user)): Path<(String, String)>,
    call: Call,
) -> Reply {
    let body = call.json()?;
    let (username, profile) = read_assignment(&body)?;
    if username.is_none() && profile.is_none() && body.pointer("/credentials/password").is_none() {
        return Err(MockError::validation(
            "appUser",
            "credentials or profile is required",
        ));
    }
    let mut state = mock.lock();
    find_app(&state, &id)?;
    let a = state
        .assignment_mut(&id, &user)
        .ok_or_else(|| MockError::not_found(&user, "AppUser"))?;
    if username.is_some() {
        a.username = username;
    }
    for (k, v) in profile.unwrap_or_default() {
        a.profile.insert(k, v);
    }
    a.last_updated = SystemTime::now();
    let reply = page::json(assignment_json(&id, &user, a, &call.base));
    let targets = vec![state.user_target(&user), state.app_target(&id)];
    state.log(
        "application.user_membership.change_username",
        "Update user in application",
        targets,
    );
    Ok(reply)
}

/// `DELETE /api/v1/apps/{id}/users/{userId}`.
pub async fn unassign(
    Extract(mock): Extract<Mock>,
    Path((id, user)): Path<(String, String)>,
    call: Call,
) -> Reply {
    call.bool_param("sendEmail")?;
    let mut state = mock.lock();
    find_app(&state, &id)?;
    if !state.remove_assignment(&id, &user) {
        return Err(MockError::not_found(&user, "AppUser"));
    }
    let targets = vec![state.user_target(&user), state.app_target(&id)];
    state.log(
        "application.user_membership.remove",
        "Remove user from application membership",
        targets,
    );
    Ok(page::no_content())
}
