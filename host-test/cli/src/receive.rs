//! `okta-nodes receive`: an event hook endpoint on loopback. Okta's verification `GET` is
//! answered by `triggers.answer-verification`; each delivery `POST` goes through
//! `triggers.receive-event-hook`, whose events are printed as JSON lines.
//!
//! It holds what a public endpoint must: deliveries without the hook's secret are refused
//! (it does not start without one unless told `--insecure-no-auth`), a client has a few
//! seconds to send its request head, only so many connections are open at once, and an
//! event delivered again within the replay window (by its `uuid`) is dropped and counted,
//! not printed twice.

use anyhow::{Context as _, Result, bail};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::get;
use okta_host::{Connection, Host, Outcome};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};

/// The largest delivery read; the component refuses more than 1 MiB anyway.
const MAX_BODY: usize = 2 << 20;

/// How the endpoint holds its clients.
pub struct Limits {
    /// How long a client has to send its request head (Okta sends it at once).
    pub header_read_timeout: Duration,
    /// The most connections open at once; more wait to be accepted.
    pub max_connections: usize,
    /// How long an event's uuid is remembered: the same event delivered again within it is
    /// dropped.
    pub replay_window: Duration,
}

/// The most event ids remembered for the replay window; the oldest are forgotten first.
const MAX_REMEMBERED: usize = 100_000;

/// How the endpoint authenticates deliveries.
pub enum Auth {
    /// The `Authorization` value the hook was created with.
    Secret(String),
    /// None: any delivery is taken (`--insecure-no-auth`).
    Insecure,
}

/// The event ids seen within the replay window, oldest first.
struct Seen {
    window: Duration,
    at: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
}

impl Seen {
    /// Whether `uuid` is new within the window; remembers it. An event without one cannot
    /// be told from another, so it is never taken for a replay.
    fn first_time(&mut self, uuid: &str) -> bool {
        if uuid.is_empty() {
            return true;
        }
        let now = Instant::now();
        while let Some((when, _)) = self.order.front() {
            if now.duration_since(*when) < self.window && self.order.len() < MAX_REMEMBERED {
                break;
            }
            if let Some((when, old)) = self.order.pop_front()
                && self.at.get(&old) == Some(&when)
            {
                self.at.remove(&old);
            }
        }
        if self
            .at
            .get(uuid)
            .is_some_and(|when| now.duration_since(*when) < self.window)
        {
            return false;
        }
        self.at.insert(uuid.to_string(), now);
        self.order.push_back((now, uuid.to_string()));
        true
    }
}

/// The endpoint's state: the host, the hook's secret and what to print.
pub struct Receiver {
    host: Host,
    authorization: Option<String>,
    event_types: Vec<String>,
    max_events: Option<usize>,
    printed: AtomicUsize,
    replays: AtomicUsize,
    seen: Mutex<Seen>,
    limits: Limits,
    done: Notify,
}

impl Receiver {
    /// An endpoint for one hook. An empty secret is refused: it would take any delivery.
    pub fn new(
        host: Host,
        auth: Auth,
        event_types: Vec<String>,
        max_events: Option<usize>,
        limits: Limits,
    ) -> Result<Self> {
        let authorization = match auth {
            Auth::Secret(secret) if secret.trim().is_empty() => {
                bail!("--authorization is empty: give the hook's secret")
            }
            Auth::Secret(secret) => Some(secret),
            Auth::Insecure => {
                eprintln!(
                    "warning: --insecure-no-auth: every delivery is taken, from anyone who can \
                     reach this port"
                );
                None
            }
        };
        Ok(Receiver {
            host,
            authorization,
            event_types,
            max_events,
            printed: AtomicUsize::new(0),
            replays: AtomicUsize::new(0),
            seen: Mutex::new(Seen {
                window: limits.replay_window,
                at: HashMap::new(),
                order: VecDeque::new(),
            }),
            limits,
            done: Notify::new(),
        })
    }

    /// Serves `GET /` and `POST /` (any path) on 127.0.0.1 until `max-events` are printed.
    pub async fn serve(self, port: u16) -> Result<()> {
        use tower::ServiceExt as _;
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
        let open = Arc::new(Semaphore::new(receiver.limits.max_connections.max(1)));
        let header_read_timeout = receiver.limits.header_read_timeout;
        loop {
            let permit = tokio::select! {
                permit = open.clone().acquire_owned() => permit?,
                () = receiver.done.notified() => break,
            };
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(err) => {
                        eprintln!("error: accepting a connection: {err}");
                        continue;
                    }
                },
                () = receiver.done.notified() => break,
            };
            let app = app.clone();
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                        app.clone().oneshot(request.map(Body::new))
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(header_read_timeout)
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
                drop(permit);
            });
        }
        let replays = receiver.replays.load(Ordering::SeqCst);
        if replays > 0 {
            eprintln!("{replays} replayed events were dropped");
        }
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
                let uuid = event["uuid"].as_str().unwrap_or_default();
                let first = receiver
                    .seen
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .first_time(uuid);
                if !first {
                    let replays = receiver.replays.fetch_add(1, Ordering::SeqCst) + 1;
                    eprintln!("dropped a replayed event ({replays} so far)");
                    continue;
                }
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
