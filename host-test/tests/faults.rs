//! The fault suite: what the nodes do when Okta (or the network in front of it) misbehaves,
//! through the real component against the mock's fault switches. Each case asserts the
//! outcome's kind, how many requests reached the mock, what the org holds afterwards (no
//! write done twice), and that the call ended within the configured caps (measured with a
//! wide margin, not a timing assertion). The token is a sentinel that no outcome and no line
//! of the mock's request log may carry.

mod common;

use common::*;
use okta_host::wit::types::DpopMode;
use okta_host::{HostConfig, Outcome, TimeoutCaps};
use okta_mock::state::State;
use okta_mock::{Fault, MockConfig};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SENTINEL: &str = "00FAULT-SENTINEL-7d1e-token";

/// The caps the suite runs under: short, so a stuck call shows quickly.
const FIRST_BYTE: Duration = Duration::from_millis(800);
const BETWEEN_BYTES: Duration = Duration::from_millis(300);

/// What a case expects.
enum Expect {
    /// Success; the output passes the check.
    Ok(fn(&Value) -> bool),
    /// This error kind.
    Err(&'static str),
}

/// One fault case: faults to switch on, one node call, and what must come of it.
struct Case {
    name: &'static str,
    faults: Vec<Value>,
    node: &'static str,
    input: Value,
    expect: Expect,
    /// Requests that reach the mock (the admin's lookups included).
    requests: usize,
    /// What the org must hold afterwards.
    state: fn(&State) -> bool,
}

fn any(_: &State) -> bool {
    true
}

fn ok(_: &Value) -> bool {
    true
}

/// How many users have this login (0 or 1: never 2).
fn users_with(state: &State, login: &str) -> usize {
    state
        .users
        .values()
        .filter(|u| u.login().eq_ignore_ascii_case(login))
        .count()
}

fn fault(effect: Value, method: &str, path: &str, count: Option<u32>) -> Value {
    let mut fault = effect;
    fault["method"] = method.into();
    fault["path-prefix"] = path.into();
    if let Some(count) = count {
        fault["count"] = count.into();
    }
    fault
}

fn cases(ids: &Ids) -> Vec<Case> {
    let user = format!("/api/v1/users/{}", ids.user);
    let get_user = || json!({"user-id": ids.user});
    let status = |s: u16| json!({"effect": "fail", "status": s});
    let mut cases = vec![
        Case {
            name: "429 with a near reset is waited out",
            faults: vec![fault(
                json!({"effect": "rate-limit", "reset-seconds": 1}),
                "GET",
                &user,
                Some(1),
            )],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Ok(ok),
            requests: 2,
            state: any,
        },
        Case {
            name: "429 with a far reset fails at once with reset-at",
            faults: vec![fault(
                json!({"effect": "rate-limit", "reset-seconds": 600}),
                "GET",
                &user,
                Some(1),
            )],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Err("rate-limited"),
            requests: 1,
            state: any,
        },
        Case {
            name: "a 429 storm ends after the retries",
            faults: vec![fault(
                json!({"effect": "rate-limit", "reset-seconds": 1}),
                "GET",
                &user,
                Some(5),
            )],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Err("rate-limited"),
            requests: 3,
            state: any,
        },
    ];
    for code in [500, 502, 503, 504] {
        cases.push(Case {
            name: "one 5xx on a read is retried",
            faults: vec![fault(status(code), "GET", &user, Some(1))],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Ok(ok),
            requests: 2,
            state: any,
        });
    }
    cases.extend([
        Case {
            name: "5xx on every try of a read",
            faults: vec![fault(status(503), "GET", &user, None)],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Err("server"),
            requests: 3,
            state: any,
        },
        Case {
            name: "a dropped connection on a read is retried",
            faults: vec![fault(json!({"effect": "hangup"}), "GET", &user, Some(1))],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Ok(ok),
            requests: 2,
            state: any,
        },
        Case {
            name: "a reset mid-body on a read is retried",
            faults: vec![fault(json!({"effect": "reset-mid-body"}), "GET", &user, Some(1))],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Ok(ok),
            requests: 2,
            state: any,
        },
        Case {
            name: "a body dripping slower than the between-bytes cap times out",
            faults: vec![fault(json!({"effect": "drip", "interval-ms": 1000}), "GET", &user, None)],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Err("timeout"),
            requests: 3,
            state: any,
        },
        Case {
            name: "a body dripping within the cap arrives",
            faults: vec![fault(json!({"effect": "drip", "interval-ms": 1}), "GET", &user, Some(1))],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Ok(|user| user["profile"]["login"] == "faults@example.com"),
            requests: 1,
            state: any,
        },
        Case {
            name: "a first byte later than the cap times out",
            faults: vec![fault(json!({"effect": "delay", "delay-ms": 2000}), "GET", &user, None)],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Err("timeout"),
            requests: 3,
            state: any,
        },
        Case {
            name: "a slow first byte within the cap arrives",
            faults: vec![fault(json!({"effect": "delay", "delay-ms": 100}), "GET", &user, Some(1))],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Ok(ok),
            requests: 1,
            state: any,
        },
        Case {
            name: "truncated JSON is a decode error, not retried",
            faults: vec![fault(json!({"effect": "truncate"}), "GET", &user, Some(1))],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Err("decode"),
            requests: 1,
            state: any,
        },
        Case {
            name: "an HTML 502 page from a proxy is a server error",
            faults: vec![fault(json!({"effect": "html", "status": 502}), "GET", &user, None)],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Err("server"),
            requests: 3,
            state: any,
        },
        Case {
            name: "an HTML 403 page is forbidden",
            faults: vec![fault(json!({"effect": "html", "status": 403}), "GET", &user, Some(1))],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Err("forbidden"),
            requests: 1,
            state: any,
        },
        Case {
            name: "a body past max-response-bytes is refused, not retried",
            faults: vec![fault(json!({"effect": "huge", "bytes": 3 << 20}), "GET", "/api/v1/users", Some(1))],
            node: "users.list-users",
            input: json!({}),
            expect: Expect::Err("decode"),
            requests: 1,
            state: any,
        },
        Case {
            name: "a huge header is a transport failure",
            faults: vec![fault(json!({"effect": "huge-header", "bytes": 1 << 20}), "GET", &user, None)],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Err("transport"),
            requests: 3,
            state: any,
        },
        Case {
            name: "sixteen 8 KiB headers on a raw request are invalid-input, not a trap",
            faults: vec![],
            node: "raw.request",
            input: json!({"method": "get", "path": "/api/v1/users/me", "headers": padding(16, 8 << 10)}),
            expect: Expect::Err("invalid-input"),
            requests: 0,
            state: any,
        },
        Case {
            name: "headers past the caller's share of the budget are invalid-input",
            faults: vec![],
            node: "raw.request",
            input: json!({"method": "get", "path": "/api/v1/users/me", "headers": padding(32, 1100)}),
            expect: Expect::Err("invalid-input"),
            requests: 0,
            state: any,
        },
        Case {
            name: "headers within the caller's share go out",
            faults: vec![],
            node: "raw.request",
            input: json!({"method": "get", "path": "/api/v1/users/me", "headers": padding(3, 8 << 10)}),
            expect: Expect::Ok(|out| out["status"] == 200),
            requests: 1,
            state: any,
        },
        Case {
            name: "a 200 KB header on an answer is read, not a trap",
            faults: vec![fault(json!({"effect": "huge-header", "bytes": 200_000}), "GET", &user, Some(1))],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Ok(|out| out["id"].is_string()),
            requests: 1,
            state: any,
        },
        Case {
            name: "a 5 KB factor picklist search sends nothing",
            faults: vec![],
            node: "picklists.select-user-factor",
            input: json!({"user-id": ids.user, "search": "s".repeat(5_000)}),
            expect: Expect::Err("invalid-input"),
            requests: 0,
            state: any,
        },
        Case {
            name: "an event hook picklist cursor that is no offset sends nothing",
            faults: vec![],
            node: "picklists.select-event-hook",
            input: json!({"cursor": "abc"}),
            expect: Expect::Err("invalid-input"),
            requests: 0,
            state: any,
        },
        Case {
            name: "a user type picklist cursor that is no offset sends nothing",
            faults: vec![],
            node: "picklists.select-user-type",
            input: json!({"cursor": "-1"}),
            expect: Expect::Err("invalid-input"),
            requests: 0,
            state: any,
        },
        Case {
            name: "a user poll state of another org sends nothing",
            faults: vec![],
            node: "triggers.poll-new-users",
            input: json!({"state": json!({"poll": "created", "org": "dev-1.okta.com",
                "since": "2026-12-01T00:00:00.000Z", "at": "2026-12-01T00:00:00.000Z", "seen": []}).to_string()}),
            expect: Expect::Err("invalid-input"),
            requests: 0,
            state: any,
        },
        Case {
            name: "a forged system log state from before states named their org sends nothing",
            faults: vec![],
            node: "triggers.poll-system-log",
            input: json!({"state": "log1:/api/v1/logs?since=1970-01-01T00:00:00.000Z"}),
            expect: Expect::Err("invalid-input"),
            requests: 0,
            state: any,
        },
        Case {
            name: "a long DPoP-Nonce on an answer that is no challenge is read as usual",
            faults: vec![fault(json!({"effect": "huge-header", "name": "dpop-nonce", "bytes": 5_000}), "GET", &user, Some(1))],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Ok(|out| out["id"].is_string()),
            requests: 1,
            state: any,
        },
        Case {
            name: "a token lifetime past Okta's bound sends nothing",
            faults: vec![],
            node: "factors.enroll-factor",
            input: json!({"user-id": ids.user, "factor-type": "sms",
                "phone-number": "+15555550100", "token-lifetime-seconds": 86_401}),
            expect: Expect::Err("invalid-input"),
            requests: 0,
            state: any,
        },
        Case {
            name: "a raw retry delay past its bound sends nothing",
            faults: vec![],
            node: "raw.request",
            input: json!({"method": "get", "path": "/api/v1/users/me", "retry-delay-ms": 300_001}),
            expect: Expect::Err("invalid-input"),
            requests: 0,
            state: any,
        },
        Case {
            name: "a next link that loops stops the walk",
            faults: vec![fault(json!({"effect": "next-loop"}), "GET", "/api/v1/users", None)],
            node: "users.list-users",
            input: json!({"page": {"limit": 2, "fetch-all": true}}),
            expect: Expect::Ok(|page| page["items"].as_array().unwrap().len() == 2 && page["next-cursor"].is_null()),
            requests: 1,
            state: any,
        },
        Case {
            name: "a next link to another host is followed on the org only",
            faults: vec![fault(json!({"effect": "foreign-next"}), "GET", "/api/v1/users", Some(1))],
            node: "users.list-users",
            input: json!({"page": {"limit": 2, "fetch-all": true}}),
            expect: Expect::Ok(|page| page["items"].as_array().unwrap().len() >= 2),
            requests: 2,
            state: any,
        },
        Case {
            name: "a redirect is not followed",
            faults: vec![fault(json!({"effect": "redirect", "location": "https://evil.example.com/api/v1/users"}), "GET", &user, Some(1))],
            node: "users.get-user",
            input: get_user(),
            expect: Expect::Err("unexpected"),
            requests: 1,
            state: any,
        },
        // Writes that are not safe to repeat.
        Case {
            name: "a 500 on a create is not retried",
            faults: vec![fault(status(500), "POST", "/api/v1/users", Some(1))],
            node: "users.create-user",
            input: create("lost500@example.com"),
            expect: Expect::Err("server"),
            requests: 1,
            state: |s| users_with(s, "lost500@example.com") == 0,
        },
        Case {
            name: "a create whose answer is dropped is found again",
            faults: vec![fault(json!({"effect": "hangup"}), "POST", "/api/v1/users", Some(1))],
            node: "users.create-user",
            input: create("hungup@example.com"),
            expect: Expect::Ok(|user| user["profile"]["login"] == "hungup@example.com"),
            requests: 2,
            state: |s| users_with(s, "hungup@example.com") == 1,
        },
        Case {
            name: "a create reset mid-body is found again",
            faults: vec![fault(json!({"effect": "reset-mid-body"}), "POST", "/api/v1/users", Some(1))],
            node: "users.create-user",
            input: create("midbody@example.com"),
            expect: Expect::Ok(|user| user["profile"]["login"] == "midbody@example.com"),
            requests: 2,
            state: |s| users_with(s, "midbody@example.com") == 1,
        },
        Case {
            name: "a create applied after the node gave up is outcome-unknown",
            faults: vec![fault(json!({"effect": "delay", "delay-ms": 1500}), "POST", "/api/v1/users", Some(1))],
            node: "users.create-user",
            input: create("late@example.com"),
            expect: Expect::Err("outcome-unknown"),
            // The create, then the search that finds nothing yet.
            requests: 2,
            state: any,
        },
        Case {
            name: "an activation whose answer is lost is outcome-unknown",
            faults: vec![fault(json!({"effect": "hangup"}), "POST", &format!("/api/v1/users/{}/lifecycle/activate", ids.staged), Some(1))],
            node: "users.activate-user",
            input: json!({"user-id": ids.staged, "send-email": false}),
            expect: Expect::Err("outcome-unknown"),
            requests: 1,
            state: any,
        },
        Case {
            name: "a password reset whose answer is lost is outcome-unknown",
            faults: vec![fault(json!({"effect": "hangup"}), "POST", &format!("/api/v1/users/{}/lifecycle/reset_password", ids.recovering), Some(1))],
            node: "users.reset-password",
            input: json!({"user-id": ids.recovering, "send-email": false}),
            expect: Expect::Err("outcome-unknown"),
            requests: 1,
            state: any,
        },
        Case {
            name: "a suspend whose answer is lost is sent again, and finds the user suspended",
            faults: vec![fault(json!({"effect": "hangup"}), "POST", &format!("/api/v1/users/{}/lifecycle/suspend", ids.leaving), Some(1))],
            node: "users.suspend-user",
            input: json!({"user-id": ids.leaving}),
            expect: Expect::Ok(|out| out["status"] == "suspended" && out["changed"] == false),
            requests: 3,
            state: any,
        },
        Case {
            name: "an unsuspend after a 503 is retried",
            faults: vec![fault(status(503), "POST", &format!("/api/v1/users/{}/lifecycle/unsuspend", ids.paused), Some(1))],
            node: "users.unsuspend-user",
            input: json!({"user-id": ids.paused}),
            expect: Expect::Ok(|out| out["changed"] == true),
            requests: 2,
            state: any,
        },
        Case {
            name: "a profile update after a 502 is retried",
            faults: vec![fault(status(502), "POST", &user, Some(1))],
            node: "users.update-user",
            input: json!({"user-id": ids.user, "profile": {"title": "Tester"}}),
            expect: Expect::Ok(|user| user["profile"]["title"] == "Tester"),
            requests: 2,
            state: any,
        },
        Case {
            name: "a password update whose answer is lost is outcome-unknown",
            faults: vec![fault(json!({"effect": "hangup"}), "POST", &user, Some(1))],
            node: "users.update-user",
            input: json!({"user-id": ids.user, "profile": {}, "password": {"value": "An0ther!pass"}}),
            expect: Expect::Err("outcome-unknown"),
            requests: 1,
            state: any,
        },
        Case {
            name: "a password change whose answer is lost is outcome-unknown",
            faults: vec![fault(json!({"effect": "hangup"}), "POST", &format!("{user}/credentials/change_password"), Some(1))],
            node: "users.change-password",
            input: json!({"user-id": ids.user, "old-password": "An0ther!pass", "new-password": "Thi3d!pass"}),
            expect: Expect::Err("outcome-unknown"),
            requests: 1,
            state: any,
        },
        Case {
            name: "a lost answer to a delete never deletes the user it deactivated",
            faults: vec![fault(json!({"effect": "hangup"}), "DELETE", &format!("/api/v1/users/{}", ids.doomed), Some(1))],
            node: "users.delete-user",
            input: json!({"user-id": ids.doomed, "mode": "delete"}),
            expect: Expect::Err("outcome-unknown"),
            requests: 2,
            state: |s| s.users.values().any(|u| u.login() == "doomed@example.com" && u.status == okta_mock::Status::Deprovisioned),
        },
        Case {
            name: "a raw DELETE whose answer is lost is not sent again",
            faults: vec![fault(json!({"effect": "hangup"}), "DELETE", &format!("/api/v1/users/{}", ids.raw_doomed), Some(1))],
            node: "raw.request",
            input: json!({"method": "delete", "path": format!("users/{}", ids.raw_doomed)}),
            expect: Expect::Err("outcome-unknown"),
            requests: 1,
            state: |s| s.users.values().any(|u| u.login() == "raw-doomed@example.com" && u.status == okta_mock::Status::Deprovisioned),
        },
        Case {
            name: "a raw GET after 5xx is retried",
            faults: vec![fault(status(500), "GET", "/api/v1/users/me", Some(2))],
            node: "raw.request",
            input: json!({"method": "get", "path": "users/me"}),
            expect: Expect::Ok(|out| out["status"] == 200),
            requests: 3,
            state: any,
        },
        Case {
            name: "an assignment whose answer is lost is outcome-unknown, assigned once",
            faults: vec![fault(json!({"effect": "hangup"}), "POST", &format!("/api/v1/apps/{}/users", ids.app), Some(1))],
            node: "apps.assign-user-to-app",
            input: json!({"app-id": ids.app, "user-id": ids.user}),
            expect: Expect::Err("outcome-unknown"),
            requests: 1,
            state: |s| s.apps.keys().next().is_some(),
        },
        Case {
            name: "a membership PUT whose answer is lost is sent again",
            faults: vec![fault(json!({"effect": "hangup"}), "PUT", &format!("/api/v1/groups/{}/users", ids.group), Some(1))],
            node: "groups.add-user-to-group",
            input: json!({"group-id": ids.group, "user-id": ids.user}),
            expect: Expect::Ok(|out| out["group-id"].is_string()),
            requests: 2,
            state: any,
        },
        Case {
            name: "a group create whose answer is lost is outcome-unknown, created once",
            faults: vec![fault(json!({"effect": "hangup"}), "POST", "/api/v1/groups", Some(1))],
            node: "groups.create-group",
            input: json!({"name": "Lost and found"}),
            expect: Expect::Err("outcome-unknown"),
            requests: 1,
            state: |s| s.groups.values().filter(|g| g.profile["name"] == "Lost and found").count() == 1,
        },
        Case {
            name: "a factor enrollment whose answer is lost is outcome-unknown",
            faults: vec![fault(json!({"effect": "hangup"}), "POST", &format!("{user}/factors"), Some(1))],
            node: "factors.enroll-factor",
            input: json!({"user-id": ids.user, "factor-type": "sms", "phone-number": "+15554151337"}),
            expect: Expect::Err("outcome-unknown"),
            requests: 1,
            state: any,
        },
        Case {
            name: "a log poll after a 504 is retried",
            faults: vec![fault(status(504), "GET", "/api/v1/logs", Some(1))],
            node: "system-log.list-events",
            input: json!({"page": {"limit": 5}}),
            expect: Expect::Ok(ok),
            requests: 2,
            state: any,
        },
        Case {
            name: "a 429 and then a 503 on a list, then the page",
            faults: vec![
                fault(json!({"effect": "rate-limit", "reset-seconds": 1}), "GET", "/api/v1/groups", Some(1)),
                fault(status(503), "GET", "/api/v1/groups", Some(2)),
            ],
            node: "groups.list-groups",
            input: json!({}),
            expect: Expect::Err("server"),
            requests: 3,
            state: any,
        },
        Case {
            name: "a redirect on a write is not followed and not repeated",
            faults: vec![fault(json!({"effect": "redirect", "location": "https://evil.example.com/"}), "POST", "/api/v1/groups", Some(1))],
            node: "groups.create-group",
            input: json!({"name": "Redirected"}),
            expect: Expect::Err("unexpected"),
            requests: 1,
            state: |s| !s.groups.values().any(|g| g.profile["name"] == "Redirected"),
        },
        Case {
            name: "truncated JSON on a create is reported, the user exists once",
            faults: vec![fault(json!({"effect": "truncate"}), "POST", "/api/v1/users", Some(1))],
            node: "users.create-user",
            input: create("cut@example.com"),
            expect: Expect::Err("decode"),
            requests: 1,
            state: |s| users_with(s, "cut@example.com") == 1,
        },
        Case {
            name: "an HTML 503 on a group delete is retried: deleting a group twice is harmless",
            faults: vec![fault(json!({"effect": "html", "status": 503}), "DELETE", "/api/v1/groups", Some(1))],
            node: "groups.delete-group",
            input: json!({"group-id": ids.group}),
            expect: Expect::Ok(|out| out["group-id"].is_string()),
            requests: 2,
            state: |s| !s.groups.values().any(|g| g.profile["name"] == "Faulty"),
        },
    ]);
    cases
}

/// `count` extra headers of `bytes` each, as a raw request takes them.
fn padding(count: usize, bytes: usize) -> Value {
    (0..count)
        .map(|i| json!({"name": format!("x-pad-{i}"), "value": "p".repeat(bytes)}))
        .collect()
}

fn create(login: &str) -> Value {
    json!({
        "profile": {"login": login, "email": login, "first-name": "F", "last-name": "Ault"},
        "activate": false
    })
}

/// The objects the cases act on; a case that changes a user's status has its own.
struct Ids {
    user: String,
    staged: String,
    recovering: String,
    leaving: String,
    paused: String,
    doomed: String,
    raw_doomed: String,
    app: String,
    group: String,
}

#[tokio::test]
async fn the_nodes_hold_under_every_fault() {
    let mut env = Env::with_host(
        MockConfig {
            token: SENTINEL.into(),
            seed: true,
            ..MockConfig::default()
        },
        HostConfig {
            timeouts: TimeoutCaps {
                connect: Duration::from_secs(2),
                first_byte: FIRST_BYTE,
                between_bytes: BETWEEN_BYTES,
            },
            ..HostConfig::default()
        },
    )
    .await;
    env.conn.max_retries = Some(2);
    env.conn.max_rate_limit_wait_ms = Some(3_000);
    env.conn.max_response_bytes = Some(1 << 20);
    let ids = {
        let user = env.add_user("faults@example.com");
        let staged = env.add_user("staged@example.com");
        let recovering = env.add_user("recovering@example.com");
        let leaving = env.add_user("leaving@example.com");
        let paused = env.add_user("paused@example.com");
        let doomed = env.add_user("doomed@example.com");
        let raw_doomed = env.add_user("raw-doomed@example.com");
        let mut state = env.mock.state();
        state.users.get_mut(&staged).unwrap().status = okta_mock::Status::Staged;
        state.users.get_mut(&paused).unwrap().status = okta_mock::Status::Suspended;
        let group = state.add_group("OKTA_GROUP", "Faulty", "");
        let app = state.apps.keys().next().unwrap().clone();
        Ids {
            user,
            staged,
            recovering,
            leaving,
            paused,
            doomed,
            raw_doomed,
            app,
            group,
        }
    };
    let cases = cases(&ids);
    assert!(cases.len() >= 50, "the suite holds {} cases", cases.len());
    // The longest a call may last under these caps: every try waiting for the first byte
    // and a rate-limit wait in between, with a wide margin.
    let cap = (FIRST_BYTE + BETWEEN_BYTES * 4 + Duration::from_secs(3)) * 3 * 2;
    let mut failed = Vec::new();
    for case in &cases {
        {
            let mut state = env.mock.state();
            state.traffic.faults.clear();
            state.traffic.clear_log();
            for fault in &case.faults {
                state.traffic.faults.push(Fault::from_json(fault).unwrap());
            }
        }
        let before = env.mock.state().traffic.arrived();
        let started = Instant::now();
        let outcome = env
            .host
            .call_json(&env.conn, case.node, &case.input)
            .await
            .unwrap_or_else(|err| panic!("{}: the call failed in the host: {err:#}", case.name));
        let elapsed = started.elapsed();
        let (text, verdict) = match (&outcome, &case.expect) {
            (Outcome::Ok(out), Expect::Ok(check)) => (out.to_string(), check(out)),
            (Outcome::Err(err), Expect::Err(kind)) => (err.to_string(), err["kind"] == *kind),
            (Outcome::Ok(out), _) => (out.to_string(), false),
            (Outcome::Err(err), _) => (err.to_string(), false),
        };
        let requests = (env.mock.state().traffic.arrived() - before) as usize;
        let state_ok = (case.state)(&env.mock.state());
        assert!(!text.contains("SENTINEL"), "{}: {text}", case.name);
        let log = format!(
            "{:?}",
            env.mock.state().traffic.logged().collect::<Vec<_>>()
        );
        assert!(
            !log.contains("SENTINEL"),
            "{}: the request log: {log}",
            case.name
        );
        let passed = verdict && requests == case.requests && state_ok && elapsed <= cap;
        // The list a run prints with --nocapture: each case and what came of it.
        let kind = match &outcome {
            Outcome::Ok(_) => "ok".to_string(),
            Outcome::Err(err) => err["kind"].as_str().unwrap_or("?").to_string(),
        };
        println!(
            "{} {}: {kind}, {requests} requests, {} ms",
            if passed { "pass" } else { "FAIL" },
            case.name,
            elapsed.as_millis()
        );
        if !passed {
            failed.push(format!(
                "{}: outcome {text}; {requests} requests (want {}); state {}; {elapsed:?}",
                case.name,
                case.requests,
                if state_ok { "ok" } else { "WRONG" }
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "{} cases failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// A server that hands the host an oversized value (a token, a DPoP nonce) makes the call a
/// typed `decode` error: the value never goes into a header, where wasi-http would trap.
#[tokio::test]
async fn oversized_values_a_server_gives_are_decode_errors() {
    let env = Env::with_host(
        MockConfig {
            token: SENTINEL.into(),
            ..MockConfig::default()
        },
        HostConfig::default(),
    )
    .await;
    let huge_token = json!({"effect": "answer", "status": 200, "body": {
        "token_type": "Bearer", "expires_in": 3600, "access_token": "t".repeat(300_000)}});
    let huge_nonce = json!({"effect": "huge-header", "name": "DPoP-Nonce", "bytes": 300_000});
    for (name, key, dpop, effect) in [
        (
            "a 300 KB access token",
            "rsa.jwk",
            DpopMode::Off,
            huge_token,
        ),
        ("a 300 KB DPoP nonce", "ec.jwk", DpopMode::On, huge_nonce),
    ] {
        let conn = env.service_app(key, &["okta.users.read"], dpop == DpopMode::On, dpop);
        {
            let mut state = env.mock.state();
            state.traffic.faults.clear();
            let fault = fault(effect, "POST", "/oauth2/v1/token", None);
            state.traffic.faults.push(Fault::from_json(&fault).unwrap());
        }
        let before = env.requests();
        let outcome = env
            .host
            .call_json(&conn, "users.list-users", &json!({}))
            .await
            .unwrap_or_else(|err| panic!("{name}: the call failed in the host: {err:#}"));
        let Outcome::Err(err) = outcome else {
            panic!("{name}: {outcome:?}");
        };
        assert_eq!(err["kind"], "decode", "{name}: {err}");
        assert_eq!(env.requests(), before, "{name}: no API request was sent");
    }
}
