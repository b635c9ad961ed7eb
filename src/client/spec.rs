//! What a node asks of Okta and what Okta answers, free of any transport.
//!
//! A node builds a [`RequestSpec`] from its WIT request, the client sends it, and the node
//! parses the [`Response`]. Both are plain data, so building and parsing are tested natively.

use crate::client::encode;
use crate::client::error::{Operation, invalid_input};
use crate::client::retry::Policy;
use crate::wit::types::{OktaError, Pair, SortOrder};
use serde_json::Value;
use std::borrow::Cow;

/// The HTTP methods the nodes use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method as it goes on the wire.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// Whether a request may be sent again after a 5xx or a transport error.
///
/// A 429 is always retried: Okta refused the request before doing anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Repeating the request cannot do more than doing it once.
    Safe,
    /// Repeating could act twice (a create, an email, a second DELETE of a user).
    Unsafe,
    /// Retry any failure, even a 4xx (the raw node's `retry-on-all-errors`).
    Always,
}

/// Where a request goes: a path with query pairs, or a `next` link followed verbatim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// An encoded path and the raw query pairs, encoded when sent.
    Parts {
        /// The path, each segment already percent-encoded.
        path: String,
        /// Query pairs, encoded when the target is rendered.
        query: Vec<(Cow<'static, str>, String)>,
    },
    /// An opaque path and query from Okta's `Link` header, sent as Okta wrote it.
    Raw(String),
}

/// A request body.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Body {
    /// JSON, sent as `application/json`: what every typed node sends.
    Json(Value),
    /// Bytes of another type (the raw node's form and multipart bodies).
    Bytes {
        /// The `Content-Type`.
        content_type: String,
        /// The bytes.
        bytes: Vec<u8>,
    },
}

impl Body {
    /// The content type.
    pub(crate) fn content_type(&self) -> &str {
        match self {
            Body::Json(_) => "application/json",
            Body::Bytes { content_type, .. } => content_type,
        }
    }

    /// The bytes on the wire.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        match self {
            Body::Json(value) => value.to_string().into_bytes(),
            Body::Bytes { bytes, .. } => bytes.clone(),
        }
    }
}

/// A JSON body compares with the JSON it holds (for tests of request building).
impl PartialEq<Value> for Body {
    fn eq(&self, other: &Value) -> bool {
        matches!(self, Body::Json(value) if value == other)
    }
}

/// One request to the org, without host or credentials.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RequestSpec {
    /// The method.
    pub method: Method,
    /// The path and query.
    pub target: Target,
    /// The body, if any.
    pub body: Option<Body>,
    /// Whether a 5xx or transport error may be retried.
    pub retry: Retry,
    /// How to read an ambiguous error for this operation.
    pub operation: Operation,
    /// Extra headers (the raw node's).
    pub headers: Vec<(String, String)>,
    /// Retries for this request instead of the connection's.
    pub policy: Option<Policy>,
    /// The connect timeout for this request instead of the connection's.
    pub timeout: Option<std::time::Duration>,
    /// Whether this is a token request: it carries a service app's fresh client assertion
    /// (and DPoP proof) or a web app's grant instead of the credential.
    pub token_request: bool,
}

impl RequestSpec {
    /// A request with any method; `GET`, `HEAD`, `PUT` and `DELETE` are safe to repeat
    /// unless marked otherwise (a typed node knows its endpoint; the raw node does not).
    pub(crate) fn with_method(method: Method, path: String) -> Self {
        let retry = match method {
            Method::Get | Method::Head | Method::Put | Method::Delete => Retry::Safe,
            Method::Post | Method::Patch => Retry::Unsafe,
        };
        RequestSpec {
            method,
            target: Target::Parts {
                path,
                query: Vec::new(),
            },
            body: None,
            retry,
            operation: Operation::General,
            headers: Vec::new(),
            policy: None,
            timeout: None,
            token_request: false,
        }
    }

