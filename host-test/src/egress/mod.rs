//! The outbound HTTP hook: a call may reach only its connection's org, over HTTPS, within
//! the host's timeout caps and the call's deadline; optionally routed to another base URL
//! (a mock). [`crate::egress::connect`] sends what the hook admits.

pub mod connect;
pub mod deadline;
pub mod governor;

use crate::egress::deadline::Deadline;
use crate::engine::tenant::Tenant;
use crate::telemetry::{self, Exchanges};
use connect::{Destination, IoFuture, Pool};
use governor::Governor;
use http::uri::{Authority, Scheme};
use http::{Method, Uri};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument as _;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

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

    /// The `host:port` to connect to.
    pub(crate) fn socket_address(&self) -> String {
        let default = if self.scheme == Scheme::HTTPS {
            443
        } else {
            80
        };
        format!(
            "{}:{}",
            self.authority.host(),
            self.authority.port_u16().unwrap_or(default)
        )
    }

    /// The name TLS verifies, for an https route.
    pub(crate) fn tls_name(&self) -> Option<&str> {
        (self.scheme == Scheme::HTTPS).then(|| self.authority.host())
    }
}

/// The per-call hook state: which org the call may reach, and how; what it has sent.
pub struct OrgHooks {
    org: Option<String>,
    route: Option<Route>,
    caps: TimeoutCaps,
    deadline: Option<Deadline>,
    pool: Arc<Pool>,
    sent: u32,
    writes: u32,
    label: String,
    exchanges: Arc<Exchanges>,
    governor: Option<Arc<Governor>>,
    /// Who the call acts for, for the governor's fair shares.
    tenant: Tenant,
}

impl OrgHooks {
    /// Hooks that allow only `org` (a host name as the connection gives it).
    pub fn new(org: Option<String>, route: Option<Route>, caps: TimeoutCaps) -> Self {
        OrgHooks {
            org: org.map(|o| normalize_org(&o)),
            route,
            caps,
            deadline: None,
            pool: Arc::new(Pool::new(Default::default())),
            sent: 0,
            writes: 0,
            label: String::new(),
            exchanges: Arc::default(),
            governor: None,
            tenant: Tenant::ZERO,
        }
    }

    /// The same hooks, holding each request to the org's budget ([`governor`]), with a
    /// fair share of it for `tenant`.
    pub(crate) fn governed(self, governor: Option<Arc<Governor>>, tenant: Tenant) -> Self {
        OrgHooks {
            governor,
            tenant,
            ..self
        }
    }

    /// The same hooks, naming the org by `label` in spans and metrics.
    pub(crate) fn labelled(self, label: String) -> Self {
        OrgHooks { label, ..self }
    }

    /// The same hooks, holding every request to the call's deadline.
    pub fn until(self, deadline: Deadline) -> Self {
        OrgHooks {
            deadline: Some(deadline),
            ..self
        }
    }

    /// The same hooks, sending on `pool`'s connections (a host shares one pool among its
    /// calls; without one, a call keeps its connections to itself).
    pub fn pooled(self, pool: Arc<Pool>) -> Self {
        OrgHooks { pool, ..self }
    }

    /// The hooks for the next call of a reused instance: its own deadline, and counts that
    /// start again.
    pub(crate) fn next_call(&mut self, deadline: Deadline) {
        self.deadline = Some(deadline);
        self.sent = 0;
        self.writes = 0;
        self.exchanges = Arc::default();
    }

    /// The requests this call has sent (each admitted request counts).
    pub fn sent(&self) -> u32 {
        self.sent
    }

    /// The requests this call has sent other than `GET` and `HEAD`.
    pub fn writes(&self) -> u32 {
        self.writes
    }

