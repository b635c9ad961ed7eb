//! The `raw` interface: any request to the org, through the same transport, credential,
//! retries and 429 handling as the typed nodes.

use crate::client::encode;
use crate::client::error::{failure, invalid_input};
use crate::client::retry::{Backoff, DEFAULT_BACKOFF, Policy};
use crate::client::spec::{Body, Method, RequestSpec, Retry};
use crate::client::{Client, Transport};
use crate::wit::raw::{
    Backoff as WitBackoff, HttpMethod, MultipartPart, RawBody, RawRequest, RawResponse,
};
use crate::wit::types::{ErrorKind, OktaError, Pair};
use std::time::Duration;

use crate::catalog::limits::{RAW_RETRIES, RETRY_DELAY_MS, TIMEOUT_MS};

use crate::catalog::limits::FORBIDDEN_HEADERS;

/// Checks the path: on the org, no scheme but the org's https, no `..`, no query or fragment.
pub(crate) fn check_path(path: &str, domain: &str) -> Result<String, OktaError> {
    let mut path = path.trim();
    if let Some((scheme, rest)) = path.split_once("://") {
        let host = rest.split('/').next().unwrap_or(rest);
        if !scheme.eq_ignore_ascii_case("https") {
            return Err(invalid_input(format!(
                "path must be on the org (https://{domain}), not {scheme}://{host}"
            )));
        }
        if !host.eq_ignore_ascii_case(domain) {
            // A well-formed URL, but not this connection's org: denied, as the host's
            // egress guard denies any other host.
            return Err(failure(
                ErrorKind::Transport,
                format!("denied: {host} is not the org ({domain}); a call reaches only its org"),
            ));
        }
        path = &rest[host.len()..];
    }
    // A relative path is relative to `/api/v1`.
    let relative;
    if !path.starts_with('/') && !path.is_empty() && !path.contains("://") {
        relative = format!("/api/v1/{path}");
        path = &relative;
    }
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(invalid_input(
            "path must be on the org, such as /api/v1/users/me or users/me",
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

/// The most extra headers a raw request may carry.
const MAX_HEADERS: usize = 32;

/// The longest extra header value, in bytes.
const MAX_HEADER_VALUE: usize = 8 << 10;

/// The most the extra headers may total, each counted with its bookkeeping
/// ([`crate::client::field_cost`]): half of what a request may carry, so the credentials
/// always fit beside them.
const MAX_HEADERS_TOTAL: usize = crate::client::HEADER_BUDGET / 2;

/// The largest JSON or multipart body a raw request takes, in bytes (Okta's image uploads
/// are under 1 MB).
const MAX_BODY: usize = 8 << 20;

/// Checks extra headers: names are tokens, values hold no control character, and both are
/// bounded.
pub(crate) fn check_headers(headers: &[Pair]) -> Result<Vec<(String, String)>, OktaError> {
    if headers.len() > MAX_HEADERS {
        return Err(invalid_input(format!(
            "headers holds more than {MAX_HEADERS} headers"
        )));
    }
    let total: usize = headers
        .iter()
        .map(|h| crate::client::field_cost(&h.name, &h.value))
        .sum();
    if total > MAX_HEADERS_TOTAL {
        return Err(invalid_input(format!(
            "headers total {total} bytes (each counted with 80 bytes of bookkeeping), more than {MAX_HEADERS_TOTAL}"
        )));
    }
    headers
        .iter()
        .map(|h| {
            if h.name.len() > 256 || h.value.len() > MAX_HEADER_VALUE {
                return Err(invalid_input(format!(
                    "a header is longer than {MAX_HEADER_VALUE} bytes"
                )));
            }
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
            if h.value.chars().any(char::is_control) {
                return Err(invalid_input(format!(
                    "the {name} header's value holds a control character"
                )));
            }
            Ok((name, h.value.clone()))
        })
        .collect()
}

/// The request body: JSON checked, form fields encoded, multipart parts decoded and framed.
/// A blank JSON body is no body.
fn body(body: &RawBody) -> Result<Option<Body>, OktaError> {
    let size = match body {
        RawBody::Json(text) => text.len(),
        RawBody::Form(fields) => fields.iter().map(|f| f.name.len() + f.value.len()).sum(),
        RawBody::Multipart(parts) => parts.iter().map(|p| p.data_base64.len() / 4 * 3).sum(),
    };
    if size > MAX_BODY {
        return Err(invalid_input(format!(
            "body is larger than {MAX_BODY} bytes"
        )));
    }
    Ok(Some(match body {
        RawBody::Json(text) if text.trim().is_empty() => return Ok(None),
        RawBody::Form(fields) if fields.iter().any(|f| f.name.trim().is_empty()) => {
            return Err(invalid_input("form has a field without a name"));
        }
        RawBody::Json(text) => Body::Json(
            serde_json::from_str(text)
                .map_err(|e| invalid_input(format!("body is not JSON: {e}")))?,
        ),
        RawBody::Form(fields) => Body::Bytes {
            content_type: "application/x-www-form-urlencoded".into(),
            bytes: encode::query_string(
                &fields
                    .iter()
                    .map(|f| (f.name.as_str(), f.value.clone()))
                    .collect::<Vec<_>>(),
            )
            .into_bytes(),
        },
        RawBody::Multipart(parts) => multipart(parts)?,
    }))
}

/// A `multipart/form-data` body (RFC 7578), with a boundary that no part contains.
pub(crate) fn multipart(parts: &[MultipartPart]) -> Result<Body, OktaError> {
    use base64::Engine as _;
    let mut decoded = Vec::with_capacity(parts.len());
    for part in parts {
        let name = part.name.trim();
        let quotable = |s: &str| !s.chars().any(|c| c.is_control() || c == '"');
        if name.is_empty() || !quotable(name) {
            return Err(invalid_input(
                "a multipart part needs a name without quotes or control characters",
            ));
        }
        if part.filename.as_deref().is_some_and(|f| !quotable(f))
            || part.content_type.as_deref().is_some_and(|c| !quotable(c))
        {
            return Err(invalid_input(format!(
                "multipart part `{name}`: a filename or content type holds a quote or a control character"
            )));
        }
        let data = base64::engine::general_purpose::STANDARD
            .decode(part.data_base64.trim())
            .map_err(|e| invalid_input(format!("multipart part `{name}` is not base64: {e}")))?;
        decoded.push((name, part, data));
    }
    // Random (from the host's randomness, through std's hasher keys) and checked.
    let mut boundary;
    loop {
        use std::hash::{BuildHasher, Hasher};
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        boundary = format!("okta-nodes-{random:016x}");
        if !decoded.iter().any(|(_, _, data)| {
            data.windows(boundary.len())
                .any(|w| w == boundary.as_bytes())
        }) {
            break;
        }
    }
    let mut bytes = Vec::new();
    for (name, part, data) in &decoded {
        bytes.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{name}\"");
        if let Some(filename) = &part.filename {
            disposition.push_str(&format!("; filename=\"{filename}\""));
        }
        bytes.extend_from_slice(disposition.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        let content_type = part
            .content_type
            .as_deref()
            .or(part.filename.as_ref().map(|_| "application/octet-stream"));
        if let Some(content_type) = content_type {
            bytes.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        bytes.extend_from_slice(b"\r\n");
        bytes.extend_from_slice(data);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok(Body::Bytes {
        content_type: format!("multipart/form-data; boundary={boundary}"),
        bytes,
    })
}

/// Whether a body of this content type is text: JSON, text or XML (or no type at all).
fn is_text(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|t| {
        let t = t.to_ascii_lowercase();
        t.starts_with("text/")
            || t.contains("json")
            || t.contains("xml")
            || t.starts_with("application/x-www-form-urlencoded")
            || t.starts_with("application/javascript")
    })
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
        HttpMethod::Head => Method::Head,
        HttpMethod::Post => Method::Post,
        HttpMethod::Put => Method::Put,
        HttpMethod::Patch => Method::Patch,
        HttpMethod::Delete => Method::Delete,
    };
    // The raw node cannot know whether an endpoint is safe to repeat (a second DELETE of
    // a user deletes for good what the first only deactivated): after a 5xx or a
    // transport failure, only a read is sent again, unless the caller says otherwise.
    let read = matches!(method, Method::Get | Method::Head);
    let mut spec = RequestSpec::with_method(method, path).retry(if read {
        Retry::Safe
    } else {
        Retry::Unsafe
    });
    for pair in req.query.as_deref().unwrap_or_default() {
        if pair.name.trim().is_empty() {
            return Err(invalid_input("query has a parameter without a name"));
        }
        spec = spec.query(pair.name.clone(), &pair.value);
    }
    spec.headers = check_headers(req.headers.as_deref().unwrap_or_default())?;
    spec.body = req.body.as_ref().map(body).transpose()?.flatten();
    let retries = req.retries.unwrap_or(defaults.max_retries);
    if !RAW_RETRIES.takes(retries) {
        return Err(invalid_input(format!(
            "retries is at most {}",
            RAW_RETRIES.max
        )));
    }
    if req
        .retry_delay_ms
        .is_some_and(|ms| !RETRY_DELAY_MS.takes(ms))
    {
        return Err(invalid_input(format!(
            "retry-delay-ms is at most {}",
            RETRY_DELAY_MS.max
        )));
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
        if !TIMEOUT_MS.takes(ms) {
            return Err(invalid_input(format!(
                "timeout-ms must be from {} to {}",
                TIMEOUT_MS.min, TIMEOUT_MS.max
            )));
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
    let content_type = resp.header("content-type").map(str::to_string);
    let (body, body_base64) = match String::from_utf8(resp.body) {
        Ok(text) if is_text(content_type.as_deref()) => (text, None),
        Ok(text) => (String::new(), Some(text.into_bytes())),
        Err(binary) => (String::new(), Some(binary.into_bytes())),
    };
    use base64::Engine as _;
    Ok(RawResponse {
        status: resp.status,
        headers: resp
            .headers
            .into_iter()
            .map(|(name, value)| Pair { name, value })
            .collect(),
        content_type,
        body,
        body_base64: body_base64.map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
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
        // A path relative to `/api/v1`.
        assert_eq!(check_path("users/me", org).unwrap(), "/api/v1/users/me");
        assert_eq!(
            check_path(" groups/00g1/users ", org).unwrap(),
            "/api/v1/groups/00g1/users"
        );
        assert!(check_path("users/../../admin", org).is_err());
        let elsewhere = check_path("https://evil.com/api/v1/users", org).unwrap_err();
        assert_eq!(elsewhere.kind, ErrorKind::Transport);
        for bad in [
            "http://x.okta.com/api/v1/users",
            "ftp://x.okta.com/a",
            "//evil.com/a",
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
    fn form_and_multipart_bodies() {
        let form = RawRequest {
            body: Some(RawBody::Form(vec![
                Pair {
                    name: "grant_type".into(),
                    value: "client_credentials".into(),
                },
                Pair {
                    name: "scope".into(),
                    value: "okta.users.read okta.groups.read".into(),
                },
            ])),
            ..raw(HttpMethod::Post, "/oauth2/v1/token")
        };
        let spec = build_request(&form, "x.okta.com", Policy::default()).unwrap();
        let body = spec.body.unwrap();
        assert_eq!(body.content_type(), "application/x-www-form-urlencoded");
        assert_eq!(
            String::from_utf8(body.to_bytes()).unwrap(),
            "grant_type=client_credentials&scope=okta.users.read%20okta.groups.read"
        );
        let logo = RawRequest {
            body: Some(RawBody::Multipart(vec![MultipartPart {
                name: "file".into(),
                filename: Some("logo.png".into()),
                content_type: Some("image/png".into()),
                data_base64: "iVBORw0KGgo=".into(),
            }])),
            ..raw(HttpMethod::Post, "apps/0oa1/logo")
        };
        let spec = build_request(&logo, "x.okta.com", Policy::default()).unwrap();
        assert_eq!(spec.path(), "/api/v1/apps/0oa1/logo");
        let body = spec.body.unwrap();
        let boundary = body
            .content_type()
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap()
            .to_string();
        let mut want = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        want.extend_from_slice(&[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n']);
        want.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        assert_eq!(body.to_bytes(), want);
        for bad in [
            MultipartPart {
                name: "file".into(),
                filename: None,
                content_type: None,
                data_base64: "not base64!".into(),
            },
            MultipartPart {
                name: "a\"b".into(),
                filename: None,
                content_type: None,
                data_base64: String::new(),
            },
        ] {
            let req = RawRequest {
                body: Some(RawBody::Multipart(vec![bad])),
                ..raw(HttpMethod::Post, "/a")
            };
            let err = build_request(&req, "x.okta.com", Policy::default()).unwrap_err();
            assert_eq!(err.kind, crate::wit::types::ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn a_binary_answer_comes_back_in_base64_with_its_type() {
        let mut c = client(
            FakeTransport::default()
                .respond(200, &[("content-type", "image/png")], "PNG")
                .respond(200, &[("content-type", "application/json")], r#"{"a":1}"#),
        );
        let png = request(&mut c, raw(HttpMethod::Get, "/bg.png")).unwrap();
        assert_eq!(
            (
                png.content_type.as_deref(),
                png.body.as_str(),
                png.body_base64.as_deref()
            ),
            (Some("image/png"), "", Some("UE5H"))
        );
        let json = request(&mut c, raw(HttpMethod::Get, "users/me")).unwrap();
        assert_eq!((json.body.as_str(), json.body_base64), (r#"{"a":1}"#, None));
        assert_eq!(
            c.transport().seen[1].url,
            "https://x.okta.com/api/v1/users/me"
        );
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
            body: Some(RawBody::Json(r#"{"a": 1}"#.into())),
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
                body: Some(RawBody::Json("{nope".into())),
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
