//! The `operations` interface at build time: from `src/operations/operations.json` (written
//! by `scripts/operations` from Okta's spec), the component's operation table
//! (`$OUT_DIR/operations.rs`) and the catalog's `operations.<operationId>` nodes with their
//! input and output schemas.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The generated table and spec, as `scripts/operations` wrote them.
pub(crate) struct Operations {
    spec: Value,
}

/// Path parameters a picklist fills, by the spec's name.
const PICKLISTS: &[(&str, &str)] = &[
    ("userId", "picklists.select-user"),
    ("groupId", "picklists.select-group"),
    ("appId", "picklists.select-app"),
    ("eventHookId", "picklists.select-event-hook"),
    ("realmId", "picklists.select-realm"),
    ("typeId", "picklists.select-user-type"),
];

/// One catalog node of an operation, before its version is known.
pub(crate) struct OperationNode {
    pub id: String,
    pub label: String,
    pub description: String,
    pub category: String,
    pub destructive: bool,
    pub idempotent: bool,
    pub scopes: Vec<String>,
    pub endpoint: String,
    pub input: String,
    pub output: String,
    pub example: String,
    pub picklists: Vec<(String, &'static str)>,
}

impl Operations {
    /// Reads the table.
    pub(crate) fn read() -> Self {
        println!("cargo:rerun-if-changed=src/operations/operations.json");
        let text = std::fs::read_to_string("src/operations/operations.json")
            .expect("src/operations/operations.json (scripts/operations writes it)");
        Operations {
            spec: serde_json::from_str(&text).expect("operations.json is JSON"),
        }
    }

    /// The spec's version, such as `2026.06.3`.
    pub(crate) fn version(&self) -> &str {
        self.spec["spec"].as_str().unwrap_or_default()
    }

