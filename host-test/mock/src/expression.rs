//! The part of the Okta Expression Language a group rule's condition uses
//! (`urn:okta:expression:1.0`): comparisons of a user's profile attributes with text,
//! joined by `AND`/`OR` (`&&`/`||`), `AND` binding tighter, as in
//! `user.department == "Engineering" && user.title != "Intern"`.

use serde_json::{Map, Value};

/// One comparison: `user.<attribute> == "<text>"` (or `!=`).
#[derive(Clone, Debug, PartialEq)]
struct Comparison {
    attribute: String,
    equal: bool,
    text: String,
}

/// A condition: comparisons joined by AND within each alternative, alternatives by OR.
#[derive(Clone, Debug, PartialEq)]
pub struct Expression {
    alternatives: Vec<Vec<Comparison>>,
}

impl Expression {
    /// Parses a condition, or says why it is not one the mock evaluates.
    pub fn parse(text: &str) -> Result<Expression, String> {
        let alternatives = split(text, &["||", " OR "])
            .into_iter()
            .map(|alternative| {
                split(alternative, &["&&", " AND "])
                    .into_iter()
                    .map(comparison)
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Expression { alternatives })
    }

    /// Whether a user's profile meets the condition.
    pub fn matches(&self, profile: &Map<String, Value>) -> bool {
        self.alternatives.iter().any(|all| {
            all.iter().all(|c| {
                let value = profile.get(&c.attribute).and_then(Value::as_str);
                (value == Some(c.text.as_str())) == c.equal
            })
        })
    }
}

/// Splits on any of the separators outside quotes.
fn split<'a>(text: &'a str, separators: &[&str]) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let (mut from, mut quoted, mut at) = (0, false, 0);
    let bytes = text.as_bytes();
    while at < bytes.len() {
        if bytes[at] == b'"' {
            quoted = !quoted;
        }
        if !quoted && let Some(sep) = separators.iter().find(|s| text[at..].starts_with(**s)) {
            parts.push(&text[from..at]);
            at += sep.len();
            from = at;
            continue;
        }
        at += 1;
    }
    parts.push(&text[from..]);
    parts
}

/// `user.<attribute> == "<text>"` or `!=`.
fn comparison(text: &str) -> Result<Comparison, String> {
    let text = text.trim();
    let (left, right, equal) = match (text.split_once("=="), text.split_once("!=")) {
        (Some((l, r)), _) => (l, r, true),
        (None, Some((l, r))) => (l, r, false),
        _ => return Err(format!("`{text}` is not a comparison")),
    };
    let attribute = left
        .trim()
        .strip_prefix("user.")
        .filter(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .ok_or_else(|| format!("`{}` is not a user attribute", left.trim()))?;
    let quoted = right.trim();
    let text = quoted
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|t| !t.contains('"'))
        .ok_or_else(|| format!("`{quoted}` is not quoted text"))?;
    Ok(Comparison {
        attribute: attribute.to_string(),
        equal,
        text: text.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn profile(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn comparisons_joined_by_and_and_or() {
        let e = Expression::parse(
            r#"user.department == "Engineering" && user.title != "Intern" || user.login == "a@b""#,
        )
        .unwrap();
        assert!(e.matches(&profile(
            json!({"department": "Engineering", "title": "Dev"})
        )));
        assert!(!e.matches(&profile(
            json!({"department": "Engineering", "title": "Intern"})
        )));
        assert!(e.matches(&profile(json!({"login": "a@b"}))));
        assert!(!e.matches(&profile(json!({"department": "Sales"}))));
        let words = Expression::parse(r#"user.a == "x AND y" AND user.b == "z""#).unwrap();
        assert!(words.matches(&profile(json!({"a": "x AND y", "b": "z"}))));
    }

    #[test]
    fn what_the_mock_cannot_evaluate_is_refused() {
        for bad in [
            "",
            "user.department",
            r#"department == "x""#,
            r#"user.department == x"#,
            r#"isMemberOfGroupName("x")"#,
        ] {
            assert!(Expression::parse(bad).is_err(), "{bad}");
        }
    }
}
