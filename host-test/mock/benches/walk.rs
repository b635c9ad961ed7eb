//! The mock's list cost as the org grows: a full walk of 10,000 and of 100,000 users, a
//! page at a time, over HTTP with keep-alive. A page should cost the same however large the
//! org is. The baseline is the mock's cheapest route (`GET /mock/faults`) on the same
//! connection: what a request costs before any listing.
//!
//! `cargo bench -p okta-mock --bench walk` (results in BENCHMARKS.md).

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use okta_mock::{MockConfig, MockOkta};
use std::time::{Duration, Instant};

type Http = Client<HttpConnector, Empty<Bytes>>;

/// One GET; returns the `next` link's path and query.
async fn get(http: &Http, base: &str, token: &str, path: &str) -> Option<String> {
    let request = Request::get(format!("{base}{path}"))
        .header("authorization", format!("SSWS {token}"))
        .body(Empty::new())
        .expect("a request");
    let response = http.request(request).await.expect("the mock answers");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    let next = response
        .headers()
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|l| l.ends_with("rel=\"next\""))
        .map(|l| {
            let url = &l[1..l.find('>').expect("a link")];
            url[base.len()..].to_string()
        });
    response.into_body().collect().await.expect("a body");
    next
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |pages| pages * 4096.0 / (1024.0 * 1024.0))
}

struct Walk {
    users: usize,
    seed: Duration,
    rss: f64,
    floor: Duration,
    pages: usize,
    page: Duration,
    total: Duration,
    last_page_limit_1: Duration,
    search_page: Duration,
}

async fn walk(users: usize) -> Walk {
    let rss_before = rss_mib();
    let started = Instant::now();
    let mock = MockOkta::start(MockConfig {
        seed_users: users,
        rate_limit_scale: 0.0,
        concurrency_limit: 0,
        log_capacity: 0,
        ..MockConfig::default()
    })
    .await
    .expect("the mock starts");
    let seed = started.elapsed();
    let rss = rss_mib() - rss_before;
    let (base, token) = (mock.url(), mock.token());
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let floor = median(futures_samples(&http, &base, &token, "/mock/faults", 200).await);

    let mut page_times = Vec::new();
    let mut next = Some("/api/v1/users?limit=200".to_string());
    let mut last = String::new();
    let walk_started = Instant::now();
    while let Some(path) = next {
        let t = Instant::now();
        next = get(&http, &base, &token, &path).await;
        page_times.push(t.elapsed());
        last = path;
    }
    let total = walk_started.elapsed();
    let pages = page_times.len();
    // The last page with `limit=1`: the case that cost the whole org before.
    let last_one = last.replace("limit=200", "limit=1");
    let last_page_limit_1 = median(futures_samples(&http, &base, &token, &last_one, 50).await);
    // A search that one user in five matches, page by page from the start.
    let search = "/api/v1/users?search=profile.department%20eq%20%22Legal%22&limit=200";
    let search_page = median(futures_samples(&http, &base, &token, search, 20).await);
    Walk {
        users,
        seed,
        rss,
        floor,
        pages,
        page: median(page_times),
        total,
        last_page_limit_1,
        search_page,
    }
}

async fn futures_samples(
    http: &Http,
    base: &str,
    token: &str,
    path: &str,
    n: usize,
) -> Vec<Duration> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        get(http, base, token, path).await;
        out.push(t.elapsed());
    }
    out
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let results: Vec<Walk> = [10_000, 100_000]
        .into_iter()
        .map(|n| runtime.block_on(walk(n)))
        .collect();
    println!(
        "{:>8}  {:>9}  {:>8}  {:>6}  {:>10}  {:>10}  {:>9}  {:>12}  {:>12}",
        "users",
        "seed ms",
        "RSS MiB",
        "pages",
        "floor µs",
        "page µs",
        "walk ms",
        "limit=1 µs",
        "search µs"
    );
    for w in &results {
        println!(
            "{:>8}  {:>9.0}  {:>8.1}  {:>6}  {:>10.0}  {:>10.0}  {:>9.0}  {:>12.0}  {:>12.0}",
            w.users,
            w.seed.as_secs_f64() * 1e3,
            w.rss,
            w.pages,
            micros(w.floor),
            micros(w.page),
            w.total.as_secs_f64() * 1e3,
            micros(w.last_page_limit_1),
            micros(w.search_page),
        );
    }
    let (small, large) = (&results[0], &results[1]);
    println!(
        "page of 200 / floor: {:.1}× at 10k, {:.1}× at 100k",
        micros(small.page) / micros(small.floor),
        micros(large.page) / micros(large.floor)
    );
    println!(
        "per page, 100k / 10k: {:.2}× (200 users a page); limit=1 at the end: {:.2}×; search: {:.2}×",
        micros(large.page) / micros(small.page),
        micros(large.last_page_limit_1) / micros(small.last_page_limit_1),
        micros(large.search_page) / micros(small.search_page),
    );
}
