//! The WASI transport: the only module that touches `waki` (and so `wasi:http`).

use crate::client::{HttpRequest, Transport, TransportError};
use crate::spec::{Method, Response};
use std::time::{Duration, SystemTime};
use waki::ErrorCode;
use waki::header::HeaderName;

/// The size of each read from the response body.
const CHUNK: u64 = 64 * 1024;

/// Sent with every request so Okta's system log names the integration.
const USER_AGENT: &str = concat!("okta-management-wasm/", env!("CARGO_PKG_VERSION"));

/// Sends requests through the host's `wasi:http/outgoing-handler`.
pub(crate) struct WasiHttp;

impl Transport for WasiHttp {
    fn send(&mut self, request: &HttpRequest<'_>) -> Result<Response, TransportError> {
        let method = match request.method {
            Method::Get => waki::Method::Get,
            Method::Post => waki::Method::Post,
            Method::Put => waki::Method::Put,
            Method::Patch => waki::Method::Patch,
            Method::Delete => waki::Method::Delete,
        };
        let body = request.body.clone().unwrap_or_default();
        let mut builder = waki::Client::new()
            .request(method, &request.url)
            .connect_timeout(request.connect_timeout)
            .header("authorization", request.authorization.expose())
            .header("accept", "application/json")
            .header("user-agent", USER_AGENT);
        for (name, value) in request.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| TransportError::Failed(format!("`{name}` is not a header name")))?;
            builder = builder.header(name, value.as_str());
        }
        if request.body.is_some() {
            builder = builder.header("content-type", "application/json");
        }
        // Okta answers a POST or PUT without a Content-Length with 411.
        if request.body.is_some()
            || matches!(request.method, Method::Post | Method::Put | Method::Patch)
        {
            builder = builder.header("content-length", body.len().to_string());
        }
        let resp = builder.body(body).send().map_err(|e| transport_error(&e))?;
        let status = resp.status_code();
        let headers = resp
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk(CHUNK).map_err(|e| transport_error(&e))? {
            if bytes.len() + chunk.len() > request.max_response_bytes {
                return Err(TransportError::TooLarge(request.max_response_bytes));
            }
            bytes.extend_from_slice(&chunk);
        }
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
}

/// Reads the `wasi:http` error code out of a waki error.
fn transport_error(err: &anyhow::Error) -> TransportError {
    match err.downcast_ref::<ErrorCode>() {
        Some(
            code @ (ErrorCode::ConnectionTimeout
            | ErrorCode::ConnectionReadTimeout
            | ErrorCode::ConnectionWriteTimeout
            | ErrorCode::HttpResponseTimeout
            | ErrorCode::DnsTimeout),
        ) => TransportError::Timeout(format!("{code:?}")),
        Some(ErrorCode::HttpRequestDenied) => {
            TransportError::Denied("only the connection's org may be reached".into())
        }
        Some(code) => TransportError::Failed(format!("{code:?}")),
        None => TransportError::Failed(format!("{err:#}")),
    }
}