    /// A list endpoint that takes at most one of `q`, `filter` and `search`, and sorts only
    /// a search.
    pub(crate) fn searchable(
        path: String,
        q: &Option<String>,
        filter: &Option<String>,
        search: &Option<String>,
        sort_by: &Option<String>,
        sort_order: Option<SortOrder>,
    ) -> Result<Self, OktaError> {
        let given: Vec<(&'static str, &str)> = [("q", q), ("filter", filter), ("search", search)]
            .into_iter()
            .filter_map(|(k, v)| encode::non_blank(v).map(|v| (k, v)))
            .collect();
        if given.len() > 1 {
            return Err(invalid_input("use only one of q, filter and search"));
        }
        let sort_by = encode::non_blank(sort_by);
        let is_search = given.first().is_some_and(|(k, _)| *k == "search");
        if (sort_by.is_some() || sort_order.is_some()) && !is_search {
            return Err(invalid_input(
                "sort-by and sort-order work only with search",
            ));
        }
        let mut spec = Self::get(path);
        for (key, value) in given {
            spec = spec.query(key, value);
        }
        Ok(spec
            .query_opt("sortBy", sort_by)
            .query_opt("sortOrder", sort_order.map(sort_order_param)))
    }

    /// A `GET`; safe to repeat.
    pub(crate) fn get(path: String) -> Self {
        Self::with_method(Method::Get, path)
    }

    /// A `POST`; not safe to repeat unless marked with [`RequestSpec::retry`].
    pub(crate) fn post(path: String) -> Self {
        Self::with_method(Method::Post, path)
    }

    /// A `PUT`; safe to repeat.
    pub(crate) fn put(path: String) -> Self {
        Self::with_method(Method::Put, path)
    }

    /// A `DELETE`; safe to repeat unless marked otherwise.
    pub(crate) fn delete(path: String) -> Self {
        Self::with_method(Method::Delete, path)
    }

    /// Puts the path under a base path resolved later (a user's id looked up by login), so
    /// the request is built, and its input checked, before anything is sent.
    pub(crate) fn under(mut self, base: &str) -> Self {
        if let Target::Parts { path, .. } = &mut self.target {
            path.insert_str(0, base);
        }
        self
    }

    /// Adds a query pair.
    pub(crate) fn query(mut self, key: impl Into<Cow<'static, str>>, value: impl ToString) -> Self {
        if let Target::Parts { query, .. } = &mut self.target {
            query.push((key.into(), value.to_string()));
        }
        self
    }

    /// Adds a query pair when the value is present.
    pub(crate) fn query_opt(self, key: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(key, value),
            None => self,
        }
    }

    /// Adds the caller's extra query parameters. A name that paging or one of the node's
    /// fields sends (`typed`, `limit`, `after`) is refused, even when that field is unset,
    /// so an extra parameter never overrides a typed one.
    pub(crate) fn extra_query(
        mut self,
        extra: Option<&[Pair]>,
        typed: &[&str],
    ) -> Result<Self, OktaError> {
        for pair in extra.unwrap_or_default() {
            let name = pair.name.trim();
            if name.is_empty() {
                return Err(invalid_input("extra-query has a parameter without a name"));
            }
            if typed.contains(&name) || ["limit", "after"].contains(&name) {
                return Err(invalid_input(format!(
                    "extra-query cannot set `{name}`: use the node's own field"
                )));
            }
            if name.chars().chain(pair.value.chars()).any(char::is_control) {
                return Err(invalid_input(format!(
                    "extra-query `{name}` holds a control character"
                )));
            }
            self = self.query(name.to_string(), &pair.value);
        }
        Ok(self)
    }

    /// Sets the JSON body.
    pub(crate) fn json(mut self, body: Value) -> Self {
        self.body = Some(Body::Json(body));
        self
    }

    /// Sets whether the request may be repeated after a 5xx or transport error.
    pub(crate) fn retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// Marks a token request: authenticated by what its body carries (a service app's
    /// assertion, made afresh for each attempt; a web app's grant), and safe to repeat (a
    /// token more is harmless) unless marked otherwise, as a web app's grant is.
    pub(crate) fn token_request(mut self) -> Self {
        self.token_request = true;
        self.retry = Retry::Safe;
        self
    }

