//! `/mock/...`: the mock's own control routes, for a served mock that tests and engine
//! authors drive from outside. They take the org's token, and are never rate limited,
//! faulted or logged.
//!
//! - `GET /mock/faults`, `POST /mock/faults` (one fault as JSON, see [`Fault::from_json`]),
//!   `DELETE /mock/faults`: the fault switches, to rehearse a 429 storm, an outage or a
//!   slow org.
//! - `GET /mock/requests?limit=`: the newest logged requests, oldest first.
//! - `POST /mock/oauth-apps`: registers a service app (see [`ServiceApp::from_json`]) or a
//!   web app (see [`WebApp::from_json`]); `GET /mock/oauth-apps` lists them with the
//!   tokens issued so far.
//! - `POST /mock/clock` `{"advance-seconds": n}`: moves the mock's clock on (tokens and
//!   assertions expire by it).

use super::errors::MockError;
use super::oauth::ServiceApp;
use super::oauth::web::WebApp;
use super::traffic::Fault;
use super::{Call, Mock, Reply, page};
use axum::extract::State as Extract;
use serde_json::{Value, json};

/// `GET /mock/faults`.
pub async fn faults(Extract(mock): Extract<Mock>) -> Reply {
    let state = mock.lock();
    Ok(page::json(Value::Array(
        state.traffic.faults.iter().map(Fault::to_json).collect(),
    )))
}

/// `POST /mock/faults`: adds one fault; answers with every fault now set.
pub async fn add_fault(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let fault =
        Fault::from_json(&call.json()?).map_err(|why| MockError::validation("fault", why))?;
    mock.lock().traffic.faults.push(fault);
    faults(Extract(mock)).await
}

/// `DELETE /mock/faults`: clears every fault.
pub async fn clear_faults(Extract(mock): Extract<Mock>) -> Reply {
    mock.lock().traffic.faults.clear();
    Ok(page::no_content())
}

/// `GET /mock/requests?limit=`: the newest logged requests (default 100), oldest first.
pub async fn requests(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let limit = call.usize_param("limit")?.unwrap_or(100);
    let state = mock.lock();
    let logged = state.traffic.logged();
    let skip = logged.len().saturating_sub(limit);
    let items = logged
        .skip(skip)
        .map(|r| {
            json!({
                "method": r.method,
                "path": r.path,
                "query": r.query,
                "status": r.status,
                "matched": r.matched,
                "authScheme": r.auth_scheme,
                "contentLength": r.content_length,
                "transferEncoding": r.transfer_encoding,
                "at": super::state::timestamp(r.at),
            })
        })
        .collect();
    Ok(page::json(Value::Array(items)))
}

/// `POST /mock/oauth-apps`: registers (or replaces) a service app, or a web app (one with
/// a `client-secret`).
pub async fn register_app(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let json = call.json()?;
    if json.get("client-secret").is_some() {
        let app = WebApp::from_json(&json).map_err(|why| MockError::validation("web app", why))?;
        mock.lock().oauth.register_web(app);
    } else {
        let app = ServiceApp::from_json(&json)
            .map_err(|why| MockError::validation("service app", why))?;
        mock.lock().oauth.register(app);
    }
    oauth_apps(Extract(mock)).await
}

/// `GET /mock/oauth-apps`: the service apps, and how many tokens the mock has issued.
pub async fn oauth_apps(Extract(mock): Extract<Mock>) -> Reply {
    let state = mock.lock();
    let apps: Vec<Value> = state
        .oauth
        .apps
        .values()
        .map(|app| {
            json!({
                "client-id": app.client_id,
                "keys": app.keys,
                "scopes": app.scopes,
                "dpop": app.dpop,
            })
        })
        .collect();
    let web = &state.oauth.web;
    let mut web_apps: Vec<Value> = web.apps.values().map(WebApp::to_json).collect();
    web_apps.sort_by(|a, b| a["client-id"].as_str().cmp(&b["client-id"].as_str()));
    Ok(page::json(json!({
        "apps": apps,
        "web-apps": web_apps,
        "tokens-issued": state.oauth.issued,
        "refresh-tokens-issued": web.refresh_issued,
        "refresh-reuses-detected": web.reuses_detected,
    })))
}

/// `POST /mock/clock` `{"advance-seconds": n}`: moves the clock on.
pub async fn advance_clock(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let seconds = call.json()?["advance-seconds"]
        .as_u64()
        .ok_or_else(|| MockError::validation("clock", "advance-seconds must be a whole number"))?;
    let mut state = mock.lock();
    state.oauth.clock_offset += seconds;
    Ok(page::json(json!({"now": state.oauth.now()})))
}

/// `POST /mock/search-lags` `{"lags-ms": [3000, 0]}`: the next user writes reach the
/// search index this late, one each, so a search can see a newer user before an older one
/// (Okta's search is eventually consistent). `[]` clears them.
pub async fn search_lags(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let lags = call.json()?["lags-ms"]
        .as_array()
        .and_then(|lags| lags.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>())
        .ok_or_else(|| {
            MockError::validation("lags-ms", "lags-ms must be a list of whole milliseconds")
        })?;
    let mut state = mock.lock();
    state.search_lags = lags
        .into_iter()
        .map(std::time::Duration::from_millis)
        .collect();
    Ok(page::json(
        json!({"lags-ms": state.search_lags.iter().map(|l| l.as_millis() as u64).collect::<Vec<_>>()}),
    ))
}
