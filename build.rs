//! Generates the catalog from `wit/` and `src/catalog/table.rs`: the node table
//! (`$OUT_DIR/nodes.rs`) and one JSON Schema 2020-12 document (`$OUT_DIR/schema.json.deflate`,
//! raw DEFLATE)
//! whose `$defs` hold every request, output and shared type once.

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;
use wit_parser::{Docs, Function, Resolve, Type, TypeDefKind, TypeId, TypeOwner, WorldItem};

#[allow(dead_code)]
mod table {
    include!("src/catalog/table.rs");
}

#[allow(dead_code)]
mod limits {
    include!("src/catalog/limits.rs");
}

/// The interfaces that are not nodes.
const NOT_NODES: &[&str] = &["types", "catalog"];

fn main() {
    println!("cargo:rerun-if-changed=wit");
    println!("cargo:rerun-if-changed=src/catalog/table.rs");
    println!("cargo:rerun-if-changed=src/catalog/limits.rs");
    let mut resolve = Resolve::default();
    let (package, _) = resolve.push_dir("wit").expect("wit/ parses");
    let world = resolve
        .select_world(&[package], Some("okta-nodes"))
        .expect("the okta-nodes world");
    let version = resolve.packages[package]
        .name
        .version
        .as_ref()
        .map(|v| v.to_string())
        .unwrap_or_default();

    let rows: BTreeMap<&str, &table::Row> = table::ROWS.iter().map(|r| (r.id, r)).collect();
    let mut schema_gen = Schema::new(&resolve);
    let mut nodes = Vec::new();
    for item in resolve.worlds[world].exports.values() {
        let WorldItem::Interface { id, .. } = item else {
            continue;
        };
        let interface = &resolve.interfaces[*id];
        let category = interface.name.clone().expect("a named interface");
        if NOT_NODES.contains(&category.as_str()) {
            continue;
        }
        for function in interface.functions.values() {
            let node_id = format!("{category}.{}", function.name);
            let row = rows
                .get(node_id.as_str())
                .unwrap_or_else(|| panic!("{node_id} has no row in src/catalog/table.rs"));
            nodes.push(schema_gen.node(&category, function, row));
        }
    }
    let ids: BTreeSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    for row in table::ROWS {
        assert!(
            ids.contains(row.id),
            "src/catalog/table.rs: {} is not a node",
            row.id
        );
    }
    let schema = schema_gen.finish(&version);

    // One line of nodes, one of schema, deflated together: the component carries 21 KB
    // where the JSON is 130 KB.
    let catalog = format!("{}\n{schema}", nodes_json(&nodes));
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let deflated = miniz_oxide::deflate::compress_to_vec(catalog.as_bytes(), 10);
    std::fs::write(Path::new(&out).join("catalog.deflate"), deflated).expect("write the catalog");
}

/// One node as the catalog lists it.
struct Node {
    id: String,
    kind: &'static str,
    label: String,
    description: String,
    category: String,
    destructive: bool,
    idempotent: bool,
    scopes: Vec<String>,
    endpoints: Vec<String>,
    input: Option<String>,
    output: String,
    example: Option<String>,
}

/// The node table as JSON: the records of `catalog.nodes`, keyed by WIT field name.
fn nodes_json(nodes: &[Node]) -> Value {
    let nodes: Vec<Value> = nodes
        .iter()
        .map(|n| {
            json!({
                "id": n.id,
                "kind": n.kind,
                "label": n.label,
                "description": n.description,
                "category": n.category,
                "destructive": n.destructive,
                "idempotent": n.idempotent,
                "scopes": n.scopes,
                "endpoints": n.endpoints,
                "input-schema": n.input,
                "output-schema": n.output,
                "example": n.example,
            })
        })
        .collect();
    json!(nodes)
}

/// The JSON Schema being built: `$defs` by name, filled from the node signatures outward.
struct Schema<'a> {
    resolve: &'a Resolve,
    defs: BTreeMap<String, Value>,
    /// Defs still to write, and whether each is reached from an input.
    queue: VecDeque<(TypeId, bool)>,
    seen: BTreeMap<TypeId, bool>,
    /// Examples per request def.
    examples: BTreeMap<String, Vec<Value>>,
    /// Anonymous outputs (`list<factor>`), by def name.
    outputs: BTreeMap<String, Value>,
}

