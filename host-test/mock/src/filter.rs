//! Okta's filter and search expression language, as far as the mock needs it:
//! `attr op "value"` with `eq ne sw co ew gt ge lt le pr`, joined by `and` / `or`, with
//! `not` and parentheses. String values compare case-insensitively for searches.

use serde_json::{Map, Value};
use std::borrow::Cow;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// Both sides hold.
    And(Box<Expr>, Box<Expr>),
    /// Either side holds.
    Or(Box<Expr>, Box<Expr>),
    /// The inner expression does not hold.
    Not(Box<Expr>),
    /// One comparison.
    Compare {
        /// The dotted attribute path, such as `profile.login`.
        attr: String,
        /// The operator.
        op: Op,
        /// The literal; absent for `pr`.
        value: Option<Value>,
    },
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Starts with.
    Sw,
    /// Contains.
    Co,
    /// Ends with.
    Ew,
    /// Greater than.
    Gt,
    /// Greater or equal.
    Ge,
    /// Less than.
    Lt,
    /// Less or equal.
    Le,
    /// Present.
    Pr,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Literal(Value),
    Open,
    Close,
}

fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            tokens.push(Token::Open);
            i += 1;
        } else if c == ')' {
            tokens.push(Token::Close);
            i += 1;
        } else if c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated string".into()),
                    Some('"') => break,
                    Some('\\') => {
                        i += 1;
                        s.push(*chars.get(i).ok_or("unterminated string")?);
                    }
                    Some(&ch) => s.push(ch),
                }
                i += 1;
            }
            i += 1;
            tokens.push(Token::Literal(Value::String(s)));
        } else {
            let start = i;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')' | '"')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let literal = match word.as_str() {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                "null" => Some(Value::Null),
                w => w
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number),
            };
            tokens.push(match literal {
                Some(v) => Token::Literal(v),
                None => Token::Word(word),
            });
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.peek_word("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        match self.tokens.get(self.pos).cloned() {
            Some(Token::Open) => {
                self.pos += 1;
                let inner = self.or()?;
                if self.tokens.get(self.pos) != Some(&Token::Close) {
                    return Err("missing `)`".into());
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(Token::Word(attr)) => {
                self.pos += 1;
                let op = match self.tokens.get(self.pos) {
                    Some(Token::Word(op)) => match op.to_ascii_lowercase().as_str() {
                        "eq" => Op::Eq,
                        "ne" => Op::Ne,
                        "sw" => Op::Sw,
                        "co" => Op::Co,
                        "ew" => Op::Ew,
                        "gt" => Op::Gt,
                        "ge" => Op::Ge,
                        "lt" => Op::Lt,
                        "le" => Op::Le,
                        "pr" => Op::Pr,
                        other => return Err(format!("unknown operator `{other}`")),
                    },
                    _ => return Err(format!("`{attr}` needs an operator")),
                };
                self.pos += 1;
                let value = if op == Op::Pr {
                    None
                } else {
                    match self.tokens.get(self.pos).cloned() {
                        Some(Token::Literal(v)) => {
                            self.pos += 1;
                            Some(v)
                        }
                        _ => return Err(format!("`{attr}` needs a value")),
                    }
                };
                Ok(Expr::Compare { attr, op, value })
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

/// Parses an expression.
pub fn parse(input: &str) -> Result<Expr, String> {
    let mut parser = Parser {
        tokens: tokenize(input)?,
        pos: 0,
    };
    let expr = parser.or()?;
    if parser.pos != parser.tokens.len() {
        return Err("unexpected text after the expression".into());
    }
    Ok(expr)
}

/// Every attribute an expression mentions.
pub fn attributes(expr: &Expr) -> Vec<(&str, Op)> {
    match expr {
        Expr::And(a, b) | Expr::Or(a, b) => {
            let mut out = attributes(a);
            out.extend(attributes(b));
            out
        }
        Expr::Not(inner) => attributes(inner),
        Expr::Compare { attr, op, .. } => vec![(attr.as_str(), *op)],
    }
}

/// Looks a dotted path up in a JSON object.
pub fn lookup<'a>(object: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(object, |v, key| v.get(key))
}

/// What an expression is evaluated on: anything that can say which values a dotted path
/// reaches. A JSON object is one; the mock's users answer from their fields, so a search
/// need not serialize every user it looks at.
pub trait Subject {
    /// Every value a dotted path reaches.
    fn reach(&self, path: &str) -> Vec<Cow<'_, Value>>;
}

impl Subject for Value {
    fn reach(&self, path: &str) -> Vec<Cow<'_, Value>> {
        reach(self, path).into_iter().map(Cow::Borrowed).collect()
    }
}

/// Every value a dotted path reaches in an object's members.
pub fn reach_map<'a>(map: &'a Map<String, Value>, path: &str) -> Vec<&'a Value> {
    let (first, rest) = path.split_once('.').unwrap_or((path, ""));
    match map.get(first) {
        None => Vec::new(),
        Some(value) if rest.is_empty() => vec![value],
        Some(value) => reach(value, rest),
    }
}

