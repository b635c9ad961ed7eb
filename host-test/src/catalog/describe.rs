//! What the component says of itself (`catalog.nodes()`, `catalog.schema()`), and a node's
//! input form as a person reads it, rendered from the schema.

use crate::wit::catalog::{FieldNote, NodeInfo, NodeKind};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// The component's catalog: every node, and the JSON Schema of every input and output.
#[derive(Clone, Debug)]
pub struct ComponentCatalog {
    /// `catalog.nodes()`: every node with its kind, flags, scopes and schema names.
    pub nodes: Vec<NodeInfo>,
    /// `catalog.schema()`: one JSON Schema 2020-12 document.
    pub schema: Value,
    /// Per node id, the places in its request whose string holds JSON
    /// ([`ComponentCatalog::json_places`]).
    json_places: std::collections::BTreeMap<String, Vec<String>>,
}

impl ComponentCatalog {
    /// The catalog from what the component returned.
    pub fn new(nodes: Vec<NodeInfo>, schema: Value) -> Self {
        let mut catalog = ComponentCatalog {
            nodes,
            schema,
            json_places: Default::default(),
        };
        catalog.json_places = catalog
            .nodes
            .iter()
            // An operation's input is JSON as a whole: no string in it holds JSON.
            .filter(|node| super::operation_of(&node.id).is_none())
            .filter_map(|node| {
                let def = node.input_schema.as_deref()?;
                let mut places = Vec::new();
                catalog.find_json(
                    &json!({"$ref": format!("#/$defs/{def}")}),
                    "request",
                    0,
                    &mut places,
                );
                Some((node.id.clone(), places))
            })
            .collect();
        catalog
    }

    /// The places in a node's request whose string holds JSON, as `call_json` names places
    /// (`request.profile-extra`, `request.body.json`; `[]` for a list index): where the
    /// schema offers a string marked `contentMediaType: application/json`, an object or
    /// array is taken as its text.
    pub fn json_places(&self, node_id: &str) -> &[String] {
        self.json_places.get(node_id).map_or(&[], Vec::as_slice)
    }