    fn list(&self) -> &[Value] {
        self.spec["operations"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The Rust source of the component's table, sorted by operationId.
    pub(crate) fn table_source(&self) -> String {
        let mut ops: Vec<&Value> = self.list().iter().collect();
        ops.sort_by_key(|op| op["id"].as_str().unwrap_or_default().to_string());
        let mut out = String::new();
        writeln!(
            out,
            "/// Okta's Management spec these operations are from.\n\
             pub(crate) const SPEC_VERSION: &str = {:?};\n\
             /// Every operation, sorted by operationId.\n\
             pub(crate) static OPERATIONS: &[Operation] = &[",
            self.version()
        )
        .unwrap();
        for op in ops {
            let params: Vec<String> = op["params"]
                .as_array()
                .unwrap()
                .iter()
                .map(param_source)
                .collect();
            let body = match op["body"].as_object() {
                None => "None".to_string(),
                Some(body) => format!(
                    "Some(BodyRule {{ media: {:?}, required: {}, kind: BodyKind::{}, members: &{:?} }})",
                    body["media"].as_str().unwrap(),
                    body["required"].as_bool().unwrap(),
                    match body["kind"].as_str().unwrap() {
                        "object" => "Object",
                        "array" => "Array",
                        "text" => "Text",
                        "parts" => "Parts",
                        _ => "Any",
                    },
                    body["members"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|m| m.as_str().unwrap())
                        .collect::<Vec<_>>()
                ),
            };
            let text_answer = op["success"]
                .as_object()
                .unwrap()
                .values()
                .any(|s| s["media"].as_str().is_some_and(|m| !m.contains("json")));
            writeln!(
                out,
                "    Operation {{ id: {:?}, method: Method::{}, path: {:?}, params: &[{}], body: {body}, pages: {}, repeatable: {}, text_answer: {text_answer} }},",
                op["id"].as_str().unwrap(),
                method_case(op["method"].as_str().unwrap()),
                op["path"].as_str().unwrap(),
                params.join(", "),
                op["pages"].as_bool().unwrap(),
                op["idempotent"].as_bool().unwrap(),
            )
            .unwrap();
        }
        out.push_str("];\n");
        out
    }

    /// The catalog's nodes and the `$defs` they add: each operation's input and output,
    /// and the spec's component schemas (`okta.<Schema>`). `covered` names the typed nodes
    /// by endpoint (`GET /api/v1/users/{id}`).
    pub(crate) fn catalog(
        &self,
        covered: &BTreeMap<String, Vec<String>>,
    ) -> (Vec<OperationNode>, Map<String, Value>) {
        let mut defs = self.spec["$defs"].as_object().cloned().unwrap_or_default();
        let mut nodes = Vec::new();
        for op in self.list() {
            let id = op["id"].as_str().unwrap();
            let endpoint = format!(
                "{} {}",
                op["method"].as_str().unwrap(),
                op["path"].as_str().unwrap()
            );
            let summary = op["summary"].as_str().unwrap_or(id).to_string();
            let mut description = match op["description"].as_str() {
                Some(d) if !d.is_empty() => d.to_string(),
                _ => format!("{summary}."),
            };
            if op["deprecated"].as_bool() == Some(true) {
                description.push_str(" Okta has deprecated this operation.");
            }
            if let Some(typed) = covered.get(&endpoint) {
                write!(
                    description,
                    " The typed node{} {} cover{} this operation.",
                    if typed.len() > 1 { "s" } else { "" },
                    typed.join(", "),
                    if typed.len() > 1 { "" } else { "s" }
                )
                .unwrap();
            }
            let input_def = format!("operations.{id}.input");
            let output_def = format!("operations.{id}.output");
            let example = op["example"].clone();
            let input = input_schema(op, &summary, &description, &example);
            defs.insert(input_def.clone(), input);
            defs.insert(output_def.clone(), output_schema(op, &summary));
            let picklists = op["params"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|p| {
                    let name = p["name"].as_str()?;
                    PICKLISTS
                        .iter()
                        .find(|(field, _)| *field == name)
                        .map(|(_, picklist)| (format!("/{name}"), *picklist))
                })
                .collect();
            nodes.push(OperationNode {
                id: format!("operations.{id}"),
                label: summary,
                description,
                category: op["tag"].as_str().unwrap_or("operations").to_string(),
                destructive: op["destructive"].as_bool().unwrap_or(false),
                idempotent: op["idempotent"].as_bool().unwrap_or(false),
                scopes: op["scopes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect(),
                endpoint,
                input: input_def,
                output: output_def,
                example: example.to_string(),
                picklists,
            });
        }
        (nodes, defs)
    }
}

/// One parameter in the table's Rust source.
fn param_source(p: &Value) -> String {
    let at = match p["in"].as_str().unwrap() {
        "path" => "Path",
        "header" => "Header",
        _ => "Query",
    };
    let kind = match (p["type"].as_str().unwrap(), p["explode"].as_bool()) {
        ("integer", _) => "Kind::Integer".to_string(),
        ("boolean", _) => "Kind::Boolean".to_string(),
        ("array", explode) => format!("Kind::List {{ explode: {} }}", explode.unwrap_or(true)),
        _ => "Kind::Text".to_string(),
    };
    let values: Vec<String> = p["enum"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|v| v.as_str().map_or(v.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let num = |key: &str| match p[key].as_f64() {
        Some(n) => format!("Some({n:?})"),
        None => "None".into(),
    };
    format!(
        "Param {{ name: {:?}, at: At::{at}, kind: {kind}, required: {}, values: &{values:?}, min: {}, max: {}, max_len: {} }}",
        p["name"].as_str().unwrap(),
        p["required"].as_bool().unwrap(),
        num("minimum"),
        num("maximum"),
        param_max_len(p),
    )
}

/// The longest text a parameter takes: a path segment at most what the component encodes
/// (1,024 characters), any other text at most the spec's `maxLength` or 4,096.
fn param_max_len(p: &Value) -> u64 {
    let spec = p["maxLength"].as_u64();
    match p["in"].as_str() {
        Some("path") => spec.unwrap_or(1024).min(1024),
        _ => spec.unwrap_or(4096),
    }
}

/// `GET` → `Get`.
fn method_case(method: &str) -> String {
    let lower = method.to_ascii_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// A parameter's schema in a node's input: null allowed unless it is required.
fn param_schema(p: &Value) -> Value {
    let name = p["name"].as_str().unwrap();
    let ty = p["type"].as_str().unwrap();
    let mut scalar = Map::new();
    let scalar_ty = if ty == "array" { "string" } else { ty };
    scalar.insert("type".into(), json!(scalar_ty));
    if scalar_ty == "string" {
        scalar.insert("maxLength".into(), json!(param_max_len(p)));
        if let Some(min) = p["minLength"].as_u64() {
            scalar.insert("minLength".into(), json!(min));
        }
        if p["in"] == "path" {
            // One segment: not blank, not `.` or `..`, no control character.
            scalar.insert(
                "minLength".into(),
                json!(p["minLength"].as_u64().unwrap_or(1).max(1)),
            );
            scalar.insert(
                "pattern".into(),
                json!("^[^\\u0000-\\u001f\\u007f]*\\S[^\\u0000-\\u001f\\u007f]*$"),
            );
            scalar.insert("not".into(), json!({"enum": [".", ".."]}));
        }
        if p["in"] == "header" {
            // A header's value holds no control character.
            scalar.insert("pattern".into(), json!("^[^\\u0000-\\u001f\\u007f]*$"));
        }
        if let Some(format) = p["format"].as_str() {
            scalar.insert("format".into(), json!(format));
        }
    } else {
        for key in ["minimum", "maximum"] {
            if let Some(n) = p.get(key).filter(|n| n.is_number()) {
                scalar.insert(key.into(), n.clone());
            }
        }
    }
    if let Some(values) = p.get("enum").filter(|e| e.is_array()) {
        scalar.insert("enum".into(), values.clone());
    }
    let mut schema = if ty == "array" {
        let mut list = Map::new();
        list.insert("type".into(), json!("array"));
        list.insert("items".into(), Value::Object(scalar));
        list
    } else {
        scalar
    };
    if p["required"] != true {
        let ty = schema["type"].clone();
        schema.insert("type".into(), json!([ty, "null"]));
        if let Some(Value::Array(values)) = schema.get_mut("enum") {
            values.push(Value::Null);
        }
    }
    if let Some(default) = p.get("default") {
        schema.insert("default".into(), default.clone());
    }
    schema.insert("title".into(), json!(words(name)));
    if let Some(d) = p["description"].as_str().filter(|d| !d.is_empty()) {
        schema.insert("description".into(), json!(d));
    }
    Value::Object(schema)
}

/// A node's input: its parameters by the spec's names, `body` and `page`.
fn input_schema(op: &Value, summary: &str, description: &str, example: &Value) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for p in op["params"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        properties.insert(name.to_string(), param_schema(p));
        if p["required"] == true {
            required.push(name.to_string());
        }
    }
    if let Some(body) = op["body"].as_object() {
        let mut schema = body["schema"].as_object().cloned().unwrap_or_default();
        schema.insert("title".into(), json!("Body"));
        if let Some(d) = body["description"].as_str().filter(|d| !d.is_empty()) {
            schema.insert("description".into(), json!(d));
        }
        let schema = if body["required"] == true {
            required.push("body".into());
            Value::Object(schema)
        } else {
            json!({"anyOf": [schema, {"type": "null", "title": "No body"}], "title": "Body"})
        };
        properties.insert("body".into(), schema);
    }
    if op["pages"] == true {
        properties.insert(
            "page".into(),
            json!({"anyOf": [{"$ref": "#/$defs/types.page-request"}, {"type": "null", "title": "First page"}], "title": "Page"}),
        );
    }
    json!({
        "type": "object",
        "title": summary,
        "description": description,
        "additionalProperties": false,
        "properties": properties,
        "required": required,
        "examples": [example],
    })
}

/// A node's output: the status, Okta's answer and, for a list, the next cursor.
fn output_schema(op: &Value, summary: &str) -> Value {
    let success = op["success"].as_object().unwrap();
    let statuses: Vec<u16> = success.keys().filter_map(|s| s.parse().ok()).collect();
    let mut cases: Vec<Value> = Vec::new();
    for answer in success.values() {
        let case = match &answer["schema"] {
            Value::Null => json!({"type": "null", "title": "No content"}),
            schema => schema.clone(),
        };
        if !cases.contains(&case) {
            cases.push(case);
        }
    }
    let body = match cases.len() {
        0 => json!({"type": "null", "title": "Body"}),
        1 => {
            let mut only = cases.pop().unwrap();
            only["title"] = json!("Body");
            only
        }
        _ => {
            for (i, case) in cases.iter_mut().enumerate() {
                if case.get("title").is_none() {
                    case["title"] = json!(format!("Answer {}", i + 1));
                }
            }
            json!({"anyOf": cases, "title": "Body"})
        }
    };
    let mut properties = json!({
        "status": {"type": "integer", "enum": statuses, "title": "Status", "description": "The HTTP status Okta answered."},
        "body": body,
    });
    let mut required = vec!["status", "body"];
    if op["pages"] == true {
        properties["next-cursor"] = json!({
            "type": ["string", "null"],
            "title": "Next cursor",
            "description": "Pass as page.after for the next page; null at the end.",
        });
        required.push("next-cursor");
    }
    json!({
        "type": "object",
        "title": summary,
        "additionalProperties": false,
        "properties": properties,
        "required": required,
    })
}

/// A camelCase or kebab name in words: `groupId` → `Group id`, `If-Match` → `If match`.
fn words(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let upper = c.is_ascii_uppercase();
        let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
        let next_upper = chars.get(i + 1).is_some_and(char::is_ascii_uppercase);
        if c == '_' || c == '-' {
            out.push(' ');
            continue;
        }
        if upper && i > 0 && !prev_upper && !out.ends_with(' ') {
            out.push(' ');
        }
        if i > 0 && upper && !prev_upper && !next_upper {
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    let mut chars = out.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}
