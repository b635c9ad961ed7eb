//! JSON to a node, through the real component: any JSON for any node is an outcome (the
//! node's output or its typed error), never a trap or a host failure, and never shows the
//! token. Requests that pass validation go to a closed local port and fail fast.
#![no_main]

use libfuzzer_sys::fuzz_target;
use okta_host::{Connection, Host, HostConfig, Outcome};
use std::sync::LazyLock;
use std::time::Duration;

const TOKEN: &str = "00FUZZ-SENTINEL-token";

struct Fixture {
    runtime: tokio::runtime::Runtime,
    host: Host,
    conn: Connection,
    nodes: Vec<String>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let host = Host::new(HostConfig {
        route_to: Some("http://127.0.0.1:9".into()),
        deadline: Duration::from_secs(5),
        max_instances: 4,
        ..HostConfig::default()
    })
    .expect("the host loads the component");
    let mut conn = Connection::api_token("dev-1.okta.com", TOKEN);
    conn.max_retries = Some(0);
    let nodes = host.catalog().iter().map(|n| n.id.clone()).collect();
    Fixture {
        runtime,
        host,
        conn,
        nodes,
    }
});

fuzz_target!(|data: &[u8]| {
    let Some((&pick, json)) = data.split_first() else {
        return;
    };
    let Ok(input) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    let fixture = &*FIXTURE;
    let node = &fixture.nodes[usize::from(pick) % fixture.nodes.len()];
    let outcome = fixture
        .runtime
        .block_on(fixture.host.call_json(&fixture.conn, node, &input))
        .unwrap_or_else(|err| panic!("{node}: the host failed: {err:#}"));
    let text = match outcome {
        Outcome::Ok(out) => out.to_string(),
        Outcome::Err(err) => err.to_string(),
    };
    assert!(!text.contains("SENTINEL"), "{node}: {text}");
});