    fn find_json(&self, schema: &Value, at: &str, depth: usize, out: &mut Vec<String>) {
        // The schema's types nest a few levels; the bound only keeps a cycle from looping.
        if depth > 32 {
            return;
        }
        let target = schema["$ref"].as_str();
        if let Some(def) = target.and_then(|r| self.def(r.strip_prefix("#/$defs/")?)) {
            self.find_json(def, at, depth + 1, out);
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            for case in schema[key].as_array().into_iter().flatten() {
                if case["contentMediaType"] == "application/json" {
                    if !out.iter().any(|p| p == at) {
                        out.push(at.to_string());
                    }
                } else {
                    self.find_json(case, at, depth + 1, out);
                }
            }
        }
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            self.find_json(property, &format!("{at}.{name}"), depth + 1, out);
        }
        if schema["items"].is_object() {
            self.find_json(&schema["items"], &format!("{at}[]"), depth + 1, out);
        }
    }

    /// One node's entry.
    pub fn node(&self, id: &str) -> Option<&NodeInfo> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// A `$defs` entry by name.
    pub fn def(&self, name: &str) -> Option<&Value> {
        self.schema["$defs"].get(name)
    }

    /// A schema that validates one `$defs` entry: the document with a `$ref` at its root
    /// and the definitions that entry reaches, so that shared types resolve (and no
    /// validator compiles the whole catalog for one node).
    pub fn schema_of(&self, def: &str) -> Value {
        let mut reached = std::collections::BTreeMap::new();
        let mut todo = vec![def.to_string()];
        while let Some(name) = todo.pop() {
            if reached.contains_key(&name) {
                continue;
            }
            let Some(schema) = self.def(&name) else {
                continue;
            };
            refs(schema, &mut todo);
            reached.insert(name, schema.clone());
        }
        let mut root: serde_json::Map<String, Value> = self
            .schema
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(key, _)| *key != "$defs")
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        root.insert("$defs".into(), json!(reached));
        root.insert("$ref".into(), json!(format!("#/$defs/{def}")));
        Value::Object(root)
    }

    /// Every node as JSON, with the WIT field names (`okta-nodes list --json`).
    pub fn nodes_json(&self) -> Value {
        Value::Array(self.nodes.iter().map(node_json).collect())
    }

    /// The README's node table, in Markdown (`okta-nodes list --markdown`): the typed
    /// nodes, then how many operations there are besides.
    pub fn markdown_table(&self) -> String {
        let mut out = String::from(
            "| node | kind | what it does | Okta endpoints | scopes |\n|---|---|---|---|---|\n",
        );
        let operations = self
            .nodes
            .iter()
            .filter(|n| super::operation_of(&n.id).is_some())
            .count();
        for node in self
            .nodes
            .iter()
            .filter(|n| super::operation_of(&n.id).is_none())
        {
            let mut what = format!("{}.", first_sentence(&node.description));
            if node.destructive {
                what.push_str(" **Destructive.**");
            }
            let cell = |list: &[String]| {
                if list.is_empty() {
                    "–".to_string()
                } else {
                    list.iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join("<br>")
                }
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                node.id,
                kind(node.kind),
                what.replace('|', "\\|"),
                cell(&node.endpoints),
                cell(&node.scopes),
            );
        }
        if operations > 0 {
            let _ = writeln!(
                out,
                "| `operations.<operationId>` | action | Every other operation of Okta's Management API, {operations} in all, by its `operationId` (`okta-nodes list` names each). | each its own | each its own |"
            );
        }
        out
    }

    /// A node's input form as a person reads it (`okta-nodes describe`).
    pub fn form(&self, id: &str) -> Option<String> {
        let node = self.node(id)?;
        let mut out = String::new();
        let _ = writeln!(out, "{}: {} ({})", node.id, node.label, kind(node.kind));
        let _ = writeln!(out, "{}", node.description);
        let flags = match (node.destructive, node.idempotent) {
            (true, true) => "destructive (ask first); safe to repeat",
            (true, false) => "destructive (ask first); not safe to repeat",
            (false, true) => "safe to repeat",
            (false, false) => "not safe to repeat: a second run acts twice",
        };
        let _ = writeln!(out, "{flags}; version {}", node.version);
        if let Some(connection) = &node.connection_schema {
            let _ = writeln!(out, "connection: {connection}");
        }
        if !node.scopes.is_empty() {
            let _ = writeln!(out, "scopes: {}", node.scopes.join(" "));
        }
        for endpoint in &node.endpoints {
            let _ = writeln!(out, "calls: {endpoint}");
        }
        match &node.input_schema {
            None => out.push_str("\ninput: none\n"),
            Some(input) => {
                let _ = writeln!(out, "\ninput ({input}):");
                if let Some(def) = self.def(input) {
                    self.fields(&mut out, def, &node.fields, "", 1);
                    rules(&mut out, def);
                }
            }
        }
        if let Some(example) = &node.example {
            let _ = writeln!(out, "\nexample:\n  {example}");
        }
        let _ = writeln!(out, "\noutput: {}", node.output_schema);
        Some(out)
    }

    /// A record's fields, one per line, with a nested record's fields beneath it.
    /// `notes` are the node's field notes; `pointer` is where `def` is in the input.
    fn fields(
        &self,
        out: &mut String,
        def: &Value,
        field_notes: &[FieldNote],
        pointer: &str,
        depth: usize,
    ) {
        let Some(properties) = def["properties"].as_object() else {
            return;
        };
        let required: Vec<&str> = def["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (name, property) in properties {
            let (shape, nested) = self.shape(property);
            let mut notes = Vec::new();
            if required.contains(&name.as_str()) {
                notes.push("required".to_string());
            }
            let value_case = &property["anyOf"][0];
            if let Some(default) = property.get("default").or(value_case.get("default")) {
                notes.push(format!("default {default}"));
            }
            if property["format"] == "password" {
                notes.push("secret".into());
            }
            let at = format!("{pointer}/{name}");
            for note in field_notes.iter().filter(|n| n.pointer == at) {
                if let Some(picklist) = &note.picklist {
                    notes.push(format!("picked with {picklist}"));
                }
                if note.engine_kept {
                    notes.push("kept by the engine from the last output".into());
                }
                if let Some(node) = &note.fields_from {
                    notes.push(format!("the org's attributes from {node}"));
                }
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join(", "))
            };
            let about = first_sentence(property["description"].as_str().unwrap_or(""));
            let indent = "  ".repeat(depth);
            // The key a flow writes, and the title a form shows.
            let title = match property["title"].as_str() {
                Some(title) => format!(" \"{title}\""),
                None => String::new(),
            };
            let _ = writeln!(out, "{indent}{name}{title}: {shape}{notes}. {about}");
            if let Some(nested) = nested.filter(|_| depth < 2) {
                self.fields(out, nested, field_notes, &at, depth + 1);
            }
        }
    }

    /// A property's type in words, and the record it holds, if any.
    fn shape<'a>(&'a self, property: &'a Value) -> (String, Option<&'a Value>) {
        if let Some(cases) = property["enum"].as_array() {
            let cases: Vec<String> = cases
                .iter()
                .filter(|c| !c.is_null())
                .map(|c| c.as_str().map_or(c.to_string(), str::to_string))
                .collect();
            return (format!("one of {}", cases.join(", ")), None);
        }
        if let Some(target) = property["$ref"].as_str() {
            let name = target.trim_start_matches("#/$defs/");
            let def = self.def(name);
            return match def {
                Some(def) if def["type"] == "object" => (format!("{name} record"), Some(def)),
                Some(def) => (self.shape(def).0, None),
                None => (name.to_string(), None),
            };
        }
        if let Some(cases) = property["oneOf"].as_array() {
            let names: Vec<String> = cases
                .iter()
                .map(|c| match c.get("const") {
                    Some(Value::String(name)) => name.clone(),
                    _ => c["required"][0].as_str().unwrap_or("?").to_string() + "(...)",
                })
                .collect();
            return (format!("one of {}", names.join(", ")), None);
        }
        if let Some(options) = property["anyOf"].as_array() {
            return self.shape(&options[0]);
        }
        let ty = match &property["type"] {
            Value::Array(types) => types
                .iter()
                .filter(|t| *t != "null")
                .map(|t| t.as_str().unwrap_or("?"))
                .collect::<Vec<_>>()
                .join(" or "),
            Value::String(ty) => ty.clone(),
            _ => "value".into(),
        };
        if ty == "array" {
            let (items, _) = self.shape(&property["items"]);
            return (format!("list of {items}"), None);
        }
        (ty, None)
    }
}

