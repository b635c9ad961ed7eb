//! `okta-nodes receive`: an event hook endpoint on loopback. Okta's verification `GET` is
//! answered by `triggers.answer-verification`; each delivery `POST` goes through
//! `triggers.receive-event-hook`, whose events are printed as JSON lines.

use anyhow::{Context as _, Result};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use okta_host::{Connection, Host, Outcome};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Notify;

/// The largest delivery read; the component refuses more than 1 MiB anyway.
const MAX_BODY: usize = 2 << 20;

/// The endpoint's state: the host, the hook's secret and what to print.
pub struct Receiver {
    host: Host,
    authorization: Option<String>,
    event_types: Vec<String>,
    max_events: Option<usize>,
    printed: AtomicUsize,
    done: Notify,
}

impl Receiver {
    /// An endpoint for one hook.
    pub fn new(
        host: Host,
        authorization: Option<String>,
        event_types: Vec<String>,
        max_events: Option<usize>,
    ) -> Self {
        Receiver {
            host,
            authorization,
            event_types,
            max_events,
            printed: AtomicUsize::new(0),
            done: Notify::new(),
        }
    }

    /// Serves `GET /` and `POST /` (any path) on 127.0.0.1 until `max-events` are printed.
    pub async fn serve(self, port: u16) -> Result<()> {
        let receiver = Arc::new(self);
        let app = axum::Router::new()
            .route("/", get(verify).post(deliver))
            .route("/{*path}", get(verify).post(deliver))
            .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .with_context(|| format!("listening on 127.0.0.1:{port}"))?;
        eprintln!("receiving event hooks on http://{}", listener.local_addr()?);
        let stop = receiver.clone();
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.done.notified().await })
            .await?;
        Ok(())
    }

    async fn call(&self, node: &str, input: Value) -> Result<Outcome> {
        self.host
            .call_json(&Connection::unused(), node, &input)
            .await
    }
}

/// The request's headers as the WIT `pair` list.
fn pairs(headers: &HeaderMap) -> Value {
    Value::Array(
        headers
            .iter()
            .map(|(name, value)| {
                json!({"name": name.as_str(), "value": String::from_utf8_lossy(value.as_bytes())})
            })
            .collect(),
    )
}

/// The status a node error answers with.
fn status_of(error: &Value) -> StatusCode {
    match error["kind"].as_str() {
        Some("unauthorized") => StatusCode::UNAUTHORIZED,
        Some("invalid-input") => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The challenge echoed as JSON, as Okta's verification expects.
async fn verify(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    const JSON: [(&str, &str); 1] = [("content-type", "application/json")];
    let input = json!({ "headers": pairs(&headers) });
    match receiver.call("triggers.answer-verification", input).await {
        Ok(Outcome::Ok(body)) => (
            StatusCode::OK,
            JSON,
            body.as_str().unwrap_or_default().to_string(),
        ),
        Ok(Outcome::Err(error)) => {
            eprintln!("verification refused: {}", error["message"]);
            (status_of(&error), JSON, String::new())
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            (StatusCode::INTERNAL_SERVER_ERROR, JSON, String::new())
        }
    }
}

/// One delivery through the component; its events printed, one JSON line each.
async fn deliver(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let input = json!({
        "headers": pairs(&headers),
        "body": String::from_utf8_lossy(&body),
        "expected-authorization": receiver.authorization,
        "event-types": receiver.event_types,
    });
    match receiver.call("triggers.receive-event-hook", input).await {
        Ok(Outcome::Ok(Value::Array(events))) => {
            for event in events {
                say!("{event}");
                let printed = receiver.printed.fetch_add(1, Ordering::SeqCst) + 1;
                if receiver.max_events.is_some_and(|max| printed >= max) {
                    receiver.done.notify_one();
                    break;
                }
            }
            StatusCode::OK
        }
        Ok(Outcome::Ok(other)) => {
            eprintln!("error: receive-event-hook returned {other}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
        Ok(Outcome::Err(error)) => {
            eprintln!("delivery refused: {}", error["message"]);
            status_of(&error)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}
