//! The schema and the component agree on every input: for each node, inputs generated from
//! its input schema (at least 200, from a fixed seed) and inputs just outside each of its
//! bounds, enums, types and required fields are each either valid by the schema and taken
//! by the component (not `invalid-input`), or refused by both, with nothing sent.
//!
//! What the schema states beyond what a validator checks is held too: a date-time is
//! RFC 3339 (formats are asserted), and a string marked `contentMediaType:
//! application/json` is JSON that its `contentSchema` (the choice beside it) takes. Values an engine keeps
//! (`x-okta` `engine-kept`: a poll state, a cursor) are opaque: they are generated only as
//! absent or null, since any other text is one the component never gave.

mod common;

use common::*;
use okta_host::{ComponentCatalog, Outcome};
use serde_json::{Map, Value, json};

/// Generated inputs per node, besides the ones just outside each bound.
const GENERATED: usize = 200;

/// A small deterministic generator (SplitMix64), so a failure names an input that can be
/// made again.
struct Gen<'a> {
    catalog: &'a ComponentCatalog,
    state: u64,
    /// JSON Pointers (in the request) of values the engine keeps.
    kept: Vec<String>,
}

/// Strings the generator draws from: ids of the seeded org, a URL, empty and blank text,
/// text with characters a path or query must carry safely.
const TEXTS: &[&str] = &[
    "00u1ero7vZFVEIYLW00L",
    "00g1ero7vZFVEIYLW00E",
    "0oa1ero7vZFVEIYLW00H",
    "ada@example.com",
    "https://hooks.example.com/okta",
    "a",
    "",
    " ",
    "a/b?c=d&e#f",
    "Ünïcødé ✓",
    "x\"y\\z",
];

impl<'a> Gen<'a> {
    fn new(catalog: &'a ComponentCatalog, seed: &str, kept: Vec<String>) -> Self {
        let state = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        Gen {
            catalog,
            state,
            kept,
        }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn def(&self, reference: &str) -> &'a Value {
        let name = reference.trim_start_matches("#/$defs/");
        self.catalog
            .def(name)
            .unwrap_or_else(|| panic!("no def {name}"))
    }

    /// A value for `schema` at `pointer`: mostly of the shape asked for, sometimes not
    /// (the verdicts are compared, not assumed).
    fn value(&mut self, schema: &Value, pointer: &str, depth: usize) -> Value {
        if let Some(cases) = schema["enum"].as_array() {
            return cases[self.below(cases.len())].clone();
        }
        if let Some(reference) = schema["$ref"].as_str() {
            let def = self.def(reference);
            return self.value(def, pointer, depth);
        }
        if let Some(value) = schema.get("const") {
            return value.clone();
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(cases) = schema[key].as_array() {
                let case = &cases[self.below(cases.len())];
                return self.value(case, pointer, depth);
            }
        }
        let ty = match &schema["type"] {
            Value::Array(types) => {
                // Mostly the value, sometimes null.
                let types: Vec<&Value> = types.iter().collect();
                if self.chance(20) {
                    types[self.below(types.len())].clone()
                } else {
                    types[0].clone()
                }
            }
            other => other.clone(),
        };
        match ty.as_str().unwrap_or("") {
            "null" => Value::Null,
            "boolean" => json!(self.chance(50)),
            "integer" => self.integer(schema),
            "number" => json!(self.below(1000) as f64 / 7.0),
            "string" => self.string(schema),
            "array" if depth < 6 => {
                let len = self.below(4);
                let items: Vec<Value> = (0..len)
                    .map(|i| self.value(&schema["items"], &format!("{pointer}/{i}"), depth + 1))
                    .collect();
                Value::Array(items)
            }
            "object" if depth < 6 => self.object(schema, pointer, depth),
            _ => json!({}),
        }
    }

    /// The example, or the example with one of its fields drawn from the schema again, or
    /// left out.
    fn vary_example(&mut self, def: &Value, example: &Value) -> Value {
        let mut input = example.clone();
        let names: Vec<String> = example
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        if names.is_empty() || self.chance(25) {
            return input;
        }
        let name = &names[self.below(names.len())];
        let at = format!("/{name}");
        match self.chance(20) || self.kept.contains(&at) {
            true => {
                input.as_object_mut().map(|o| o.remove(name));
            }
            false => input[name] = self.value(&def["properties"][name], &at, 1),
        }
        input
    }

