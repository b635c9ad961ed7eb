//! The `raw` interface: any request to the org, through the same transport, credential,
//! retries and 429 handling as the typed nodes.

use crate::client::{Client, Transport};
use crate::encode;
use crate::error::invalid_input;
use crate::retry::{Backoff, DEFAULT_BACKOFF, Policy};
use crate::spec::{Method, RequestSpec, Retry};
use crate::wit::raw::{Backoff as WitBackoff, HttpMethod, RawRequest, RawResponse};
use crate::wit::types::{OktaError, Pair};
use std::time::Duration;

/// The most retries a raw request may ask for.
const MAX_RETRIES: u32 = 10;

/// Headers the caller cannot set: the credential, the host, and the framing.
const FORBIDDEN_HEADERS: &[&str] = &[
    "authorization",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-authorization",
];

/// Checks the path: on the org, no scheme but the org's https, no `..`, no query or fragment.
pub(crate) fn check_path(path: &str, domain: &str) -> Result<String, OktaError> {
    let mut path = path.trim();
    if let Some((scheme, rest)) = path.split_once("://") {
        let host = rest.split('/').next().unwrap_or(rest);
        if !scheme.eq_ignore_ascii_case("https") || !host.eq_ignore_ascii_case(domain) {
            return Err(invalid_input(format!(
                "path must be on the org ({domain}), not {scheme}://{host}"
            )));
        }
        path = &rest[host.len()..];
    }
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(invalid_input(
            "path must start with `/`, such as /api/v1/users/me",
        ));
    }
    if path.contains(['?', '#']) {
        return Err(invalid_input(
            "path cannot hold a query or fragment; use `query`",
        ));
    }
    let dots = |segment: &str| {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        decoded == "." || decoded == ".."
    };
    if path.split('/').any(dots) {
        return Err(invalid_input("path cannot hold `.` or `..` segments"));
    }
    if !encode::is_wire_safe(path) {
        return Err(invalid_input(
            "path holds characters that must be percent-encoded",
        ));
    }
    Ok(path.to_string())
}

/// Checks extra headers.
fn check_headers(headers: &[Pair]) -> Result<Vec<(String, String)>, OktaError> {
    headers
        .iter()
        .map(|h| {
            let name = h.name.trim().to_ascii_lowercase();
            let token = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !token {
                return Err(invalid_input(format!(
                    "header name `{}` is not valid",
                    h.name
                )));
            }
            if FORBIDDEN_HEADERS.contains(&name.as_str()) {
                return Err(invalid_input(format!("the {name} header cannot be set")));
            }
            if h.value.contains(['\r', '\n']) {
                return Err(invalid_input(format!(
                    "the {name} header's value holds a line break"
                )));
            }
            Ok((name, h.value.clone()))
        })
        .collect()
}

/// Builds the request, checked, with its retry policy.
pub(crate) fn build_request(
    req: &RawRequest,
    domain: &str,
    defaults: Policy,
) -> Result<RequestSpec, OktaError> {
    let path = check_path(&req.path, domain)?;
    let method = match req.method {
        HttpMethod::Get => Method::Get,
        HttpMethod::Post => Method::Post,
        HttpMethod::Put => Method::Put,
        HttpMethod::Patch => Method::Patch,
        HttpMethod::Delete => Method::Delete,
    };
    let mut spec = RequestSpec::with_method(method, path);
    for pair in req.query.as_deref().unwrap_or_default() {
        if pair.name.is_empty() {
            return Err(invalid_input("query has a parameter without a name"));
        }
        spec = spec.query(pair.name.clone(), &pair.value);
    }
    spec.headers = check_headers(req.headers.as_deref().unwrap_or_default())?;
    if let Some(body) = req.body.as_deref().filter(|b| !b.trim().is_empty()) {
        let json = serde_json::from_str(body)
            .map_err(|e| invalid_input(format!("body is not JSON: {e}")))?;
        spec = spec.json(json);
    }
    let retries = req.retries.unwrap_or(defaults.max_retries);
    if retries > MAX_RETRIES {
        return Err(invalid_input(format!("retries is at most {MAX_RETRIES}")));
    }
    let delay = req
        .retry_delay_ms
        .map_or(DEFAULT_BACKOFF, |ms| Duration::from_millis(ms.into()));
    if delay > defaults.max_wait {
        return Err(invalid_input(
            "retry-delay-ms is longer than the connection's max-rate-limit-wait-ms",
        ));
    }
    spec.policy = Some(Policy {
        max_retries: retries,
        max_wait: defaults.max_wait,
        backoff: match req.backoff.unwrap_or(WitBackoff::Exponential) {
            WitBackoff::Fixed => Backoff::Fixed(delay),
            WitBackoff::Exponential => Backoff::Exponential(delay),
        },
    });
    if req.retry_on_all_errors.unwrap_or(false) {
        spec.retry = Retry::Always;
    }
    if let Some(ms) = req.timeout_ms {
        if ms == 0 || ms > 120_000 {
            return Err(invalid_input("timeout-ms must be from 1 to 120000"));
        }
        spec.timeout = Some(Duration::from_millis(ms.into()));
    }
    Ok(spec)
}

