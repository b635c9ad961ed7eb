//! The `apps` interface: WIT requests → request specs, Okta answers → WIT outputs.

use crate::client::encode;
use crate::client::error::invalid_input;
use crate::client::paging;
use crate::client::spec::{RequestSpec, Retry};
use crate::client::{Client, Transport};
use crate::nodes::objects::{self, app, parse, text};
use crate::nodes::users::{self, user_ref};
use crate::wit::apps::{
    App, AppPage, AppUser, AppUserPage, AssignUserToAppRequest, AssignmentResult, AssignmentScope,
    GetAppRequest, GetAppUserAssignmentRequest, ListAppUsersRequest, ListAppsRequest,
    RemoveUserFromAppRequest, Unassignment, UpdateAppUserAssignmentRequest,
};
use crate::wit::types::OktaError;
use serde_json::{Map, Value, json};

const APPS: &str = "/api/v1/apps";

/// `/api/v1/apps/{appId}`, checked.
fn app_path(app_id: &str) -> Result<String, OktaError> {
    Ok(format!("{APPS}/{}", encode::segment("app-id", app_id)?))
}

/// Parses a user's assignment to an app.
pub(crate) fn app_user(raw: &[u8]) -> Result<AppUser, OktaError> {
    let object = parse(raw, "an app assignment")?;
    Ok(AppUser {
        id: objects::required(&object, "id", "an app assignment")?,
        scope: match object.get("scope").and_then(Value::as_str) {
            Some("USER") => Some(AssignmentScope::User),
            Some("GROUP") => Some(AssignmentScope::Group),
            _ => None,
        },
        status: text(&object, "status"),
        username: object.get("credentials").and_then(|c| text(c, "userName")),
        profile: object
            .get("profile")
            .filter(|p| p.is_object())
            .map_or_else(|| "{}".to_string(), Value::to_string),
        external_id: text(&object, "externalId"),
        sync_state: text(&object, "syncState"),
        created: text(&object, "created"),
        last_updated: text(&object, "lastUpdated"),
        raw: Some(objects::raw_text(raw)),
    })
}

/// `GET /api/v1/apps` with the query and paging.
pub(crate) fn build_list_apps(
    req: &ListAppsRequest,
) -> Result<(RequestSpec, paging::Paging), OktaError> {
    let spec = RequestSpec::get(APPS.into())
        .query_opt("q", encode::non_blank(&req.q))
        .query_opt("filter", encode::non_blank(&req.filter))
        .query_opt("expand", encode::non_blank(&req.expand))
        .query_opt("useOptimization", req.use_optimization)
        .query_opt("includeNonDeleted", req.include_non_deleted);
    Ok((spec, paging::plan(req.page.as_ref(), req.include_raw)?))
}

/// `apps.list-apps`.
pub(crate) fn list_apps<T: Transport>(
    client: &mut Client<T>,
    req: ListAppsRequest,
) -> Result<AppPage, OktaError> {
    let (spec, paging) = build_list_apps(&req)?;
    let (items, next_cursor) = client.list(spec, &paging, app)?;
    Ok(AppPage { items, next_cursor })
}

/// `apps.get-app`.
pub(crate) fn get_app<T: Transport>(
    client: &mut Client<T>,
    req: GetAppRequest,
) -> Result<App, OktaError> {
    let spec = RequestSpec::get(app_path(&req.app_id)?)
        .query_opt("expand", encode::non_blank(&req.expand));
    app(&client.send(&spec)?.body)
}

/// `apps.list-app-users`.
pub(crate) fn list_app_users<T: Transport>(
    client: &mut Client<T>,
    req: ListAppUsersRequest,
) -> Result<AppUserPage, OktaError> {
    let spec = RequestSpec::get(format!("{}/users", app_path(&req.app_id)?))
        .query_opt("q", encode::non_blank(&req.q))
        .query_opt("expand", encode::non_blank(&req.expand));
    let paging = paging::plan(req.page.as_ref(), req.include_raw)?;
    let (items, next_cursor) = client.list(spec, &paging, app_user)?;
    Ok(AppUserPage { items, next_cursor })
}

