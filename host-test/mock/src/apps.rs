//! `/api/v1/apps`: app instances and users' assignments to them.

use super::errors::MockError;
use super::filter;
use super::state::{MockApp, MockAssignment, State, Status, timestamp};
use super::{Call, Mock, Reply, page};
use axum::extract::{Path, State as Extract};
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};
use std::time::SystemTime;

/// An app as Okta returns it: its own members over Okta's defaults, and the links its
/// status offers.
fn app_json(app: &MockApp, base: &str) -> Value {
    let own = format!("{base}/api/v1/apps/{}", app.id);
    let mut json = json!({
        "id": app.id,
        "orn": format!("orn:okta:idp:mock:apps:{}:{}", app.name, app.id),
        "name": app.name,
        "label": app.label,
        "status": app.status,
        "signOnMode": app.sign_on_mode,
        "created": timestamp(app.created),
        "lastUpdated": timestamp(app.last_updated),
        "accessibility": { "selfService": false, "errorRedirectUrl": null, "loginRedirectUrl": null },
        "visibility": {
            "autoSubmitToolbar": false,
            "autoLaunch": false,
            "hide": { "iOS": false, "web": false },
            "appLinks": { app.name.clone(): true },
        },
        "features": [],
        "credentials": { "userNameTemplate": { "template": "${source.login}", "type": "BUILT_IN" } },
        "settings": { "app": {} },
    });
    for (member, value) in &app.members {
        json[member] = value.clone();
    }
    let lifecycle = if app.status == "ACTIVE" {
        "deactivate"
    } else {
        "activate"
    };
    json["_links"] = json!({
        "self": { "href": own },
        "users": { "href": format!("{own}/users") },
        "groups": { "href": format!("{own}/groups") },
        "logo": [{ "name": "medium", "href": format!("{base}/assets/img/logos/{}.png", app.name), "type": "image/png" }],
        "appLinks": [{ "name": app.name, "href": format!("{base}/home/{}/{}/alnk", app.name, app.id), "type": "text/html" }],
        lifecycle: { "href": format!("{own}/lifecycle/{lifecycle}") },
    });
    json
}

/// The sign-on modes Okta's spec names, with the integration name an app of each must
/// have (`None`: any catalog app's name).
const SIGN_ON_MODES: &[(&str, Option<&str>)] = &[
    ("AUTO_LOGIN", None),
    ("BASIC_AUTH", Some("template_basic_auth")),
    ("BOOKMARK", Some("bookmark")),
    ("BROWSER_PLUGIN", None),
    ("OPENID_CONNECT", Some("oidc_client")),
    ("SAML_1_1", None),
    ("SAML_2_0", None),
    ("SECURE_PASSWORD_STORE", Some("template_sps")),
    ("WS_FEDERATION", Some("template_wsfed")),
];

/// Reads an app a client creates or replaces: label, sign-on mode, name, and the members
/// kept as given. A bookmark needs its URL.
fn read_app(
    body: &Value,
    name_now: Option<&str>,
) -> Result<(String, String, String, Map<String, Value>), MockError> {
    let invalid = |why: String| MockError::validation("app", why);
    let label = body["label"]
        .as_str()
        .filter(|l| !l.trim().is_empty())
        .ok_or_else(|| invalid("label: The field cannot be left blank".into()))?;
    let mode = body["signOnMode"]
        .as_str()
        .ok_or_else(|| invalid("signOnMode: The field cannot be left blank".into()))?;
    let (_, fixed) = SIGN_ON_MODES
        .iter()
        .find(|(m, _)| *m == mode)
        .ok_or_else(|| invalid(format!("signOnMode: '{mode}' is not a sign-on mode")))?;
    // A custom app's name is Okta's to give, from the label: `{org}_{label}_1`.
    let generated = format!(
        "mock_{}_1",
        label
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect::<String>()
    );
    let name = body["name"]
        .as_str()
        .or(*fixed)
        .or(name_now)
        .unwrap_or(&generated);
    if fixed.is_some_and(|f| f != name) || name_now.is_some_and(|n| n != name) {
        return Err(invalid(format!("name: '{name}' does not fit this app")));
    }
    if mode == "BOOKMARK"
        && body
            .pointer("/settings/app/url")
            .and_then(Value::as_str)
            .is_none_or(|u| u.trim().is_empty())
    {
        return Err(invalid(
            "settings.app.url: The field cannot be left blank".into(),
        ));
    }
    let members = [
        "settings",
        "credentials",
        "accessibility",
        "visibility",
        "profile",
    ]
    .iter()
    .filter_map(|m| Some((m.to_string(), body.get(*m)?.clone())))
    .filter(|(_, v)| v.is_object())
    .collect();
    Ok((label.into(), mode.into(), name.into(), members))
}