impl<'a> Schema<'a> {
    fn new(resolve: &'a Resolve) -> Self {
        Schema {
            resolve,
            defs: BTreeMap::new(),
            queue: VecDeque::new(),
            seen: BTreeMap::new(),
            examples: BTreeMap::new(),
            outputs: BTreeMap::new(),
        }
    }

    fn node(&mut self, category: &str, function: &Function, row: &table::Row) -> Node {
        let id = format!("{category}.{}", function.name);
        let mut input = None;
        for param in &function.params {
            let Type::Id(ty) = param.ty else {
                panic!("{id}: a parameter is a record");
            };
            let ty = self.canonical(ty);
            let name = self.def_name(ty);
            self.enqueue(ty, true);
            if param.name == "request" {
                input = Some(name);
            }
        }
        let Some(Type::Id(result)) = function.result else {
            panic!("{id} returns a result");
        };
        let TypeDefKind::Result(result) = &self.resolve.types[result].kind else {
            panic!("{id} returns a result");
        };
        let ok = result.ok.expect("an ok type");
        let output = match ok {
            Type::Id(ty) if self.resolve.types[self.canonical(ty)].name.is_some() => {
                let ty = self.canonical(ty);
                self.enqueue(ty, false);
                self.def_name(ty)
            }
            other => {
                let name = format!("{id}-output");
                let mut schema = self.of(&other, false);
                schema["title"] = json!(format!("{} output", label(&function.name)));
                self.outputs.insert(name.clone(), schema);
                name
            }
        };
        if let Some(Type::Id(err)) = result.err {
            let err = self.canonical(err);
            self.enqueue(err, false);
        }
        let example = (!row.example.is_empty()).then(|| row.example.to_string());
        if let (Some(input), Some(example)) = (&input, &example) {
            let value: Value = serde_json::from_str(example)
                .unwrap_or_else(|e| panic!("{id}: the example is not JSON: {e}"));
            self.examples.entry(input.clone()).or_default().push(value);
        }
        assert_eq!(
            input.is_some(),
            example.is_some(),
            "{id}: an example iff a request"
        );
        Node {
            kind: match category {
                "triggers" => "trigger",
                "picklists" => "picklist",
                _ => "action",
            },
            label: label(&function.name),
            description: summary(&function.docs),
            category: category.to_string(),
            destructive: row.destructive,
            idempotent: row.idempotent,
            scopes: row.scopes.iter().map(|s| s.to_string()).collect(),
            endpoints: row.endpoints.iter().map(|s| s.to_string()).collect(),
            input,
            output,
            example,
            id,
        }
    }

    /// The type an alias (or a `use`) stands for.
    fn canonical(&self, mut ty: TypeId) -> TypeId {
        while let TypeDefKind::Type(Type::Id(inner)) = self.resolve.types[ty].kind {
            ty = inner;
        }
        ty
    }

    fn def_name(&self, ty: TypeId) -> String {
        let def = &self.resolve.types[ty];
        let TypeOwner::Interface(owner) = def.owner else {
            panic!("a type outside an interface");
        };
        let interface = self.resolve.interfaces[owner].name.clone().expect("named");
        format!("{interface}.{}", def.name.as_deref().expect("a named type"))
    }

    fn enqueue(&mut self, ty: TypeId, input: bool) {
        match self.seen.get(&ty) {
            Some(&was) if was || !input => {}
            _ => {
                self.seen.insert(ty, input);
                self.queue.push_back((ty, input));
            }
        }
    }

