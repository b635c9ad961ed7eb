//! Flows: a list of node calls in a JSON file, each step's input able to use the flow's
//! `vars` and earlier steps' outputs with `${step.path}`. A step can run once per item of
//! an earlier output (`for-each`, with `${item...}`). The examples in `examples/flows/` are
//! flows.

use crate::calls::Outcome;
use crate::connection::Connection;
use crate::engine::Host;
use anyhow::{Context as _, Result, anyhow, bail};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::Path;

/// Whether a component of package `have` runs what was written for `wanted`: the same
/// package, the same major version (the same minor too while the major is 0, when a minor
/// version may break callers), and not older.
pub fn compatible(wanted: &str, have: &str) -> bool {
    fn parse(package: &str) -> Option<(&str, [u64; 3])> {
        let (name, version) = package.trim().split_once('@')?;
        let mut parts = version.split('.').map(|p| p.parse::<u64>().ok());
        let version = [parts.next()??, parts.next()??, parts.next()??];
        parts.next().is_none().then_some((name, version))
    }
    let (Some((want_name, want)), Some((have_name, has))) = (parse(wanted), parse(have)) else {
        return false;
    };
    let line = if want[0] == 0 { 2 } else { 1 };
    want_name == have_name && want[..line] == has[..line] && has >= want
}

/// The most steps a flow may have.
pub const MAX_STEPS: usize = 200;

/// The most node calls one run of a flow makes, over every step and every `for-each`
/// item: a list of a million users does not become a million calls by accident.
pub const MAX_CALLS: usize = 10_000;

/// A flow variable from the command line (`--var name=value`): JSON when the value is
/// JSON (`3`, `true`, `"3"`, `[1]`), a string otherwise (`2026-12-01`, `ada@example.com`).
pub fn var_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// A flow file.
#[derive(Clone, Debug, Deserialize)]
pub struct Flow {
    /// The WIT package the flow was written for, such as `okta:management@0.6.0`; a
    /// component it is not compatible with refuses to run it.
    pub package: String,
    /// The flow's name.
    pub name: String,
    /// What the flow does, for people.
    #[serde(default)]
    pub description: String,
    /// Values the steps use as `${vars.name}`; `okta-nodes flow --var name=value` overrides.
    #[serde(default)]
    pub vars: Map<String, Value>,
    /// The steps, run in order.
    pub steps: Vec<Step>,
}

/// One node call.
#[derive(Clone, Debug, Deserialize)]
pub struct Step {
    /// The name later steps use to refer to this step's output.
    pub id: String,
    /// The node, such as `users.create-user`.
    pub node: String,
    /// What the step is for, for people.
    #[serde(default)]
    pub title: String,
    /// The request; strings may hold `${step.path}` references.
    #[serde(default)]
    pub input: Value,
    /// Output fields to print (dotted paths).
    #[serde(default)]
    pub show: Vec<String>,
    /// Run the step once per item of this array (a `${step.path}` reference); the input
    /// refers to the item as `${item...}`, and the output is the array of outputs.
    #[serde(default, rename = "for-each")]
    pub for_each: Option<String>,
    /// With `for-each`: only the items whose fields equal these values.
    #[serde(default, rename = "where")]
    pub filter: Map<String, Value>,
}