/// The `credentials` and `profile` of an assignment, as given.
fn assignment_body(
    username: &Option<String>,
    password: &Option<String>,
    profile: &Option<String>,
) -> Result<Map<String, Value>, OktaError> {
    let mut body = Map::new();
    let mut credentials = Map::new();
    if let Some(username) = encode::non_blank(username) {
        credentials.insert("userName".into(), username.into());
    }
    if let Some(password) = password.as_deref().filter(|p| !p.is_empty()) {
        credentials.insert("password".into(), json!({ "value": password }));
    }
    if !credentials.is_empty() {
        body.insert("credentials".into(), Value::Object(credentials));
    }
    if profile.as_deref().is_some_and(|p| !p.trim().is_empty()) {
        let profile = objects::parse_profile_extra("profile", profile.as_deref())?;
        body.insert("profile".into(), Value::Object(profile));
    }
    Ok(body)
}

/// The assignment request's body, without the user's id.
pub(crate) fn build_assignment(
    req: &AssignUserToAppRequest,
) -> Result<Map<String, Value>, OktaError> {
    let mut body = assignment_body(&req.username, &req.password, &req.profile)?;
    let scope = match req.scope.unwrap_or(AssignmentScope::User) {
        AssignmentScope::User => "USER",
        AssignmentScope::Group => "GROUP",
    };
    body.insert("scope".into(), scope.into());
    Ok(body)
}

/// Okta's code for a user who is already assigned to the app.
const ALREADY_ASSIGNED: &str = "E0000062";

/// `apps.assign-user-to-app`. A user already assigned is not an error: the node reads the
/// assignment and reports `changed: false`.
pub(crate) fn assign_user_to_app<T: Transport>(
    client: &mut Client<T>,
    req: AssignUserToAppRequest,
) -> Result<AssignmentResult, OktaError> {
    let app = app_path(&req.app_id)?;
    let mut body = build_assignment(&req)?;
    let (path, user_id) = assignment_path(client, &req.app_id, &req.user_id)?;
    body.insert("id".into(), user_id.into());
    let assign = RequestSpec::post(format!("{app}/users")).json(Value::Object(body));
    match client.send(&assign) {
        Ok(resp) => Ok(AssignmentResult {
            assignment: app_user(&resp.body)?,
            changed: true,
        }),
        Err(err) if err.error_code.as_deref() == Some(ALREADY_ASSIGNED) => Ok(AssignmentResult {
            assignment: app_user(&client.send(&RequestSpec::get(path))?.body)?,
            changed: false,
        }),
        Err(err) => Err(err),
    }
}

/// The assignment's path and the user's id (a login is looked up first).
fn assignment_path<T: Transport>(
    client: &mut Client<T>,
    app_id: &str,
    user_id: &str,
) -> Result<(String, String), OktaError> {
    let app = app_path(app_id)?;
    let user = user_ref("user-id", user_id)?;
    let id = users::resolve_id(client, &user)?;
    let path = format!("{app}/users/{}", encode::segment("user-id", &id)?);
    Ok((path, id))
}

/// `apps.get-app-user-assignment`.
pub(crate) fn get_app_user_assignment<T: Transport>(
    client: &mut Client<T>,
    req: GetAppUserAssignmentRequest,
) -> Result<AppUser, OktaError> {
    let (path, _) = assignment_path(client, &req.app_id, &req.user_id)?;
    let spec = RequestSpec::get(path).query_opt("expand", encode::non_blank(&req.expand));
    app_user(&client.send(&spec)?.body)
}

/// The update body: credentials, profile or both.
pub(crate) fn build_assignment_update(
    req: &UpdateAppUserAssignmentRequest,
) -> Result<Value, OktaError> {
    let body = assignment_body(&req.username, &req.password, &req.profile)?;
    if body.is_empty() {
        return Err(invalid_input(
            "nothing to update: set username, password or profile",
        ));
    }
    Ok(Value::Object(body))
}

