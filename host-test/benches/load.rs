//! Real load: thousands of calls waiting on the network at once. A mock in another process
//! answers every request after 50 ms, then after 200 ms (Okta's own answers take 50-300
//! ms); one host on this machine keeps 1,000, 5,000 and 10,000 `users.get-user` calls in
//! flight through `call_json` (a fresh instance per call, as a flow engine calls), and
//! reqwest makes the same requests as the native baseline. Each run is a fresh process of
//! its own, so its memory starts from nothing either side left behind. For each:
//! throughput, p50/p99 of a call, peak RSS and PSS over the idle process per call in
//! flight, and the most instances alive. Writes the table to stdout and a plot of
//! throughput and p99 against calls in flight to `target/load.svg` (`BENCH_PLOT` names
//! another file).
//!
//! `cargo okta-load` (`cargo bench -p okta-host --bench load`); `BENCH_QUICK=1` for one
//! latency (50 ms) and two calls per slot.

#[allow(dead_code)]
mod support;

use okta_host::{Connection, Host, HostConfig, PoolLimits};
use okta_mock::{Fault, MockConfig, MockOkta};
use plotters::prelude::*;
use serde_json::json;
use std::io::{BufRead as _, Read as _};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use support::*;

/// The calls in flight at once.
const IN_FLIGHT: [usize; 3] = [1_000, 5_000, 10_000];

/// Set in the mock's own process: its latency in milliseconds.
const MOCK_LATENCY: &str = "OKTA_LOAD_MOCK_LATENCY_MS";

/// Set in a client's own process: `<side> <in flight> <rounds> <url> <token> <user>`.
const CLIENT: &str = "OKTA_LOAD_CLIENT";

/// The mock in a process of its own (this binary again), so its sockets and CPU are not
/// counted in the client's memory, and each side has its own file descriptors.
struct RemoteMock {
    child: Child,
    url: String,
    token: String,
    user: String,
}

impl RemoteMock {
    fn start(latency_ms: u64) -> RemoteMock {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(MOCK_LATENCY, latency_ms.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let mut words = line.split_whitespace().map(str::to_string);
        let (url, token, user) = (
            words.next().unwrap(),
            words.next().unwrap(),
            words.next().unwrap(),
        );
        RemoteMock {
            child,
            url,
            token,
            user,
        }
    }
}

impl Drop for RemoteMock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The mock's process: serves until its parent closes stdin.
fn serve_mock(latency_ms: u64) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let delay = Fault::from_json(&json!({"effect": "delay", "delay-ms": latency_ms})).unwrap();
        let mock = MockOkta::start(MockConfig {
            rate_limit_scale: 0.0,
            concurrency_limit: 0,
            log_capacity: 1,
            faults: vec![delay],
            ..MockConfig::default()
        })
        .await
        .unwrap();
        let admin = mock.state().user_id("admin@example.com").unwrap();
        println!("{} {} {admin}", mock.url(), mock.token());
        tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new()))
            .await
            .unwrap()
            .unwrap();
    });
}

/// What one run measured.
#[derive(Clone, Copy)]
struct Run {
    calls: usize,
    errors: u64,
    per_second: f64,
    stats: Stats,
    rss_per_call: f64,
    pss_per_call: f64,
    instances: usize,
}

impl Run {
    /// The run as one line, from a client's process to the parent.
    fn line(&self) -> String {
        format!(
            "{} {} {} {} {} {} {} {}",
            self.calls,
            self.errors,
            self.per_second,
            self.stats.p50.as_nanos(),
            self.stats.p99.as_nanos(),
            self.rss_per_call,
            self.pss_per_call,
            self.instances
        )
    }

    fn parse(line: &str) -> Run {
        let f: Vec<f64> = line
            .split_whitespace()
            .map(|w| w.parse().unwrap())
            .collect();
        let nanos = |x: f64| Duration::from_nanos(x as u64);
        Run {
            calls: f[0] as usize,
            errors: f[1] as u64,
            per_second: f[2],
            stats: Stats {
                p50: nanos(f[3]),
                p99: nanos(f[4]),
            },
            rss_per_call: f[5],
            pss_per_call: f[6],
            instances: f[7] as usize,
        }
    }
}

/// Samples the process's RSS and the host's live instances every 20 ms until stopped, and
/// its PSS every 200 ms (reading `smaps_rollup` walks every page table of the process and
/// holds its memory map's lock: every 20 ms, it took 15% of the component's CPU); keeps
/// the peaks.
struct Peaks {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<(u64, u64, usize)>,
}

