//! Every operation of Okta's Management spec through the real component: each node's own
//! example (built from the spec's examples) is accepted, and the request it sends is the
//! spec's — method, path, query names and types, headers, body media type and required
//! members — as a server that checks requests against the spec's operation table sees it.

mod common;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use common::ORG;
use okta_host::calls::Outcome;
use okta_host::{Connection, Host, HostConfig};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The operations as `scripts/operations` read them from the spec.
fn spec() -> Value {
    serde_json::from_str(include_str!("../../src/operations/operations.json")).unwrap()
}

/// A request as the server received it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
}

/// What the server answers next, and what it saw.
#[derive(Default)]
struct Server {
    answer: Mutex<(u16, String, &'static str)>,
    seen: Mutex<Vec<Seen>>,
}

async fn record(
    State(server): State<Arc<Server>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    server.seen.lock().unwrap().push(Seen {
        method: method.to_string(),
        path: uri.path().to_string(),
        query,
        headers,
        body,
    });
    let (status, body, media) = server.answer.lock().unwrap().clone();
    let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
    response
        .headers_mut()
        .insert("content-type", media.parse().unwrap());
    response
}

/// A server that records every request and answers what it is told to, a host routed to
/// it, and a connection to call with.
async fn server() -> (Arc<Server>, Host, Connection) {
    let server = Arc::new(Server::default());
    let app = axum::Router::new()
        .fallback(record)
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let host = Host::new(HostConfig {
        route_to: Some(url),
        ..HostConfig::default()
    })
    .unwrap();
    (server, host, Connection::api_token(ORG, "00example-token"))
}

/// Why a request is not the operation's, by the spec (empty when it is).
fn check(op: &Value, input: &Value, seen: &Seen) -> Vec<String> {
    let mut wrong = Vec::new();
    let id = op["id"].as_str().unwrap();
    if seen.method != op["method"] {
        wrong.push(format!("method {} is not {}", seen.method, op["method"]));
    }
    let params: BTreeMap<&str, &Value> = op["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p))
        .collect();
    // The path: the template's segments, each parameter one segment holding its value.
    let template: Vec<&str> = op["path"].as_str().unwrap().split('/').collect();
    let got: Vec<&str> = seen.path.split('/').collect();
    if template.len() != got.len() {
        wrong.push(format!("path {} is not {}", seen.path, op["path"]));
    } else {
        for (want, got) in template.iter().zip(&got) {
            match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                Some(name) => {
                    let decoded = percent_decode(got);
                    let given = input[name].as_str().map(str::trim);
                    if given != Some(decoded.as_str()) {
                        wrong.push(format!("path parameter {name} is {decoded}, not {given:?}"));
                    }
                }
                None if want != got => {
                    wrong.push(format!("path {} is not {}", seen.path, op["path"]))
                }
                None => {}
            }
        }
    }
    // The query: only the spec's names, each of its type and enum.
    for (name, value) in &seen.query {
        let paging = op["pages"] == true && (name == "limit" || name == "after");
        let Some(param) = params.get(name.as_str()).filter(|p| p["in"] == "query") else {
            if !paging {
                wrong.push(format!("query {name} is not a parameter of {id}"));
            }
            continue;
        };
        let typed = match param["type"].as_str().unwrap() {
            "integer" => value.parse::<i64>().is_ok(),
            "boolean" => value == "true" || value == "false",
            _ => true,
        };
        if !typed {
            wrong.push(format!("query {name}={value} is not a {}", param["type"]));
        }
        if let Some(values) = param["enum"].as_array() {
            let items: Vec<&str> = match param["explode"] {
                Value::Bool(false) => value.split(',').collect(),
                _ => vec![value.as_str()],
            };
            for item in items {
                if !values.iter().any(|v| {
                    v.as_str() == Some(item) || v.as_i64().is_some_and(|n| item.parse() == Ok(n))
                }) {
                    wrong.push(format!("query {name}={item} is not one of {values:?}"));
                }
            }
        }
    }
    for (name, param) in &params {
        let sent = match param["in"].as_str().unwrap() {
            "query" => seen.query.iter().any(|(k, _)| k == name),
            "header" => seen.headers.contains_key(*name),
            _ => true,
        };
        if param["required"] == true && !sent {
            wrong.push(format!(
                "required {} parameter {name} was not sent",
                param["in"]
            ));
        }
        if param["in"] == "header" && !input[*name].is_null() && !sent {
            wrong.push(format!("header {name} was given and not sent"));
        }
    }
    // The body: the spec's media type, and its required members.
    let media = seen
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match op["body"].as_object() {
        None if !seen.body.is_empty() => wrong.push(format!("{id} takes no body")),
        None => {}
        Some(_) if seen.body.is_empty() && input["body"].is_null() => {}
        Some(body) => {
            let want = body["media"].as_str().unwrap();
            if !(media == want || media.starts_with(&format!("{want};"))) {
                wrong.push(format!("body media type {media} is not {want}"));
            }
            if want.contains("json") {
                match serde_json::from_slice::<Value>(&seen.body) {
                    Err(e) => wrong.push(format!("body is not JSON: {e}")),
                    Ok(sent) => {
                        if sent != input["body"] {
                            wrong.push("the body sent is not the body given".into());
                        }
                        for member in body["members"].as_array().unwrap() {
                            if sent.get(member.as_str().unwrap()).is_none() {
                                wrong.push(format!("body has no {member}"));
                            }
                        }
                    }
                }
            }
        }
    }
    wrong
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The answer for an operation: its first success status, and a body of its shape.
fn answer(op: &Value) -> (u16, String, &'static str) {
    let (status, success) = op["success"].as_object().unwrap().iter().next().unwrap();
    let status: u16 = status.parse().unwrap();
    let media = success["media"].as_str();
    match media {
        None => (status, String::new(), "application/json"),
        Some(m) if !m.contains("json") => (status, "<xml/>".into(), "text/xml"),
        Some(_) if op["pages"] == true => (status, "[{\"id\":\"a\"}]".into(), "application/json"),
        Some(_) if success["schema"]["type"] == "array" => {
            (status, "[]".into(), "application/json")
        }
        Some(_) => (status, "{\"id\":\"a\"}".into(), "application/json"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_sends_what_the_spec_says_from_its_own_example() {
    let (server, host, conn) = server().await;
    let catalog = host.describe().await.unwrap();
    let spec = spec();
    let mut wrong = Vec::new();
    let mut called = 0;
    for op in spec["operations"].as_array().unwrap() {
        let id = format!("operations.{}", op["id"].as_str().unwrap());
        let node = catalog
            .node(&id)
            .unwrap_or_else(|| panic!("{id} is not in the catalog"));
        let input: Value = serde_json::from_str(node.example.as_deref().unwrap()).unwrap();
        *server.answer.lock().unwrap() = answer(op);
        server.seen.lock().unwrap().clear();
        let outcome = host.call_json(&conn, &id, &input).await.unwrap();
        let seen = server.seen.lock().unwrap().clone();
        match (&outcome, seen.as_slice()) {
            (Outcome::Ok(out), [one]) => {
                let status = out["status"].as_u64().unwrap_or_default();
                if op["success"].get(status.to_string()).is_none() {
                    wrong.push(format!("{id}: answered status {status}"));
                }
                wrong.extend(
                    check(op, &input, one)
                        .into_iter()
                        .map(|w| format!("{id}: {w}")),
                );
            }
            (outcome, seen) => {
                wrong.push(format!("{id}: {outcome:?} after {} requests", seen.len()))
            }
        }
        called += 1;
    }
    let left_out = spec["left-out"].as_array().unwrap().len();
    assert_eq!(
        called + left_out,
        732,
        "every operation of the spec, or its reason"
    );
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[tokio::test]
async fn an_operation_s_input_is_refused_before_anything_is_sent() {
    let (server, host, conn) = server().await;
    for (id, input, says) in [
        ("operations.getGroup", json!({}), "groupId is required"),
        (
            "operations.getGroup",
            json!({"groupId": "00g1", "x": 1}),
            "`x`",
        ),
        ("operations.getGroup", json!({"groupId": ".."}), "groupId"),
        (
            "operations.listGroups",
            json!({"q": 1}),
            "q must be a string",
        ),
        (
            "operations.listAgentPools",
            json!({"poolType": "NT"}),
            "one of",
        ),
        (
            "operations.createGroupRule",
            json!({"body": [1]}),
            "JSON object",
        ),
        ("operations.createUser", json!({"body": {}}), "body.profile"),
        (
            "operations.listGroups",
            json!({"page": {"limit": 0}}),
            "page.limit",
        ),
    ] {
        let Outcome::Err(err) = host.call_json(&conn, id, &input).await.unwrap() else {
            panic!("{id} {input} was taken");
        };
        assert_eq!(err["kind"], "invalid-input", "{id} {input}");
        assert!(
            err["message"].as_str().unwrap().contains(says),
            "{id}: {err}"
        );
    }
    assert!(server.seen.lock().unwrap().is_empty());
    let unknown = host
        .call_json(&conn, "operations.noSuchThing", &json!({}))
        .await;
    assert!(unknown.unwrap_err().to_string().contains("no node"));
}

#[test]
fn the_spec_check_finds_a_request_that_is_not_the_operation_s() {
    let spec = spec();
    let op = spec["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|op| op["id"] == "createGroupRule")
        .unwrap();
    let input = json!({"body": {"name": "rule"}});
    let seen = |method: &str, path: &str, query: &[(&str, &str)], body: &str| Seen {
        method: method.into(),
        path: path.into(),
        query: query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        headers: {
            let mut headers = HeaderMap::new();
            headers.insert("content-type", "application/json".parse().unwrap());
            headers
        },
        body: Bytes::from(body.to_string()),
    };
    let right = seen("POST", "/api/v1/groups/rules", &[], r#"{"name":"rule"}"#);
    assert!(check(op, &input, &right).is_empty());
    for wrong in [
        seen("PUT", "/api/v1/groups/rules", &[], r#"{"name":"rule"}"#),
        seen("POST", "/api/v1/groups/rule", &[], r#"{"name":"rule"}"#),
        seen(
            "POST",
            "/api/v1/groups/rules",
            &[("x", "1")],
            r#"{"name":"rule"}"#,
        ),
        seen("POST", "/api/v1/groups/rules", &[], r#"{"name":"other"}"#),
        seen("POST", "/api/v1/groups/rules", &[], "name=rule"),
    ] {
        assert!(!check(op, &input, &wrong).is_empty(), "{wrong:?}");
    }
}

#[tokio::test]
async fn operations_call_takes_the_id_and_the_input_as_json_text() {
    let env = common::Env::seeded().await;
    let mut node = env.node().await;
    let answer = node
        .nodes
        .okta_management_operations()
        .call_call(
            &mut node.store,
            &node.conn,
            &okta_host::wit::operations::OperationRequest {
                operation_id: "getGroup".into(),
                input: json!({"groupId": okta_mock::state::demo::ENGINEERING}).to_string(),
            },
        )
        .await
        .unwrap()
        .unwrap();
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["status"], 200);
    assert_eq!(answer["body"]["profile"]["name"], "Engineering");
    let mut node = env.node().await;
    let unknown = node
        .nodes
        .okta_management_operations()
        .call_call(
            &mut node.store,
            &node.conn,
            &okta_host::wit::operations::OperationRequest {
                operation_id: "noSuchOperation".into(),
                input: "{}".into(),
            },
        )
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(unknown.kind, okta_host::wit::types::ErrorKind::InvalidInput);
    assert!(unknown.message.contains("2026.06.3"), "{}", unknown.message);
}

#[tokio::test]
async fn an_operation_s_secrets_are_masked_in_its_schema() {
    let host = Host::new(HostConfig::default()).unwrap();
    let catalog = host.describe().await.unwrap();
    for (def, member) in [
        ("okta.PasswordCredential", "value"),
        ("okta.RecoveryQuestionCredential", "answer"),
    ] {
        let property = &catalog.def(def).unwrap()["properties"][member];
        assert_eq!(property["format"], "password", "{def}.{member}");
        assert_eq!(property["writeOnly"], true, "{def}.{member}");
    }
}

/// Okta's own answers through an operation node, as through a typed one: a missing user is
/// `not-found` with Okta's code after one request; a 503 to a read is met by one more
/// request, and to `deleteUser` (whose second call would delete for good) by none.
#[tokio::test]
async fn an_operation_meets_okta_s_errors_as_every_node_does() {
    let env = common::Env::start().await;
    let admin = env.mock.state().user_id("admin@example.com").unwrap();
    let call = |id: &'static str, input: Value| {
        let env = &env;
        async move { env.host.call_json(&env.conn, id, &input).await.unwrap() }
    };
    let before = env.requests();
    let Outcome::Err(missing) = call("operations.getUser", json!({"id": "00unobody"})).await else {
        panic!("a missing user is an error")
    };
    assert_eq!(missing["kind"], "not-found", "{missing}");
    assert_eq!(missing["error-code"], "E0000007", "{missing}");
    assert_eq!(env.requests(), before + 1);

    let unavailable = |method: &str| {
        let fault = json!({"effect": "fail", "status": 503, "method": method,
            "path-prefix": format!("/api/v1/users/{admin}"), "count": 1});
        env.mock
            .add_fault(okta_mock::Fault::from_json(&fault).unwrap());
    };
    unavailable("GET");
    let before = env.requests();
    let read = call("operations.getUser", json!({"id": admin})).await;
    assert!(matches!(read, Outcome::Ok(_)), "{read:?}");
    assert_eq!(env.requests(), before + 2, "the read is sent again");

    unavailable("DELETE");
    let before = env.requests();
    let Outcome::Err(refused) = call("operations.deleteUser", json!({"id": admin})).await else {
        panic!("the 503 is the node's error")
    };
    assert_eq!(refused["kind"], "server", "{refused}");
    assert_eq!(env.requests(), before + 1, "deleteUser is never sent twice");
    assert!(env.mock.state().user_id("admin@example.com").is_ok());
}
