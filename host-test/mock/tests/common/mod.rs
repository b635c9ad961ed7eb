//! A plain HTTP client for the served mock: the mock is tested as any Okta client sees it.
#![allow(dead_code)]

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as Hyper;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use okta_mock::{MockConfig, MockOkta};
use serde_json::Value;

/// One answer: status, headers and the body (as JSON when it parses, else a string).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `rel="next"` link's path and query.
    pub fn next(&self) -> Option<String> {
        self.headers
            .get_all("link")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|l| l.ends_with("rel=\"next\""))
            .map(|l| {
                let url = &l[1..l.find('>').unwrap()];
                let rest = &url[url.find("://").unwrap() + 3..];
                rest[rest.find('/').unwrap()..].to_string()
            })
    }
}

/// A served mock and a client with its token.
pub struct Served {
    pub mock: MockOkta,
    http: Hyper<HttpConnector, Full<Bytes>>,
}

impl Served {
    /// Serves a mock with this configuration.
    pub async fn start(config: MockConfig) -> Served {
        let mock = MockOkta::start(config).await.expect("the mock starts");
        let http = Hyper::builder(TokioExecutor::new()).build_http();
        Served { mock, http }
    }

    /// Serves the seeded demo org.
    pub async fn seeded() -> Served {
        Self::start(MockConfig {
            seed: true,
            ..MockConfig::default()
        })
        .await
    }

    /// Sends a request with the org's token.
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let token = self.mock.token();
        self.send_as(method, path, body, &format!("SSWS {token}"))
            .await
    }

    /// Sends a request with this `Authorization` value.
    pub async fn send_as(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        authorization: &str,
    ) -> Answer {
        let bytes = body.map(|b| b.to_string()).unwrap_or_default();
        let headers = [
            ("authorization", authorization),
            ("accept", "application/json"),
            ("content-type", "application/json"),
        ];
        self.send_raw(method, path, &headers, bytes.into_bytes())
            .await
    }

    /// Sends a request with exactly these headers and body.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.mock.url()))
            .header("content-length", body.len());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(Bytes::from(body))).unwrap();
        let response = self.http.request(request).await.expect("the mock answers");
        let (parts, body) = response.into_parts();
        let text = String::from_utf8(body.collect().await.unwrap().to_bytes().to_vec()).unwrap();
        let json = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()));
        Answer {
            status: parts.status,
            headers: parts.headers,
            text,
            json,
        }
    }

    /// The mock's `host:port`, as its Host header reads.
    pub fn host(&self) -> String {
        self.mock.url().trim_start_matches("http://").to_string()
    }

    /// `GET`.
    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    /// `POST` with a JSON body.
    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    /// The id of a user by login.
    pub fn user_id(&self, login: &str) -> String {
        self.mock.state().user_id(login).unwrap()
    }
}
