//! Cursor paging over Okta's `Link: <...>; rel="next"` headers.
//!
//! A list node returns one page and a `next-cursor`, or with `fetch-all` follows `next` until
//! the list ends or `max-items` is reached. The cursor is the `next` link's path and query,
//! followed verbatim: Okta's links are opaque. Paging stops when a cursor repeats.

use crate::client::encode;
use crate::client::error::invalid_input;
use crate::client::spec::{RequestSpec, Response, Target, path_of};
use crate::wit::types::{OktaError, PageRequest};
use serde_json::Value;
use std::borrow::Cow;

/// The default `max-items` for `fetch-all`: an output small enough for an engine to store.
pub(crate) const DEFAULT_MAX_ITEMS: u32 = crate::catalog::limits::MAX_ITEMS.default_or(1);

/// The largest `max-items`; past it, a list is paged with `next-cursor`.
pub(crate) const MAX_ITEMS: u32 = crate::catalog::limits::MAX_ITEMS.max;

/// The most bytes of items `fetch-all` keeps across pages; past it the list stops with the
/// cursor to resume from, as it does at `max-items`.
pub(crate) const MAX_LIST_BYTES: usize = 16 << 20;

/// The largest page every Okta list accepts.
const SAFE_PAGE: u32 = 200;

/// Query parameters that say where a page starts rather than what the list holds: a cursor
/// may differ from its request in these only.
const POSITION: &[&str] = &["after", "limit", "since"];

/// Where a list starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Start {
    /// A `next-cursor` from an earlier page: a path and query to follow as it is.
    Cursor(String),
    /// An Okta `after` value, sent as the `after` query parameter.
    After(String),
}

/// A validated page request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Paging {
    /// Items per request.
    pub limit: Option<u32>,
    /// Where to start.
    pub start: Option<Start>,
    /// Whether to follow `next` links.
    pub fetch_all: bool,
    /// The most items `fetch-all` returns.
    pub max_items: usize,
    /// Whether each item keeps its whole Okta object in `raw`.
    pub include_raw: bool,
}

/// Every page of a list that Okta does not page (should it ever start to).
pub(crate) fn everything(include_raw: Option<bool>) -> Paging {
    Paging {
        limit: None,
        start: None,
        fetch_all: true,
        max_items: MAX_ITEMS as usize,
        include_raw: include_raw.unwrap_or(false),
    }
}

/// A `page-request` given as JSON (an operation's `page`), as every typed list takes it:
/// `limit`, `after`, `fetch-all`, `max-items`, each optional.
pub(crate) fn from_json(value: Option<&Value>) -> Result<Option<PageRequest>, OktaError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let Value::Object(page) = value else {
        return Err(invalid_input("page must be an object"));
    };
    if let Some(key) = page
        .keys()
        .find(|k| !["limit", "after", "fetch-all", "max-items"].contains(&k.as_str()))
    {
        return Err(invalid_input(format!("page takes no `{key}`")));
    }
    let number = |key: &str| match page.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| invalid_input(format!("page.{key} must be a whole number"))),
    };
    Ok(Some(PageRequest {
        limit: number("limit")?,
        after: match page.get("after") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(invalid_input("page.after must be a string")),
        },
        fetch_all: match page.get("fetch-all") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => return Err(invalid_input("page.fetch-all must be true or false")),
        },
        max_items: number("max-items")?,
    }))
}

/// Checks a page request before anything is sent. A list leaves `raw` out unless
/// `include_raw` asks for it.
pub(crate) fn plan(
    page: Option<&PageRequest>,
    include_raw: Option<bool>,
) -> Result<Paging, OktaError> {
    let include_raw = include_raw.unwrap_or(false);
    let Some(page) = page else {
        return Ok(Paging {
            limit: None,
            start: None,
            fetch_all: false,
            max_items: DEFAULT_MAX_ITEMS as usize,
            include_raw,
        });
    };
    if page.limit == Some(0) {
        return Err(invalid_input("page.limit must be at least 1"));
    }
    let max_items = page.max_items.unwrap_or(DEFAULT_MAX_ITEMS);
    if !(1..=MAX_ITEMS).contains(&max_items) {
        return Err(invalid_input(format!(
            "page.max-items must be from 1 to {MAX_ITEMS}; page with next-cursor past that"
        )));
    }
    let start = match page.after.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(cursor) if cursor.starts_with('/') => {
            if !encode::is_wire_safe(cursor) {
                return Err(invalid_input(
                    "page.after is not a cursor this node returned",
                ));
            }
            Some(Start::Cursor(cursor.to_string()))
        }
        Some(after) => Some(Start::After(after.to_string())),
    };
    Ok(Paging {
        limit: page.limit,
        start,
        fetch_all: page.fetch_all.unwrap_or(false),
        max_items: max_items as usize,
        include_raw,
    })
}