    fn integer(&mut self, schema: &Value) -> Value {
        let min = schema["minimum"].as_i64().unwrap_or(0);
        let max = schema["maximum"].as_i64().unwrap_or(min + 1000);
        match self.below(6) {
            0 => json!(min),
            1 => json!(max),
            2 => json!(min + 1),
            3 => json!(max - 1),
            _ => json!(min + (self.next() % (max - min + 1) as u64) as i64),
        }
    }

    fn string(&mut self, schema: &Value) -> Value {
        if schema["contentMediaType"] == "application/json" {
            let texts = [
                "{}",
                r#"{"costCenter": "R&D"}"#,
                "[]",
                "[1]",
                "nope",
                "7",
                "",
            ];
            return json!(texts[self.below(texts.len())]);
        }
        if schema["format"] == "date-time" {
            let times = [
                "2026-01-02T03:04:05.000Z",
                "2026-01-02T03:04:05Z",
                "yesterday",
            ];
            return json!(times[self.below(times.len())]);
        }
        if schema["maxLength"] == 1 {
            return json!(["a", "é", "", "ab"][self.below(4)]);
        }
        json!(TEXTS[self.below(TEXTS.len())])
    }

    fn object(&mut self, schema: &Value, pointer: &str, depth: usize) -> Value {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut out = Map::new();
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            let at = format!("{pointer}/{name}");
            let kept = self.kept.contains(&at);
            let wanted = if required.contains(&name.as_str()) {
                !self.chance(3)
            } else {
                !kept && self.chance(45)
            };
            if kept && self.chance(10) {
                out.insert(name.clone(), Value::Null);
            } else if wanted {
                out.insert(name.clone(), self.value(property, &at, depth + 1));
            }
        }
        if self.chance(2) {
            out.insert("no-such-field".into(), json!(1));
        }
        Value::Object(out)
    }
}

/// Inputs just outside the request's own fields: each required field missing or null, an
/// unknown field, each whole number one past its bounds, each enum a case it does not
/// have, and each field of the wrong JSON type; all made from the node's example.
fn just_outside(maker: &Gen, def: &Value, example: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    let with = |field: &str, value: Value| {
        let mut input = example.clone();
        input[field] = value;
        input
    };
    for field in def["required"].as_array().into_iter().flatten() {
        let field = field.as_str().unwrap();
        let mut input = example.clone();
        input.as_object_mut().unwrap().remove(field);
        out.push(input);
        out.push(with(field, Value::Null));
    }
    out.push(with("no-such-field", json!("x")));
    for (field, property) in def["properties"].as_object().into_iter().flatten() {
        let mut property = property.clone();
        if let Some(cases) = property["anyOf"].as_array() {
            property = cases[0].clone();
        }
        if let Some(reference) = property["$ref"].as_str()
            && property.get("enum").is_none()
        {
            property = maker.def(reference).clone();
        }
        let types = match &property["type"] {
            Value::Array(types) => types.clone(),
            Value::Null => Vec::new(),
            ty => vec![ty.clone()],
        };
        if let Some(min) = property["minimum"].as_i64() {
            out.push(with(field, json!(min - 1)));
        }
        if let Some(max) = property["maximum"].as_i64() {
            out.push(with(field, json!(max + 1)));
        }
        if property.get("enum").is_some() || property["oneOf"][0].get("const").is_some() {
            out.push(with(field, json!("no-such-case")));
        }
        let wrong = if types.contains(&json!("string")) {
            json!(7)
        } else if types.contains(&json!("integer")) || types.contains(&json!("boolean")) {
            json!("7")
        } else {
            json!(true)
        };
        out.push(with(field, wrong));
    }
    out
}

/// The input as a validator sees what `contentSchema` states: each non-blank text at a
/// place that holds JSON decoded in place, so the JSON is held to the choice offered beside
/// the text, which has the same schema. `None`: text there that is not JSON.
fn decoded(catalog: &ComponentCatalog, node: &str, input: &Value) -> Option<Value> {
    fn at(value: &mut Value, steps: &[&str]) -> Option<()> {
        let Some((step, rest)) = steps.split_first() else {
            let Some(text) = value.as_str().filter(|t| !t.trim().is_empty()) else {
                return Some(());
            };
            *value = serde_json::from_str(text).ok()?;
            return Some(());
        };
        let (name, list) = match step.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (*step, false),
        };
        let Some(value) = value.get_mut(name) else {
            return Some(());
        };
        if list {
            for item in value.as_array_mut().into_iter().flatten() {
                at(item, rest)?;
            }
            Some(())
        } else {
            at(value, rest)
        }
    }
    let mut input = input.clone();
    for place in catalog.json_places(node) {
        let steps: Vec<&str> = place.split('.').skip(1).collect();
        at(&mut input, &steps)?;
    }
    Some(input)
}