/// The rules a request's schema states, in words.
fn rules(out: &mut String, def: &Value) {
    let mut lines = Vec::new();
    for rule in def["allOf"].as_array().into_iter().flatten() {
        if let Some(pairs) = rule.pointer("/not/anyOf").and_then(Value::as_array) {
            let mut fields: Vec<&str> = pairs
                .iter()
                .flat_map(|p| p["required"].as_array().into_iter().flatten())
                .filter_map(Value::as_str)
                .collect();
            fields.dedup();
            fields.sort_unstable();
            fields.dedup();
            lines.push(format!("at most one of {}", fields.join(", ")));
        } else if let (Some(when), Some(then)) = (rule.get("if"), rule.get("then")) {
            lines.push(format!("when {}: {}", condition(when), condition(then)));
        }
    }
    for (field, needs) in def["dependentRequired"].as_object().into_iter().flatten() {
        lines.push(format!("{field} needs {}", words(needs)));
    }
    if !lines.is_empty() {
        out.push_str("  rules:\n");
        for line in lines {
            let _ = writeln!(out, "    {line}");
        }
    }
}

/// An `if`/`then` part in words: `factor-type is sms or call`, `phone-number is set`.
fn condition(part: &Value) -> String {
    let mut said = Vec::new();
    for (field, schema) in part["properties"].as_object().into_iter().flatten() {
        match schema.get("enum") {
            Some(cases) => said.push(format!("{field} is {}", words(cases).replace(", ", " or "))),
            None => said.push(format!("{field} is set")),
        }
    }
    said.join(" and ")
}

fn words(list: &Value) -> String {
    list.as_array()
        .map(|l| {
            l.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn first_sentence(text: &str) -> String {
    let text = text.replace('\n', " ");
    match text.find(". ") {
        Some(end) => text[..end].to_string(),
        None => text.trim_end_matches('.').to_string(),
    }
}

fn kind(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Action => "action",
        NodeKind::Trigger => "trigger",
        NodeKind::Picklist => "picklist",
    }
}

/// Every `$defs` entry a schema refers to, added to `out`.
fn refs(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(members) => {
            if let Some(name) = members
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
            {
                out.push(name.to_string());
            }
            members.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// A node as the JSON of the WIT `node-info` record.
pub fn node_json(node: &NodeInfo) -> Value {
    json!({
        "id": node.id,
        "kind": kind(node.kind),
        "label": node.label,
        "description": node.description,
        "category": node.category,
        "destructive": node.destructive,
        "idempotent": node.idempotent,
        "scopes": node.scopes,
        "endpoints": node.endpoints,
        "input-schema": node.input_schema,
        "output-schema": node.output_schema,
        "example": node.example,
        "version": node.version,
        "connection-schema": node.connection_schema,
        "fields": node.fields.iter().map(|f| json!({
            "pointer": f.pointer,
            "picklist": f.picklist,
            "engine-kept": f.engine_kept,
            "fields-from": f.fields_from,
        })).collect::<Vec<_>>(),
    })
}