/// The parameters that select what a list holds, decoded and sorted: a request's own
/// query, or a cursor's (whose values Okta encoded, `+` for a space included).
fn selection<'a>(
    pairs: impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)>,
) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
    let mut out: Vec<_> = pairs
        .filter(|(name, _)| !POSITION.contains(&name.as_ref()))
        .collect();
    out.sort();
    out
}

/// The decoded query pairs of a path-and-query.
fn cursor_pairs(path_and_query: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    let query = path_and_query.split_once('?').map_or("", |(_, q)| q);
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (encode::decode_query(name), encode::decode_query(value))
    })
}

/// The first request of a list: the node's request with limit and start applied.
pub(crate) fn first_request(
    mut spec: RequestSpec,
    paging: &Paging,
) -> Result<RequestSpec, OktaError> {
    match &paging.start {
        Some(Start::Cursor(cursor)) => {
            if path_of(cursor) != spec.path() {
                return Err(invalid_input(
                    "page.after is a cursor from a different list",
                ));
            }
            let own = match &spec.target {
                Target::Parts { query, .. } => selection(
                    query
                        .iter()
                        .map(|(k, v)| (Cow::Borrowed(k.as_ref()), Cow::Borrowed(v.as_str()))),
                ),
                Target::Raw(raw) => selection(cursor_pairs(raw)),
            };
            if own != selection(cursor_pairs(cursor)) {
                return Err(invalid_input(
                    "page.after is a cursor from this list with other parameters: send it \
                     with the request that returned it",
                ));
            }
            let target = match first_limit(paging) {
                Some(limit) => with_limit(cursor, limit as usize),
                None => cursor.clone(),
            };
            spec.target = Target::Raw(target);
            return Ok(spec);
        }
        Some(Start::After(after)) => spec = spec.query("after", after),
        None => {}
    }
    Ok(spec.query_opt("limit", first_limit(paging)))
}

/// The first page's limit: with `fetch-all`, never more than `max-items`, so no page is
/// cut in the middle (a cut page's cursor would skip the rest of it).
fn first_limit(paging: &Paging) -> Option<u32> {
    let max = u32::try_from(paging.max_items).unwrap_or(u32::MAX);
    match paging.limit {
        Some(limit) if paging.fetch_all => Some(limit.min(max)),
        None if paging.fetch_all && max <= SAFE_PAGE => Some(max),
        limit => limit,
    }
}

