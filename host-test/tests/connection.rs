//! The connection: `test-connection`, domain validation before any request, credentials,
//! and the host's rule that a call reaches only its own org.

mod common;

use common::*;
use okta_host::Connection;
use okta_host::wit::types::ErrorKind;
use okta_host::wit::users::GetUserRequest;

#[tokio::test]
async fn test_connection_reports_the_org_and_the_admin() {
    let env = Env::start().await;
    let info = connection!(env.node().await, call_test_connection).unwrap();
    let mode = AuthMode::from_env();
    assert_eq!(info.domain, ORG);
    assert_eq!(info.principal_login.as_deref(), mode.principal_login());
    assert_eq!(
        info.principal_id.is_some_and(|id| id.starts_with("00u")),
        mode == AuthMode::ApiToken
    );
    assert!(info.rate_limit_remaining.is_some());
    // An API token names its admin; a service app's token lists one user.
    let path = if mode == AuthMode::ApiToken {
        "/api/v1/users/me"
    } else {
        "/api/v1/users"
    };
    assert_eq!(env.api_requests()[0].path, path);
}

#[tokio::test]
async fn test_connection_with_a_bearer_token_lists_one_user() {
    let env = Env::start().await;
    let bearer = Connection::bearer(format!("https://{ORG}/"), env.mock.token());
    let info = connection!(env.node_for(&bearer).await, call_test_connection).unwrap();
    assert_eq!(info.domain, ORG);
    assert_eq!(info.principal_id, None);
    let sent = &env.api_requests()[0];
    assert_eq!(
        (sent.path.as_str(), sent.query.as_deref()),
        ("/api/v1/users", Some("limit=1"))
    );
    assert_eq!(sent.auth_scheme.as_deref(), Some("Bearer"));
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let env = Env::start().await;
    let wrong = Connection::api_token(ORG, "00not-the-token");
    let err = connection!(env.node_for(&wrong).await, call_test_connection).unwrap_err();
    assert_error(&err, ErrorKind::Unauthorized, Some("E0000011"));
    assert_eq!(err.status, Some(401));
}

#[tokio::test]
async fn rejected_domains_send_nothing() {
    let env = Env::start().await;
    for domain in [
        "http://dev-424242.okta.com",
        "dev-424242.okta.com/api/v1",
        "admin@dev-424242.okta.com",
        "dev-424242.okta.com:8443",
        "127.0.0.1",
        "[::1]",
        "localhost",
        "{yourOktaDomain}",
        "dev-424242-admin.okta.com",
        "",
    ] {
        let conn = Connection::api_token(domain, env.mock.token());
        let err = connection!(env.node_for(&conn).await, call_test_connection).unwrap_err();
        assert_error(&err, ErrorKind::InvalidInput, None);
        assert!(
            err.message.starts_with("domain"),
            "{domain}: {}",
            err.message
        );
    }
    assert_eq!(
        env.requests(),
        0,
        "no request may leave for a rejected domain"
    );
}

#[tokio::test]
async fn an_empty_token_or_bad_options_send_nothing() {
    let env = Env::start().await;
    let mut conn = Connection::api_token(ORG, "  ");
    let err = connection!(env.node_for(&conn).await, call_test_connection).unwrap_err();
    assert_error(&err, ErrorKind::InvalidInput, None);
    conn = Connection::api_token(ORG, env.mock.token());
    conn.max_retries = Some(99);
    let err = connection!(env.node_for(&conn).await, call_test_connection).unwrap_err();
    assert!(err.message.contains("max-retries"), "{}", err.message);
    assert_eq!(env.requests(), 0);
}

#[tokio::test]
async fn a_pasted_scheme_and_url_form_still_work() {
    let env = Env::start().await;
    let conn = Connection::api_token(
        format!("https://{}/", ORG.to_uppercase()),
        format!("SSWS {}", env.mock.token()),
    );
    let info = connection!(env.node_for(&conn).await, call_test_connection).unwrap();
    assert_eq!(info.domain, ORG);
}

#[tokio::test]
async fn the_host_denies_any_host_but_the_connections_org() {
    let env = Env::start().await;
    // The store is opened for one org, and the component is asked to call another.
    let allowed = Connection::api_token(ORG, env.mock.token());
    let mut node = env.node_for(&allowed).await;
    let other = Connection::api_token("evil.example.com", env.mock.token()).to_wit();
    let request = GetUserRequest {
        user_id: "admin@example.com".into(),
        expand: None,
    };
    let err = node
        .nodes
        .okta_management_users()
        .call_get_user(&mut node.store, &other, &request)
        .await
        .unwrap()
        .unwrap_err();
    assert_error(&err, ErrorKind::Transport, None);
    assert!(err.message.contains("denied"), "{}", err.message);
    assert_eq!(env.requests(), 0);
}

#[tokio::test]
async fn an_unreachable_org_is_a_transport_error_after_retries() {
    // Route to a port where nothing listens.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let host = okta_host::Host::new(okta_host::HostConfig {
        route_to: Some(dead),
        max_instances: 2,
        ..okta_host::HostConfig::default()
    })
    .unwrap();
    let mut conn = Connection::api_token(ORG, "t");
    conn.max_retries = Some(1);
    let err = connection!(host.node(&conn).await.unwrap(), call_test_connection).unwrap_err();
    assert_error(&err, ErrorKind::Transport, None);
    // A sentence that names the org and what to check, the code beside it.
    assert!(
        err.message.starts_with(&format!(
            "{ORG} refused the connection: is the domain right"
        )) && err
            .message
            .ends_with("(wasi:http error-code connection-refused)"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_domain_that_does_not_resolve_says_so() {
    let env = Env::start().await;
    let mut conn = Connection::api_token("no-such-org.invalid", "t");
    conn.max_retries = Some(0);
    let host = okta_host::Host::new(okta_host::HostConfig::default()).unwrap();
    let err = connection!(host.node(&conn).await.unwrap(), call_test_connection).unwrap_err();
    assert_error(&err, ErrorKind::Transport, None);
    assert!(
        err.message
            .starts_with("could not resolve no-such-org.invalid: is the domain right"),
        "{}",
        err.message
    );
    assert_eq!(env.requests(), 0);
}