    /// The schema of a use of a type: a `$ref` for a named type.
    fn of(&mut self, ty: &Type, input: bool) -> Value {
        match ty {
            Type::Bool => json!({"type": "boolean"}),
            Type::U8 => int(0, u8::MAX as u64),
            Type::U16 => int(0, u16::MAX as u64),
            Type::U32 => int(0, u32::MAX as u64),
            Type::U64 => json!({"type": "integer", "minimum": 0}),
            Type::S8 | Type::S16 | Type::S32 | Type::S64 => json!({"type": "integer"}),
            Type::F32 | Type::F64 => json!({"type": "number"}),
            Type::Char => json!({"type": "string", "minLength": 1, "maxLength": 1}),
            Type::String => json!({"type": "string"}),
            Type::ErrorContext => panic!("error-context is not JSON"),
            Type::Id(id) => {
                let id = self.canonical(*id);
                if self.resolve.types[id].name.is_some() {
                    self.enqueue(id, input);
                    return json!({"$ref": format!("#/$defs/{}", self.def_name(id))});
                }
                match &self.resolve.types[id].kind {
                    TypeDefKind::Option(inner) => {
                        let inner = self.of(inner, input);
                        nullable(inner)
                    }
                    TypeDefKind::List(inner) => {
                        json!({"type": "array", "items": self.of(inner, input)})
                    }
                    TypeDefKind::Tuple(t) => {
                        let items: Vec<Value> = t.types.iter().map(|t| self.of(t, input)).collect();
                        json!({"type": "array", "prefixItems": items, "items": false})
                    }
                    other => panic!("an anonymous {other:?} is not in the JSON conventions"),
                }
            }
        }
    }

    /// Writes every queued def.
    fn drain(&mut self) {
        while let Some((ty, input)) = self.queue.pop_front() {
            let name = self.def_name(ty);
            let def = self.resolve.types[ty].clone();
            let mut schema = match &def.kind {
                TypeDefKind::Record(record) => {
                    let mut properties = Map::new();
                    let mut required = Vec::new();
                    for field in &record.fields {
                        let path = format!("{name}.{}", field.name);
                        let optional = matches!(field.ty, Type::Id(t)
                            if matches!(self.resolve.types[t].kind, TypeDefKind::Option(_)));
                        if !optional {
                            required.push(field.name.clone());
                        }
                        let mut property = self.of(&field.ty, input);
                        if let Some((_, cases)) = table::ACCEPTS.iter().find(|(p, _)| *p == path) {
                            property = json!({"$ref": property["$ref"], "enum": cases});
                        }
                        annotate(&mut property, &field.docs, &path);
                        self.secret(&mut property, &path, input);
                        property["title"] = json!(title(&field.name));
                        properties.insert(field.name.clone(), property);
                    }
                    let mut object = json!({
                        "type": "object",
                        "properties": properties,
                        "required": required,
                        "additionalProperties": false,
                    });
                    rules(&mut object, &name);
                    if let Some(examples) = self.examples.get(&name) {
                        object["examples"] = json!(examples);
                    }
                    object
                }
                TypeDefKind::Enum(e) => {
                    let cases: Vec<Value> = e
                        .cases
                        .iter()
                        .map(|c| {
                            described(json!({"const": c.name, "title": title(&c.name)}), &c.docs)
                        })
                        .collect();
                    json!({"type": "string", "oneOf": cases})
                }
                TypeDefKind::Variant(v) => {
                    let mut cases = Vec::new();
                    for case in &v.cases {
                        let path = format!("{name}.{}", case.name);
                        let schema = match &case.ty {
                            None => json!({"const": case.name}),
                            Some(ty) => {
                                let mut payload = self.of(ty, input);
                                self.secret(&mut payload, &path, input);
                                payload["title"] = json!(title(&case.name));
                                json!({
                                    "type": "object",
                                    "properties": {case.name.clone(): payload},
                                    "required": [case.name],
                                    "additionalProperties": false,
                                })
                            }
                        };
                        let mut schema = described(schema, &case.docs);
                        schema["title"] = json!(title(&case.name));
                        cases.push(schema);
                    }
                    json!({"oneOf": cases})
                }
                TypeDefKind::Flags(flags) => {
                    let names: Vec<&str> = flags.flags.iter().map(|f| f.name.as_str()).collect();
                    json!({"type": "array", "items": {"enum": names}, "uniqueItems": true})
                }
                TypeDefKind::Type(ty) => self.of(ty, input),
                TypeDefKind::List(inner) => {
                    json!({"type": "array", "items": self.of(inner, input)})
                }
                TypeDefKind::Option(inner) => {
                    let inner = self.of(inner, input);
                    nullable(inner)
                }
                other => panic!("{name}: a {other:?} is not in the JSON conventions"),
            };
            schema = described(schema, &def.docs);
            schema["title"] = json!(title(def.name.as_deref().unwrap_or_default()));
            self.defs.insert(name, schema);
        }
    }