    /// Checks one outgoing request; returns the capped options and where it goes.
    fn admit(
        &self,
        request: &http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<(RequestOptions, Destination), Error> {
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
        let to = match (&self.route, uri.host()) {
            (Some(route), _) => Destination::Route(route.clone()),
            // An IPv6 literal keeps no brackets, so it is checked as the address it is.
            (None, Some(host)) => Destination::Org(
                host.trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_ascii_lowercase(),
            ),
            (None, None) => return Err(Error::HttpRequestUriInvalid),
        };
        Ok((options, to))
    }
}

/// The org host as the component normalizes it: no scheme, no trailing slash, lower case.
pub fn normalize_org(domain: &str) -> String {
    let d = domain.trim();
    let d = match d.get(..8) {
        Some(scheme) if scheme.eq_ignore_ascii_case("https://") => &d[8..],
        _ => d,
    };
    d.strip_suffix('/').unwrap_or(d).to_ascii_lowercase()
}

impl WasiHttpHooks for OrgHooks {
    fn is_supported_scheme(&mut self, scheme: &Scheme) -> bool {
        *scheme == Scheme::HTTPS
    }

    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: IoFuture,
    ) -> Box<dyn Future<Output = Result<(http::Response<WasiBody>, IoFuture), Error>> + Send> {
        let admitted = self.admit(&request, options);
        let exchange = admitted.is_ok().then(|| {
            self.sent = self.sent.saturating_add(1);
            if !matches!(*request.method(), Method::GET | Method::HEAD) {
                self.writes = self.writes.saturating_add(1);
            }
            let (method, path) = (request.method().as_str(), request.uri().path());
            self.exchanges.begin(method, path, &self.label, self.sent)
        });
        let (deadline, pool) = (self.deadline, self.pool.clone());
        let span = exchange
            .as_ref()
            .map_or_else(tracing::Span::none, |e| e.span());
        let tenant = self.tenant;
        let governed = self.governor.clone().zip(self.org.clone()).map(|(g, org)| {
            let method = request.method().as_str().to_string();
            let route = telemetry::route_of(&method, request.uri().path());
            (g, org, method, route)
        });
        Box::new(
            async move {
                let (options, to) = admitted?;
                let ticket = match governed {
                    None => None,
                    Some((governor, org, method, route)) => {
                        match governor.admit(&org, &method, route, tenant, deadline).await {
                            Ok((ticket, waited)) => {
                                if let Some(exchange) = &exchange {
                                    exchange.waited(waited, "governor");
                                }
                                Some(ticket)
                            }
                            Err(held) => {
                                let response = governor::too_many(held);
                                if let Some(exchange) = exchange {
                                    exchange.held();
                                }
                                let done: IoFuture = Box::new(async { Ok(()) });
                                return Ok((response, done));
                            }
                        }
                    }
                };
                let sent = connect::send(request, options, to, deadline, pool).await;
                if let (Some(ticket), Ok((response, _))) = (ticket, &sent) {
                    ticket.answered(response.status().as_u16(), response.headers());
                }
                if let Some(exchange) = exchange {
                    match &sent {
                        Ok((response, _)) => exchange.end(Ok(response)),
                        Err(error) => exchange.end::<()>(Err(&telemetry::failure_kind(error))),
                    }
                }
                sent
            }
            .instrument(span),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, Empty};

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
                .admit(&request("https://dev-1.okta.com/api/v1/users"), None)
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
                    hooks.admit(&request(denied), None),
                    Err(Error::HttpRequestDenied)
                ),
                "{denied}"
            );
        }
        let nobody = OrgHooks::new(None, None, TimeoutCaps::default());
        assert!(
            nobody
                .admit(&request("https://dev-1.okta.com/"), None)
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
        let (got, _) = hooks
            .admit(&request("https://dev-1.okta.com/"), Some(asked))
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
        let req = request("https://dev-1.okta.com/api/v1/users?limit=2");
        let (_, to) = hooks.admit(&req, None).unwrap();
        let Destination::Route(route) = to else {
            panic!("{to:?}");
        };
        assert_eq!(route.socket_address(), "127.0.0.1:9999");
        assert_eq!(route.tls_name(), None);
        let https = Route::parse("https://mock.example.com").unwrap();
        assert_eq!(https.socket_address(), "mock.example.com:443");
        assert_eq!(https.tls_name(), Some("mock.example.com"));
        // Without a route, the org itself, by name.
        let direct = OrgHooks::new(Some("dev-1.okta.com".into()), None, TimeoutCaps::default());
        let (_, to) = direct.admit(&req, None).unwrap();
        assert!(matches!(to, Destination::Org(host) if host == "dev-1.okta.com"));
        assert!(Route::parse("127.0.0.1:9999").is_err());
        assert!(Route::parse("ftp://x").is_err());
        assert!(Route::parse("http://x/api").is_err());
    }
}