impl Peaks {
    fn start(host: Option<Arc<Host>>) -> Peaks {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let (mut rss, mut pss, mut instances) = (0, 0, 0);
            let mut ticks = 0u32;
            while !stopped.load(Ordering::Relaxed) {
                rss = rss.max(rss_bytes());
                if ticks % 10 == 5 {
                    pss = pss.max(pss_bytes());
                }
                ticks += 1;
                instances = instances.max(host.as_ref().map_or(0, |h| h.instances_in_use()));
                std::thread::sleep(Duration::from_millis(20));
            }
            (rss, pss, instances)
        });
        Peaks { stop, thread }
    }

    fn finish(self) -> (u64, u64, usize) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}

/// `in_flight` tasks, each making `rounds` calls one after another: every call timed,
/// failures counted, memory sampled.
async fn run<F, Fut>(in_flight: usize, rounds: usize, host: Option<Arc<Host>>, call: F) -> Run
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let (rss_idle, pss_idle) = (rss_bytes(), pss_bytes());
    let peaks = Peaks::start(host);
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..in_flight)
        .map(|_| {
            let (call, errors) = (call.clone(), errors.clone());
            tokio::spawn(async move {
                let mut times = Vec::with_capacity(rounds);
                for _ in 0..rounds {
                    let began = Instant::now();
                    if let Err(why) = call().await
                        && errors.fetch_add(1, Ordering::Relaxed) == 0
                    {
                        eprintln!("the first call that failed: {why}");
                    }
                    times.push(began.elapsed());
                }
                times
            })
        })
        .collect();
    let mut times = Vec::with_capacity(in_flight * rounds);
    for task in tasks {
        times.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    let (rss, pss, instances) = peaks.finish();
    let per_call = |peak: u64, idle: u64| peak.saturating_sub(idle) as f64 / in_flight as f64;
    Run {
        calls: times.len(),
        errors: errors.load(Ordering::Relaxed),
        per_second: times.len() as f64 / elapsed.as_secs_f64(),
        stats: Stats::of(times),
        rss_per_call: per_call(rss, rss_idle),
        pss_per_call: per_call(pss, pss_idle),
        instances,
    }
}

/// A host that may hold `in_flight` instances and keep as many connections.
fn host_for(url: &str, in_flight: usize) -> Arc<Host> {
    Arc::new(
        Host::new(HostConfig {
            route_to: Some(url.to_string()),
            max_instances: u32::try_from(in_flight).unwrap(),
            pool: PoolLimits {
                max_idle_per_org: in_flight,
                ..PoolLimits::default()
            },
            ..HostConfig::default()
        })
        .unwrap(),
    )
}

fn kib(bytes: f64) -> String {
    format!("{:.0} KiB", bytes / 1024.0)
}

/// One figure of a run, as a plot draws it.
type Figure = fn(&Run) -> f64;

/// Throughput and p99 against calls in flight, native beside the component, one line per
/// side and latency.
fn plot(path: &str, rows: &[(u64, usize, Run, Run)]) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (1100, 440)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(550);
    let latencies: Vec<u64> = {
        let mut l: Vec<u64> = rows.iter().map(|r| r.0).collect();
        l.dedup();
        l
    };
    let x_max = *IN_FLIGHT.last().unwrap() as f64 * 1.05;
    let series = |latency: u64, native: bool, figure: Figure| -> Vec<(f64, f64)> {
        rows.iter()
            .filter(|r| r.0 == latency)
            .map(|r| (r.1 as f64, figure(if native { &r.2 } else { &r.3 })))
            .collect()
    };
    let per_second: Figure = |r| r.per_second;
    let p99: Figure = |r| r.stats.p99.as_secs_f64() * 1e3;
    for (area, label, figure) in [
        (&left, "calls per second", per_second),
        (&right, "p99 of a call (ms)", p99),
    ] {
        let y_max = rows
            .iter()
            .flat_map(|r| [figure(&r.2), figure(&r.3)])
            .fold(0.0, f64::max)
            * 1.4;
        let mut chart = ChartBuilder::on(area)
            .caption(label, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
        chart
            .configure_mesh()
            .x_desc("calls in flight")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()?;
        for (i, &latency) in latencies.iter().enumerate() {
            for (native, color) in [(true, BLUE), (false, RED)] {
                let style = color.mix(if i == 0 { 1.0 } else { 0.5 }).stroke_width(2);
                let points = series(latency, native, figure);
                let name = format!(
                    "{} · {latency} ms",
                    if native { "reqwest" } else { "component" }
                );
                chart
                    .draw_series(LineSeries::new(points.clone(), style))?
                    .label(name)
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], style));
                chart.draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, color.mix(0.8).filled())),
                )?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// What an instance of the component needs against what a pooling slot reserves.