/// Fetches one page, or with `fetch-all` every page up to `max-items`.
///
/// `fetch` sends a request and returns a 2xx response (or the error), or `None` when the
/// call has no time left for it: the list then stops with that page as the cursor. `parse`
/// takes a page and gives its items. Returns the items and the cursor of the page after them.
pub(crate) fn collect<T>(
    first: RequestSpec,
    paging: &Paging,
    fetch: &mut dyn FnMut(&RequestSpec) -> Result<Option<Response>, OktaError>,
    parse: &mut dyn FnMut(Response) -> Result<Vec<T>, OktaError>,
) -> Result<(Vec<T>, Option<String>), OktaError> {
    let mut spec = first;
    let mut items = Vec::new();
    // Few pages are fetched in one call: a list is smaller than a hash set here.
    let mut seen = vec![spec.path_and_query()];
    let mut kept_bytes = 0;
    loop {
        let Some(resp) = fetch(&spec)? else {
            return Ok((items, Some(spec.path_and_query())));
        };
        kept_bytes += resp.body.len();
        let next = next_link(resp.header_values("link"))
            .and_then(|url| cursor_from_url(&url))
            .filter(|cursor| path_of(cursor) == spec.path());
        let page = parse(resp)?;
        let page_len = page.len();
        items.extend(page);
        if !paging.fetch_all {
            return Ok((items, next));
        }
        if items.len() >= paging.max_items {
            items.truncate(paging.max_items);
            return Ok((items, next));
        }
        let Some(next) = next else {
            return Ok((items, None));
        };
        if page_len == 0 || kept_bytes >= MAX_LIST_BYTES {
            // Nothing more for now, or enough to carry: the cursor is where to go on.
            return Ok((items, Some(next)));
        }
        if seen.contains(&next) {
            // The cursor did not advance: stop rather than loop.
            return Ok((items, None));
        }
        seen.push(next.clone());
        let remaining = paging.max_items - items.len();
        let target = if remaining < page_len {
            with_limit(&next, remaining)
        } else {
            next
        };
        spec = RequestSpec {
            target: Target::Raw(target),
            ..spec
        };
    }
}

/// Splits a JSON array into the raw text of its elements without parsing them, so each
/// element is parsed once, by the parser of its type. `None` when the text is not one
/// array: another value, an unclosed string or bracket, an empty element or text after it.
pub(crate) fn array_items(text: &[u8]) -> Option<Vec<&[u8]>> {
    let inner = text.trim_ascii().strip_prefix(b"[")?.strip_suffix(b"]")?;
    let mut items = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut from) = (0usize, false, false, 0);
    for (at, &byte) in inner.iter().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.checked_sub(1)?,
            b',' if depth == 0 => {
                items.push(inner.get(from..at)?.trim_ascii());
                from = at + 1;
            }
            _ => {}
        }
    }
    if in_string || depth != 0 {
        return None;
    }
    let last = inner.get(from..)?.trim_ascii();
    if !(last.is_empty() && items.is_empty()) {
        items.push(last);
    }
    if items.iter().any(|item| item.is_empty()) {
        return None;
    }
    Some(items)
}

/// A record that carries the whole Okta object it was read from, in `raw`.
pub(crate) trait Raw {
    /// The record's `raw`.
    fn raw_mut(&mut self) -> &mut Option<String>;
}

/// Replaces (or adds) the `limit` query parameter of a path-and-query, leaving the rest as
/// Okta wrote it.
pub(crate) fn with_limit(path_and_query: &str, limit: usize) -> String {
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, query),
        None => (path_and_query, ""),
    };
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && *p != "limit" && !p.starts_with("limit="))
        .map(str::to_string)
        .collect();
    pairs.push(format!("limit={limit}"));
    format!("{path}?{}", pairs.join("&"))
}

/// The path and query of a `next` URL (absolute or relative), without the fragment.
pub(crate) fn cursor_from_url(url: &str) -> Option<String> {
    let url = url.split('#').next().unwrap_or(url);
    let rest = match url.split_once("://") {
        Some((_, rest)) => &rest[rest.find('/')?..],
        None => url,
    };
    (rest.starts_with('/') && encode::is_wire_safe(rest)).then(|| rest.to_string())
}

/// The target of the first `rel="next"` link among `Link` header values (RFC 8288).
///
/// Handles several `Link` headers and several comma-separated links in one header, quoted
/// and unquoted parameters, commas inside `<...>`, and `rel` lists such as `"next last"`.
pub(crate) fn next_link<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<String> {
    values
        .into_iter()
        .flat_map(parse_links)
        .find(|(_, rels)| rels.iter().any(|r| r.eq_ignore_ascii_case("next")))
        .map(|(target, _)| target)
}