impl Flow {
    /// Reads a flow file.
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("reading the flow in {}", path.display()))
    }

    /// Refuses a flow of more than [`MAX_STEPS`] steps (its fields are public, so a run
    /// checks again what parsing checked).
    fn check_length(&self) -> Result<()> {
        if self.steps.len() > MAX_STEPS {
            bail!(
                "the flow has {} steps; a flow has at most {MAX_STEPS}",
                self.steps.len()
            );
        }
        Ok(())
    }

    /// Parses a flow.
    pub fn parse(text: &str) -> Result<Self> {
        let flow: Flow = serde_json::from_str(text)?;
        flow.check_length()?;
        for (i, step) in flow.steps.iter().enumerate() {
            if step.id == "vars" || step.id == "item" {
                bail!("`{}` is a reserved name; give the step another id", step.id);
            }
            if flow.steps[..i].iter().any(|s| s.id == step.id) {
                bail!("two steps are called `{}`", step.id);
            }
        }
        Ok(flow)
    }

    /// Runs every step; stops at the first node error. `report` sees each call's outcome
    /// before the next one starts. Returns the outputs by step id. A flow written for a
    /// package the component is not compatible with does not start.
    pub async fn run(
        &self,
        host: &Host,
        conn: &Connection,
        mut report: impl FnMut(usize, &Step, &Value, &Outcome),
    ) -> Result<Map<String, Value>> {
        if !compatible(&self.package, host.package()) {
            bail!(
                "the flow `{}` was written for {}, and this component is {}: see the README's \
                 compatibility policy and the CHANGELOG for what changed",
                self.name,
                self.package,
                host.package()
            );
        }
        self.check_length()?;
        let mut outputs = Map::new();
        outputs.insert("vars".into(), Value::Object(self.vars.clone()));
        let mut calls = 0usize;
        for (i, step) in self.steps.iter().enumerate() {
            let context = || format!("step `{}` ({})", step.id, step.node);
            let items = match &step.for_each {
                None => None,
                Some(reference) => {
                    let list = substitute(&Value::String(reference.clone()), &outputs)
                        .with_context(context)?;
                    let Value::Array(list) = list else {
                        bail!("{}: for-each {reference} is not a list", context());
                    };
                    let wanted =
                        |item: &Value| step.filter.iter().all(|(k, v)| item.get(k) == Some(v));
                    Some(list.into_iter().filter(wanted).collect::<Vec<_>>())
                }
            };
            let count = items.as_ref().map_or(1, Vec::len);
            calls += count;
            if calls > MAX_CALLS {
                bail!(
                    "{}: it would make {count} calls, and a run of a flow makes at most \
                     {MAX_CALLS}; narrow the list (a `where`, a search) or split the flow",
                    context()
                );
            }
            let mut results = Vec::new();
            for item in items.clone().unwrap_or_else(|| vec![Value::Null]) {
                if items.is_some() {
                    outputs.insert("item".into(), item);
                }
                let input = substitute(&step.input, &outputs).with_context(context)?;
                let outcome = host
                    .call_json(conn, &step.node, &input)
                    .await
                    .with_context(context)?;
                report(i, step, &input, &outcome);
                match outcome {
                    Outcome::Ok(output) => results.push(output),
                    Outcome::Err(error) => bail!("{} failed: {error}", context()),
                }
            }
            outputs.remove("item");
            let output = match items {
                Some(_) => Value::Array(results),
                None => results.pop().unwrap_or(Value::Null),
            };
            outputs.insert(step.id.clone(), output);
        }
        Ok(outputs)
    }
}

/// Looks a dotted path (`create.profile.login`, `list.items.0.id`) up in the outputs. A
/// JSON string on the way (such as `raw`, `profile-extra` or a raw request's `body`) is
/// read as JSON.
pub fn lookup(outputs: &Map<String, Value>, path: &str) -> Option<Value> {
    let mut parts = path.split('.');
    let mut value = outputs.get(parts.next()?)?.clone();
    for key in parts {
        if let Value::String(text) = &value {
            value = serde_json::from_str(text).ok()?;
        }
        value = match value {
            Value::Array(items) => items.into_iter().nth(key.parse::<usize>().ok()?)?,
            Value::Object(mut map) => map.remove(key)?,
            _ => return None,
        };
    }
    Some(value)
}

/// Replaces `${step.path}` references with values, never with text that could change the
/// shape of the input:
///
/// - a string that is exactly one reference takes the referenced value as it is (a number
///   stays a number);
/// - a string that holds a JSON object or array (such as a `profile-extra` written as a
///   string) is parsed, its references replaced as values inside it, and written back, so
///   a value with quotes in it stays one JSON string and cannot add a field;
/// - in an Okta expression (the value of a `search` or `filter` field), a reference inside
///   a string literal is spliced in escaped ([`expression_text`]), so it stays inside that
///   literal whatever it holds; outside a literal only a number or a boolean may stand, and
///   anything else is refused;
/// - in any other string (a message, a `q`), references are spliced in as text.
pub fn substitute(value: &Value, outputs: &Map<String, Value>) -> Result<Value> {
    substitute_in(value, outputs, false)
}

/// The fields whose strings are Okta expressions (`profile.login eq "ada"`).
const EXPRESSION_FIELDS: &[&str] = &["search", "filter"];