fn slots() {
    let host = Host::new(HostConfig::default()).unwrap();
    let needs = host.component().resources_required().unwrap();
    println!(
        "An instance has {} linear memory ({} KiB at start, the guest's 1 MiB stack among it) and {} tables \
         (the largest {} elements); a slot lets the memory grow to {} MiB (`HostConfig::max_memory`).\n",
        needs.num_memories,
        needs.max_initial_memory_size.unwrap_or(0) * 64,
        needs.num_tables,
        needs.max_initial_table_size.unwrap_or(0),
        HostConfig::default().max_memory >> 20,
    );
}

/// One run in this process, for the parent: prints its line.
fn client(args: &str) {
    let words: Vec<&str> = args.split_whitespace().collect();
    let [side, in_flight, rounds, url, token, user] = words[..] else {
        panic!("{CLIENT}: {args}")
    };
    let (in_flight, rounds): (usize, usize) = (in_flight.parse().unwrap(), rounds.parse().unwrap());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (url, token, user) = (url.to_string(), token.to_string(), user.to_string());
    let measured = runtime.block_on(async move {
        if side == "reqwest" {
            let client = reqwest::Client::builder().build().unwrap();
            let url = Arc::new(format!("{url}/api/v1/users/{user}"));
            let token = Arc::new(token);
            return run(in_flight, rounds, None, move || {
                let (client, url, token) = (client.clone(), url.clone(), token.clone());
                async move {
                    native_get(&client, &url, &token).await;
                    Ok(())
                }
            })
            .await;
        }
        let host = host_for(&url, in_flight);
        let conn = Arc::new(Connection::api_token(ORG, token));
        let input = Arc::new(json!({ "user-id": user }));
        let calling = host.clone();
        run(in_flight, rounds, Some(host), move || {
            let (host, conn, input) = (calling.clone(), conn.clone(), input.clone());
            async move {
                match host.call_json(&conn, "users.get-user", &input).await {
                    Ok(okta_host::Outcome::Ok(_)) => Ok(()),
                    Ok(okta_host::Outcome::Err(error)) => Err(error.to_string()),
                    Err(err) => Err(format!("{err:#}")),
                }
            }
        })
        .await
    });
    println!("{}", measured.line());
}

/// Runs one side in a fresh process of this binary and reads what it measured.
fn measure(side: &str, in_flight: usize, rounds: usize, mock: &RemoteMock) -> Run {
    let out = Command::new(std::env::current_exe().unwrap())
        .env(
            CLIENT,
            format!(
                "{side} {in_flight} {rounds} {} {} {}",
                mock.url, mock.token, mock.user
            ),
        )
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success(), "the {side} run failed");
    Run::parse(String::from_utf8_lossy(&out.stdout).trim())
}

fn main() {
    if let Some(latency) = std::env::var(MOCK_LATENCY)
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return serve_mock(latency);
    }
    if let Ok(args) = std::env::var(CLIENT) {
        return client(&args);
    }
    let (latencies, rounds): (&[u64], usize) = if quick() { (&[50], 2) } else { (&[50, 200], 5) };
    println!("# okta-host under load, {}", machine());
    println!(
        "release build; the mock in its own process, answering after the latency; each run a fresh process; {rounds} calls per slot\n"
    );
    slots();
    println!(
        "| latency | in flight | side | calls/s | p50 | p99 | RSS per call in flight | PSS per call in flight | instances | errors |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut rows = Vec::new();
    for &latency in latencies {
        let mock = RemoteMock::start(latency);
        for in_flight in IN_FLIGHT {
            let native = measure("reqwest", in_flight, rounds, &mock);
            let component = measure("component", in_flight, rounds, &mock);
            for (side, r) in [("reqwest", native), ("component", component)] {
                println!(
                    "| {latency} ms | {in_flight} | {side} | {:.0} | {} | {} | {} | {} | {} | {} |",
                    r.per_second,
                    ms(r.stats.p50),
                    ms(r.stats.p99),
                    kib(r.rss_per_call),
                    kib(r.pss_per_call),
                    r.instances,
                    r.errors
                );
            }
            assert_eq!(native.errors + component.errors, 0, "every call succeeds");
            assert_eq!(native.calls, component.calls);
            rows.push((latency, in_flight, native, component));
        }
    }
    let path = std::env::var("BENCH_PLOT")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target/load.svg").to_string());
    plot(&path, &rows).unwrap();
    println!("\nThe plot: {path}");
}
