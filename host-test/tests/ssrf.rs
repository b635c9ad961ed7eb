//! No call reaches an address it must not, however the address is written. Two layers, each
//! tested on its own: the component refuses every IP literal and special name as the
//! connection's domain (`invalid-input`, nothing sent), and the host, which resolves the
//! org's name itself, refuses loopback, private, link-local, metadata and the other special
//! addresses before it connects. These hosts run without a route to a mock: this is the
//! path a real org takes.

mod common;

use okta_host::egress::OrgHooks;
use okta_host::egress::connect::checked_addresses;
use okta_host::wit::types::ErrorKind;
use okta_host::{Connection, Host, HostConfig, TimeoutCaps};
use std::time::Duration;
use wasmtime_wasi_http::{Error, WasiHttpHooks};

/// Spellings of addresses a call must never reach, as a domain.
const SPELLINGS: &[&str] = &[
    // IPv4 loopback, every way `inet_aton` and URL parsers read it.
    "127.0.0.1",
    "127.1",
    "127.0.1",
    "2130706433",
    "0x7f000001",
    "0x7f.1",
    "0x7f.0x1",
    "0x7f.0x0.0x0.0x1",
    "0X7F.0X0.0X0.0X1",
    "0177.0.0.1",
    "0177.0.0.0x1",
    "0177.1",
    "017700000001",
    "127.0.0.0x1",
    "127.0x0.1",
    "127.000.000.001",
    "0x7f.0x00000001",
    "127.0.0.1.",
    " 127.0.0.1 ",
    "https://127.0.0.1",
    "https://0x7f.1/",
    "127.0.0.1:443",
    "dev-1.okta.com@127.0.0.1",
    "127.0.0.1#.okta.com",
    "127.0.0.1/.okta.com",
    "127.0.0.1%2f.okta.com",
    "１２７.０.０.１",
    "127。0。0。1",
    // Cloud metadata (169.254.169.254) and the other special IPv4 ranges.
    "169.254.169.254",
    "169.254.169.0xfe",
    "0xa9.0xfe.0xa9.0xfe",
    "0251.0376.0251.0376",
    "0xa9fea9fe",
    "2852039166",
    "10.0.0.1",
    "0xa.1",
    "192.168.0.1",
    "0xc0.0xa8.0.1",
    "172.16.0.1",
    "100.64.0.1",
    "100.100.100.200",
    "0.0.0.0",
    "0",
    "0x0",
    "224.0.0.1",
    "255.255.255.255",
    "example.0x7f",
    // IPv6, with and without brackets, and the forms that carry an IPv4 address.
    "[::1]",
    "::1",
    "[0:0:0:0:0:0:0:1]",
    "0:0:0:0:0:0:0:1",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::127.0.0.1]",
    "[fe80::1%25eth0]",
    "[fd00:ec2::254]",
    "[64:ff9b::a9fe:a9fe]",
    "[2002:7f00:1::]",
    "https://[::1]/",
    "[::1]:443",
    // Names for this machine.
    "localhost",
    "LOCALHOST",
    "localhost.",
    "metadata.localhost",
    "a.b.localhost",
];

fn host_without_route() -> Host {
    Host::new(HostConfig {
        max_instances: 4,
        ..HostConfig::default()
    })
    .expect("host loads the component")
}

#[tokio::test]
async fn the_component_refuses_every_spelling_and_sends_nothing() {
    assert!(SPELLINGS.len() >= 60, "{} spellings", SPELLINGS.len());
    let host = host_without_route();
    let mut accepted = Vec::new();
    for spelling in SPELLINGS {
        let mut node = host
            .node(&Connection::api_token(*spelling, "00SSRF-token"))
            .await
            .unwrap();
        let result = node
            .nodes
            .okta_management_connection()
            .call_test_connection(&mut node.store, &node.conn)
            .await
            .expect("the call does not trap");
        let sent = node.store.data().hooks().sent();
        match result {
            Err(err)
                if err.kind == ErrorKind::InvalidInput
                    && err.message.starts_with("domain")
                    && err.attempts == 0
                    && sent == 0 => {}
            other => accepted.push(format!("{spelling:?}: {other:?}, {sent} sent")),
        }
    }
    assert!(accepted.is_empty(), "accepted:\n{}", accepted.join("\n"));
}

/// The numeric spellings the system resolver reads as addresses (no DNS server needed):
/// the host resolves each and refuses it before any connection.
#[tokio::test]
async fn the_host_refuses_what_a_name_resolves_to() {
    let numeric = [
        "127.0.0.1",
        "127.1",
        "2130706433",
        "0x7f000001",
        "0x7f.1",
        "0x7f.0x0.0x0.0x1",
        "0177.0.0.1",
        "127.0.0.0x1",
        "169.254.169.254",
        "169.254.169.0xfe",
        "0251.0376.0251.0376",
        "0xa9fea9fe",
        "10.0.0.1",
        "192.168.0.1",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "fd00:ec2::254",
        "fe80::1",
        "localhost",
    ];
    for host in numeric {
        match checked_addresses(host, 443).await {
            Err(Error::DestinationIpProhibited) => {}
            other => panic!("{host}: {other:?}"),
        }
    }
}

/// The hook itself, given a loopback spelling as the org (as if the component had let it
/// through): the request is refused before a connection is made.
#[tokio::test]
async fn the_hook_connects_only_to_checked_addresses() {
    use http_body_util::{BodyExt, Empty};
    // Anything that connects to loopback's 443 would be accepted here.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:443").await.ok();
    for org in ["127.0.0.0x1", "0x7f.1", "localhost", "[::ffff:127.0.0.1]"] {
        let mut hooks = OrgHooks::new(Some(org.into()), None, TimeoutCaps::default());
        let request = http::Request::builder()
            .uri(format!("https://{org}/api/v1/users/me"))
            .body(
                Empty::new()
                    .map_err(|_| Error::HttpProtocolError)
                    .boxed_unsync(),
            )
            .unwrap();
        let sent = Box::into_pin(hooks.send_request(request, None, Box::new(async { Ok(()) })));
        match tokio::time::timeout(Duration::from_secs(10), sent).await {
            Ok(Err(Error::DestinationIpProhibited)) => {}
            Ok(Err(other)) => panic!("{org}: {other:?}"),
            Ok(Ok(_)) => panic!("{org}: a response"),
            Err(_) => panic!("{org}: still connecting"),
        }
    }
    if let Some(listener) = listener {
        let accepted = tokio::time::timeout(Duration::from_millis(100), listener.accept()).await;
        assert!(accepted.is_err(), "a connection reached loopback:443");
    }
}