/// `raw.request`.
pub(crate) fn request<T: Transport>(
    client: &mut Client<T>,
    req: RawRequest,
) -> Result<RawResponse, OktaError> {
    let spec = build_request(
        &req,
        &client.connection().domain,
        client.connection().policy,
    )?;
    let resp = client.send(&spec)?;
    Ok(RawResponse {
        status: resp.status,
        headers: resp
            .headers
            .into_iter()
            .map(|(name, value)| Pair { name, value })
            .collect(),
        body: String::from_utf8_lossy(&resp.body).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::fake::{FakeTransport, client};

    fn raw(method: HttpMethod, path: &str) -> RawRequest {
        RawRequest {
            method,
            path: path.into(),
            query: None,
            headers: None,
            body: None,
            retries: None,
            retry_delay_ms: None,
            backoff: None,
            retry_on_all_errors: None,
            timeout_ms: None,
        }
    }

    #[test]
    fn only_paths_on_the_org() {
        let org = "x.okta.com";
        assert_eq!(
            check_path("/api/v1/users/me", org).unwrap(),
            "/api/v1/users/me"
        );
        assert_eq!(
            check_path("https://X.okta.com/api/v1/users", org).unwrap(),
            "/api/v1/users"
        );
        for bad in [
            "https://evil.com/api/v1/users",
            "http://x.okta.com/api/v1/users",
            "ftp://x.okta.com/a",
            "//evil.com/a",
            "api/v1/users",
            "/api/v1/../admin",
            "/api/v1/%2E%2E/admin",
            "/api/v1/users?limit=1",
            "/api/v1/users#x",
            "/api/v1/a b",
            "",
        ] {
            assert!(check_path(bad, org).is_err(), "{bad}");
        }
    }

    #[test]
    fn builds_query_headers_body_and_retries() {
        let req = RawRequest {
            query: Some(vec![
                Pair {
                    name: "search".into(),
                    value: "profile.login eq \"a+b@x.com\"".into(),
                },
                Pair {
                    name: "a b".into(),
                    value: "1".into(),
                },
            ]),
            headers: Some(vec![Pair {
                name: "Accept-Language".into(),
                value: "en".into(),
            }]),
            body: Some(r#"{"a": 1}"#.into()),
            retries: Some(4),
            retry_delay_ms: Some(100),
            backoff: Some(WitBackoff::Fixed),
            retry_on_all_errors: Some(true),
            ..raw(HttpMethod::Patch, "/api/v1/x")
        };
        let spec = build_request(&req, "x.okta.com", Policy::default()).unwrap();
        assert_eq!(spec.method, Method::Patch);
        assert_eq!(
            spec.path_and_query(),
            "/api/v1/x?search=profile.login%20eq%20%22a%2Bb%40x.com%22&a%20b=1"
        );
        assert_eq!(
            spec.headers,
            vec![("accept-language".to_string(), "en".to_string())]
        );
        assert_eq!(spec.retry, Retry::Always);
        let policy = spec.policy.unwrap();
        assert_eq!(
            (policy.max_retries, policy.backoff),
            (4, Backoff::Fixed(Duration::from_millis(100)))
        );
        for bad in [
            RawRequest {
                headers: Some(vec![Pair {
                    name: "Authorization".into(),
                    value: "x".into(),
                }]),
                ..raw(HttpMethod::Get, "/a")
            },
            RawRequest {
                headers: Some(vec![Pair {
                    name: "X-A".into(),
                    value: "a\r\nb".into(),
                }]),
                ..raw(HttpMethod::Get, "/a")
            },
            RawRequest {
                body: Some("{nope".into()),
                ..raw(HttpMethod::Post, "/a")
            },
            RawRequest {
                retries: Some(11),
                ..raw(HttpMethod::Get, "/a")
            },
        ] {
            assert!(build_request(&bad, "x.okta.com", Policy::default()).is_err());
        }
        let post = build_request(
            &raw(HttpMethod::Post, "/a"),
            "x.okta.com",
            Policy::default(),
        )
        .unwrap();
        assert_eq!(post.retry, Retry::Unsafe);
    }

    #[test]
    fn returns_status_headers_and_body() {
        let transport = FakeTransport::default().respond(
            200,
            &[("x-okta-request-id", "r1")],
            r#"{"id":"00u1"}"#,
        );
        let mut c = client(transport);
        let out = request(&mut c, raw(HttpMethod::Get, "/api/v1/users/me")).unwrap();
        assert_eq!((out.status, out.body.as_str()), (200, r#"{"id":"00u1"}"#));
        assert_eq!(out.headers[0].name, "x-okta-request-id");
    }
}
