//! The `okta-nodes` CLI: its interface and exit codes, driven as other tools will drive it.

#[path = "../../tests/common/mod.rs"]
mod common;

use common::*;
use okta_mock::MockConfig;
use serde_json::Value;
use std::process::Output;
use tokio::process::Command;

const CLI: &str = env!("CARGO_BIN_EXE_okta-nodes");

async fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(CLI);
    cmd.args(args)
        .env_remove("OKTA_DOMAIN")
        .env_remove("OKTA_API_TOKEN")
        .env_remove("OKTA_BEARER_TOKEN")
        .env_remove("OKTA_CLIENT_ID")
        .env_remove("OKTA_PRIVATE_KEY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().await.expect("the CLI runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn list_prints_every_node_with_its_label() {
    let out = run(&["list"], &[]).await;
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let ids: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert!(ids.contains(&"users.create-user") && ids.contains(&"connection.test-connection"));
    assert!(text.contains("users.create-user") && text.contains("Create user"));
    let host = okta_host::Host::new(okta_host::HostConfig {
        max_instances: 1,
        ..Default::default()
    })
    .unwrap();
    let catalog: Vec<&str> = host.catalog().iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, catalog);
}

#[tokio::test]
async fn call_prints_the_output_and_exits_0() {
    let mock = okta_mock::MockOkta::start(MockConfig {
        seed: true,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let token = mock.token();
    let url = mock.url();
    let out = run(
        &[
            "call",
            "users.get-user",
            "--input",
            r#"{"user-id": "ada.lovelace@example.com"}"#,
            "--domain",
            ORG,
            "--route-to",
            &url,
        ],
        &[("OKTA_API_TOKEN", &token)],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let user: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(user["profile"]["login"], "ada.lovelace@example.com");
    assert_eq!(user["status"], "active");
    assert!(!stdout(&out).contains(&token));
}

#[tokio::test]
async fn a_node_error_is_json_on_stdout_and_exit_1() {
    let mock = okta_mock::MockOkta::start(MockConfig::default())
        .await
        .unwrap();
    let url = mock.url();
    let input_file =
        std::env::temp_dir().join(format!("okta-nodes-input-{}.json", std::process::id()));
    std::fs::write(&input_file, r#"{"user-id": "nobody@example.com"}"#).unwrap();
    let at_file = format!("@{}", input_file.display());
    let out = run(
        &[
            "call",
            "users.get-user",
            "--input",
            &at_file,
            "--domain",
            ORG,
            "--token",
            "00SENTINEL-cli",
            "--route-to",
            &url,
        ],
        &[],
    )
    .await;
    std::fs::remove_file(&input_file).ok();
    assert_eq!(out.status.code(), Some(1));
    let error: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(error["kind"], "unauthorized");
    assert_eq!(error["error-code"], "E0000011");
    assert_eq!(error["status"], 401);
    let all = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("SENTINEL"), "{all}");
}

#[tokio::test]
async fn input_of_the_wrong_shape_is_the_nodes_invalid_input_and_exit_1() {
    // Nothing is sent, so the org need not exist.
    for (node, input, field) in [
        ("users.get-user", r#"{"usr-id": "x"}"#, "usr-id"),
        ("users.get-user", r#"{"user-id": null}"#, "request.user-id"),
        (
            "users.list-users",
            r#"{"page": {"limit": "ten"}}"#,
            "request.page.limit",
        ),
    ] {
        let out = run(
            &[
                "call", node, "--input", input, "--domain", ORG, "--token", "t",
            ],
            &[],
        )
        .await;
        assert_eq!(out.status.code(), Some(1), "{input}");
        let error: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(error["kind"], "invalid-input", "{input}");
        assert_eq!(error["attempts"], 0);
        assert!(
            error["message"].as_str().unwrap().contains(field),
            "{input}: {error}"
        );
    }
    let out = run(
        &[
            "call",
            "users.delete-user",
            "--input",
            r#"{"user-id": "x", "mode": "erase"}"#,
            "--domain",
            ORG,
            "--token",
            "t",
        ],
        &[],
    )
    .await;
    let error: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (
            &error["kind"],
            error["message"].as_str().unwrap().contains("request.mode")
        ),
        (&Value::from("invalid-input"), true),
        "{error}"
    );
}

#[tokio::test]
async fn usage_and_host_errors_exit_2() {
    let cases: &[&[&str]] = &[
        &["call", "users.get-user", "--input", "{}", "--domain", ORG],
        &[
            "call",
            "users.no-such-node",
            "--input",
            "{}",
            "--domain",
            ORG,
            "--token",
            "t",
        ],
        &[
            "call",
            "users.get-user",
            "--input",
            "{not json",
            "--domain",
            ORG,
            "--token",
            "t",
        ],
        &["frobnicate"],
    ];
    for args in cases {
        let out = run(args, &[]).await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn demo_runs_the_user_lifecycle_flow() {
    let out = run(&["demo"], &[]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    for node in [
        "users.create-user",
        "users.activate-user",
        "users.get-user",
        "users.suspend-user",
        "users.unsuspend-user",
        "users.reset-password",
        "users.list-users",
        "users.deactivate-user",
        "users.delete-user",
    ] {
        assert!(
            text.contains(&format!("{node}  ok")),
            "{node} did not run: {text}"
        );
    }
    assert!(text.contains("outcome=deleted"));
    for node in [
        "groups.add-user-to-group",
        "apps.assign-user-to-app",
        "factors.enroll-factor",
        "factors.activate-factor",
        "groups.remove-user-from-group",
        "apps.remove-user-from-app",
    ] {
        assert!(
            text.contains(&format!("{node}  ok")),
            "{node} did not run: {text}"
        );
    }
    assert!(
        text.contains("user.mfa.factor.activate"),
        "the onboarding audit trail: {text}"
    );
    assert!(
        text.contains("application.user_membership.remove"),
        "the offboarding audit trail: {text}"
    );
    // Okta's operations by operationId: a group rule fills a group, an admin role is
    // granted and revoked.
    for node in [
        "operations.addGroup",
        "operations.createGroupRule",
        "operations.activateGroupRule",
        "operations.assignRoleToUser",
        "operations.unassignRoleFromUser",
    ] {
        assert!(
            text.contains(&format!("{node}  ok")),
            "{node} did not run: {text}"
        );
    }
    assert!(
        text.contains("items[].profile.login=[lise.meitner@example.com]"),
        "the group rule put the new hire in the group: {text}"
    );
    assert!(
        text.contains("body[].type=[HELP_DESK_ADMIN]") && text.contains("body=0 items"),
        "the role was held, then revoked: {text}"
    );
}

#[tokio::test]
async fn a_flow_runs_against_any_org_with_vars() {
    let mock = okta_mock::MockOkta::start(MockConfig {
        seed: true,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let (token, url) = (mock.token(), mock.url());
    let flow = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/flows/offboarding.json"
    );
    let out = run(
        &[
            "flow",
            flow,
            "--var",
            "login=grace.hopper@example.com",
            "--domain",
            ORG,
            "--token",
            &token,
            "--route-to",
            &url,
        ],
        &[],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        mock.state().find_user("grace.hopper@example.com").is_none(),
        "the var chose who left"
    );
    assert!(
        mock.state()
            .find_user("katherine.johnson@example.com")
            .is_some()
    );
    // A failing step stops the flow with exit 1.
    let again = run(
        &[
            "flow",
            flow,
            "--var",
            "login=grace.hopper@example.com",
            "--domain",
            ORG,
            "--token",
            &token,
            "--route-to",
            &url,
        ],
        &[],
    )
    .await;
    assert_eq!(again.status.code(), Some(1));
    assert!(stdout(&again).contains("FAILED"));
}

#[tokio::test]
async fn the_served_mock_takes_a_large_org_and_faults_from_its_flags() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let mut served = Command::new(CLI)
        .args([
            "mock",
            "--port",
            &port,
            "--quiet",
            "--seed-users",
            "300",
            "--fault",
            r#"{"effect": "fail", "status": 503, "path-prefix": "/api/v1/groups"}"#,
        ])
        .kill_on_drop(true)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    while tokio::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap()))
        .await
        .is_err()
    {
        assert!(served.try_wait().unwrap().is_none(), "the mock exited");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let conn = [
        "--domain",
        ORG,
        "--token",
        "00mock-api-token",
        "--route-to",
        &url,
        "--max-retries",
        "0",
    ];
    let all = run(
        &[
            &["call", "users.list-users", "--input"],
            &[r#"{"page": {"fetch-all": true}}"#][..],
            &conn,
        ]
        .concat(),
        &[],
    )
    .await;
    assert_eq!(all.status.code(), Some(0), "{}", stdout(&all));
    let page: Value = serde_json::from_str(&stdout(&all)).unwrap();
    // The admin, the seven demo people and the 300 seeded users.
    assert_eq!(page["items"].as_array().unwrap().len(), 308);
    let down = run(&[&["call", "groups.list-groups"][..], &conn].concat(), &[]).await;
    assert_eq!(down.status.code(), Some(1));
    let error: Value = serde_json::from_str(&stdout(&down)).unwrap();
    assert_eq!(
        (&error["kind"], &error["error-code"]),
        (&Value::from("server"), &Value::from("E0000010"))
    );
    served.kill().await.unwrap();
}

#[tokio::test]
async fn the_cli_ends_quietly_when_its_reader_goes_away() {
    // `okta-nodes list | head -c 0`: the reader is gone before the first line.
    let mut child = std::process::Command::new(CLI)
        .arg("list")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(out.status.code(), Some(0));
}

#[tokio::test]
async fn a_flow_variable_is_a_value_and_never_adds_a_field() {
    let mock = okta_mock::MockOkta::start(MockConfig::default())
        .await
        .unwrap();
    let (token, url) = (mock.token(), mock.url());
    let flow = std::env::temp_dir().join(format!("okta-nodes-vars-{}.json", std::process::id()));
    std::fs::write(
        &flow,
        serde_json::json!({
            "package": "okta:management@0.6.0",
            "name": "Variables",
            "steps": [
                {
                    "id": "create",
                    "node": "users.create-user",
                    "input": {
                        "profile": {"login": "v@example.com", "email": "v@example.com", "first-name": "V", "last-name": "Ar"},
                        "profile-extra": "{\"startDate\": \"${vars.start}\"}",
                        "activate": false
                    }
                },
                {"id": "list", "node": "users.list-users", "input": {"page": {"limit": "${vars.limit}"}}}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let out = run(
        &[
            "flow",
            flow.to_str().unwrap(),
            "--var",
            r#"start=2026", "costCenter": "HACKED"#,
            "--var",
            "limit=1",
            "--domain",
            ORG,
            "--token",
            &token,
            "--route-to",
            &url,
        ],
        &[],
    )
    .await;
    std::fs::remove_file(&flow).ok();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    let state = mock.state();
    let user = state.find_user("v@example.com").unwrap();
    assert_eq!(user.profile.get("costCenter"), None, "no field was added");
    assert_eq!(
        user.profile["startDate"], r#"2026", "costCenter": "HACKED"#,
        "the value stayed one string"
    );
    let list = state.traffic.logged().last().unwrap().clone();
    assert_eq!(
        list.query.as_deref(),
        Some("limit=1"),
        "a number, where one is wanted"
    );
}

#[tokio::test]
async fn a_service_app_connects_from_the_command_line() {
    let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let app = format!(
        r#"{{"client-id": "0oaclitest", "public-key": "@{keys}/rsa-public.pem", "scopes": ["okta.users.read", "okta.groups.read"], "dpop": true}}"#
    );
    let mut served = Command::new(CLI)
        .args(["mock", "--port", &port, "--quiet", "--service-app", &app])
        .kill_on_drop(true)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    while tokio::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap()))
        .await
        .is_err()
    {
        assert!(served.try_wait().unwrap().is_none(), "the mock exited");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let key = format!("@{keys}/rsa-pkcs8.pem");
    let out = run(
        &[
            "call",
            "groups.list-groups",
            "--domain",
            ORG,
            "--route-to",
            &url,
            "--client-id",
            "0oaclitest",
            "--private-key",
            &key,
            "--scopes",
            "okta.users.read,okta.groups.read",
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let page: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(page["items"].as_array().unwrap().len() >= 3);
    // The same from the environment; a scope the app lacks is named.
    let key_text = std::fs::read_to_string(format!("{keys}/rsa-pkcs8.pem")).unwrap();
    let denied = run(
        &[
            "call",
            "users.create-user",
            "--input",
            r#"{"profile": {"login": "c@example.com"}}"#,
            "--domain",
            ORG,
            "--route-to",
            &url,
        ],
        &[
            ("OKTA_CLIENT_ID", "0oaclitest"),
            ("OKTA_PRIVATE_KEY", &key_text),
            ("OKTA_SCOPES", "okta.users.read"),
        ],
    )
    .await;
    assert_eq!(denied.status.code(), Some(1), "{}", stdout(&denied));
    let error: Value = serde_json::from_str(&stdout(&denied)).unwrap();
    assert_eq!(error["kind"], "forbidden");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("okta.users.manage")
    );
    let all = format!(
        "{}{}",
        stdout(&denied),
        String::from_utf8_lossy(&denied.stderr)
    );
    assert!(!all.contains(key_text.lines().nth(1).unwrap()));
    served.kill().await.unwrap();
}

/// One HTTP/1.1 request over a fresh connection; returns the status line.
async fn http(port: u16, request: &str) -> String {
    http_answer(port, request)
        .await
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// One HTTP/1.1 request over a fresh connection; returns the whole answer.
async fn http_answer(port: u16, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn receive_serves_a_hook_that_the_event_hook_flow_registers() {
    let mock = okta_mock::MockOkta::start(MockConfig {
        seed: true,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let secret = "Bearer a-hook-secret-42";
    let (receiver, port) = receiving(&[
        "--max-events",
        "1",
        "--event-type",
        "user.lifecycle.create",
        "--authorization",
        secret,
    ])
    .await;
    let wrong = http(
        port,
        "POST /okta/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer guess\r\n\
         Content-Type: application/json\r\nContent-Length: 22\r\nConnection: close\r\n\r\n\
         {\"data\":{\"events\":[]}}",
    )
    .await;
    assert!(wrong.contains(" 401 "), "{wrong}");
    // Not a delivery at all: refused for its shape, whoever sends it.
    let junk = http(
        port,
        "POST /okta/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer guess\r\n\
         Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    )
    .await;
    assert!(junk.contains(" 400 "), "{junk}");
    let no_challenge = http(
        port,
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(no_challenge.contains(" 400 "), "{no_challenge}");
    let answer = http_answer(
        port,
        "GET / HTTP/1.1\r\nHost: x\r\nX-Okta-Verification-Challenge: abc\r\n\
         Connection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("content-type: application/json"),
        "{answer}"
    );
    assert!(answer.ends_with(r#"{"verification":"abc"}"#), "{answer}");

    let flow = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/flows/event-hook.json"
    );
    let endpoint = format!("endpoint=https://127.0.0.1:{port}/okta/events");
    let token = mock.token();
    let url = mock.url();
    let ran = run(
        &[
            "flow",
            flow,
            "--var",
            &endpoint,
            "--var",
            &format!("secret={secret}"),
            "--domain",
            ORG,
            "--token",
            &token,
            "--route-to",
            &url,
        ],
        &[],
    )
    .await;
    assert_eq!(ran.status.code(), Some(0), "{}", stdout(&ran));
    assert!(stdout(&ran).contains("verification-status=verified"));
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        receiver.wait_with_output(),
    )
    .await
    .expect("receive stops after its one event")
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["event-type"], "user.lifecycle.create");
    assert_eq!(
        lines[0]["targets"][0]["alternate-id"],
        "rosalind.franklin@example.com"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("a-hook-secret-42"), "{stderr}");
}

#[tokio::test]
async fn list_json_and_describe_read_the_component_s_catalog() {
    let out = run(&["list", "--json"], &[]).await;
    assert_eq!(out.status.code(), Some(0));
    let nodes: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let create = nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "users.create-user")
        .unwrap();
    assert_eq!(create["input-schema"], "users.create-user-request");
    assert_eq!(create["scopes"], serde_json::json!(["okta.users.manage"]));
    let form = run(&["describe", "factors.enroll-factor"], &[]).await;
    assert_eq!(form.status.code(), Some(0));
    let text = stdout(&form);
    assert!(text.contains("factor-type \"Factor type\": one of call, email, push, question, sms, token-hotp, token-software-totp (required)"), "{text}");
    assert!(
        text.contains("shared-secret \"Shared secret\": string (secret)"),
        "{text}"
    );
    assert!(
        text.contains("when factor-type is sms or call: phone-number is set"),
        "{text}"
    );
    let schema = run(&["list", "--schema"], &[]).await;
    let schema: Value = serde_json::from_str(&stdout(&schema)).unwrap();
    assert!(schema["$defs"]["types.user"].is_object());
    let unknown = run(&["describe", "users.fly"], &[]).await;
    assert_eq!(unknown.status.code(), Some(2));
}

/// Every option that takes a secret takes one that starts with `-` (a PEM does), and no
/// misplaced argument is printed back: each secret below, put where clap does not expect
/// it, appears in neither stdout nor stderr.
#[tokio::test]
async fn no_secret_is_printed_back_wherever_it_is_put() {
    let pem = "-----BEGIN PRIVATE KEY-----\nMIIEvSENTINELkey\n-----END PRIVATE KEY-----";
    let token = "00SENTINEL-token";
    let as_option = format!("--{token}");
    let cases: Vec<Vec<&str>> = vec![
        // A stray positional argument after the options.
        vec![
            "call",
            "users.list-users",
            "--domain",
            "x.okta.com",
            "--token",
            "t",
            token,
        ],
        // A secret as an unknown option's value and as an unknown option.
        vec!["call", "users.list-users", "--tokne", token],
        vec!["call", "users.list-users", &as_option],
        // A PEM where no option takes it.
        vec!["call", "users.list-users", "--client-id", "0oa1", pem],
        // A secret given to an option that takes something else.
        vec!["call", "users.list-users", "--dpop", token],
        vec!["call", "users.list-users", "--timeout-ms", token],
        vec!["receive", "--port", token],
        vec!["mock", "--port", pem],
        vec![token],
    ];
    for args in &cases {
        let out = run(args, &[]).await;
        let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {text}");
        assert!(
            !text.contains("SENTINEL"),
            "{args:?} printed it back: {text}"
        );
        assert!(text.contains("--help"), "{args:?}: {text}");
    }
    // A flow variable without `=` is refused without being shown.
    let flow = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/flows/user-lifecycle.json"
    );
    let out = run(&["flow", flow, "--var", token], &[]).await;
    let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(!text.contains("SENTINEL"), "--var printed it back: {text}");
    // A PEM is a value of --private-key, and a token starting with `-` of --token and
    // --bearer: the call goes on to the host (which finds no org there) rather than clap
    // refusing the line.
    for (option, value) in [
        ("--private-key", pem),
        ("--token", "-00SENTINEL"),
        ("--bearer", "-eyJSENTINEL"),
    ] {
        let mut args = vec![
            "call",
            "connection.test-connection",
            "--domain",
            "x.invalid",
        ];
        if option == "--private-key" {
            args.extend(["--client-id", "0oa1"]);
        }
        args.extend([option, value, "--deadline-ms", "2000"]);
        let out = run(&args, &[]).await;
        let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
        assert!(!text.contains("SENTINEL"), "{option}: {text}");
        assert!(!text.contains("unexpected argument"), "{option}: {text}");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{option}: the node's error: {text}"
        );
    }
}

/// Starts `receive` with these arguments on a free port; returns the child and the port.
async fn receiving(args: &[&str]) -> (tokio::process::Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CLI)
        .args(["receive", "--port", &port.to_string()])
        .args(args)
        .kill_on_drop(true)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    (child, port)
}

/// A delivery of one event with this uuid, as Okta posts it.
fn delivery(uuid: &str, authorization: &str) -> String {
    let body = serde_json::json!({"eventType": "com.okta.event_hook", "data": {"events": [
        {"uuid": uuid, "published": "2026-12-01T10:00:00.000Z",
         "eventType": "user.lifecycle.create", "severity": "INFO"}]}})
    .to_string();
    format!(
        "POST /okta/events HTTP/1.1\r\nHost: x\r\nAuthorization: {authorization}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn receive_needs_a_secret_drops_replays_and_holds_its_clients() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // No secret: it does not start.
    let out = run(&["receive", "--port", "0"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--authorization"));

    // Without a secret when told: it warns, and takes a delivery with no Authorization.
    let (insecure, port) = receiving(&["--insecure-no-auth", "--max-events", "1"]).await;
    assert!(http(port, &delivery("u-0", "none")).await.contains(" 200 "));
    let out = insecure.wait_with_output().await.unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: --insecure-no-auth"));

    // A replayed event is dropped and counted; a new one is printed.
    let secret = "Bearer hook-secret";
    let (child, port) = receiving(&[
        "--authorization",
        secret,
        "--max-events",
        "2",
        "--max-connections",
        "2",
        "--header-read-timeout-ms",
        "500",
    ])
    .await;
    for uuid in ["u-1", "u-1", "u-1"] {
        assert!(
            http(port, &delivery(uuid, secret)).await.contains(" 200 "),
            "{uuid}"
        );
    }
    // A half-sent head is cut off at the header-read timeout.
    let mut slow = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    slow.write_all(b"POST /okta/events HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        slow.read_to_end(&mut rest),
    )
    .await;
    assert!(closed.is_ok(), "the half-sent head is still open");
    // The second event ends the run (--max-events 2).
    assert!(http(port, &delivery("u-2", secret)).await.contains(" 200 "));
    let out = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let uuids: Vec<&str> = lines.iter().map(|l| l["uuid"].as_str().unwrap()).collect();
    assert_eq!(uuids, ["u-1", "u-2"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("dropped a replayed event (2 so far)"),
        "{stderr}"
    );
}

/// At most `--max-connections` clients are served at once; the next is served when one
/// leaves.
#[tokio::test]
async fn receive_caps_its_open_connections() {
    use tokio::io::AsyncWriteExt;
    let secret = "Bearer hook-secret";
    let (child, port) = receiving(&[
        "--authorization",
        secret,
        "--max-connections",
        "2",
        "--header-read-timeout-ms",
        "60000",
    ])
    .await;
    // The probe `receiving` made is gone; two idle clients take both places.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mut idle = Vec::new();
    for _ in 0..2 {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        stream.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        idle.push(stream);
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let waiting = tokio::spawn(async move { http(port, &delivery("u-9", secret)).await });
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert!(
        !waiting.is_finished(),
        "a third client was served while two held the places"
    );
    drop(idle);
    let answered = tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
        .await
        .expect("served once a place is free")
        .unwrap();
    assert!(answered.contains(" 200 "), "{answered}");
    drop(child);
}
