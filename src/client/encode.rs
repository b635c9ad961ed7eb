//! Path segments, query values and filter literals.
//!
//! Everything but RFC 3986's unreserved characters is percent-encoded, so an id or login is
//! always exactly one path segment, and `+` in a query value arrives as `+` (not a space).

use crate::client::error::invalid_input;
use crate::wit::types::OktaError;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use std::borrow::Cow;

/// Characters left as they are: RFC 3986 unreserved (`A-Z a-z 0-9 - . _ ~`).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The longest id or login accepted in a path, in characters (as JSON Schema counts).
const MAX_SEGMENT_LEN: usize = 1024;

/// Encodes an id, login or name as exactly one path segment.
///
/// `field` names the input field in the error. Empty values, `.` and `..` (which HTTP
/// clients collapse) and control characters are `invalid-input`.
pub(crate) fn segment(field: &str, value: &str) -> Result<String, OktaError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid_input(format!("{field} is empty")));
    }
    if value == "." || value == ".." {
        return Err(invalid_input(format!("{field} cannot be `{value}`")));
    }
    if value.chars().count() > MAX_SEGMENT_LEN {
        return Err(invalid_input(format!(
            "{field} is longer than {MAX_SEGMENT_LEN} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid_input(format!(
            "{field} contains a control character"
        )));
    }
    Ok(utf8_percent_encode(value, UNRESERVED).to_string())
}

/// Renders query pairs as `k=v&k=v`, percent-encoding every name and value.
pub(crate) fn query_string<K: AsRef<str>>(pairs: &[(K, String)]) -> String {
    let mut out = String::new();
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(key.as_ref(), UNRESERVED));
        out.push('=');
        out.extend(utf8_percent_encode(value, UNRESERVED));
    }
    out
}

/// Decodes a query name or value as a server encoded it (`+` is a space).
pub(crate) fn decode_query(text: &str) -> Cow<'_, str> {
    if !text.contains(['%', '+']) {
        return Cow::Borrowed(text);
    }
    let spaced = text.replace('+', " ");
    Cow::Owned(percent_decode_str(&spaced).decode_utf8_lossy().into_owned())
}

/// A trimmed value, or `None` when it is absent or blank.
pub(crate) fn non_blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Quotes a value as a string literal in an Okta filter or search expression.
pub(crate) fn filter_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Whether a path-and-query can go on the wire as it is: printable ASCII that needs no
/// further escaping.
pub(crate) fn is_wire_safe(path_and_query: &str) -> bool {
    !path_and_query.is_empty()
        && path_and_query.bytes().all(|b| {
            b.is_ascii_graphic()
                && !matches!(
                    b,
                    b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}' | b'#'
                )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wit::types::ErrorKind;

    #[test]
    fn a_login_is_one_segment() {
        assert_eq!(segment("user-id", "a+b@x.com").unwrap(), "a%2Bb%40x.com");
        assert_eq!(segment("user-id", "a#b").unwrap(), "a%23b");
        assert_eq!(segment("user-id", "a/b").unwrap(), "a%2Fb");
        assert_eq!(segment("user-id", "a b?c").unwrap(), "a%20b%3Fc");
        assert_eq!(segment("user-id", "00u1.x_y-z~").unwrap(), "00u1.x_y-z~");
        assert_eq!(segment("user-id", "  00u1  ").unwrap(), "00u1");
        assert_eq!(segment("user-id", "josé").unwrap(), "jos%C3%A9");
    }

    #[test]
    fn rejects_segments_that_are_not_one_segment() {
        for bad in ["", "  ", ".", "..", "a\nb"] {
            assert!(
                matches!(segment("user-id", bad), Err(e) if e.kind == ErrorKind::InvalidInput && e.message.starts_with("user-id")),
                "{bad:?}"
            );
        }
        assert!(segment("user-id", &"a".repeat(MAX_SEGMENT_LEN + 1)).is_err());
    }

    #[test]
    fn plus_in_a_query_value_stays_a_plus() {
        let q = query_string(&[("q", "a+b c&d=e".into()), ("limit", "2".into())]);
        assert_eq!(q, "q=a%2Bb%20c%26d%3De&limit=2");
    }

    #[test]
    fn quotes_filter_literals() {
        assert_eq!(filter_literal("a/b@x.com"), "\"a/b@x.com\"");
        assert_eq!(
            filter_literal("say \"hi\" \\o/"),
            "\"say \\\"hi\\\" \\\\o/\""
        );
    }

    #[test]
    fn wire_safety() {
        assert!(is_wire_safe(
            "/api/v1/users?after=00u1&limit=2&search=a+b%20c"
        ));
        assert!(!is_wire_safe("/api/v1/users?q=a b"));
        assert!(!is_wire_safe("/api/v1/users#x"));
        assert!(!is_wire_safe(""));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Unescapes a filter literal written by `filter_literal`.
        fn unquote(literal: &str) -> Option<String> {
            let inner = literal.strip_prefix('"')?.strip_suffix('"')?;
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => out.push(chars.next()?),
                    // An unescaped quote would end the literal early.
                    '"' => return None,
                    c => out.push(c),
                }
            }
            Some(out)
        }

        proptest! {
            #[test]
            fn any_value_is_one_segment_and_comes_back(value in any::<String>()) {
                match segment("user-id", &value) {
                    Ok(encoded) => {
                        prop_assert!(is_wire_safe(&encoded));
                        prop_assert!(!encoded.contains(['/', '?', '#', '&', '+', ';']));
                        prop_assert!(encoded != "." && encoded != "..");
                        let decoded = percent_decode_str(&encoded).decode_utf8().unwrap();
                        prop_assert_eq!(decoded, value.trim());
                    }
                    Err(err) => {
                        let trimmed = value.trim();
                        prop_assert!(
                            trimmed.is_empty()
                                || trimmed == "."
                                || trimmed == ".."
                                || trimmed.len() > MAX_SEGMENT_LEN
                                || trimmed.chars().any(char::is_control),
                            "{:?} refused: {}", value, err.message
                        );
                    }
                }
            }

            #[test]
            fn any_query_pair_comes_back(name in "[a-zA-Z]{1,12}", value in any::<String>()) {
                let query = query_string(&[(name.as_str(), value.clone())]);
                prop_assert!(query.is_empty() || is_wire_safe(&query));
                let (got_name, got_value) = query.split_once('=').unwrap();
                prop_assert_eq!(decode_query(got_name), name.as_str());
                prop_assert_eq!(decode_query(got_value), value.as_str());
            }

            #[test]
            fn any_filter_literal_is_one_literal(value in any::<String>()) {
                prop_assert_eq!(unquote(&filter_literal(&value)), Some(value));
            }
        }
    }
}
