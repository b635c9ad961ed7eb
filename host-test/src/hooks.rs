//! The outbound HTTP hook: a call may reach only its connection's org, over HTTPS, within
//! the host's timeout caps and the call's deadline; optionally routed to another base URL
//! (a mock).

use crate::deadline::Deadline;
use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{Method, Uri};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks, default_send_request};

/// The most time a guest may ask for at each stage of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeoutCaps {
    /// Connecting (TCP and TLS).
    pub connect: Duration,
    /// Waiting for the response head.
    pub first_byte: Duration,
    /// Waiting between body frames.
    pub between_bytes: Duration,
}

impl Default for TimeoutCaps {
    fn default() -> Self {
        TimeoutCaps {
            connect: Duration::from_secs(30),
            first_byte: Duration::from_secs(60),
            between_bytes: Duration::from_secs(30),
        }
    }
}

/// Where an org's traffic goes instead of the org (a mock Okta).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    scheme: Scheme,
    authority: Authority,
}

impl Route {
    /// Parses a base URL such as `http://127.0.0.1:8080`. A path is not allowed.
    pub fn parse(base: &str) -> anyhow::Result<Self> {
        let uri: Uri = base.trim_end_matches('/').parse()?;
        let scheme = uri
            .scheme()
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("route-to needs a scheme: {base}"))?;
        anyhow::ensure!(
            scheme == Scheme::HTTP || scheme == Scheme::HTTPS,
            "route-to must be http or https: {base}"
        );
        let authority = uri
            .authority()
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("route-to needs a host: {base}"))?;
        anyhow::ensure!(
            uri.path_and_query().is_none_or(|p| p.as_str() == "/"),
            "route-to cannot have a path: {base}"
        );
        Ok(Route { scheme, authority })
    }
}

/// The per-call hook state: which org the call may reach, and how; what it has sent.
pub struct OrgHooks {
    org: Option<String>,
    route: Option<Route>,
    caps: TimeoutCaps,
    deadline: Option<Deadline>,
    sent: u32,
    writes: u32,
}

impl OrgHooks {
    /// Hooks that allow only `org` (a host name as the connection gives it).
    pub fn new(org: Option<String>, route: Option<Route>, caps: TimeoutCaps) -> Self {
        OrgHooks {
            org: org.map(|o| normalize_org(&o)),
            route,
            caps,
            deadline: None,
            sent: 0,
            writes: 0,
        }
    }

    /// The same hooks, holding every request to the call's deadline.
    pub fn until(self, deadline: Deadline) -> Self {
        OrgHooks {
            deadline: Some(deadline),
            ..self
        }
    }

    /// The requests this call has sent (each admitted request counts).
    pub fn sent(&self) -> u32 {
        self.sent
    }

    /// The requests this call has sent other than `GET` and `HEAD`.
    pub fn writes(&self) -> u32 {
        self.writes
    }

    /// Checks and rewrites one outgoing request; returns the capped options.
    fn admit(
        &self,
        request: &mut http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<RequestOptions, Error> {
        let uri = request.uri();
        let allowed = uri.scheme() == Some(&Scheme::HTTPS)
            && uri.port().is_none()
            && matches!((uri.host(), self.org.as_deref()), (Some(host), Some(org)) if host.eq_ignore_ascii_case(org));
        if !allowed {
            return Err(Error::HttpRequestDenied);
        }
        // Past the deadline nothing is begun: the guest hears a connect timeout.
        let left = match &self.deadline {
            Some(deadline) => deadline.time_left().ok_or(Error::ConnectionTimeout)?,
            None => Duration::MAX,
        };
        let asked = options.unwrap_or_default();
        let cap = |asked: Option<Duration>, cap: Duration| {
            Some(asked.map_or(cap, |a| a.min(cap)).min(left))
        };
        let options = RequestOptions {
            connect_timeout: cap(asked.connect_timeout, self.caps.connect),
            first_byte_timeout: cap(asked.first_byte_timeout, self.caps.first_byte),
            between_bytes_timeout: cap(asked.between_bytes_timeout, self.caps.between_bytes),
        };
        if let Some(route) = &self.route {
            let path = uri
                .path_and_query()
                .cloned()
                .unwrap_or_else(|| PathAndQuery::from_static("/"));
            let routed = Uri::builder()
                .scheme(route.scheme.clone())
                .authority(route.authority.clone())
                .path_and_query(path)
                .build()
                .map_err(|_| Error::HttpRequestUriInvalid)?;
            *request.uri_mut() = routed;
        }
        Ok(options)
    }
}

/// The org host as the component normalizes it: no scheme, no trailing slash, lower case.
pub fn normalize_org(domain: &str) -> String {
    let d = domain.trim();
    let d = if d.len() >= 8 && d[..8].eq_ignore_ascii_case("https://") {
        &d[8..]
    } else {
        d
    };
    d.strip_suffix('/').unwrap_or(d).to_ascii_lowercase()
}

type IoFuture = Box<dyn Future<Output = Result<(), Error>> + Send>;

impl WasiHttpHooks for OrgHooks {
    fn is_supported_scheme(&mut self, scheme: &Scheme) -> bool {
        *scheme == Scheme::HTTPS
    }

