//! `okta-nodes serve`: the host as an HTTP/JSON service, for engines in any language.
//!
//! `POST /v1/nodes/{id}` takes `{"connection": ..., "input": ...}` and answers with what
//! `call_json` gives: the output (200), or the node's `okta-error` as the body of the HTTP
//! status its kind maps to. `GET /v1/nodes`, `/v1/schema` and `/v1/openapi.json` give the
//! catalog and an OpenAPI 3.1 document of this service generated from it, for a typed
//! client in Go, Java, .NET or anything else. `GET /healthz` says the process answers;
//! `GET /readyz` that it takes calls (503 while it drains).
//!
//! What a service must hold: an engine authenticates with a bearer secret (compared in
//! constant time), the service listens on loopback unless told otherwise (and not beyond
//! it without a secret), a body is at most [`MAX_BODY`] bytes, at most `max_calls` calls
//! run at once (more wait, at most `queue_wait`), and SIGTERM drains it: calls in flight
//! finish, new ones get 503, then it exits. Every call of the process shares the host's
//! token cache and keep-alive pool.

use anyhow::{Context as _, Result, bail};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use okta_host::{Host, MAX_INPUT_BYTES, Outcome};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

/// The largest request body: the largest input `call_json` takes, and the connection.
pub const MAX_BODY: usize = MAX_INPUT_BYTES + (1 << 20);

/// How the service is held.
pub struct Settings {
    /// Where it listens.
    pub listen: SocketAddr,
    /// The bearer secret engines present; `None` only on loopback.
    pub secret: Option<String>,
    /// The most calls running at once.
    pub max_calls: usize,
    /// How long a call waits for its turn before it is answered 503.
    pub queue_wait: Duration,
    /// How long a drain waits for calls in flight.
    pub drain_wait: Duration,
}

/// The service's state, shared by every request.
struct Service {
    host: Host,
    /// The secret's digest: compared in full, in time that does not depend on it.
    secret: Option<[u8; 32]>,
    calls: Semaphore,
    queue_wait: Duration,
    in_flight: AtomicUsize,
    draining: AtomicBool,
    idle: Notify,
    catalog: Value,
    schema: Value,
    openapi: Value,
    metrics: PrometheusHandle,
}

/// The HTTP status a node's error kind maps to.
pub fn status_of(kind: &str) -> StatusCode {
    match kind {
        "invalid-input" | "bad-request" => StatusCode::BAD_REQUEST,
        "unauthorized" => StatusCode::UNAUTHORIZED,
        "forbidden" => StatusCode::FORBIDDEN,
        "not-found" => StatusCode::NOT_FOUND,
        "conflict" | "invalid-state" => StatusCode::CONFLICT,
        "rate-limited" => StatusCode::TOO_MANY_REQUESTS,
        "timeout" => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::BAD_GATEWAY,
    }
}