/// The text of a value inside a string literal of Okta's expression language: a quote and
/// a backslash are escaped with a backslash, so the literal ends only where the flow's own
/// quote ends it (Okta's filter and search grammar; see the Users API's `search`).
pub fn expression_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether `text` (the part of an expression before a reference) leaves the reference
/// inside a string literal: an odd number of unescaped quotes.
fn inside_literal(text: &str) -> bool {
    let (mut inside, mut escaped) = (false, false);
    for c in text.chars() {
        match c {
            '\\' if inside && !escaped => escaped = true,
            '"' if !escaped => inside = !inside,
            _ => escaped = false,
        }
    }
    inside
}

fn substitute_in(value: &Value, outputs: &Map<String, Value>, expression: bool) -> Result<Value> {
    Ok(match value {
        Value::String(s) => {
            if let Some(path) = s
                .strip_prefix("${")
                .and_then(|r| r.strip_suffix('}'))
                .filter(|p| !p.contains("${"))
            {
                return lookup(outputs, path).ok_or_else(|| {
                    anyhow!("`${{{path}}}` names nothing an earlier step returned")
                });
            }
            if !s.contains("${") {
                return Ok(value.clone());
            }
            if let Ok(document @ (Value::Object(_) | Value::Array(_))) =
                serde_json::from_str::<Value>(s)
            {
                return Ok(Value::String(
                    substitute_in(&document, outputs, false)?.to_string(),
                ));
            }
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(start) = rest.find("${") {
                out.push_str(&rest[..start]);
                let end = rest[start..]
                    .find('}')
                    .ok_or_else(|| anyhow!("unclosed `${{` in {s:?}"))?;
                let path = &rest[start + 2..start + end];
                let found = lookup(outputs, path).ok_or_else(|| {
                    anyhow!("`${{{path}}}` names nothing an earlier step returned")
                })?;
                let literal = expression && inside_literal(&out);
                match found {
                    Value::String(text) if literal => out.push_str(&expression_text(&text)),
                    Value::Number(_) | Value::Bool(_) if expression => {
                        out.push_str(&found.to_string())
                    }
                    _ if expression && !literal => bail!(
                        "`${{{path}}}` stands outside a string literal in an expression: only a \
                         number or true/false may; put it in quotes"
                    ),
                    Value::String(text) => out.push_str(&text),
                    other => out.push_str(&other.to_string()),
                }
                rest = &rest[start + end + 1..];
            }
            out.push_str(rest);
            Value::String(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| substitute_in(v, outputs, false))
                .collect::<Result<_>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let expression = EXPRESSION_FIELDS.contains(&k.as_str());
                    Ok((k.clone(), substitute_in(v, outputs, expression)?))
                })
                .collect::<Result<_>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn substitutes_whole_values_and_text() {
        let outputs = json!({"create": {"id": "00u1", "n": 3, "items": [{"id": "a"}]}});
        let outputs = outputs.as_object().unwrap();
        let input = json!({"user-id": "${create.id}", "n": "${create.n}", "msg": "id=${create.id} n=${create.n}", "first": "${create.items.0.id}", "keep": [true]});
        assert_eq!(
            substitute(&input, outputs).unwrap(),
            json!({"user-id": "00u1", "n": 3, "msg": "id=00u1 n=3", "first": "a", "keep": [true]})
        );
        assert!(substitute(&json!("${nope.id}"), outputs).is_err());
        assert!(substitute(&json!("x ${create.id"), outputs).is_err());
    }

    #[test]
    fn a_value_never_changes_the_shape_of_the_input() {
        let vars = json!({"vars": {"start": "2026\", \"costCenter\": \"HACKED", "limit": 3}});
        let outputs = vars.as_object().unwrap();
        let input = json!({
            "profile-extra": "{\"startDate\": \"${vars.start}\"}",
            "page": {"limit": "${vars.limit}"},
            "filter": "profile.x eq \"${vars.limit}\"",
        });
        let out = substitute(&input, outputs).unwrap();
        let extra: Value = serde_json::from_str(out["profile-extra"].as_str().unwrap()).unwrap();
        assert_eq!(
            extra,
            json!({"startDate": "2026\", \"costCenter\": \"HACKED"}),
            "still one field"
        );
        assert_eq!(out["page"]["limit"], 3);
        assert_eq!(out["filter"], "profile.x eq \"3\"");
    }

    /// Splits an expression into the text outside its string literals and the literals'
    /// values, unescaped; `None` when a literal is not closed.
    fn literals(expression: &str) -> Option<(String, Vec<String>)> {
        let (mut outside, mut found) = (String::new(), Vec::new());
        let mut chars = expression.chars();
        while let Some(c) = chars.next() {
            if c != '"' {
                outside.push(c);
                continue;
            }
            let mut literal = String::new();
            loop {
                match chars.next()? {
                    '\\' => literal.push(chars.next()?),
                    '"' => break,
                    other => literal.push(other),
                }
            }
            found.push(literal);
        }
        Some((outside, found))
    }

    #[test]
    fn a_value_spliced_into_an_expression_cannot_add_an_operator() {
        let vars = json!({"vars": {
            "login": "nobody@example.com\" or status eq \"ACTIVE",
            "slash": "a\\\" or true or \"",
            "n": 3,
            "list": ["x"],
        }});
        let outputs = vars.as_object().unwrap();
        let step = json!({"search": "profile.login eq \"${vars.login}\"", "filter": "x eq \"${vars.slash}\" and n gt ${vars.n}"});
        let out = substitute(&step, outputs).unwrap();
        let (outside, found) = literals(out["search"].as_str().unwrap()).unwrap();
        assert_eq!(outside, "profile.login eq ");
        assert_eq!(found, ["nobody@example.com\" or status eq \"ACTIVE"]);
        let (outside, found) = literals(out["filter"].as_str().unwrap()).unwrap();
        assert_eq!(outside, "x eq  and n gt 3");
        assert_eq!(found, ["a\\\" or true or \""]);
        // Outside a literal, text, a list or an object is refused; so is a login.
        for bad in ["x eq ${vars.login}", "x eq ${vars.list}"] {
            let err = substitute(&json!({"search": bad}), outputs).unwrap_err();
            assert!(
                format!("{err:#}").contains("outside a string literal"),
                "{err:#}"
            );
        }
        // A field that is not an expression takes the text as it is.
        let q = substitute(&json!({"q": "${vars.login} x"}), outputs).unwrap();
        assert_eq!(q["q"], "nobody@example.com\" or status eq \"ACTIVE x");
    }

    proptest::proptest! {
        /// Every value round-trips as one string literal: the expression keeps its own
        /// text outside literals, and the literal reads back as the value.
        #[test]
        fn every_value_stays_one_literal(value in ".*", prefix in "[a-z.]{1,12} (eq|sw|co) ") {
            let outputs = json!({"vars": {"v": value.clone()}});
            let step = json!({"search": format!("{prefix}\"${{vars.v}}\"")});
            let out = substitute(&step, outputs.as_object().unwrap()).unwrap();
            let (outside, found) = literals(out["search"].as_str().unwrap()).unwrap();
            proptest::prop_assert_eq!(outside, prefix);
            proptest::prop_assert_eq!(found, vec![value]);
        }
    }

    #[test]
    fn json_strings_can_be_navigated() {
        let outputs = json!({"raw": {"body": "[{\"code\": \"123456\"}]"}});
        let outputs = outputs.as_object().unwrap();
        assert_eq!(
            substitute(&json!("${raw.body.0.code}"), outputs).unwrap(),
            json!("123456")
        );
    }

    #[test]
    fn step_ids_are_unique_and_the_package_is_named() {
        let text = r#"{"package": "okta:management@0.6.0", "name": "x", "steps": [{"id": "a", "node": "n"}, {"id": "a", "node": "n"}]}"#;
        assert!(Flow::parse(text).is_err());
        let unnamed = r#"{"name": "x", "steps": []}"#;
        let err = Flow::parse(unnamed).unwrap_err();
        assert!(format!("{err:#}").contains("package"), "{err:#}");
    }

    #[test]
    fn compatible_versions() {
        let have = "okta:management@0.2.3";
        for wanted in ["okta:management@0.2.0", "okta:management@0.2.3"] {
            assert!(compatible(wanted, have), "{wanted}");
        }
        for wanted in [
            "okta:management@0.1.0",
            "okta:management@0.6.0",
            "okta:management@0.2.4",
            "okta:other@0.2.0",
            "okta:management@0.2",
            "okta:management",
        ] {
            assert!(!compatible(wanted, have), "{wanted}");
        }
        assert!(compatible("okta:management@1.0.0", "okta:management@1.4.2"));
        assert!(!compatible(
            "okta:management@1.0.0",
            "okta:management@2.0.0"
        ));
    }
}