/// The key `sortBy` gives a subject: the first value the path reaches, as JSON text (empty
/// when the path reaches nothing).
pub fn sort_key<S: Subject + ?Sized>(subject: &S, path: &str) -> String {
    subject
        .reach(path)
        .first()
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// The `"value"` of an expression that is exactly `attr eq "value"`: a lookup an index
/// can answer.
pub fn equality<'a>(expr: &'a Expr, attr: &str) -> Option<&'a str> {
    match expr {
        Expr::Compare {
            attr: a,
            op: Op::Eq,
            value: Some(Value::String(value)),
        } if a == attr => Some(value),
        _ => None,
    }
}

/// Every value a dotted path reaches, stepping into each element of an array on the way
/// (`target.id` reaches the id of every target).
fn reach<'a>(object: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut found = vec![object];
    for key in path.split('.') {
        found = found
            .into_iter()
            .flat_map(|v| match v {
                Value::Array(items) => items.iter().filter_map(|i| i.get(key)).collect::<Vec<_>>(),
                other => other.get(key).into_iter().collect(),
            })
            .collect();
    }
    found
}

/// Whether a subject matches.
pub fn matches<S: Subject + ?Sized>(expr: &Expr, subject: &S, ignore_case: bool) -> bool {
    match expr {
        Expr::And(a, b) => matches(a, subject, ignore_case) && matches(b, subject, ignore_case),
        Expr::Or(a, b) => matches(a, subject, ignore_case) || matches(b, subject, ignore_case),
        Expr::Not(inner) => !matches(inner, subject, ignore_case),
        Expr::Compare { attr, op, value } => {
            let found = subject.reach(attr);
            if found.is_empty() {
                return *op == Op::Ne;
            }
            // An array matches when any element does.
            found.iter().any(|v| match v.as_ref() {
                Value::Array(items) => items
                    .iter()
                    .any(|item| compare(item, *op, value.as_ref(), ignore_case)),
                item => compare(item, *op, value.as_ref(), ignore_case),
            })
        }
    }
}

fn compare(found: &Value, op: Op, value: Option<&Value>, ignore_case: bool) -> bool {
    if op == Op::Pr {
        return !found.is_null() && found.as_str() != Some("");
    }
    let Some(value) = value else { return false };
    match (found, value) {
        (Value::String(a), Value::String(b)) => {
            let (a, b) = if ignore_case {
                (a.to_lowercase(), b.to_lowercase())
            } else {
                (a.clone(), b.clone())
            };
            match op {
                Op::Eq => a == b,
                Op::Ne => a != b,
                Op::Sw => a.starts_with(&b),
                Op::Co => a.contains(&b),
                Op::Ew => a.ends_with(&b),
                Op::Gt => a > b,
                Op::Ge => a >= b,
                Op::Lt => a < b,
                Op::Le => a <= b,
                Op::Pr => true,
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            match op {
                Op::Eq => a == b,
                Op::Ne => a != b,
                Op::Gt => a > b,
                Op::Ge => a >= b,
                Op::Lt => a < b,
                Op::Le => a <= b,
                _ => false,
            }
        }
        (a, b) => match op {
            Op::Eq => a == b,
            Op::Ne => a != b,
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_evaluates() {
        let user = json!({"status": "ACTIVE", "profile": {"login": "Ada@x.com", "dept": "Eng", "tags": ["a", "b"]},
            "groups": [{"id": "g1"}, {"id": "g2"}]});
        let cases = [
            (r#"status eq "ACTIVE""#, true),
            (r#"status eq "active""#, true),
            (r#"profile.login sw "ada""#, true),
            (r#"profile.login co "@X.""#, true),
            (r#"profile.tags eq "b""#, true),
            (
                r#"profile.dept eq "Eng" and (status eq "STAGED" or status eq "ACTIVE")"#,
                true,
            ),
            (r#"not status eq "ACTIVE""#, false),
            (r#"profile.missing pr"#, false),
            (r#"profile.dept pr"#, true),
            (r#"(status lt "ACTIVE" or status gt "ACTIVE")"#, false),
            (r#"groups.id eq "g2""#, true),
        ];
        for (expr, want) in cases {
            let parsed = parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
            assert_eq!(matches(&parsed, &user, true), want, "{expr}");
        }
        assert!(!matches(
            &parse(r#"status eq "active""#).unwrap(),
            &user,
            false
        ));
    }

    #[test]
    fn rejects_malformed_expressions() {
        for bad in [
            r#"status eq"#,
            r#"status is "x""#,
            r#"(status eq "x""#,
            r#"status eq "x" extra"#,
            r#""x""#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lists_attributes() {
        let e = parse(r#"status eq "A" and lastUpdated gt "2020""#).unwrap();
        assert_eq!(
            attributes(&e),
            vec![("status", Op::Eq), ("lastUpdated", Op::Gt)]
        );
    }
}
