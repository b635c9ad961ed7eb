//! How a request leaves the host. For an org, the host resolves the name itself, refuses
//! every address a sandboxed call must not reach (loopback, private, link-local and cloud
//! metadata, CGNAT, multicast and the other special ranges, in IPv4, IPv6 and the IPv6
//! forms that carry an IPv4 address), and connects to an address that passed, verifying
//! TLS against the org's name: a DNS answer cannot swap the address after the check. A
//! route to a mock is the one explicit exception: it goes where the host was told.

use crate::egress::Route;
use crate::egress::deadline::Deadline;
use bytes::Bytes;
use http::uri::PathAndQuery;
use http::{Request, Response, Uri};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, LazyLock, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::{Sleep, sleep, timeout, timeout_at};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

/// The future that drives a connection after its response head has arrived.
pub(crate) type IoFuture = Box<dyn Future<Output = Result<(), Error>> + Send>;

/// Why an address may not be reached from a sandboxed call; `None` when it may.
pub fn refusal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(ip) => refusal_v4(ip),
        IpAddr::V6(ip) => refusal_v6(ip),
    }
}

fn refusal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let why = match () {
        () if a == 0 => "\"this network\" (0.0.0.0/8)",
        () if ip.is_loopback() => "loopback",
        () if ip.is_private() => "private",
        () if ip.is_link_local() => "link-local, where cloud metadata services listen",
        () if a == 100 && b & 0xc0 == 64 => "shared address space (CGNAT, 100.64.0.0/10)",
        () if a == 192 && b == 0 && c == 0 => "IETF protocol assignments (192.0.0.0/24)",
        () if ip.is_documentation() => "documentation",
        () if a == 198 && b & 0xfe == 18 => "benchmarking (198.18.0.0/15)",
        () if ip.is_multicast() => "multicast",
        () if a >= 240 => "reserved (240.0.0.0/4 and broadcast)",
        () => return None,
    };
    Some(why)
}

fn refusal_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    let why = match () {
        () if ip.is_unspecified() => "unspecified",
        () if ip.is_loopback() => "loopback",
        // ::ffff:a.b.c.d reaches the IPv4 address it carries; ::a.b.c.d is deprecated.
        () if s[..6] == [0, 0, 0, 0, 0, 0xffff] => return refusal_v4(embedded(s[6], s[7])),
        // ::ffff:0:a.b.c.d (IPv4-translated, RFC 6145) reaches it through a translator.
        () if s[..6] == [0, 0, 0, 0, 0xffff, 0] => return refusal_v4(embedded(s[6], s[7])),
        () if s[..6] == [0; 6] => "IPv4-compatible (deprecated, ::/96)",
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach an IPv4 address too.
        () if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] => return refusal_v4(embedded(s[6], s[7])),
        () if s[0] == 0x2002 => return refusal_v4(embedded(s[1], s[2])),
        () if s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1 => "local-use NAT64 (64:ff9b:1::/48)",
        () if s[0] == 0x2001 && s[1] == 0 => "Teredo (2001::/32)",
        () if s[0] == 0x2001 && s[1] == 0xdb8 => "documentation (2001:db8::/32)",
        () if s[..4] == [0x100, 0, 0, 0] => "discard (100::/64)",
        () if ip.is_unique_local() => "unique local (fc00::/7), where cloud metadata may listen",
        () if ip.is_unicast_link_local() => "link-local (fe80::/10)",
        () if s[0] & 0xffc0 == 0xfec0 => "site-local (fec0::/10)",
        () if ip.is_multicast() => "multicast",
        () => return None,
    };
    Some(why)
}

/// The addresses of `host` a call may reach. Every address the name resolves to is checked;
/// none left is `destination-ip-prohibited`, and no connection is made.
pub async fn checked_addresses(host: &str, port: u16) -> Result<Vec<SocketAddr>, Error> {
    let resolved = tokio::net::lookup_host((host, port))
        .await
        .map_err(|err| Error::DnsError {
            rcode: Some(err.to_string()),
            info_code: None,
        })?;
    let (mut allowed, mut refused) = (Vec::new(), false);
    for addr in resolved {
        match refusal(addr.ip()) {
            None => allowed.push(addr),
            Some(_) => refused = true,
        }
    }
    match (allowed.is_empty(), refused) {
        (false, _) => Ok(allowed),
        (true, true) => Err(Error::DestinationIpProhibited),
        (true, false) => Err(Error::DestinationNotFound),
    }
}

/// Where one request goes.
#[derive(Clone, Debug)]
pub(crate) enum Destination {
    /// The org, by name, over TLS, at a checked address only.
    Org(String),
    /// A mock, where the host was told to send every org's traffic.
    Route(Route),
}

trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// The TLS client: the web's root certificates, built once.
static TLS: LazyLock<TlsConnector> = LazyLock::new(|| {
    let roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.into(),
    };
    let config = ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
});

/// Opens a TLS session with `name` over `tcp`.
async fn tls(name: &str, tcp: TcpStream) -> Result<Box<dyn Stream>, Error> {
    let name = ServerName::try_from(name.to_string()).map_err(|_| Error::HttpRequestUriInvalid)?;
    let session = TLS.connect(name, tcp).await.map_err(Error::Tls)?;
    Ok(Box::new(session))
}

/// Connects to the destination: TCP, then TLS for an org or an https route.
async fn connect(to: &Destination) -> Result<Box<dyn Stream>, Error> {
    match to {
        Destination::Org(host) => {
            let mut last = Error::DestinationNotFound;
            for addr in checked_addresses(host, 443).await? {
                match TcpStream::connect(addr).await {
                    Ok(tcp) => return tls(host, tcp).await,
                    Err(err) => last = Error::Connect(err),
                }
            }
            Err(last)
        }
        Destination::Route(route) => {
            let tcp = TcpStream::connect(route.socket_address())
                .await
                .map_err(Error::Connect)?;
            match route.tls_name() {
                Some(name) => tls(name, tcp).await,
                None => Ok(Box::new(tcp)),
            }
        }
    }
}

/// Keep-alive connections, shared by every call of a host and kept per destination: a
/// call reuses a connection an earlier call (or an earlier request of its own) left idle,
/// and skips the TCP and TLS handshakes. A connection goes back only after its response
/// was read to the end and the connection is ready for another request.
pub struct Pool {
    idle: Mutex<HashMap<String, VecDeque<Idle>>>,
    limits: PoolLimits,
}

/// How many connections a [`Pool`] keeps, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolLimits {
    /// The most idle connections kept for one org (or for the route to a mock).
    pub max_idle_per_org: usize,
    /// How long an idle connection is kept. Short enough that a server seldom closes it
    /// first; a request a closed connection refuses unsent goes out on a new one.
    pub idle_timeout: Duration,
}

impl Default for PoolLimits {
    fn default() -> Self {
        PoolLimits {
            max_idle_per_org: 32,
            idle_timeout: Duration::from_secs(30),
        }
    }
}

struct Idle {
    sender: SendRequest<WasiBody>,
    since: Instant,
}

impl Pool {
    /// An empty pool.
    pub fn new(limits: PoolLimits) -> Self {
        Pool {
            idle: Mutex::new(HashMap::new()),
            limits,
        }
    }