/// `POST /api/v1/apps`: `activate` (default true) sets its status.
pub async fn create(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let activate = call.bool_param("activate")?.unwrap_or(true);
    let (label, mode, name, members) = read_app(&call.json()?, None)?;
    let mut state = mock.lock();
    let id = state.next_id("0oa");
    let now = SystemTime::now();
    let app = MockApp {
        id: id.clone(),
        name,
        label,
        status: if activate { "ACTIVE" } else { "INACTIVE" },
        sign_on_mode: mode,
        created: now,
        last_updated: now,
        members,
    };
    let reply = page::json(app_json(&app, &call.base));
    state.apps.insert(id.clone(), app);
    let target = state.app_target(&id);
    state.log(
        "application.lifecycle.create",
        "Create application",
        vec![target],
    );
    Ok(reply)
}

/// `PUT /api/v1/apps/{id}`: label, sign-on mode and members replaced; the name stays.
pub async fn replace(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let body = call.json()?;
    let mut state = mock.lock();
    let name = find_app(&state, &id)?.name.clone();
    let (label, mode, _, members) = read_app(&body, Some(&name))?;
    let app = state
        .apps
        .get_mut(&id)
        .ok_or_else(|| MockError::not_found(&id, "AppInstance"))?;
    app.label = label;
    app.sign_on_mode = mode;
    app.members = members;
    app.last_updated = SystemTime::now();
    let reply = page::json(app_json(app, &call.base));
    let target = state.app_target(&id);
    state.log(
        "application.lifecycle.update",
        "Update application",
        vec![target],
    );
    Ok(reply)
}

/// `DELETE /api/v1/apps/{id}`: only an INACTIVE app; its assignments go with it.
pub async fn delete(Extract(mock): Extract<Mock>, Path(id): Path<String>) -> Reply {
    let mut state = mock.lock();
    if find_app(&state, &id)?.status != "INACTIVE" {
        return Err(
            MockError::new(403, "E0000056", "Delete application forbidden.")
                .cause("The application must be deactivated before it can be deleted."),
        );
    }
    let target = state.app_target(&id);
    let users: Vec<String> = state
        .app_assignments(&id, None)
        .map(|(user, _)| user.to_string())
        .collect();
    for user in users {
        state.remove_assignment(&id, &user);
    }
    state.apps.remove(&id);
    state.log(
        "application.lifecycle.delete",
        "Delete application",
        vec![target],
    );
    Ok(page::no_content())
}

/// `POST /api/v1/apps/{id}/lifecycle/{activate|deactivate}`.
pub async fn lifecycle(
    Extract(mock): Extract<Mock>,
    Path((id, action)): Path<(String, String)>,
) -> Reply {
    let status = MockError::lifecycle_status(&action, "application")?;
    let (event, message) = if status == "ACTIVE" {
        ("application.lifecycle.activate", "Activate application")
    } else {
        ("application.lifecycle.deactivate", "Deactivate application")
    };
    let mut state = mock.lock();
    let app = state
        .apps
        .get_mut(&id)
        .ok_or_else(|| MockError::not_found(&id, "AppInstance"))?;
    app.status = status;
    app.last_updated = SystemTime::now();
    let target = state.app_target(&id);
    state.log(event, message, vec![target]);
    Ok(page::json(json!({})))
}