    fn send_request(
        &mut self,
        mut request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: IoFuture,
    ) -> Box<dyn Future<Output = Result<(http::Response<WasiBody>, IoFuture), Error>> + Send> {
        let admitted = self.admit(&mut request, options);
        if admitted.is_ok() {
            self.sent = self.sent.saturating_add(1);
            if !matches!(*request.method(), Method::GET | Method::HEAD) {
                self.writes = self.writes.saturating_add(1);
            }
        }
        let deadline = self.deadline;
        Box::new(async move {
            let options = admitted?;
            let (response, io) = default_send_request(request, Some(options)).await?;
            let response = response.map(|body| match deadline {
                Some(deadline) => UntilDeadline {
                    body: body.boxed_unsync(),
                    expiry: Box::pin(tokio::time::sleep_until(deadline.at.into())),
                }
                .boxed_unsync(),
                None => body.boxed_unsync(),
            });
            Ok((response, Box::new(io) as IoFuture))
        })
    }
}

/// A response body that fails with a read timeout once the call's deadline passes, however
/// steadily it drips.
struct UntilDeadline {
    body: WasiBody,
    expiry: Pin<Box<tokio::time::Sleep>>,
}

impl Body for UntilDeadline {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        if self.expiry.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Error::ConnectionReadTimeout)));
        }
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::Empty;

    fn request(uri: &str) -> http::Request<WasiBody> {
        http::Request::builder()
            .uri(uri)
            .body(
                Empty::new()
                    .map_err(|_| Error::HttpProtocolError)
                    .boxed_unsync(),
            )
            .unwrap()
    }

    #[test]
    fn only_the_org_over_https_is_admitted() {
        let hooks = OrgHooks::new(
            Some("https://Dev-1.okta.com/".into()),
            None,
            TimeoutCaps::default(),
        );
        assert!(
            hooks
                .admit(&mut request("https://dev-1.okta.com/api/v1/users"), None)
                .is_ok()
        );
        for denied in [
            "https://evil.example.com/api/v1/users",
            "http://dev-1.okta.com/api/v1/users",
            "https://dev-1.okta.com:8443/api/v1/users",
            "https://dev-1.okta.com.evil.com/api/v1/users",
        ] {
            assert!(
                matches!(
                    hooks.admit(&mut request(denied), None),
                    Err(Error::HttpRequestDenied)
                ),
                "{denied}"
            );
        }
        let nobody = OrgHooks::new(None, None, TimeoutCaps::default());
        assert!(
            nobody
                .admit(&mut request("https://dev-1.okta.com/"), None)
                .is_err()
        );
    }

    #[test]
    fn timeouts_are_capped_whatever_the_guest_asks() {
        let caps = TimeoutCaps {
            connect: Duration::from_secs(5),
            first_byte: Duration::from_secs(6),
            between_bytes: Duration::from_secs(7),
        };
        let hooks = OrgHooks::new(Some("dev-1.okta.com".into()), None, caps);
        let asked = RequestOptions {
            connect_timeout: Some(Duration::from_secs(600)),
            first_byte_timeout: Some(Duration::from_secs(1)),
            between_bytes_timeout: None,
        };
        let got = hooks
            .admit(&mut request("https://dev-1.okta.com/"), Some(asked))
            .unwrap();
        assert_eq!(got.connect_timeout, Some(Duration::from_secs(5)));
        assert_eq!(got.first_byte_timeout, Some(Duration::from_secs(1)));
        assert_eq!(got.between_bytes_timeout, Some(Duration::from_secs(7)));
    }

    #[test]
    fn routes_the_org_to_the_mock() {
        let route = Route::parse("http://127.0.0.1:9999/").unwrap();
        let hooks = OrgHooks::new(
            Some("dev-1.okta.com".into()),
            Some(route),
            TimeoutCaps::default(),
        );
        let mut req = request("https://dev-1.okta.com/api/v1/users?limit=2");
        hooks.admit(&mut req, None).unwrap();
        assert_eq!(
            req.uri().to_string(),
            "http://127.0.0.1:9999/api/v1/users?limit=2"
        );
        assert!(Route::parse("127.0.0.1:9999").is_err());
        assert!(Route::parse("ftp://x").is_err());
        assert!(Route::parse("http://x/api").is_err());
    }
}
