//! Host resources: keep-alive connections shared by the calls of a host, within the pool's
//! limits; instances within `max_instances`, a call waiting for a free one; the compile cache.

mod common;

use common::*;
use okta_host::{HostConfig, PoolLimits};
use okta_mock::MockConfig;
use serde_json::json;
use std::time::Duration;

async fn get_users(env: &Env, times: usize) {
    for _ in 0..times {
        let outcome = env
            .host
            .call_json(
                &env.conn,
                "users.list-users",
                &json!({"page": {"limit": 1}}),
            )
            .await
            .unwrap();
        assert!(matches!(outcome, okta_host::Outcome::Ok(_)), "{outcome:?}");
    }
}

#[tokio::test]
async fn sequential_calls_share_one_connection() {
    let env = Env::start().await;
    let before = env.mock.connections_accepted();
    get_users(&env, 20).await;
    // A service app's token request may have opened the first one.
    assert!(
        env.mock.connections_accepted() - before <= 1,
        "{} connections for 20 calls",
        env.mock.connections_accepted() - before
    );
}

#[tokio::test]
async fn a_paged_listing_walks_on_one_connection() {
    let env = Env::with(MockConfig {
        seed_users: 450,
        ..MockConfig::default()
    })
    .await;
    let before = env.mock.connections_accepted();
    let outcome = env
        .host
        .call_json(
            &env.conn,
            "users.list-users",
            &json!({"page": {"limit": 50, "fetch-all": true}}),
        )
        .await
        .unwrap();
    let okta_host::Outcome::Ok(page) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(page["items"].as_array().unwrap().len(), 451);
    assert!(env.mock.connections_accepted() - before <= 1);
}

#[tokio::test]
async fn without_idle_connections_every_request_dials() {
    let env = Env::with_host(
        MockConfig::default(),
        HostConfig {
            pool: PoolLimits {
                max_idle_per_org: 0,
                idle_timeout: Duration::from_secs(30),
            },
            ..HostConfig::default()
        },
    )
    .await;
    let before = env.mock.connections_accepted();
    get_users(&env, 5).await;
    assert_eq!(env.mock.connections_accepted() - before, 5);
}

#[tokio::test]
async fn an_expired_connection_is_not_reused() {
    let env = Env::with_host(
        MockConfig::default(),
        HostConfig {
            pool: PoolLimits {
                max_idle_per_org: 8,
                idle_timeout: Duration::from_millis(50),
            },
            ..HostConfig::default()
        },
    )
    .await;
    get_users(&env, 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = env.mock.connections_accepted();
    get_users(&env, 2).await;
    assert_eq!(env.mock.connections_accepted() - before, 1);
}

/// An env whose host has room for `max` instances (the shared env keeps 8).
async fn limited(max: u32, wait: Duration) -> Env {
    let mut env = Env::start().await;
    env.host = okta_host::Host::new(HostConfig {
        route_to: Some(env.mock.url()),
        max_instances: max,
        instance_wait: wait,
        ..HostConfig::default()
    })
    .unwrap();
    env
}

#[tokio::test]
async fn at_the_instance_limit_a_call_waits_for_a_free_instance() {
    let env = limited(2, Duration::from_secs(10)).await;
    let first = env.host.node(&env.conn).await.unwrap();
    let second = env.host.node(&env.conn).await.unwrap();
    // A third call waits; when one instance ends, it runs.
    let host = &env.host;
    let released = std::sync::atomic::AtomicBool::new(false);
    let waiting = async {
        let node = host.node(&env.conn).await.map(|_| ());
        (node, released.load(std::sync::atomic::Ordering::SeqCst))
    };
    let release = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        released.store(true, std::sync::atomic::Ordering::SeqCst);
        drop(first);
    };
    let ((third, after_release), ()) = tokio::join!(waiting, release);
    assert!(third.is_ok(), "{third:?}");
    assert!(
        after_release,
        "the third call got its instance only when the first ended"
    );
    drop(second);
}

#[tokio::test]
async fn a_wait_that_runs_out_is_a_typed_error_and_nothing_is_sent() {
    let env = limited(1, Duration::from_millis(50)).await;
    let busy = env.host.node(&env.conn).await.unwrap();
    let before = env.requests();
    let err = env
        .host
        .node(&env.conn)
        .await
        .err()
        .expect("no instance is free");
    let typed = err
        .downcast_ref::<okta_host::NoInstanceFree>()
        .expect("typed");
    assert_eq!(typed.max_instances, 1);
    let outcome = env
        .host
        .call_json(&env.conn, "users.list-users", &json!({}))
        .await
        .unwrap();
    let okta_host::Outcome::Err(error) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(error["kind"], "timeout");
    assert_eq!(error["retryable"], true);
    assert_eq!(env.requests(), before);
    drop(busy);
    let outcome = env
        .host
        .call_json(&env.conn, "users.list-users", &json!({}))
        .await
        .unwrap();
    assert!(matches!(outcome, okta_host::Outcome::Ok(_)));
}