/// An answer of the service itself (not a node's): `{"error": message}`.
fn refusal(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

impl Service {
    /// Whether the request carries the secret (or none is asked for).
    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = &self.secret else {
            return true;
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        let given: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

/// Counts a call in flight for as long as it lives, and wakes a drain when the last ends.
struct InFlight<'a>(&'a Service);

impl<'a> InFlight<'a> {
    fn enter(service: &'a Service) -> Self {
        service.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(service)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

async fn call_node(
    State(service): State<Arc<Service>>,
    Path(node): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !service.authorized(&headers) {
        return refusal(StatusCode::UNAUTHORIZED, "a bearer secret is required");
    }
    let _in_flight = InFlight::enter(&service);
    if service.draining.load(Ordering::SeqCst) {
        return refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "draining: not taking calls",
        );
    }
    let known = service.host.knows(&node).await;
    let Some(info) = service.host.find_node(&node).filter(|_| known) else {
        return refusal(
            StatusCode::NOT_FOUND,
            format!("no node `{node}`; GET /v1/nodes lists them"),
        );
    };
    let takes_connection = info.takes_connection;
    let body: Value = match serde_json::from_slice(&body) {
        Ok(Value::Object(body)) => Value::Object(body),
        _ => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "the body is a JSON object: {\"connection\": ..., \"input\": ...}",
            );
        }
    };
    if let Some(other) = body
        .as_object()
        .and_then(|b| b.keys().find(|k| *k != "connection" && *k != "input"))
    {
        return refusal(
            StatusCode::BAD_REQUEST,
            format!("the body has `connection` and `input`, not `{other}`"),
        );
    }
    if takes_connection && body.get("connection").is_none() {
        return refusal(StatusCode::BAD_REQUEST, "the body has no `connection`");
    }
    let input = body.get("input").cloned().unwrap_or(Value::Null);
    let Ok(permit) = tokio::time::timeout(service.queue_wait, service.calls.acquire()).await else {
        let mut busy = refusal(StatusCode::SERVICE_UNAVAILABLE, "busy: too many calls");
        busy.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return busy;
    };
    let conn = body.get("connection").unwrap_or(&Value::Null);
    let outcome = service.host.call_json_with(conn, &node, &input).await;
    drop(permit);
    match outcome {
        Ok(Outcome::Ok(output)) => (StatusCode::OK, Json(output)).into_response(),
        Ok(Outcome::Err(error)) => node_error(error),
        Err(err) => refusal(StatusCode::INTERNAL_SERVER_ERROR, format!("{err:#}")),
    }
}

/// A node's error as the body of its status; a 429 says when to come back.
fn node_error(error: Value) -> Response {
    let status = status_of(error["kind"].as_str().unwrap_or(""));
    let reset_at = error["reset-at"].as_u64();
    let mut response = (status, Json(error)).into_response();
    if let Some(at) = reset_at {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let wait = at.saturating_sub(now).to_string();
        if let Ok(value) = HeaderValue::from_str(&wait) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

/// A catalog document, to an authorized engine.
fn document(service: &Service, headers: &HeaderMap, value: &Value) -> Response {
    if !service.authorized(headers) {
        return refusal(StatusCode::UNAUTHORIZED, "a bearer secret is required");
    }
    Json(value.clone()).into_response()
}

/// The OpenAPI 3.1 document of the service, generated from the catalog: one operation per
/// node, its request and output the catalog's own schemas.
pub fn openapi(catalog: &[okta_host::wit::catalog::NodeInfo], schema: &Value) -> Value {
    fn rewrite(value: &mut Value) {
        match value {
            Value::String(text) if text.starts_with("#/$defs/") => {
                *text = text.replacen("#/$defs/", "#/components/schemas/", 1);
            }
            Value::Array(items) => items.iter_mut().for_each(rewrite),
            Value::Object(members) => members.values_mut().for_each(rewrite),
            _ => {}
        }
    }
    let schema_ref = |def: &str| json!({ "$ref": format!("#/components/schemas/{def}") });
    let mut schemas: Map<String, Value> = schema["$defs"].as_object().cloned().unwrap_or_default();
    schemas.insert(
        "service-error".into(),
        json!({
            "type": "object",
            "title": "Service error",
            "description": "An answer of the service itself, not of a node: unauthorized, an unknown node, a body that is not a call, busy, draining.",
            "properties": {"error": {"type": "string", "title": "Error"}},
            "required": ["error"],
        }),
    );
    let service_error = |description: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": schema_ref("service-error")}},
        })
    };
    let mut paths = Map::new();
    for node in catalog {
        let mut properties = Map::new();
        let mut required = Vec::new();
        if let Some(conn) = &node.connection_schema {
            properties.insert("connection".into(), schema_ref(conn));
            required.push("connection");
        }
        if let Some(input) = &node.input_schema {
            properties.insert("input".into(), schema_ref(input));
            required.push("input");
        }
        let operation_id: String = node
            .id
            .split(['.', '-'])
            .enumerate()
            .map(|(i, word)| {
                let mut chars = word.chars();
                match (i, chars.next()) {
                    (0, _) => word.to_string(),
                    (_, Some(first)) => first.to_uppercase().chain(chars).collect(),
                    (_, None) => String::new(),
                }
            })
            .collect();
        let node_error = json!({
            "description": "The node's error: the okta-error record. 400 invalid-input or bad-request, 401 unauthorized, 403 forbidden, 404 not-found, 409 conflict or invalid-state, 429 rate-limited (Retry-After), 504 timeout, 502 the rest.",
            "content": {"application/json": {"schema": schema_ref("types.okta-error")}},
        });
        paths.insert(
            format!("/v1/nodes/{}", node.id),
            json!({"post": {
                "operationId": operation_id,
                "summary": node.label,
                "description": node.description,
                "tags": [node.category],
                "requestBody": {
                    "required": true,
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": properties,
                        "required": required,
                        "additionalProperties": false,
                    }}},
                },
                "responses": {
                    "200": {
                        "description": "The node's output.",
                        "content": {"application/json": {"schema": schema_ref(&node.output_schema)}},
                    },
                    "400": node_error.clone(),
                    "401": node_error.clone(),
                    "403": node_error.clone(),
                    "404": node_error.clone(),
                    "409": node_error.clone(),
                    "429": node_error.clone(),
                    "502": node_error.clone(),
                    "503": service_error("Busy or draining: call again later."),
                    "504": node_error,
                },
            }}),
        );
    }
    let plain = |summary: &str, id: &str, security: bool| {
        let mut operation = json!({
            "operationId": id,
            "summary": summary,
            "responses": {
                "200": {"description": summary, "content": {"application/json": {"schema": {}}}},
                "401": service_error("The bearer secret is missing or wrong."),
            },
        });
        if !security {
            operation["security"] = json!([]);
        }
        json!({ "get": operation })
    };
    paths.insert(
        "/v1/nodes".into(),
        plain("Every node's record.", "listNodes", true),
    );
    paths.insert(
        "/v1/schema".into(),
        plain("The catalog's JSON Schema.", "getSchema", true),
    );
    paths.insert(
        "/v1/openapi.json".into(),
        plain("This document.", "getOpenapi", true),
    );
    paths.insert(
        "/healthz".into(),
        plain("The service answers.", "health", false),
    );
    paths.insert(
        "/readyz".into(),
        plain(
            "The service takes calls (503 while it drains).",
            "ready",
            false,
        ),
    );
    let mut document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "okta-nodes sidecar",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The Okta Management nodes as an HTTP/JSON service: one operation per node of the catalog.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    });
    rewrite(&mut document);
    document
}

