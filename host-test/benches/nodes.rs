//! The component against a native client, in one process, on one mock: `get-user` with a
//! fresh instance per call, a reused instance, and the native reqwest client (keep-alive)
//! as the baseline; 8 concurrent streams; a 10,000-user listing against the mock and
//! against a replay that serves the same pages from memory (so the client is what is
//! measured); instantiation; `Host::new` with the build-time code, compiling, and cached;
//! RSS with 1,000 live instances.
//!
//! `cargo okta-bench` (`cargo bench -p okta-host --bench nodes`); `BENCH_QUICK=1` for a
//! short run. Release build; the mock in process, its rate limits and request log off.

use bytes::Bytes;
use http_body_util::Full;
use okta_host::wit::types::PageRequest;
use okta_host::wit::users::{GetUserRequest, ListUsersRequest};
use okta_host::{Connection, Host, HostConfig, Node};
use okta_mock::{MockConfig, MockOkta};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;

use support::*;

/// A get-user through the component in a fresh instance.
async fn fresh_get(host: &Host, conn: &Connection, request: &GetUserRequest) {
    let mut node = host.node(conn).await.unwrap();
    let user = node
        .nodes
        .okta_management_users()
        .call_get_user(&mut node.store, &node.conn, request)
        .await
        .unwrap()
        .unwrap();
    std::hint::black_box(user);
}

/// A get-user in a fresh instance that loads only the `users` interface.
async fn fresh_raw_get(host: &Host, conn: &Connection, request: &GetUserRequest) {
    let mut node = host.raw_node(conn).await.unwrap();
    let users = host
        .interfaces()
        .users
        .load(&mut node.store, &node.instance)
        .unwrap();
    let user = users
        .call_get_user(&mut node.store, &node.conn, request)
        .await
        .unwrap()
        .unwrap();
    std::hint::black_box(user);
}

/// A get-user through the component in an instance that is kept.
async fn reused_get(node: &mut Node, request: &GetUserRequest) {
    let user = node
        .nodes
        .okta_management_users()
        .call_get_user(&mut node.store, &node.conn, request)
        .await
        .unwrap()
        .unwrap();
    std::hint::black_box(user);
}

/// Calls per second of `streams` tasks, each making `per_stream` calls one after another
/// with the shared `state`.
async fn rate<S, F, Fut>(streams: usize, per_stream: usize, state: Arc<S>, call: F) -> f64
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>) -> Fut + Copy + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let started = Instant::now();
    let tasks: Vec<_> = (0..streams)
        .map(|_| {
            let state = state.clone();
            tokio::spawn(async move {
                for _ in 0..per_stream {
                    call(state.clone()).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    (streams * per_stream) as f64 / started.elapsed().as_secs_f64()
}

/// Every page of `/api/v1/users?limit=200` natively: each page's JSON parsed, `next`
/// followed.
/// How many users a listing walks: 40 pages, within the component's 16 MiB list budget
/// at the size of Okta's user objects (10,000 of them pass it, and the component then
/// answers what fits with a cursor), so both sides do the same work.
const LISTED: usize = 8_000;

async fn native_list(client: &reqwest::Client, base: &str, token: &str) -> usize {
    let mut url = format!("{base}/api/v1/users?limit=200");
    let mut count = 0;
    loop {
        let resp = client
            .get(&url)
            .header("authorization", format!("SSWS {token}"))
            .header("host", ORG)
            .send()
            .await
            .unwrap();
        let next = resp
            .headers()
            .get_all("link")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.contains("rel=\"next\""))
            .and_then(|v| v.split(['<', '>']).nth(1))
            .map(|u| {
                let path = &u[u.find("/api/").unwrap_or(0)..];
                format!("{base}{path}")
            });
        let users: Vec<Value> = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        count += users.len();
        match next {
            Some(next) if count < LISTED => url = next,
            _ => return count.min(LISTED),
        }
    }
}

async fn component_list(host: &Host, conn: &Connection) -> usize {
    let mut node = host.node(conn).await.unwrap();
    let request = ListUsersRequest {
        q: None,
        filter: None,
        search: None,
        sort_by: None,
        sort_order: None,
        extra_query: None,
        include_raw: None,
        page: Some(PageRequest {
            limit: Some(200),
            after: None,
            fetch_all: Some(true),
            max_items: Some(LISTED as u32),
        }),
    };
    let page = node
        .nodes
        .okta_management_users()
        .call_list_users(&mut node.store, &node.conn, &request)
        .await
        .unwrap()
        .unwrap();
    page.items.len()
}

/// A server that answers each recorded path and query with the recorded page, from memory.
async fn replay(pages: HashMap<String, (Bytes, Option<String>)>) -> String {
    use hyper::service::service_fn;
    let pages = Arc::new(pages);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let pages = pages.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let key = req
                        .uri()
                        .path_and_query()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default();
                    let pages = pages.clone();
                    async move {
                        let (body, link) = pages.get(&key).cloned().unwrap_or_default();
                        let mut resp =
                            http::Response::builder().header("content-type", "application/json");
                        if let Some(link) = link {
                            resp = resp.header("link", link);
                        }
                        Ok::<_, std::convert::Infallible>(resp.body(Full::new(body)).unwrap())
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tcp), service)
                    .await;
            });
        }
    });
    format!("http://{addr}")
}