/// The embedded component's file in `dir`: a component the host is given by path is
/// compiled (or read from the cache), never the build's code.
fn component_file(dir: &std::path::Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("okta_management.wasm");
    std::fs::write(&path, okta_host::COMPONENT).unwrap();
    path
}

/// The embedded component starts from the code compiled when the crate was built: nothing
/// is compiled and the cache is neither read nor written. A component given by path, the
/// same bytes, is not that code: it is compiled and cached.
#[test]
fn the_embedded_component_starts_from_its_build_time_code() {
    let root = std::env::temp_dir().join(format!("okta-built-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("cache");
    let config = HostConfig {
        cache_dir: Some(dir.clone()),
        max_instances: 1,
        ..HostConfig::default()
    };
    let host = okta_host::Host::new(config.clone()).unwrap();
    assert!(host.compiled_at_build());
    assert!(host.find_node("users.get-user").is_some());
    assert!(!dir.exists(), "nothing was cached");
    let given = okta_host::Host::new(HostConfig {
        component: Some(component_file(&root)),
        ..config
    })
    .unwrap();
    assert!(!given.compiled_at_build());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "it was compiled"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_missing_cache_directory_is_made_so_the_next_start_skips_the_compile() {
    let root = std::env::temp_dir().join(format!("okta-cache-{}", std::process::id()));
    let dir = root.join("a/b");
    let _ = std::fs::remove_dir_all(&root);
    let config = HostConfig {
        component: Some(component_file(&root)),
        cache_dir: Some(dir.clone()),
        max_instances: 1,
        ..HostConfig::default()
    };
    drop(okta_host::Host::new(config).unwrap());
    let cached: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
        .collect();
    assert_eq!(cached.len(), 1, "the compiled component is cached");
    let _ = std::fs::remove_dir_all(&root);
}

/// A `.cwasm` is native code: one planted where someone other than the host's user could
/// have written it (a file or a directory others may write, a link) is refused and the
/// component compiled instead. The same file, private, would have been loaded: the control
/// case shows the check is what stops it.
#[test]
#[cfg(unix)]
fn a_planted_compiled_component_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let root = std::env::temp_dir().join(format!("okta-plant-{}", std::process::id()));
    let dir = root.join("cache");
    let _ = std::fs::remove_dir_all(&root);
    let config = HostConfig {
        component: Some(component_file(&root)),
        cache_dir: Some(dir.clone()),
        max_instances: 1,
        ..HostConfig::default()
    };
    let host = okta_host::Host::new(config.clone()).unwrap();
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700,
        "the cache directory is private"
    );
    let cached = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "cwasm"))
        .unwrap();
    assert_eq!(
        std::fs::metadata(&cached).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Another component, compiled for the same engine: loading it would break the host.
    let planted = host
        .engine()
        .precompile_component(&wat::parse_str("(component)").unwrap())
        .unwrap();
    drop(host);
    let plant = |file_mode: u32, dir_mode: u32| {
        let _ = std::fs::remove_file(&cached);
        std::fs::write(&cached, &planted).unwrap();
        std::fs::set_permissions(&cached, std::fs::Permissions::from_mode(file_mode)).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(dir_mode)).unwrap();
    };
    for (file_mode, dir_mode) in [
        (0o666, 0o700),
        (0o620, 0o700),
        (0o600, 0o777),
        (0o600, 0o770),
    ] {
        plant(file_mode, dir_mode);
        let host = okta_host::Host::new(config.clone())
            .unwrap_or_else(|err| panic!("file {file_mode:o}, dir {dir_mode:o}: loaded: {err:#}"));
        assert!(host.find_node("users.get-user").is_some());
    }
    // A link to a private file is refused too.
    let target = dir.join("elsewhere.cwasm");
    plant(0o600, 0o700);
    std::fs::rename(&cached, &target).unwrap();
    std::os::unix::fs::symlink(&target, &cached).unwrap();
    assert!(
        okta_host::Host::new(config.clone()).is_ok(),
        "a link is not followed"
    );
    // The control: the same file, private, in a private directory, is loaded.
    let _ = std::fs::remove_file(&target);
    plant(0o600, 0o700);
    assert!(
        okta_host::Host::new(config).is_err(),
        "a private cache is trusted, so the planted component was loaded"
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// An env whose host reuses instances per tenant.
async fn reusing(max_instances: u32, reuse: okta_host::Reuse) -> Env {
    let mut env = Env::start().await;
    env.host = okta_host::Host::new(HostConfig {
        route_to: Some(env.mock.url()),
        max_instances,
        deadline: Duration::from_secs(2),
        reuse: Some(reuse),
        ..HostConfig::default()
    })
    .unwrap();
    env
}

async fn outcome(
    env: &Env,
    conn: &okta_host::Connection,
    node: &str,
    input: serde_json::Value,
) -> okta_host::Outcome {
    env.host.call_json(conn, node, &input).await.unwrap()
}

#[tokio::test]
async fn a_reused_instance_serves_only_its_tenant_and_only_after_success() {
    let env = reusing(8, okta_host::Reuse::default()).await;
    for _ in 0..5 {
        let out = outcome(&env, &env.conn, "users.list-users", json!({})).await;
        assert!(matches!(out, okta_host::Outcome::Ok(_)), "{out:?}");
    }
    assert_eq!(
        env.host.kept_instances(),
        1,
        "one instance served all five calls"
    );
    // Another credential is another tenant: its own instance.
    let other = okta_host::Connection::api_token(ORG, "00another-token");
    let refused = outcome(&env, &other, "users.list-users", json!({})).await;
    assert!(matches!(refused, okta_host::Outcome::Err(_)));
    assert_eq!(
        env.host.kept_instances(),
        1,
        "an instance that failed is not kept"
    );
    // An error drops the instance it ran in.
    let missing = outcome(
        &env,
        &env.conn,
        "users.get-user",
        json!({"user-id": "nobody@example.com"}),
    )
    .await;
    assert!(matches!(missing, okta_host::Outcome::Err(_)));
    assert_eq!(env.host.kept_instances(), 0);
}

#[tokio::test]
async fn a_reused_instance_gets_a_fresh_deadline_and_retires_after_max_calls() {
    let env = reusing(
        8,
        okta_host::Reuse {
            max_calls: 3,
            ..okta_host::Reuse::default()
        },
    )
    .await;
    for i in 0..3 {
        let out = outcome(&env, &env.conn, "users.list-users", json!({})).await;
        assert!(
            matches!(out, okta_host::Outcome::Ok(_)),
            "call {i}: {out:?}"
        );
        // Together the calls outlast the 2 s deadline; each has its own.
        tokio::time::sleep(Duration::from_millis(800)).await;
    }
    assert_eq!(env.host.kept_instances(), 0, "retired after its third call");
}

#[tokio::test]
async fn a_kept_instance_gives_its_place_to_a_waiting_call() {
    let env = reusing(1, okta_host::Reuse::default()).await;
    let out = outcome(&env, &env.conn, "users.list-users", json!({})).await;
    assert!(matches!(out, okta_host::Outcome::Ok(_)));
    assert_eq!(env.host.kept_instances(), 1);
    // The only place is held by the kept instance; a typed call takes it over.
    let node = env.host.node(&env.conn).await;
    assert!(node.is_ok(), "the kept instance was evicted for it");
    assert_eq!(env.host.kept_instances(), 0);
}

/// A server that answers one request per connection and then closes it, without saying
/// so (no `Connection: close`), as a server whose idle timeout ran out does. Returns its
/// base URL and the count of connections it accepted.
async fn closing_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0; 8192];
                let mut read = 0;
                while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    match tcp.read(&mut buf[read..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                }
                let body = r#"{"ok":true}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = tcp.write_all(answer.as_bytes()).await;
                let _ = tcp.shutdown().await;
            });
        }
    });
    (url, accepted)
}