/// Serves until SIGTERM or Ctrl-C, then drains.
pub async fn serve(host: Host, settings: Settings) -> Result<()> {
    if settings.secret.is_none() && !settings.listen.ip().is_loopback() {
        bail!(
            "serving beyond loopback ({}) needs a secret: --secret-file or OKTA_NODES_SECRET",
            settings.listen
        );
    }
    if settings.secret.as_deref() == Some("") {
        bail!("the secret is empty");
    }
    // The host's metrics, for `GET /metrics`; a recorder another part of the process
    // installed first keeps them.
    // Durations as histograms (Grafana's `histogram_quantile`), from 5 ms to a minute.
    let recorder = PrometheusBuilder::new()
        .set_buckets(&[
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
        ])
        .context("the metrics' buckets")?
        .build_recorder();
    let metrics = recorder.handle();
    let _ = metrics::set_global_recorder(recorder);
    let described = host.describe().await?.clone();
    let catalog = described.nodes_json();
    let openapi = openapi(&described.nodes, &described.schema);
    let service = Arc::new(Service {
        host,
        secret: settings
            .secret
            .as_deref()
            .map(|s| Sha256::digest(s.as_bytes()).into()),
        calls: Semaphore::new(settings.max_calls.max(1)),
        queue_wait: settings.queue_wait,
        in_flight: AtomicUsize::new(0),
        draining: AtomicBool::new(false),
        idle: Notify::new(),
        catalog,
        schema: described.schema.clone(),
        openapi,
        metrics,
    });
    let app = axum::Router::new()
        .route("/v1/nodes/{id}", post(call_node))
        .route(
            "/v1/nodes",
            get(
                |State(s): State<Arc<Service>>, headers: HeaderMap| async move {
                    document(&s, &headers, &s.catalog)
                },
            ),
        )
        .route(
            "/v1/schema",
            get(
                |State(s): State<Arc<Service>>, headers: HeaderMap| async move {
                    document(&s, &headers, &s.schema)
                },
            ),
        )
        .route(
            "/v1/openapi.json",
            get(
                |State(s): State<Arc<Service>>, headers: HeaderMap| async move {
                    document(&s, &headers, &s.openapi)
                },
            ),
        )
        .route(
            "/metrics",
            get(
                |State(s): State<Arc<Service>>, headers: HeaderMap| async move {
                    if !s.authorized(&headers) {
                        return refusal(StatusCode::UNAUTHORIZED, "a bearer secret is required");
                    }
                    (
                        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                        s.metrics.render(),
                    )
                        .into_response()
                },
            ),
        )
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route(
            "/readyz",
            get(|State(s): State<Arc<Service>>| async move {
                match s.draining.load(Ordering::SeqCst) {
                    false => Json(json!({"status": "ready"})).into_response(),
                    true => refusal(StatusCode::SERVICE_UNAVAILABLE, "draining"),
                }
            }),
        )
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(service.clone());
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    eprintln!(
        "okta-nodes serving {} nodes on http://{} (OpenAPI: /v1/openapi.json)",
        service.host.catalog().len(),
        listener.local_addr()?
    );
    let drain = {
        let service = service.clone();
        let drain_wait = settings.drain_wait;
        async move {
            stopped().await;
            eprintln!("draining: calls in flight finish, new ones get 503");
            service.draining.store(true, Ordering::SeqCst);
            let idle = async {
                loop {
                    let notified = service.idle.notified();
                    if service.in_flight.load(Ordering::SeqCst) == 0 {
                        break;
                    }
                    notified.await;
                }
            };
            let _ = tokio::time::timeout(drain_wait, idle).await;
        }
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(drain)
        .await
        .context("serving")?;
    Ok(())
}

/// Resolves at SIGTERM or Ctrl-C.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