    /// A secret is a string in standard words: `format: password` (a form shows a password
    /// input; Ajv's formats know it), and on input `writeOnly`. No keyword of our own, so
    /// a strict validator compiles the schema with nothing registered.
    fn secret(&self, schema: &mut Value, path: &str, input: bool) {
        if table::SECRETS.contains(&path) {
            schema["format"] = json!("password");
            if input {
                schema["writeOnly"] = json!(true);
            }
        }
    }

    fn finish(mut self, version: &str) -> String {
        self.drain();
        let mut defs = std::mem::take(&mut self.defs);
        defs.extend(std::mem::take(&mut self.outputs));
        let used: BTreeSet<&str> = table::SECRETS
            .iter()
            .chain(table::ACCEPTS.iter().map(|(p, _)| p))
            .chain(limits::LIMITS.iter().map(|(p, _)| p))
            .copied()
            .collect();
        for path in used {
            let (def, _) = path.rsplit_once('.').expect("a path");
            assert!(
                defs.contains_key(def),
                "src/catalog/table.rs names {path}: no such type"
            );
        }
        for (def, _) in table::RULES {
            assert!(
                defs.contains_key(*def),
                "src/catalog/table.rs: rules for {def}: no such type"
            );
        }
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": format!("urn:okta:management@{version}"),
            "title": format!("okta:management@{version}"),
            "description": "Every request, output and shared type of the Okta Management nodes, \
                            as call_json takes and returns them.",
            "$defs": defs,
        });
        serde_json::to_string(&schema).expect("JSON")
    }
}

fn int(min: u64, max: u64) -> Value {
    json!({"type": "integer", "minimum": min, "maximum": max})
}

/// `T` or null.
fn nullable(mut schema: Value) -> Value {
    if let Some(Value::String(ty)) = schema.get("type").cloned() {
        schema["type"] = json!([ty, "null"]);
        schema
    } else {
        json!({"anyOf": [schema, {"type": "null", "title": "None"}]})
    }
}

/// A person's words for a WIT name: `user-id` → `User ID`, `timeout-ms` → `Timeout (ms)`,
/// `dpop-key` → `DPoP key`.
fn title(name: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("id", "ID"),
        ("ids", "IDs"),
        ("api", "API"),
        ("url", "URL"),
        ("uri", "URI"),
        ("dpop", "DPoP"),
        ("mfa", "MFA"),
        ("sms", "SMS"),
        ("oauth", "OAuth"),
        ("jwk", "JWK"),
        ("json", "JSON"),
        ("hotp", "HOTP"),
        ("totp", "TOTP"),
        ("otp", "OTP"),
        ("ip", "IP"),
        ("http", "HTTP"),
        ("okta", "Okta"),
        ("ldap", "LDAP"),
        ("saml", "SAML"),
        ("sha", "SHA"),
        ("md5", "MD5"),
        ("pbkdf2", "PBKDF2"),
        ("bcrypt", "BCRYPT"),
        ("u2f", "U2F"),
        ("webauthn", "WebAuthn"),
        ("rsa", "RSA"),
        ("ec", "EC"),
    ];
    let name = name.trim_start_matches('%');
    let (name, unit) = match name.strip_suffix("-ms") {
        Some(rest) => (rest, " (ms)"),
        None => (name, ""),
    };
    let words: Vec<String> = name
        .split('-')
        .enumerate()
        .map(|(i, word)| match WORDS.iter().find(|(w, _)| *w == word) {
            Some((_, fixed)) => fixed.to_string(),
            None if i == 0 => {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            }
            None => word.to_string(),
        })
        .collect();
    format!("{}{unit}", words.join(" "))
}

fn described(mut schema: Value, docs: &Docs) -> Value {
    if let Some(text) = docs
        .contents
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        schema["description"] = json!(text);
    }
    schema
}