#[tokio::test]
async fn a_connection_the_server_closed_is_not_reused() {
    let (url, accepted) = closing_server().await;
    let host = okta_host::Host::new(HostConfig {
        route_to: Some(url),
        max_instances: 2,
        ..HostConfig::default()
    })
    .unwrap();
    let conn = okta_host::Connection::api_token(ORG, "00token");
    for i in 0..3 {
        let outcome = host
            .call_json(
                &conn,
                "raw.request",
                &json!({"method": "get", "path": "/api/v1/users/me", "retries": 0}),
            )
            .await
            .unwrap();
        let okta_host::Outcome::Ok(answer) = outcome else {
            panic!("call {i}: {outcome:?}")
        };
        assert_eq!(answer["status"], 200, "call {i}");
    }
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_raw_node_loads_only_the_interface_a_call_uses() {
    let env = Env::start().await;
    let mut node = env.host.raw_node(&env.conn).await.unwrap();
    let users = env
        .host
        .interfaces()
        .users
        .load(&mut node.store, &node.instance)
        .unwrap();
    let request = okta_host::wit::users::GetUserRequest {
        user_id: "admin@example.com".into(),
        expand: None,
    };
    let user = users
        .call_get_user(&mut node.store, &node.conn, &request)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.profile.login.as_deref(), Some("admin@example.com"));
    // The instance holds one of the host's places until it is dropped, as a typed node does.
    drop(node);
}