/// `GET /api/v1/groups/{groupId}/apps`: the mock assigns apps to users only, so a group the
/// org has gets an empty list.
pub async fn of_group(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    if !state.groups.contains_key(&id) {
        return Err(MockError::not_found(&id, "UserGroup"));
    }
    let apps: Vec<Value> = state
        .app_groups
        .keys()
        .filter(|(_, group)| *group == id)
        .filter_map(|(app, _)| state.apps.get(app))
        .map(|app| app_json(app, &call.base))
        .collect();
    Ok(page::json(json!(apps)))
}

/// A group's assignment to an app, as Okta returns it (an ApplicationGroupAssignment).
fn group_assignment_json(app: &str, group: &str, assignment: &Value, base: &str) -> Value {
    let mut json = assignment.clone();
    json["id"] = group.into();
    json["_links"] = json!({
        "self": { "href": format!("{base}/api/v1/apps/{app}/groups/{group}") },
        "app": { "href": format!("{base}/api/v1/apps/{app}") },
        "group": { "href": format!("{base}/api/v1/groups/{group}") },
    });
    json
}

/// The app and group of a request, or Okta's 404 for either.
fn app_and_group(state: &State, app: &str, group: &str) -> Result<(), MockError> {
    find_app(state, app)?;
    if !state.groups.contains_key(group) {
        return Err(MockError::not_found(group, "UserGroup"));
    }
    Ok(())
}

/// `GET /api/v1/apps/{appId}/groups`: the groups assigned, by priority; `q` matches the
/// start of a group's name.
pub async fn groups_of(Extract(mock): Extract<Mock>, Path(app): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    find_app(&state, &app)?;
    let q = call.param("q").unwrap_or_default().to_lowercase();
    let mut assigned: Vec<(&String, &Value)> = state
        .app_groups
        .iter()
        .filter(|((a, _), _)| *a == app)
        .map(|((_, group), assignment)| (group, assignment))
        .filter(|(group, _)| {
            state.groups.get(*group).is_some_and(|g| {
                g.profile
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.to_lowercase().starts_with(&q))
            })
        })
        .collect();
    assigned.sort_by_key(|(group, a)| {
        (
            a["priority"].as_i64().unwrap_or(i64::MAX),
            group.to_string(),
        )
    });
    let items = assigned
        .into_iter()
        .map(|(group, a)| group_assignment_json(&app, group, a, &call.base))
        .collect();
    Ok(page::reply(&call, items, None))
}

/// `GET /api/v1/apps/{appId}/groups/{groupId}`.
pub async fn group_assignment(
    Extract(mock): Extract<Mock>,
    Path((app, group)): Path<(String, String)>,
    call: Call,
) -> Reply {
    let state = mock.lock();
    app_and_group(&state, &app, &group)?;
    let assignment = state
        .app_groups
        .get(&(app.clone(), group.clone()))
        .ok_or_else(|| MockError::not_found(&group, "AppGroupAssignment"))?;
    Ok(page::json(group_assignment_json(
        &app, &group, assignment, &call.base,
    )))
}

/// `PUT /api/v1/apps/{appId}/groups/{groupId}`: the group assigned (or its assignment
/// replaced), with an optional priority and profile.
pub async fn assign_group(
    Extract(mock): Extract<Mock>,
    Path((app, group)): Path<(String, String)>,
    call: Call,
) -> Reply {
    let body = if call.body().is_empty() {
        json!({})
    } else {
        call.json()?
    };
    let mut state = mock.lock();
    app_and_group(&state, &app, &group)?;
    if body
        .get("priority")
        .is_some_and(|p| !p.is_null() && !p.is_i64())
    {
        return Err(MockError::validation(
            "ApplicationGroupAssignment",
            "priority: must be a whole number",
        ));
    }
    let assignment = json!({
        "priority": body.get("priority").filter(|p| !p.is_null()).cloned().unwrap_or(json!(0)),
        "profile": body.get("profile").filter(|p| p.is_object()).cloned().unwrap_or(json!({})),
        "lastUpdated": timestamp(SystemTime::now()),
    });
    state
        .app_groups
        .insert((app.clone(), group.clone()), assignment.clone());
    Ok(page::json(group_assignment_json(
        &app,
        &group,
        &assignment,
        &call.base,
    )))
}