#[tokio::test]
async fn the_schema_and_the_component_agree_on_every_generated_input() {
    let env = Env::with(okta_mock::MockConfig {
        seed: true,
        rate_limit_scale: 0.0,
        ..okta_mock::MockConfig::default()
    })
    .await;
    // A raw request's retry delay is checked against the connection's longest wait: the
    // longest there is, so the schema's bound is the one that counts.
    let mut conn = env.conn.clone();
    conn.max_rate_limit_wait_ms = Some(300_000);
    // A taken input may wait (a raw request retried on every error, with long delays): the
    // verdict is known as soon as it is sent, so no call waits long.
    conn.deadline_ms = Some(2_000);
    let catalog = env.host.describe().await.unwrap().clone();
    let mut disagreements = Vec::new();
    let mut counted = 0;
    // The operations' nodes check their parameters and the body's top level before
    // anything is sent, and leave a body's nested members to Okta: tests/operations.rs
    // holds them to the spec.
    for node in catalog
        .nodes
        .iter()
        .filter(|n| okta_host::catalog::operation_of(&n.id).is_none())
    {
        let (Some(def_name), Some(example)) = (&node.input_schema, &node.example) else {
            continue;
        };
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&catalog.schema_of(def_name))
            .unwrap();
        let def = catalog.def(def_name).unwrap().clone();
        let example: Value = serde_json::from_str(example).unwrap();
        let kept = node
            .fields
            .iter()
            .filter(|f| f.engine_kept)
            .map(|f| f.pointer.clone())
            .collect();
        let mut maker = Gen::new(&catalog, &node.id, kept);
        let mut inputs = just_outside(&maker, &def, &example);
        let edges = inputs.len();
        while inputs.len() < edges + GENERATED {
            // From the schema, or the example with one field drawn again (or left out).
            let input = match maker.chance(45) {
                true => maker.vary_example(&def, &example),
                false => maker.value(&def, "", 0),
            };
            // Some just outside the generated input rather than the example.
            let input = match input.is_object() && maker.chance(40) {
                true => {
                    let mut outside = just_outside(&maker, &def, &input);
                    outside.swap_remove(maker.below(outside.len()))
                }
                false => input,
            };
            inputs.push(input);
        }
        let (mut valid, mut refused) = (0, 0);
        for input in inputs {
            let by_schema =
                decoded(&catalog, &node.id, &input).is_some_and(|d| validator.is_valid(&d));
            let before = env.requests();
            let outcome = env.host.call_json(&conn, &node.id, &input).await.unwrap();
            let taken = match &outcome {
                Outcome::Ok(_) => true,
                Outcome::Err(err) => err["kind"] != "invalid-input",
            };
            if !taken && env.requests() != before {
                disagreements.push(format!("{}: {input}: refused after sending", node.id));
            }
            if by_schema != taken {
                let said = match &outcome {
                    Outcome::Ok(_) => "took it".to_string(),
                    Outcome::Err(err) => format!("said {}: {}", err["kind"], err["message"]),
                };
                let seen = decoded(&catalog, &node.id, &input).unwrap_or_else(|| input.clone());
                let why: Vec<String> = validator
                    .iter_errors(&seen)
                    .map(|e| format!("{} at {}", e, e.instance_path()))
                    .collect();
                disagreements.push(format!(
                    "{}: {input}: schema {} {why:?}, component {said}",
                    node.id,
                    if by_schema { "valid" } else { "invalid" },
                ));
            }
            valid += usize::from(by_schema);
            refused += usize::from(!by_schema);
            counted += 1;
        }
        if valid < 10 || refused < 10 {
            disagreements.push(format!(
                "{}: {valid} valid and {refused} refused inputs: the generator needs both",
                node.id
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements in {counted} inputs:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