/// Parses one `Link` header value into `(target, rels)` pairs.
fn parse_links(value: &str) -> Vec<(String, Vec<String>)> {
    let bytes = value.as_bytes();
    let mut links = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i] == b',' || bytes[i].is_ascii_whitespace()) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        if bytes[i] != b'<' {
            // Malformed: skip to the next link.
            i = skip_to_comma(bytes, i);
            continue;
        }
        let Some(end) = value[i + 1..].find('>') else {
            break;
        };
        let target = value[i + 1..i + 1 + end].trim().to_string();
        i += end + 2;
        let mut rels = Vec::new();
        loop {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b',' {
                break;
            }
            if bytes[i] != b';' {
                i = skip_to_comma(bytes, i);
                break;
            }
            i += 1;
            let name_start = i;
            while i < bytes.len() && !matches!(bytes[i], b'=' | b';' | b',') {
                i += 1;
            }
            let name = value[name_start..i].trim().to_ascii_lowercase();
            let mut param = String::new();
            if i < bytes.len() && bytes[i] == b'=' {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i < bytes.len() && bytes[i] == b'"' {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        if bytes[i] == b'\\' && i + 1 < bytes.len() {
                            i += 1;
                        }
                        param.push(bytes[i] as char);
                        i += 1;
                    }
                    i += 1;
                } else {
                    let start = i;
                    while i < bytes.len() && !matches!(bytes[i], b';' | b',') {
                        i += 1;
                    }
                    param = value[start..i].trim().to_string();
                }
            }
            if name == "rel" {
                rels.extend(param.split_ascii_whitespace().map(str::to_string));
            }
        }
        links.push((target, rels));
    }
    links
}