/// `apps.update-app-user-assignment`.
pub(crate) fn update_app_user_assignment<T: Transport>(
    client: &mut Client<T>,
    req: UpdateAppUserAssignmentRequest,
) -> Result<AppUser, OktaError> {
    let body = build_assignment_update(&req)?;
    let (path, _) = assignment_path(client, &req.app_id, &req.user_id)?;
    // Setting the same credentials and profile twice leaves the same assignment.
    let spec = RequestSpec::post(path).json(body).retry(Retry::Safe);
    app_user(&client.send(&spec)?.body)
}

/// `apps.remove-user-from-app`.
pub(crate) fn remove_user_from_app<T: Transport>(
    client: &mut Client<T>,
    req: RemoveUserFromAppRequest,
) -> Result<Unassignment, OktaError> {
    let (path, user_id) = assignment_path(client, &req.app_id, &req.user_id)?;
    client.send(&RequestSpec::delete(path).query("sendEmail", req.send_email.unwrap_or(false)))?;
    Ok(Unassignment {
        app_id: req.app_id.trim().to_string(),
        user_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wit::apps::AppStatus;

    fn assign() -> AssignUserToAppRequest {
        AssignUserToAppRequest {
            app_id: "0oa1".into(),
            user_id: "00u1".into(),
            scope: None,
            username: Some("ada".into()),
            password: Some("S3cret!".into()),
            profile: Some(r#"{"role": "admin"}"#.into()),
        }
    }

    #[test]
    fn assignment_body_carries_credentials_profile_and_scope() {
        assert_eq!(
            Value::Object(build_assignment(&assign()).unwrap()),
            json!({
                "credentials": {"userName": "ada", "password": {"value": "S3cret!"}},
                "profile": {"role": "admin"},
                "scope": "USER",
            })
        );
        let bad = AssignUserToAppRequest {
            profile: Some("[1]".into()),
            ..assign()
        };
        assert!(build_assignment(&bad).is_err());
    }

    #[test]
    fn an_update_needs_something_to_change() {
        let req = UpdateAppUserAssignmentRequest {
            app_id: "0oa1".into(),
            user_id: "00u1".into(),
            username: None,
            password: None,
            profile: None,
        };
        assert!(build_assignment_update(&req).is_err());
        let req = UpdateAppUserAssignmentRequest {
            profile: Some(r#"{"title": "x"}"#.into()),
            ..req
        };
        assert_eq!(
            build_assignment_update(&req).unwrap(),
            json!({"profile": {"title": "x"}})
        );
    }

    #[test]
    fn parses_apps_and_assignments() {
        let a = app(br#"{"id":"0oa1","name":"slack","label":"Slack","status":"ACTIVE","signOnMode":"SAML_2_0"}"#).unwrap();
        assert_eq!(
            (a.label.as_str(), a.status, a.sign_on_mode.as_deref()),
            ("Slack", AppStatus::Active, Some("SAML_2_0"))
        );
        for (status, expected) in [
            ("INACTIVE", AppStatus::Inactive),
            ("DELETED", AppStatus::Deleted),
            ("ARCHIVED", AppStatus::Unknown),
        ] {
            let json = format!(r#"{{"id":"0oa1","status":"{status}"}}"#);
            assert_eq!(app(json.as_bytes()).unwrap().status, expected);
        }
        let u = app_user(br#"{"id":"00u1","scope":"USER","status":"PROVISIONED","credentials":{"userName":"ada"},"profile":{"role":"x"}}"#).unwrap();
        assert_eq!(
            (u.scope, u.username.as_deref(), u.profile.as_str()),
            (Some(AssignmentScope::User), Some("ada"), r#"{"role":"x"}"#)
        );
        assert_eq!(app_user(br#"{"id":"00u1"}"#).unwrap().profile, "{}");
    }

    #[test]
    fn list_apps_query() {
        let req = ListAppsRequest {
            q: Some("sla".into()),
            filter: Some("status eq \"ACTIVE\"".into()),
            expand: None,
            use_optimization: Some(true),
            include_non_deleted: None,
            include_raw: None,
            page: None,
        };
        let (spec, _) = build_list_apps(&req).unwrap();
        assert_eq!(
            spec.path_and_query(),
            "/api/v1/apps?q=sla&filter=status%20eq%20%22ACTIVE%22&useOptimization=true"
        );
    }
}