/// Records every page of the 10,000-user walk, as the mock serves it.
async fn record(
    client: &reqwest::Client,
    base: &str,
    token: &str,
) -> HashMap<String, (Bytes, Option<String>)> {
    let mut pages = HashMap::new();
    let mut path = "/api/v1/users?limit=200".to_string();
    loop {
        let resp = client
            .get(format!("{base}{path}"))
            .header("authorization", format!("SSWS {token}"))
            .send()
            .await
            .unwrap();
        let link = resp
            .headers()
            .get_all("link")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.contains("rel=\"next\""))
            .map(str::to_string);
        let body = resp.bytes().await.unwrap();
        let next = link
            .as_deref()
            .and_then(|v| v.split(['<', '>']).nth(1))
            .map(|u| u[u.find("/api/").unwrap_or(0)..].to_string());
        // The replay's links are relative to wherever it listens.
        let link = next.as_ref().map(|n| format!("<{n}>; rel=\"next\""));
        pages.insert(path.clone(), (body, link));
        match next {
            Some(next) => path = next,
            None => return pages,
        }
    }
}

fn host_for(route: &str) -> Host {
    Host::new(HostConfig {
        route_to: Some(route.to_string()),
        ..HostConfig::default()
    })
    .unwrap()
}

#[tokio::main]
async fn main() {
    let runs = if quick() { 200 } else { 2000 };
    let mock = MockOkta::start(MockConfig {
        // The admin and 9,999 more: 10,000 users.
        seed_users: 9_999,
        rate_limit_scale: 0.0,
        concurrency_limit: 0,
        log_capacity: 1,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let token = mock.token();
    let conn = Connection::api_token(ORG, token.clone());
    let client = reqwest::Client::builder().build().unwrap();
    let admin = mock.state().user_id("admin@example.com").unwrap();
    let url = format!("{}/api/v1/users/{admin}", mock.url());
    let request = GetUserRequest {
        user_id: admin.clone(),
        expand: None,
    };

    // `BENCH_PROFILE=get-user|list` runs one loop for 5 s, for `perf record`.
    if let Ok(what) = std::env::var("BENCH_PROFILE") {
        let host = host_for(&mock.url());
        let base = match what.as_str() {
            "list" => replay(record(&client, &mock.url(), &token).await).await,
            _ => mock.url(),
        };
        let host = if what == "list" {
            host_for(&base)
        } else {
            host
        };
        let until = Instant::now() + Duration::from_secs(5);
        let mut calls = 0;
        while Instant::now() < until {
            match what.as_str() {
                "list" => {
                    component_list(&host, &conn).await;
                }
                _ => fresh_get(&host, &conn, &request).await,
            }
            calls += 1;
        }
        println!("{what}: {calls} calls in 5 s");
        return;
    }

    println!("# okta-host benchmark, {}", machine());
    println!("release build; mock in process, rate limits and request log off\n");

    // Host::new with an empty cache: the embedded component (its build-time code); the same
    // component by path, cold (compiled) and warm (the cached .cwasm).
    let cache = std::env::temp_dir().join(format!("okta-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    std::fs::create_dir_all(&cache).unwrap();
    let file = cache.join("okta_management.wasm");
    std::fs::write(&file, okta_host::COMPONENT).unwrap();
    let config = HostConfig {
        route_to: Some(mock.url()),
        cache_dir: Some(cache.join("cache")),
        ..HostConfig::default()
    };
    let started = Instant::now();
    let host = Host::new(config.clone()).unwrap();
    let embedded = started.elapsed();
    assert!(host.compiled_at_build());
    let by_path = HostConfig {
        component: Some(file),
        ..config
    };
    let started = Instant::now();
    drop(Host::new(by_path.clone()).unwrap());
    let cold = started.elapsed();
    let started = Instant::now();
    drop(Host::new(by_path).unwrap());
    let warm = started.elapsed();
    let _ = std::fs::remove_dir_all(&cache);

    // get-user, one call at a time.
    let native = sample(runs, || native_get(&client, &url, &token)).await;
    let fresh = sample(runs, || fresh_get(&host, &conn, &request)).await;
    let fresh_raw = sample(runs, || fresh_raw_get(&host, &conn, &request)).await;
    let reused = {
        let mut kept = host.node(&conn).await.unwrap();
        let mut times = Vec::with_capacity(runs);
        for i in 0..runs + runs / 10 {
            let started = Instant::now();
            reused_get(&mut kept, &request).await;
            if i >= runs / 10 {
                times.push(started.elapsed());
            }
        }
        Stats::of(times)
    };
    // By node id with JSON, as a flow engine calls: fresh, and with per-tenant reuse.
    let input = serde_json::json!({ "user-id": admin });
    let json_fresh = sample(runs, || async {
        std::hint::black_box(
            host.call_json(&conn, "users.get-user", &input)
                .await
                .unwrap(),
        );
    })
    .await;
    let reusing = Host::new(HostConfig {
        route_to: Some(mock.url()),
        reuse: Some(okta_host::Reuse::default()),
        ..HostConfig::default()
    })
    .unwrap();
    let json_reused = sample(runs, || async {
        std::hint::black_box(
            reusing
                .call_json(&conn, "users.get-user", &input)
                .await
                .unwrap(),
        );
    })
    .await;
    drop(reusing);
    let instantiate = sample(runs, || async {
        std::hint::black_box(host.node(&conn).await.unwrap());
    })
    .await;
    let instantiate_raw = sample(runs, || async {
        std::hint::black_box(host.raw_node(&conn).await.unwrap());
    })
    .await;

    // The same on a current-thread runtime, on its own thread.
    let current = {
        let (mock_url, conn, request) = (mock.url(), conn.clone(), request.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let host = host_for(&mock_url);
                sample(runs, || fresh_get(&host, &conn, &request)).await
            })
        })
        .join()
        .unwrap()
    };

    // 8 concurrent streams.
    let streams = 8;
    let per_stream = runs / 2;
    let host = Arc::new(host);
    let calls = Arc::new((host.clone(), conn.clone(), request.clone()));
    let component_rate = rate(streams, per_stream, calls.clone(), |c| async move {
        fresh_get(&c.0, &c.1, &c.2).await;
    })
    .await;
    let raw_rate = rate(streams, per_stream, calls, |c| async move {
        fresh_raw_get(&c.0, &c.1, &c.2).await;
    })
    .await;
    let baseline = Arc::new((client.clone(), url.clone(), token.clone()));
    let native_rate = rate(streams, per_stream, baseline, |n| async move {
        native_get(&n.0, &n.1, &n.2).await;
    })
    .await;

    // 8,000 of the org's 10,000 users, 200 a page.
    let list_runs = if quick() { 3 } else { 7 };
    let base = mock.url();
    let native_walk = sample(list_runs, || async {
        std::hint::black_box(native_list(&client, &base, &token).await);
    })
    .await;
    let component_walk = sample(list_runs, || async {
        std::hint::black_box(component_list(&host, &conn).await);
    })
    .await;
    let replayed = replay(record(&client, &base, &token).await).await;
    let replay_host = host_for(&replayed);
    let native_replay = sample(list_runs, || async {
        std::hint::black_box(native_list(&client, &replayed, &token).await);
    })
    .await;
    let component_replay = sample(list_runs, || async {
        std::hint::black_box(component_list(&replay_host, &conn).await);
    })
    .await;
    assert_eq!(
        component_list(&replay_host, &conn).await,
        native_list(&client, &replayed, &token).await
    );

    // 1,000 live instances, each after one call.
    let (before, pss_before) = (rss_bytes(), pss_bytes());
    let mut live = Vec::new();
    for _ in 0..1000 {
        let mut node = host.node(&conn).await.unwrap();
        reused_get(&mut node, &request).await;
        live.push(node);
    }
    let grown = rss_bytes().saturating_sub(before);
    let pss_grown = pss_bytes().saturating_sub(pss_before);
    drop(live);

    println!("| figure | native (reqwest, keep-alive) | component | ratio |");
    println!("|---|---|---|---|");
    println!(
        "| get-user p50 / p99, fresh instance per call | {} / {} | {} / {} | {} |",
        us(native.p50),
        us(native.p99),
        us(fresh.p50),
        us(fresh.p99),
        ratio(fresh.p50, native.p50)
    );
    println!(
        "| get-user p50 / p99, fresh `raw_node`, only `users` loaded | | {} / {} | {} |",
        us(fresh_raw.p50),
        us(fresh_raw.p99),
        ratio(fresh_raw.p50, native.p50)
    );
    println!(
        "| get-user p50 / p99, instance reused | | {} / {} | {} |",
        us(reused.p50),
        us(reused.p99),
        ratio(reused.p50, native.p50)
    );
    println!(
        "| get-user p50 / p99 by `call_json`, fresh instance | | {} / {} | {} |",
        us(json_fresh.p50),
        us(json_fresh.p99),
        ratio(json_fresh.p50, native.p50)
    );
    println!(
        "| get-user p50 / p99 by `call_json`, per-tenant reuse | | {} / {} | {} |",
        us(json_reused.p50),
        us(json_reused.p99),
        ratio(json_reused.p50, native.p50)
    );
    println!(
        "| get-user p50, fresh instance, current-thread runtime | | {} | {} |",
        us(current.p50),
        ratio(current.p50, native.p50)
    );
    println!(
        "| {streams} concurrent streams, calls/s | {native_rate:.0} | {component_rate:.0} | {:.2}× |",
        component_rate / native_rate
    );
    println!(
        "| {streams} concurrent streams, fresh `raw_node`, calls/s | | {raw_rate:.0} | {:.2}× |",
        raw_rate / native_rate
    );
    println!(
        "| list 8,000 users, against the mock | {} | {} | {} |",
        ms(native_walk.p50),
        ms(component_walk.p50),
        ratio(component_walk.p50, native_walk.p50)
    );
    println!(
        "| list 8,000 users, pages replayed from memory | {} | {} | {} |",
        ms(native_replay.p50),
        ms(component_replay.p50),
        ratio(component_replay.p50, native_replay.p50)
    );
    println!(
        "| instantiate (`host.node`) p50 / p99 | | {} / {} | |",
        us(instantiate.p50),
        us(instantiate.p99)
    );
    println!(
        "| instantiate (`host.raw_node`, no interface loaded) p50 / p99 | | {} / {} | |",
        us(instantiate_raw.p50),
        us(instantiate_raw.p99)
    );
    println!(
        "| `Host::new`, embedded component (build-time code), empty cache | | {} | |",
        ms(embedded)
    );
    println!(
        "| `Host::new`, the component by path: compiled / cached | | {} / {} | |",
        ms(cold),
        ms(warm)
    );
    println!(
        "| RSS growth, 1,000 live instances after one call each | | {:.1} MiB | |",
        grown as f64 / (1 << 20) as f64
    );
    println!(
        "| PSS growth, the same 1,000 instances | | {:.1} MiB | |",
        pss_grown as f64 / (1 << 20) as f64
    );
    println!(
        "\nThe mock accepted {} connections.",
        mock.connections_accepted()
    );
}
