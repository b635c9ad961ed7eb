//! What the benchmarks share: timing, percentiles, the process's memory, the machine, and
//! the native baseline's request.

use serde_json::Value;
use std::future::Future;
use std::time::{Duration, Instant};

/// The org every benchmark calls (routed to its mock).
pub const ORG: &str = "dev-424242.okta.com";

/// Whether `BENCH_QUICK` asks for a short run.
pub fn quick() -> bool {
    std::env::var_os("BENCH_QUICK").is_some()
}

/// Percentiles of `runs` timed runs after a warm-up.
pub async fn sample<F: Future<Output = ()>>(runs: usize, mut run: impl FnMut() -> F) -> Stats {
    for _ in 0..runs / 10 + 3 {
        run().await;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        run().await;
        times.push(started.elapsed());
    }
    Stats::of(times)
}

/// Percentiles of a sample.
#[derive(Clone, Copy)]
pub struct Stats {
    pub p50: Duration,
    pub p99: Duration,
}

impl Stats {
    /// The 50th and 99th percentiles of `times`.
    pub fn of(mut times: Vec<Duration>) -> Stats {
        times.sort();
        let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
        Stats {
            p50: at(0.5),
            p99: at(0.99),
        }
    }
}

/// A duration in microseconds.
pub fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

/// A duration in milliseconds.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// `a` over `b`.
pub fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64())
}

/// A figure in kB from a `/proc/self` file, in bytes.
pub fn proc_kb(file: &str, key: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/self/{file}")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Resident memory. A page of the component's memory image that 1,000 instances map
/// counts 1,000 times here.
pub fn rss_bytes() -> u64 {
    proc_kb("status", "VmRSS:")
}

/// Proportional set size: a page shared by N mappings counts 1/N each.
pub fn pss_bytes() -> u64 {
    proc_kb("smaps_rollup", "Pss:")
}

/// The CPUs the run had.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} vCPUs, {cpu}")
}

/// The native baseline: the same request with reqwest, keep-alive, the body parsed.
pub async fn native_get(client: &reqwest::Client, url: &str, token: &str) {
    let body = client
        .get(url)
        .header("authorization", format!("SSWS {token}"))
        .header("host", ORG)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let user: Value = serde_json::from_slice(&body).unwrap();
    std::hint::black_box(user);
}