/// `PATCH /api/v1/apps/{appId}/groups/{groupId}`: JSON Patch operations on the
/// assignment's `/priority` and `/profile/...`.
pub async fn update_group_assignment(
    Extract(mock): Extract<Mock>,
    Path((app, group)): Path<(String, String)>,
    call: Call,
) -> Reply {
    let operations = call.json()?;
    let mut state = mock.lock();
    app_and_group(&state, &app, &group)?;
    let assignment = state
        .app_groups
        .get_mut(&(app.clone(), group.clone()))
        .ok_or_else(|| MockError::not_found(&group, "AppGroupAssignment"))?;
    let invalid = |why: &str| MockError::validation("ApplicationGroupAssignment", why.to_string());
    for operation in operations
        .as_array()
        .ok_or_else(|| invalid("the body is a list of JSON Patch operations"))?
    {
        let path = operation["path"].as_str().unwrap_or_default();
        let pointer = path.strip_prefix('/').unwrap_or_default();
        let (head, rest) = pointer.split_once('/').unwrap_or((pointer, ""));
        let target = match (head, rest) {
            ("priority", "") => assignment.get_mut("priority"),
            ("profile", name) if !name.is_empty() && !name.contains('/') => {
                let profile = assignment["profile"].as_object_mut();
                match operation["op"].as_str() {
                    Some("remove") => {
                        profile.map(|p| p.remove(name));
                        continue;
                    }
                    _ => profile.map(|p| p.entry(name.to_string()).or_insert(Value::Null)),
                }
            }
            _ => {
                return Err(invalid(&format!(
                    "path {path}: only /priority and /profile/<name> can change"
                )));
            }
        };
        match (operation["op"].as_str(), target) {
            (Some("add" | "replace"), Some(slot)) => *slot = operation["value"].clone(),
            _ => {
                return Err(invalid(&format!(
                    "op {}: add, replace or remove",
                    operation["op"]
                )));
            }
        }
    }
    assignment["lastUpdated"] = timestamp(SystemTime::now()).into();
    let assignment = assignment.clone();
    Ok(page::json(group_assignment_json(
        &app,
        &group,
        &assignment,
        &call.base,
    )))
}

/// `DELETE /api/v1/apps/{appId}/groups/{groupId}`.
pub async fn unassign_group(
    Extract(mock): Extract<Mock>,
    Path((app, group)): Path<(String, String)>,
) -> Reply {
    let mut state = mock.lock();
    app_and_group(&state, &app, &group)?;
    state
        .app_groups
        .remove(&(app, group.clone()))
        .ok_or_else(|| MockError::not_found(&group, "AppGroupAssignment"))?;
    Ok(page::no_content())
}

/// An assignment as Okta returns it (an AppUser).
fn assignment_json(app_id: &str, user_id: &str, a: &MockAssignment, base: &str) -> Value {
    json!({
        "id": user_id,
        "externalId": null,
        "created": timestamp(a.created),
        "lastUpdated": timestamp(a.last_updated),
        "scope": a.scope,
        // The mock's apps do not provision (`syncState: DISABLED`): Okta's assignments to
        // such apps are ACTIVE.
        "status": "ACTIVE",
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
    if cursor
        .after
        .as_ref()
        .is_some_and(|after| !state.apps.contains_key(after))
    {
        return Err(
            MockError::new(400, "E0000029", "Invalid paging request.").cause("Invalid cursor.")
        );
    }
    if call.param("expand").is_some_and(|expand| {
        expand
            .strip_prefix("user/")
            .is_none_or(|id| id.is_empty() || id.contains([',', '/']))
    }) {
        return Err(MockError::validation(
            "expand",
            "Expand query is malformed.",
        ));
    }
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