/// The index of the next top-level comma (outside quotes), or the end.
fn skip_to_comma(bytes: &[u8], mut i: usize) -> usize {
    let mut quoted = false;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => quoted = !quoted,
            b',' if !quoted => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::spec::Method;

    #[test]
    fn finds_next_among_separate_headers() {
        let headers = [
            "<https://x.okta.com/api/v1/users?limit=2>; rel=\"self\"",
            "<https://x.okta.com/api/v1/users?after=00u2&limit=2>; rel=\"next\"",
        ];
        assert_eq!(
            next_link(headers).as_deref(),
            Some("https://x.okta.com/api/v1/users?after=00u2&limit=2")
        );
    }

    #[test]
    fn finds_next_in_one_comma_joined_header() {
        let header = "<https://x.okta.com/api/v1/users?fields=id,status&limit=2>; rel=\"self\", \
                      <https://x.okta.com/api/v1/users?after=00u2&fields=id,status>; rel=next; title=\"p, 2\"";
        assert_eq!(
            next_link([header]).as_deref(),
            Some("https://x.okta.com/api/v1/users?after=00u2&fields=id,status")
        );
    }

    #[test]
    fn reads_rel_lists_case_and_odd_spacing() {
        assert_eq!(
            next_link(["  <\t/a?b=1 >;REL = \"last NEXT\" "]).as_deref(),
            Some("/a?b=1")
        );
        assert_eq!(next_link(["<a>; rel=\"self\"", "<b>; rel=\"prev\""]), None);
        assert_eq!(next_link(["garbage, <c>; rel=next"]).as_deref(), Some("c"));
        assert_eq!(next_link(["<unterminated; rel=next"]), None);
        assert_eq!(next_link(Vec::<&str>::new()), None);
        // A link whose rel mentions next only in another parameter is not next.
        assert_eq!(next_link(["<d>; title=\"next\"; rel=self"]), None);
    }

    #[test]
    fn cursor_is_the_path_and_query() {
        assert_eq!(
            cursor_from_url("https://x.okta.com/api/v1/users?after=1&limit=2#f").as_deref(),
            Some("/api/v1/users?after=1&limit=2")
        );
        assert_eq!(
            cursor_from_url("http://127.0.0.1:9/api/v1/logs?after=1").as_deref(),
            Some("/api/v1/logs?after=1")
        );
        assert_eq!(
            cursor_from_url("/api/v1/users?after=1").as_deref(),
            Some("/api/v1/users?after=1")
        );
        assert_eq!(cursor_from_url("https://x.okta.com"), None);
        assert_eq!(cursor_from_url("api/v1/users"), None);
    }

    #[test]
    fn rewrites_only_the_limit() {
        assert_eq!(
            with_limit("/api/v1/users?after=00u2&limit=200&search=a+b", 3),
            "/api/v1/users?after=00u2&search=a+b&limit=3"
        );
        assert_eq!(with_limit("/api/v1/users", 3), "/api/v1/users?limit=3");
        assert_eq!(
            with_limit("/api/v1/users?limitless=1", 3),
            "/api/v1/users?limitless=1&limit=3"
        );
    }

    fn page(
        after: Option<&str>,
        limit: Option<u32>,
        fetch_all: bool,
        max_items: Option<u32>,
    ) -> PageRequest {
        PageRequest {
            limit,
            after: after.map(str::to_string),
            fetch_all: Some(fetch_all),
            max_items,
        }
    }

    #[test]
    fn plans_and_applies_the_start() {
        let spec = || RequestSpec::get("/api/v1/users".into());
        let p = plan(Some(&page(Some("00u5"), Some(2), false, None)), None).unwrap();
        assert_eq!(p.start, Some(Start::After("00u5".into())));
        let first = first_request(spec(), &p).unwrap();
        assert_eq!(first.path_and_query(), "/api/v1/users?after=00u5&limit=2");

        let p = plan(
            Some(&page(
                Some("/api/v1/users?after=x&limit=2"),
                None,
                false,
                None,
            )),
            None,
        )
        .unwrap();
        let first = first_request(spec(), &p).unwrap();
        assert_eq!(first.path_and_query(), "/api/v1/users?after=x&limit=2");

        let p = plan(
            Some(&page(Some("/api/v1/groups?after=x"), None, false, None)),
            None,
        )
        .unwrap();
        assert!(matches!(
            first_request(spec(), &p),
            Err(OktaError {
                kind: crate::wit::types::ErrorKind::InvalidInput,
                ..
            })
        ));

        assert!(plan(Some(&page(None, Some(0), false, None)), None).is_err());
        assert!(plan(Some(&page(None, None, true, Some(0))), None).is_err());
        assert!(
            plan(
                Some(&page(Some("/api/v1/users?q=a b"), None, false, None)),
                None
            )
            .is_err()
        );
        assert_eq!(
            plan(None, None).unwrap().max_items,
            DEFAULT_MAX_ITEMS as usize
        );
        assert!(plan(Some(&page(None, None, true, Some(MAX_ITEMS + 1))), None).is_err());
        assert!(plan(Some(&page(None, None, true, Some(MAX_ITEMS))), None).is_ok());
    }

    #[test]
    fn a_cursor_belongs_to_its_list_and_its_filters() {
        let search = |dept: &str| {
            RequestSpec::get("/api/v1/users".into())
                .query("search", format!("profile.department eq \"{dept}\""))
        };
        // The cursor Okta returned for Engineering, form-encoded as a server may write it.
        let cursor =
            "/api/v1/users?search=profile.department+eq+%22Engineering%22&after=00u9&limit=2";
        let p = plan(Some(&page(Some(cursor), None, false, None)), None).unwrap();
        assert_eq!(
            first_request(search("Engineering"), &p)
                .unwrap()
                .path_and_query(),
            cursor
        );
        for other in [
            search("Sales"),
            RequestSpec::get("/api/v1/users".into()),
            search("Engineering").query("sortBy", "id"),
        ] {
            let err = first_request(other, &p).unwrap_err();
            assert!(
                err.kind == crate::wit::types::ErrorKind::InvalidInput
                    && err.message.contains("other parameters"),
                "{err:?}"
            );
        }
        // Where a page starts (`after`, `limit`, the log's `since`) may differ.
        let polled = "/api/v1/logs?since=2026-11-01T00%3A00%3A00Z&filter=a%20eq%20%22b%22&after=e1";
        let p = plan(Some(&page(Some(polled), Some(5), false, None)), None).unwrap();
        let logs = RequestSpec::get("/api/v1/logs".into()).query("filter", "a eq \"b\"");
        assert!(first_request(logs, &p).is_ok());
    }

    /// A fake list endpoint: `total` items, pages cut by `after` (an index) and `limit`.
    struct FakeList {
        total: usize,
        default_limit: usize,
        requests: Vec<String>,
        stuck: bool,
    }

    impl FakeList {
        fn fetch(&mut self, spec: &RequestSpec) -> Result<Response, OktaError> {
            assert_eq!(spec.method, Method::Get);
            let target = spec.path_and_query();
            self.requests.push(target.clone());
            let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
            let param = |name: &str| {
                query
                    .split('&')
                    .find_map(|p| p.strip_prefix(&format!("{name}=")))
                    .and_then(|v| v.parse::<usize>().ok())
            };
            let start = param("after").unwrap_or(0);
            let limit = param("limit").unwrap_or(self.default_limit);
            let end = (start + limit).min(self.total);
            let body = serde_json::to_vec(&(start..end).collect::<Vec<_>>()).unwrap();
            let mut headers = vec![(
                "link".to_string(),
                format!("<https://x.okta.com{target}>; rel=\"self\""),
            )];
            if end < self.total {
                let after = if self.stuck { start } else { end };
                headers.push((
                    "link".into(),
                    format!("<https://x.okta.com/api/v1/users?after={after}&limit={limit}>; rel=\"next\""),
                ));
            }
            Ok(Response {
                status: 200,
                headers,
                body,
            })
        }
    }

    fn run(list: &mut FakeList, request: PageRequest) -> (Vec<usize>, Option<String>) {
        let paging = plan(Some(&request), None).unwrap();
        let first = first_request(RequestSpec::get("/api/v1/users".into()), &paging).unwrap();
        collect(
            first,
            &paging,
            &mut |spec| list.fetch(spec).map(Some),
            &mut |resp| Ok(serde_json::from_slice(&resp.body).unwrap()),
        )
        .unwrap()
    }

    fn fake(total: usize) -> FakeList {
        FakeList {
            total,
            default_limit: 200,
            requests: vec![],
            stuck: false,
        }
    }

    #[test]
    fn one_page_returns_the_next_cursor() {
        let mut list = fake(7);
        let (items, next) = run(&mut list, page(None, Some(2), false, None));
        assert_eq!(items, vec![0, 1]);
        assert_eq!(next.as_deref(), Some("/api/v1/users?after=2&limit=2"));
        let (items, next) = run(&mut list, page(next.as_deref(), None, false, None));
        assert_eq!(items, vec![2, 3]);
        assert_eq!(next.as_deref(), Some("/api/v1/users?after=4&limit=2"));
    }

    #[test]
    fn splits_an_array_into_its_raw_elements() {
        let text = br#" [ {"a": [1, {"b": "],}"}]} , "x\"]," ,3,[[]]]
"#;
        let items = array_items(text).unwrap();
        assert_eq!(
            items,
            [
                &br#"{"a": [1, {"b": "],}"}]}"#[..],
                br#""x\"],""#,
                b"3",
                b"[[]]"
            ]
        );
        assert_eq!(array_items(b"[]").unwrap(), Vec::<&[u8]>::new());
        assert_eq!(array_items(b" [ ] ").unwrap(), Vec::<&[u8]>::new());
        for bad in [
            &b""[..],
            b"{}",
            b"[",
            b"]",
            b"[1,]",
            b"[,1]",
            b"[1,,2]",
            b"[\"]",
            b"[{]",
            b"[}]",
            b"[1] x",
            b"[]]",
        ] {
            assert_eq!(array_items(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn fetch_all_follows_every_page() {
        let mut list = fake(7);
        let (items, next) = run(&mut list, page(None, Some(2), true, None));
        assert_eq!(items, (0..7).collect::<Vec<_>>());
        assert_eq!(next, None);
        assert_eq!(list.requests.len(), 4);
    }

    #[test]
    fn max_items_trims_the_last_request_so_the_cursor_is_exact() {
        let mut list = fake(10);
        let (items, next) = run(&mut list, page(None, Some(3), true, Some(5)));
        assert_eq!(items, vec![0, 1, 2, 3, 4]);
        assert_eq!(list.requests[1], "/api/v1/users?after=3&limit=2");
        assert_eq!(next.as_deref(), Some("/api/v1/users?after=5&limit=2"));
        // Continuing from the cursor misses nothing.
        let (rest, next) = run(&mut list, page(next.as_deref(), Some(3), true, None));
        assert_eq!(rest, vec![5, 6, 7, 8, 9]);
        assert_eq!(next, None);
    }

    #[test]
    fn a_first_page_larger_than_max_items_is_never_cut() {
        // An explicit limit over max-items is lowered to it.
        let mut list = fake(10);
        let (items, next) = run(&mut list, page(None, Some(8), true, Some(3)));
        assert_eq!(items, vec![0, 1, 2]);
        assert_eq!(list.requests[0], "/api/v1/users?limit=3");
        assert_eq!(next.as_deref(), Some("/api/v1/users?after=3&limit=3"));
        // No limit and a max-items under every list's page size: the page asks for it.
        let mut list = fake(500);
        let (items, next) = run(&mut list, page(None, None, true, Some(150)));
        assert_eq!(items.len(), 150);
        assert_eq!(list.requests, vec!["/api/v1/users?limit=150"]);
        assert_eq!(next.as_deref(), Some("/api/v1/users?after=150&limit=150"));
    }

    #[test]
    fn fetch_all_stops_at_the_byte_budget_with_the_cursor() {
        // Pages of about 4 MiB each: the budget of 16 MiB is reached after four.
        let item = "x".repeat(1 << 20);
        let mut pages = 0;
        let paging = plan(Some(&page(None, None, true, Some(MAX_ITEMS))), None).unwrap();
        let (items, next) = collect(
            RequestSpec::get("/api/v1/users".into()),
            &paging,
            &mut |_| {
                pages += 1;
                Ok(Some(Response {
                    status: 200,
                    headers: vec![(
                        "link".into(),
                        format!("<https://x/api/v1/users?after={pages}>; rel=next"),
                    )],
                    body: serde_json::to_vec(&vec![item.as_str(); 4]).unwrap(),
                }))
            },
            &mut |resp| Ok(serde_json::from_slice::<Vec<String>>(&resp.body).unwrap()),
        )
        .unwrap();
        assert_eq!((pages, items.len()), (4, 16));
        assert_eq!(next.as_deref(), Some("/api/v1/users?after=4"));
    }

    #[test]
    fn fetch_all_without_time_for_a_page_returns_it_as_the_cursor() {
        let mut list = fake(10);
        let paging = plan(Some(&page(None, Some(3), true, None)), None).unwrap();
        let first = first_request(RequestSpec::get("/api/v1/users".into()), &paging).unwrap();
        let (items, next) = collect(
            first,
            &paging,
            &mut |spec| {
                if list.requests.len() == 2 {
                    return Ok(None);
                }
                list.fetch(spec).map(Some)
            },
            &mut |resp| Ok(serde_json::from_slice::<Vec<usize>>(&resp.body).unwrap()),
        )
        .unwrap();
        assert_eq!(items, vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(next.as_deref(), Some("/api/v1/users?after=6&limit=3"));
        // Resuming from the cursor misses nothing.
        let (rest, next) = run(&mut list, page(next.as_deref(), Some(3), true, None));
        assert_eq!(rest, vec![6, 7, 8, 9]);
        assert_eq!(next, None);
    }

    #[test]
    fn a_cursor_that_does_not_advance_stops_the_loop() {
        let mut list = fake(10);
        list.stuck = true;
        let (items, next) = run(&mut list, page(Some("0"), Some(2), true, None));
        // The first page links to itself: the repeat is caught without a second request.
        assert_eq!(list.requests, vec!["/api/v1/users?after=0&limit=2"]);
        assert_eq!(items, vec![0, 1]);
        assert_eq!(next, None);
    }

    #[test]
    fn a_next_link_to_another_path_is_ignored() {
        let paging = plan(None, None).unwrap();
        let (items, next) = collect(
            RequestSpec::get("/api/v1/users".into()),
            &paging,
            &mut |_| {
                Ok(Some(Response {
                    status: 200,
                    headers: vec![(
                        "link".into(),
                        "<https://x/api/v1/groups?after=1>; rel=next".into(),
                    )],
                    body: b"[1]".to_vec(),
                }))
            },
            &mut |resp| Ok(serde_json::from_slice::<Vec<u8>>(&resp.body).unwrap()),
        )
        .unwrap();
        assert_eq!(items, vec![1]);
        assert_eq!(next, None);
    }
}
