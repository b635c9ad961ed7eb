//! The WASI transport: the only module that touches `waki` (and so `wasi:http`).
//!
//! The request is built on waki's `wasi:http` bindings rather than its request builder: the
//! builder always opens an outgoing body, and a host then frames a bodiless `DELETE` as
//! `Transfer-Encoding: chunked` with an empty body. Here a request without a body never
//! opens one, so it goes out as Okta's SDKs send it: no body and no framing headers (`GET`,
//! `DELETE`), or `Content-Length: 0` (a bodiless `POST`, which Okta answers with 411
//! otherwise). The response is read on the same bindings, so a failure while the body
//! streams keeps its `wasi:http` error code (a between-bytes timeout is a timeout).

use crate::client::spec::{Method, Response};
use crate::client::{HttpRequest, Transport, TransportError};
use std::time::{Duration, Instant, SystemTime};
use waki::ErrorCode;
use waki::bindings::wasi::http::outgoing_handler;
use waki::bindings::wasi::http::types::{
    Fields, IncomingBody, IncomingResponse, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
    http_error_code,
};
use waki::bindings::wasi::io::streams::StreamError;

/// The size of each read from the response body.
const CHUNK: u64 = 64 * 1024;

/// The most bytes one blocking write may carry (`wasi:io/streams`).
const WRITE: usize = 4096;

/// Sent with every request so Okta's system log names the integration.
const USER_AGENT: &str = concat!("okta-management-wasm/", env!("CARGO_PKG_VERSION"));

/// Sends requests through the host's `wasi:http/outgoing-handler`.
pub(crate) struct WasiHttp;

impl Transport for WasiHttp {
    fn send(&mut self, request: &HttpRequest<'_>) -> Result<Response, TransportError> {
        let until = Instant::now() + request.time_left;
        let incoming = exchange(request)?;
        let status = incoming.status();
        let headers = incoming
            .headers()
            .entries()
            .into_iter()
            .map(|(name, value)| {
                (
                    name.to_ascii_lowercase(),
                    String::from_utf8_lossy(&value).into_owned(),
                )
            })
            .collect();
        let body = incoming
            .consume()
            .map_err(|()| TransportError::Failed("the response body was taken".into()))?;
        let bytes = read_body(
            &body,
            request.max_response_bytes,
            until,
            host_of(&request.url),
        )?;
        drop(incoming);
        let _trailers = IncomingBody::finish(body);
        Ok(Response {
            status,
            headers,
            body: bytes,
        })
    }

    fn sleep(&mut self, duration: Duration) {
        std::thread::sleep(duration);
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn clock(&self) -> Instant {
        Instant::now()
    }
}

/// The request line and headers of one exchange, as `wasi:http` takes them.
fn outgoing(request: &HttpRequest<'_>) -> Result<OutgoingRequest, TransportError> {
    let failed = |what: &str| TransportError::Failed(format!("could not set the {what}"));
    let rest = request
        .url
        .strip_prefix("https://")
        .ok_or_else(|| failed("scheme"))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let given = |name: &str| {
        request
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    let mut headers: Vec<(String, Vec<u8>)> = request
        .credentials
        .iter()
        .map(|(name, value)| (name.to_string(), value.expose().as_bytes().to_vec()))
        .collect();
    let content_type = request.body.as_ref().map(|(content_type, _)| *content_type);
    let defaults = [
        ("accept", Some("application/json")),
        ("user-agent", Some(USER_AGENT)),
        ("content-type", content_type),
    ];
    for (name, value) in defaults {
        if let Some(value) = value.filter(|_| !given(name)) {
            headers.push((name.into(), value.as_bytes().to_vec()));
        }
    }
    headers.extend(
        request
            .headers
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.as_bytes().to_vec())),
    );
    // A body goes out with its length; a bodiless POST, PUT or PATCH with `Content-Length: 0`
    // (Okta answers 411 without one); a bodiless GET or DELETE with neither.
    let length = match &request.body {
        Some((_, body)) => Some(body.len()),
        None if matches!(request.method, Method::Post | Method::Put | Method::Patch) => Some(0),
        None => None,
    };
    if let Some(length) = length {
        headers.push(("content-length".into(), length.to_string().into_bytes()));
    }
    let fields = Fields::from_list(&headers)
        .map_err(|e| TransportError::Failed(format!("a header was refused: {e:?}")))?;
    let out = OutgoingRequest::new(fields);
    let method = match request.method {
        Method::Get => waki::Method::Get,
        Method::Head => waki::Method::Head,
        Method::Post => waki::Method::Post,
        Method::Put => waki::Method::Put,
        Method::Patch => waki::Method::Patch,
        Method::Delete => waki::Method::Delete,
    };
    out.set_method(&method).map_err(|()| failed("method"))?;
    out.set_scheme(Some(&Scheme::Https))
        .map_err(|()| failed("scheme"))?;
    out.set_authority(Some(authority))
        .map_err(|()| failed("authority"))?;
    out.set_path_with_query(Some(if path.is_empty() { "/" } else { path }))
        .map_err(|()| failed("path"))?;
    Ok(out)
}