    /// The idle connections kept now, over every destination.
    pub fn idle(&self) -> usize {
        self.lock().values().map(VecDeque::len).sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Idle>>> {
        // A panic while the lock was held leaves only connections behind: keep going.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The newest idle connection to `key` that is still open and fresh.
    fn take(&self, key: &str) -> Option<SendRequest<WasiBody>> {
        let mut idle = self.lock();
        let list = idle.get_mut(key)?;
        while let Some(Idle { sender, since }) = list.pop_back() {
            if since.elapsed() < self.limits.idle_timeout && sender.is_ready() {
                return Some(sender);
            }
        }
        None
    }

    /// Keeps a connection that is ready for another request, within the limits.
    fn put(&self, key: String, sender: SendRequest<WasiBody>) {
        let mut idle = self.lock();
        let list = idle.entry(key).or_default();
        // Kept in the order they were put back: the expired are at the front, so putting
        // one back costs what it removes, not the whole list (thousands, under load). A
        // closed one further in is dropped when `take` reaches it.
        while list
            .front()
            .is_some_and(|i| i.since.elapsed() >= self.limits.idle_timeout || i.sender.is_closed())
        {
            list.pop_front();
        }
        if list.len() < self.limits.max_idle_per_org {
            list.push_back(Idle {
                sender,
                since: Instant::now(),
            });
        }
    }
}

impl Destination {
    /// The pool's key: one set of connections per org, or for the route.
    fn key(&self) -> String {
        match self {
            Destination::Org(host) => format!("org {host}"),
            Destination::Route(route) => format!("route {}", route.socket_address()),
        }
    }
}

/// Opens a connection to the destination and starts driving it, all of it (the name, TCP,
/// TLS and HTTP's handshake) within `connect_timeout`; the connection lives while its
/// sender does.
async fn dial(to: &Destination, connect_timeout: Duration) -> Result<SendRequest<WasiBody>, Error> {
    let until = tokio::time::Instant::now() + connect_timeout;
    let stream = timeout_at(until, connect(to))
        .await
        .map_err(|_| Error::ConnectionTimeout)??;
    let (sender, connection) = timeout_at(
        until,
        hyper::client::conn::http1::handshake(TokioIo::new(stream)),
    )
    .await
    .map_err(|_| Error::ConnectionTimeout)??;
    tokio::spawn(connection);
    Ok(sender)
}

/// Sends one request to its destination within the options' timeouts and the call's
/// deadline, on a pooled connection when one is idle; returns the response head with a
/// body that keeps both, and the future that drives the connection (already driven). Each
/// stage (connecting, the wait for the head, the body) gets its own timeout or the time
/// left of the deadline when it starts, whichever is shorter: stages never add up past it.
pub(crate) async fn send(
    mut request: Request<WasiBody>,
    options: RequestOptions,
    to: Destination,
    deadline: Option<Deadline>,
    pool: Arc<Pool>,
) -> Result<(Response<WasiBody>, IoFuture), Error> {
    let never = Duration::from_secs(3600);
    let connect_timeout = options.connect_timeout.unwrap_or(never);
    let first_byte = options.first_byte_timeout.unwrap_or(never);
    // The request line carries the path only; the Host header names the org.
    let path = request
        .uri()
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| PathAndQuery::from_static("/"));
    *request.uri_mut() = Uri::from(path);

    // The stage's timeout, or what is left of the deadline now; `None` once it has passed.
    let within = |stage: Duration| match deadline {
        Some(deadline) => deadline.time_left().map(|left| left.min(stage)),
        None => Some(stage),
    };
    let key = to.key();
    let mut pooled = pool.take(&key);
    let (sender, response) = loop {
        let (mut sender, reused) = match pooled.take() {
            Some(sender) => (sender, true),
            None => {
                let connect = within(connect_timeout).ok_or(Error::ConnectionTimeout)?;
                (dial(&to, connect).await?, false)
            }
        };
        let first_byte = within(first_byte).ok_or(Error::ConnectionTimeout)?;
        match timeout(first_byte, sender.try_send_request(request)).await {
            Err(_) => return Err(Error::HttpResponseTimeout),
            Ok(Ok(response)) => break (sender, response),
            Ok(Err(mut refused)) => match refused.take_message() {
                // A kept connection that closed before taking the request: nothing was
                // sent, so it goes out once more, on a new connection.
                Some(unsent) if reused => request = unsent,
                _ => return Err(Error::from(refused.into_error())),
            },
        }
    };
    let between_bytes = options.between_bytes_timeout.unwrap_or(never);
    let response = response.map(|body| {
        Timed {
            body,
            between_bytes,
            idle: Box::pin(sleep(between_bytes)),
            deadline: deadline.map(|d| Box::pin(tokio::time::sleep_until(d.at.into()))),
            release: Some((pool, key, sender)),
        }
        .boxed_unsync()
    });
    Ok((response, Box::new(async { Ok(()) })))
}

/// A response body held to the between-bytes timeout and the call's deadline, however
/// steadily it drips.
struct Timed {
    body: Incoming,
    between_bytes: Duration,
    idle: Pin<Box<Sleep>>,
    deadline: Option<Pin<Box<Sleep>>>,
    /// Where the connection goes back once the body has ended.
    release: Option<(Arc<Pool>, String, SendRequest<WasiBody>)>,
}

impl Timed {
    /// The body ended: the connection goes back to the pool once it is ready for another
    /// request (hyper finishes the response first).
    fn release(&mut self) {
        if let Some((pool, key, mut sender)) = self.release.take() {
            tokio::spawn(async move {
                if sender.ready().await.is_ok() {
                    pool.put(key, sender);
                }
            });
        }
    }
}

impl Body for Timed {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        if let Some(deadline) = self.deadline.as_mut()
            && deadline.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Some(Err(Error::ConnectionReadTimeout)));
        }
        match Pin::new(&mut self.body).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let next = tokio::time::Instant::now() + self.between_bytes;
                self.idle.as_mut().reset(next);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(err))) => Poll::Ready(Some(Err(Error::from(err)))),
            Poll::Ready(None) => {
                self.release();
                Poll::Ready(None)
            }
            Poll::Pending => match self.idle.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Error::ConnectionReadTimeout))),
                Poll::Pending => Poll::Pending,
            },
        }
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

    #[test]
    fn refuses_every_special_range() {
        // The same cases hold the JS host's egress guard (examples/js-host).
        let cases: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/addresses.json")).unwrap();
        for (list, refused) in [("refused", true), ("allowed", false)] {
            for address in cases[list].as_array().unwrap() {
                let ip: IpAddr = address.as_str().unwrap().parse().unwrap();
                assert_eq!(refusal(ip).is_some(), refused, "{address}");
            }
        }
    }
}