    /// Whether this is a token request.
    pub(crate) fn is_token_request(&self) -> bool {
        self.token_request
    }

    /// Marks a lifecycle transition: Okta's `E0000001` then means the user's status is wrong.
    pub(crate) fn transition(mut self) -> Self {
        self.operation = Operation::Transition;
        self
    }

    /// The path without the query.
    pub(crate) fn path(&self) -> &str {
        match &self.target {
            Target::Parts { path, .. } => path,
            Target::Raw(raw) => path_of(raw),
        }
    }

    /// The path and query as sent on the wire.
    pub(crate) fn path_and_query(&self) -> String {
        match &self.target {
            Target::Parts { path, query } if query.is_empty() => path.clone(),
            Target::Parts { path, query } => format!("{path}?{}", encode::query_string(query)),
            Target::Raw(raw) => raw.clone(),
        }
    }

    /// The query value for a key, for tests and paging.
    #[cfg(test)]
    pub(crate) fn query_value(&self, key: &str) -> Option<&str> {
        match &self.target {
            Target::Parts { query, .. } => query
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str()),
            Target::Raw(_) => None,
        }
    }
}

/// The path part of a path-and-query.
pub(crate) fn path_of(path_and_query: &str) -> &str {
    path_and_query
        .split_once('?')
        .map_or(path_and_query, |(path, _)| path)
}

/// Okta's `sortOrder` value.
pub(crate) fn sort_order_param(order: SortOrder) -> &'static str {
    match order {
        SortOrder::Ascending => "asc",
        SortOrder::Descending => "desc",
    }
}

/// Okta's answer: status, headers (names lower-cased) and the body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Response {
    /// The HTTP status.
    pub status: u16,
    /// Every header, in order, names in lower case; repeated headers repeat.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// Whether the status is 2xx.
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Every value of a header (the name in lower case).
    pub(crate) fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a header (the name in lower case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_path_and_encoded_query() {
        let spec = RequestSpec::get("/api/v1/users".into())
            .query("search", "profile.login eq \"a+b@x.com\"")
            .query_opt("limit", Some(2))
            .query_opt("after", None::<String>);
        assert_eq!(
            spec.path_and_query(),
            "/api/v1/users?search=profile.login%20eq%20%22a%2Bb%40x.com%22&limit=2"
        );
        assert_eq!(spec.query_value("limit"), Some("2"));
        assert_eq!(spec.path(), "/api/v1/users");
    }

    #[test]
    fn raw_targets_are_sent_verbatim() {
        let mut spec = RequestSpec::get("/api/v1/users".into());
        spec.target = Target::Raw("/api/v1/users?after=00u2&search=a+b".into());
        assert_eq!(spec.path_and_query(), "/api/v1/users?after=00u2&search=a+b");
        assert_eq!(spec.path(), "/api/v1/users");
    }

    #[test]
    fn methods_default_to_their_retry_safety() {
        assert_eq!(RequestSpec::get(String::new()).retry, Retry::Safe);
        assert_eq!(RequestSpec::post(String::new()).retry, Retry::Unsafe);
        assert_eq!(RequestSpec::delete(String::new()).retry, Retry::Safe);
        let spec = RequestSpec::post(String::new()).transition();
        assert_eq!(spec.operation, Operation::Transition);
    }

    #[test]
    fn finds_repeated_headers() {
        let resp = Response {
            status: 200,
            headers: vec![
                ("link".into(), "<a>; rel=\"self\"".into()),
                ("link".into(), "<b>; rel=\"next\"".into()),
            ],
            body: vec![],
        };
        assert_eq!(resp.header_values("link").count(), 2);
        assert_eq!(resp.header("link"), Some("<a>; rel=\"self\""));
        assert!(resp.is_success());
    }
}