/// The description, the format the docs name, and a whole number's bounds and default from
/// `src/catalog/limits.rs` (the component's own): docs that state a number for a field
/// with no row there fail the build rather than be guessed at.
fn annotate(schema: &mut Value, docs: &Docs, path: &str) {
    let text = docs.contents.as_deref().unwrap_or("").replace('\n', " ");
    let target = match schema.get_mut("anyOf") {
        Some(Value::Array(cases)) => &mut cases[0],
        _ => &mut *schema,
    };
    let types = target.get("type").cloned().unwrap_or(Value::Null);
    let is = |t: &str| types == t || types.as_array().is_some_and(|a| a.contains(&json!(t)));
    let limit = limits::LIMITS
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, b)| *b);
    if is("integer") {
        let stated = ["Default ", "at most ", "at least "].iter().any(|marker| {
            text.match_indices(marker)
                .any(|(at, _)| text[at + marker.len()..].starts_with(|c: char| c.is_ascii_digit()))
        });
        match limit {
            Some(bounds) => {
                target["minimum"] = json!(bounds.min);
                target["maximum"] = json!(bounds.max);
            }
            None => assert!(
                !stated,
                "{path}: its docs give a number; give its bounds in src/catalog/limits.rs"
            ),
        }
    } else {
        assert!(
            limit.is_none(),
            "src/catalog/limits.rs names {path}: not a whole number"
        );
    }
    if is("string") && text.contains("ISO 8601") {
        target["format"] = json!("date-time");
    }
    let default = match limit {
        Some(bounds) => bounds.default.map(|n| json!(n)),
        None if is("integer") => None,
        None => default_in(&text),
    };
    if let Some(default) = default {
        schema["default"] = default;
    }
    *schema = described(schema.take(), docs);
}

/// `Default 30000` → 30000, `Default false` → false, ``Default `links` `` → "links".
fn default_in(text: &str) -> Option<Value> {
    let rest = &text[text.find("Default ")? + "Default ".len()..];
    if let Some(quoted) = rest.strip_prefix('`') {
        return Some(json!(&quoted[..quoted.find('`')?]));
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == ',')
        .collect();
    let word = word.trim_end_matches(',');
    match word {
        "true" => Some(json!(true)),
        "false" => Some(json!(false)),
        _ => word.replace(',', "").parse::<u64>().ok().map(|n| json!(n)),
    }
}

/// A set field: present and not null.
fn set(fields: &[&str]) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|f| (f.to_string(), json!({"not": {"type": "null"}})))
        .collect();
    json!({"required": fields, "properties": properties})
}

/// The table's rules for a request, as schema keywords.
fn rules(object: &mut Value, name: &str) {
    let Some((_, rules)) = table::RULES.iter().find(|(def, _)| *def == name) else {
        return;
    };
    let mut all = Vec::new();
    let mut dependent = Map::new();
    for rule in *rules {
        match rule {
            table::Rule::AtMostOne(fields) => {
                let mut pairs = Vec::new();
                for (i, a) in fields.iter().enumerate() {
                    for b in &fields[i + 1..] {
                        pairs.push(set(&[a, b]));
                    }
                }
                all.push(json!({"not": {"anyOf": pairs}}));
            }
            table::Rule::Requires(field, others) => {
                dependent.insert(field.to_string(), json!(others));
            }
            table::Rule::WhenTrue(field, needs) => all.push(json!({
                "if": {"required": [field], "properties": {*field: {"enum": [true]}}},
                "then": set(needs),
            })),
            table::Rule::TrueOnlyWith(field, on) => all.push(json!({
                "if": {"required": [field], "properties": {*field: {"enum": [true]}}},
                "then": {"required": [on], "properties": {*on: {"enum": [true]}}},
            })),
            table::Rule::When {
                field,
                cases,
                needs,
            } => all.push(json!({
                "if": {"required": [field], "properties": {*field: {"enum": cases}}},
                "then": set(needs),
            })),
            table::Rule::OnlyWhen { field, on, cases } => all.push(json!({
                "if": set(&[field]),
                "then": {"required": [on], "properties": {*on: {"enum": cases}}},
            })),
        }
    }
    if !all.is_empty() {
        object["allOf"] = json!(all);
    }
    if !dependent.is_empty() {
        object["dependentRequired"] = Value::Object(dependent);
    }
}

/// `create-user` → `Create user`.
fn label(function: &str) -> String {
    let words = function.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// What a function does: its docs up to the endpoint line or the errors.
fn summary(docs: &Docs) -> String {
    let text = docs.contents.as_deref().unwrap_or("");
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with('`') && !l.starts_with("Errors:"))
        .collect();
    lines.join(" ")
}