/// Sends one request, writes its body if it has one, and waits for the response head.
fn exchange(request: &HttpRequest<'_>) -> Result<IncomingResponse, TransportError> {
    let out = outgoing(request)?;
    // Only a request with a body opens one: an opened body is a stream of unknown length.
    let body = match &request.body {
        Some((_, bytes)) => Some((
            out.body().map_err(|()| {
                TransportError::Failed("the request body could not be opened".into())
            })?,
            bytes,
        )),
        None => None,
    };
    // The host caps each timeout; the time left of the call's deadline bounds each wait for
    // the head and between body chunks, and `read_body` the whole body.
    let nanos = |d: Duration| Some(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    let options = RequestOptions::new();
    options
        .set_connect_timeout(nanos(request.connect_timeout))
        .and_then(|()| options.set_first_byte_timeout(nanos(request.time_left)))
        .and_then(|()| options.set_between_bytes_timeout(nanos(request.time_left)))
        .map_err(|()| TransportError::Failed("a timeout was refused".into()))?;
    let host = host_of(&request.url);
    let code_error = |code| code_error(code, host);
    let future = outgoing_handler::handle(out, Some(options)).map_err(code_error)?;
    if let Some((body, bytes)) = body {
        let stream = body
            .write()
            .map_err(|()| TransportError::Failed("the request body could not be written".into()))?;
        for chunk in bytes.chunks(WRITE) {
            stream
                .blocking_write_and_flush(chunk)
                .map_err(|e| TransportError::Failed(format!("writing the request body: {e:?}")))?;
        }
        drop(stream);
        OutgoingBody::finish(body, None).map_err(code_error)?;
    }
    loop {
        match future.get() {
            Some(Ok(result)) => return result.map_err(code_error),
            Some(Err(())) => return Err(TransportError::Failed("the response was taken".into())),
            None => future.subscribe().block(),
        }
    }
}

/// Reads a whole response body, up to `max` bytes, until the call's deadline.
fn read_body(
    body: &IncomingBody,
    max: usize,
    until: Instant,
    host: &str,
) -> Result<Vec<u8>, TransportError> {
    let stream = body
        .stream()
        .map_err(|()| TransportError::Failed("the response body could not be read".into()))?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(CHUNK) {
            Ok(chunk) => {
                if bytes.len() + chunk.len() > max {
                    return Err(TransportError::TooLarge(max));
                }
                bytes.extend_from_slice(&chunk);
                if Instant::now() >= until {
                    return Err(TransportError::Timeout(
                        "the call reached its deadline while the response body was arriving".into(),
                    ));
                }
            }
            Err(StreamError::Closed) => return Ok(bytes),
            Err(StreamError::LastOperationFailed(err)) => {
                return Err(match http_error_code(&err) {
                    Some(code) => code_error(code, host),
                    // A host may give the stream's error without its code; its words still
                    // tell a timeout (such as wasmtime's "connection read timeout").
                    None => {
                        let what = err.to_debug_string();
                        if what.to_ascii_lowercase().contains("timeout") {
                            TransportError::Timeout(what)
                        } else {
                            TransportError::Failed(what)
                        }
                    }
                });
            }
        }
    }
}

/// Maps a `wasi:http` error code, by whether the request can have left, to a sentence a
/// person can act on that names the host, the code beside it.
fn code_error(code: ErrorCode, host: &str) -> TransportError {
    let debug = format!("{code:?}");
    let name = debug.split(['(', ' ', '{']).next().unwrap_or(&debug);
    let mut kebab = String::new();
    for (i, c) in name.trim_start_matches("ErrorCode::").chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            kebab.push('-');
        }
        kebab.push(c.to_ascii_lowercase());
    }
    let what = |sentence: &str| format!("{sentence} (wasi:http error-code {kebab})");
    match code {
        ErrorCode::ConnectionTimeout => TransportError::Unsent {
            timeout: true,
            what: what(&format!(
                "no connection to {host} within the connect timeout: check the network, or \
                 allow more with timeout-ms"
            )),
        },
        ErrorCode::DnsTimeout => TransportError::Unsent {
            timeout: true,
            what: what(&format!(
                "resolving {host} took too long: check the DNS server this host uses"
            )),
        },
        ErrorCode::DnsError(_) | ErrorCode::DestinationNotFound => TransportError::Unsent {
            timeout: false,
            what: what(&format!(
                "could not resolve {host}: is the domain right, or did you mean to route it to \
                 a mock (route-to)?"
            )),
        },
        ErrorCode::ConnectionRefused => TransportError::Unsent {
            timeout: false,
            what: what(&format!(
                "{host} refused the connection: is the domain right, and is the server (or the \
                 mock) running?"
            )),
        },
        ErrorCode::DestinationUnavailable | ErrorCode::DestinationIpUnroutable => {
            TransportError::Unsent {
                timeout: false,
                what: what(&format!(
                    "{host} could not be reached: check the network, and any proxy or firewall \
                     on the way"
                )),
            }
        }
        ErrorCode::TlsProtocolError
        | ErrorCode::TlsCertificateError
        | ErrorCode::TlsAlertReceived(_) => TransportError::Unsent {
            timeout: false,
            what: what(&format!(
                "the TLS handshake with {host} failed: is it an Okta org, and does a proxy on \
                 the way intercept TLS?"
            )),
        },
        ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout
        | ErrorCode::HttpResponseTimeout => {
            TransportError::Timeout(what(&format!("{host} did not answer in time")))
        }
        ErrorCode::HttpRequestDenied => {
            TransportError::Denied("only the connection's org may be reached".into())
        }
        ErrorCode::DestinationIpProhibited => TransportError::Denied(
            "the org's name resolves to an address a call may not reach (loopback, private, \
             link-local or metadata)"
                .into(),
        ),
        ErrorCode::HttpRequestUriTooLong
        | ErrorCode::HttpRequestHeaderSectionSize(_)
        | ErrorCode::HttpRequestHeaderSize(_)
        | ErrorCode::HttpRequestBodySize(_)
        | ErrorCode::HttpRequestMethodInvalid
        | ErrorCode::HttpRequestUriInvalid => {
            TransportError::Refused(what("the host cannot send a request of this size or form"))
        }
        _ => TransportError::Failed(what(&format!("the exchange with {host} failed"))),
    }
}

/// The host a URL names (`https://{host}/...`).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?']).next().unwrap_or(rest)
}
