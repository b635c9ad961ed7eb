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

/// The `operations` interface's table and catalog nodes.
#[path = "build/operations.rs"]
mod operations;

#[allow(dead_code)]
mod limits {
    include!("src/catalog/limits.rs");
}

/// The interfaces that are not nodes as they stand: `operations` is one node per operation
/// of Okta's spec (`build/operations.rs`).
const NOT_NODES: &[&str] = &["types", "catalog", "operations"];

fn main() {
    println!("cargo:rerun-if-changed=wit");
    println!("cargo:rerun-if-changed=build");
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
    let functions: Vec<(String, &Function)> = resolve.worlds[world]
        .exports
        .values()
        .filter_map(|item| match item {
            WorldItem::Interface { id, .. } => Some(&resolve.interfaces[*id]),
            _ => None,
        })
        .map(|interface| {
            (
                interface.name.clone().expect("a named interface"),
                interface,
            )
        })
        .filter(|(category, _)| !NOT_NODES.contains(&category.as_str()))
        .flat_map(|(category, interface)| {
            interface
                .functions
                .values()
                .map(move |function| (category.clone(), function))
        })
        .collect();
    for (_, function) in &functions {
        for param in &function.params {
            schema_gen.reach(&param.ty, true);
        }
        if let Some(result) = &function.result {
            schema_gen.reach(result, false);
        }
    }
    let mut nodes = Vec::new();
    for (category, function) in functions {
        let node_id = format!("{category}.{}", function.name);
        let row = rows
            .get(node_id.as_str())
            .unwrap_or_else(|| panic!("{node_id} has no row in src/catalog/table.rs"));
        nodes.push(schema_gen.node(&category, function, row));
    }
    let ids: BTreeSet<String> = nodes.iter().map(|n| n.id.clone()).collect();
    let ids: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    for row in table::ROWS {
        assert!(
            ids.contains(row.id),
            "src/catalog/table.rs: {} is not a node",
            row.id
        );
    }
    let mut schema = schema_gen.finish(&version);
    let operations = operations::Operations::read();
    let mut covered: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for node in &nodes {
        for endpoint in &node.endpoints {
            covered
                .entry(endpoint.clone())
                .or_default()
                .push(node.id.clone());
        }
    }
    let (operation_nodes, operation_defs) = operations.catalog(&covered);
    schema["$defs"]
        .as_object_mut()
        .expect("$defs")
        .extend(operation_defs);
    schema["description"] = json!(format!(
        "Every request, output and shared type of the Okta Management nodes, as call_json \
         takes and returns them. The operations nodes and the okta.* definitions are from \
         Okta's Management API {}.",
        operations.version()
    ));
    nodes.extend(operation_nodes.into_iter().map(|op| {
        Node {
            id: op.id,
            kind: "action",
            label: op.label,
            description: op.description,
            category: op.category,
            destructive: op.destructive,
            idempotent: op.idempotent,
            scopes: op.scopes,
            endpoints: vec![op.endpoint],
            input: Some(op.input),
            output: op.output,
            example: Some(op.example),
            version: 0,
            connection: Some("types.connection".into()),
            fields: op
                .picklists
                .into_iter()
                .map(|(pointer, picklist)| FieldNote {
                    pointer,
                    picklist: Some(picklist),
                    engine_kept: false,
                    fields_from: None,
                })
                .collect(),
        }
    }));
    versions(&mut nodes, &schema);
    for (field, node) in table::FIELDS_FROM {
        assert!(
            ids.contains(node),
            "src/catalog/table.rs: {field}'s fields are from {node}, which is not a node"
        );
    }
    for (field, picklist) in table::PICKLIST_FIELDS {
        assert!(
            ids.contains(picklist),
            "src/catalog/table.rs: {field} is filled by {picklist}, which is not a node"
        );
        assert!(
            nodes.iter().any(|n| n
                .fields
                .iter()
                .any(|f| f.pointer.ends_with(&format!("/{field}")))),
            "src/catalog/table.rs: no request has a field {field}"
        );
    }
    let schema = serde_json::to_string(&schema).expect("JSON");

    // One line of nodes, one of schema, deflated together: the component carries 21 KB
    // where the JSON is 130 KB.
    let catalog = format!("{}\n{schema}", nodes_json(&nodes));
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let deflated = miniz_oxide::deflate::compress_to_vec(catalog.as_bytes(), 10);
    std::fs::write(Path::new(&out).join("catalog.deflate"), deflated).expect("write the catalog");
    std::fs::write(
        Path::new(&out).join("operations.rs"),
        operations.table_source(),
    )
    .expect("write the operation table");
}

/// Each node's version, from `src/catalog/versions.txt` (`<node> <version> <fingerprint>`):
/// the fingerprint is of what the node takes and returns (its input and output defs and
/// every def they use, without descriptions, titles and examples). A node whose fingerprint
/// is not the recorded one fails the build, naming the line to write: its version goes up.
fn versions(nodes: &mut [Node], schema: &Value) {
    println!("cargo:rerun-if-changed=src/catalog/versions.txt");
    let text = std::fs::read_to_string("src/catalog/versions.txt").unwrap_or_default();
    let recorded: BTreeMap<&str, (u32, &str)> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let [id, version, fingerprint] = words[..] else {
                panic!(
                    "src/catalog/versions.txt: `{line}` is not `<node> <version> <fingerprint>`"
                );
            };
            (
                id,
                (version.parse().expect("a version is a number"), fingerprint),
            )
        })
        .collect();
    let mut stale = Vec::new();
    for node in nodes.iter_mut() {
        let fingerprint = fingerprint(schema, node.input.iter().chain([&node.output]));
        match recorded.get(node.id.as_str()) {
            Some((version, known)) if *known == fingerprint => node.version = *version,
            Some((version, _)) => stale.push(format!("{} {} {fingerprint}", node.id, version + 1)),
            None => stale.push(format!("{} 1 {fingerprint}", node.id)),
        }
    }
    println!("cargo:rerun-if-env-changed=OKTA_UPDATE_VERSIONS");
    if !stale.is_empty() && std::env::var_os("OKTA_UPDATE_VERSIONS").is_some() {
        let mut lines: BTreeMap<String, String> = recorded
            .iter()
            .map(|(id, (v, f))| (id.to_string(), format!("{id} {v} {f}")))
            .collect();
        for line in &stale {
            let id = line.split(' ').next().unwrap_or_default();
            lines.insert(id.to_string(), line.clone());
            let fields: Vec<&str> = line.split(' ').collect();
            if let Some(node) = nodes.iter_mut().find(|n| n.id == id) {
                node.version = fields[1].parse().expect("a version");
            }
        }
        let header = "# <node> <version> <fingerprint of what it takes and returns>: build.rs checks \
                      each; OKTA_UPDATE_VERSIONS=1 cargo build raises the version of a node that \
                      changed.\n";
        let body: Vec<&String> = lines.values().collect();
        let text = format!(
            "{header}{}\n",
            body.iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
        std::fs::write("src/catalog/versions.txt", text).expect("write src/catalog/versions.txt");
        return;
    }
    assert!(
        stale.is_empty(),
        "src/catalog/versions.txt: these nodes changed what they take or return; \
         write their lines as (or build once with OKTA_UPDATE_VERSIONS=1)\n{}",
        stale.join("\n")
    );
    let known: BTreeSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    for id in recorded.keys() {
        assert!(
            known.contains(id),
            "src/catalog/versions.txt: {id} is not a node"
        );
    }
}

/// FNV-1a (64 bits) of the canonical JSON of `roots` and every def they reach, with the
/// words for people left out.
fn fingerprint<'a>(schema: &Value, roots: impl Iterator<Item = &'a String>) -> String {
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r.trim_start_matches("#/$defs/").to_string());
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    fn canonical(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map
                    .keys()
                    .filter(|k| !matches!(k.as_str(), "description" | "title" | "examples"))
                    .collect();
                keys.sort();
                out.push('{');
                for key in keys {
                    out.push_str(&json!(key).to_string());
                    out.push(':');
                    canonical(&map[key], out);
                    out.push(',');
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for item in items {
                    canonical(item, out);
                    out.push(',');
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut todo: Vec<String> = roots.cloned().collect();
    let mut closure = BTreeSet::new();
    while let Some(def) = todo.pop() {
        if closure.insert(def.clone()) {
            refs(&schema["$defs"][&def], &mut todo);
        }
    }
    let mut text = String::new();
    for def in &closure {
        text.push_str(def);
        canonical(&schema["$defs"][def], &mut text);
    }
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{hash:016x}")
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
    version: u32,
    connection: Option<String>,
    fields: Vec<FieldNote>,
}

/// A `catalog.field-note`.
struct FieldNote {
    pointer: String,
    picklist: Option<&'static str>,
    engine_kept: bool,
    fields_from: Option<&'static str>,
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
                "version": n.version,
                "connection-schema": n.connection,
                "fields": n.fields.iter().map(|f| json!({
                    "pointer": f.pointer,
                    "picklist": f.picklist,
                    "engine-kept": f.engine_kept,
                    "fields-from": f.fields_from,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!(nodes)
}

/// The JSON Schema being built: `$defs` by name, filled from the node signatures outward.
struct Schema<'a> {
    resolve: &'a Resolve,
    defs: BTreeMap<String, Value>,
    /// Whether each named type is reached from an input, and from an output.
    reached: BTreeMap<TypeId, (bool, bool)>,
    /// Defs still to write, each with whether it is written as an input.
    queue: VecDeque<(TypeId, bool)>,
    seen: BTreeSet<(TypeId, bool)>,
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
            reached: BTreeMap::new(),
            queue: VecDeque::new(),
            seen: BTreeSet::new(),
            examples: BTreeMap::new(),
            outputs: BTreeMap::new(),
        }
    }

    fn node(&mut self, category: &str, function: &Function, row: &table::Row) -> Node {
        let id = format!("{category}.{}", function.name);
        let (mut input, mut connection, mut fields) = (None, None, Vec::new());
        for param in &function.params {
            let Type::Id(ty) = param.ty else {
                panic!("{id}: a parameter is a record");
            };
            let ty = self.canonical(ty);
            let name = self.enqueue(ty, true);
            match param.name.as_str() {
                "request" => {
                    self.notes(ty, "", &mut fields);
                    input = Some(name);
                }
                "conn" => connection = Some(name),
                other => panic!("{id}: a parameter `{other}`, neither conn nor request"),
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
                self.enqueue(ty, false)
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
            version: 0,
            connection,
            fields,
            id,
        }
    }

    /// The notes on the fields of a request record and the records inside it.
    fn notes(&self, ty: TypeId, pointer: &str, out: &mut Vec<FieldNote>) {
        let TypeDefKind::Record(record) = &self.resolve.types[ty].kind else {
            return;
        };
        let name = self.def_name(ty);
        for field in &record.fields {
            let at = format!("{pointer}/{}", field.name);
            let picklist = table::PICKLIST_FIELDS
                .iter()
                .find(|(f, _)| *f == field.name)
                .map(|(_, picklist)| *picklist);
            let engine_kept =
                table::ENGINE_KEPT.contains(&format!("{name}.{}", field.name).as_str());
            let fields_from = table::FIELDS_FROM
                .iter()
                .find(|(f, _)| *f == format!("{name}.{}", field.name))
                .map(|(_, node)| *node);
            if picklist.is_some() || engine_kept || fields_from.is_some() {
                out.push(FieldNote {
                    pointer: at.clone(),
                    picklist,
                    engine_kept,
                    fields_from,
                });
            }
            let mut inner = field.ty;
            while let Type::Id(id) = inner {
                match &self.resolve.types[id].kind {
                    TypeDefKind::Option(t) | TypeDefKind::Type(t) => inner = *t,
                    TypeDefKind::Record(_) => {
                        self.notes(id, &at, out);
                        break;
                    }
                    _ => break,
                }
            }
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

    /// Makes a string field the table says holds JSON take that JSON or its text.
    fn json_field(&self, schema: &mut Value, path: &str) {
        let Some((_, shape)) = table::JSON_FIELDS.iter().find(|(p, _)| *p == path) else {
            return;
        };
        let shape = json_shape(shape, |def| self.record_fields(def));
        holds_json(schema, path, shape);
        if table::NOT_BLANK_FIELDS.contains(&path) {
            let text = schema["anyOf"].as_array_mut().and_then(|cases| {
                cases
                    .iter_mut()
                    .find(|c| c.get("contentMediaType").is_some())
            });
            text.expect("a text case")["pattern"] = json!(pattern(table::NOT_BLANK));
        }
    }

    /// The field names of the record a def names.
    fn record_fields(&self, def: &str) -> Vec<String> {
        let found = self.resolve.types.iter().find(|(id, ty)| {
            ty.name.is_some()
                && matches!(ty.owner, TypeOwner::Interface(_))
                && self.def_name(*id) == def
        });
        match found.map(|(_, ty)| &ty.kind) {
            Some(TypeDefKind::Record(record)) => {
                record.fields.iter().map(|f| f.name.clone()).collect()
            }
            _ => panic!("src/catalog/table.rs names {def}: not a record"),
        }
    }

    /// Queues the def of a named type as used from an input or an output, and gives its
    /// name: a type used both ways whose input form differs (a case a request cannot take,
    /// a secret that is write-only) has an input twin, `<name>.input`.
    fn enqueue(&mut self, ty: TypeId, input: bool) -> String {
        let (from_input, from_output) = self.reached.get(&ty).copied().unwrap_or((input, !input));
        let twin = from_input && from_output && self.differs(ty);
        let as_input = if twin { input } else { from_input };
        if self.seen.insert((ty, as_input)) {
            self.queue.push_back((ty, as_input));
        }
        let name = self.def_name(ty);
        if twin && as_input {
            format!("{name}.input")
        } else {
            name
        }
    }

    /// Notes every named type `ty` reaches, and whether from an input.
    fn reach(&mut self, ty: &Type, input: bool) {
        let Type::Id(id) = ty else {
            return;
        };
        let id = self.canonical(*id);
        if self.resolve.types[id].name.is_some() {
            let entry = self.reached.entry(id).or_default();
            let before = *entry;
            if input {
                entry.0 = true;
            } else {
                entry.1 = true;
            }
            if *entry == before {
                return;
            }
        }
        let inner: Vec<Type> = match &self.resolve.types[id].kind {
            TypeDefKind::Record(r) => r.fields.iter().map(|f| f.ty).collect(),
            TypeDefKind::Variant(v) => v.cases.iter().filter_map(|c| c.ty).collect(),
            TypeDefKind::Tuple(t) => t.types.clone(),
            TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => vec![*t],
            TypeDefKind::Result(r) => r.ok.iter().chain(&r.err).copied().collect(),
            _ => Vec::new(),
        };
        for ty in inner {
            self.reach(&ty, input);
        }
    }

    /// Whether a type is written differently as an input: it is or holds an enum with a
    /// case `unknown` (an answer's catch-all, which no request takes) or a secret.
    fn differs(&self, id: TypeId) -> bool {
        let def = &self.resolve.types[id];
        let name = def.name.as_ref().map(|_| self.def_name(id));
        let secret = |field: &str| {
            name.as_ref()
                .is_some_and(|name| table::SECRETS.contains(&format!("{name}.{field}").as_str()))
        };
        let inner = |ty: &Type| matches!(ty, Type::Id(t) if self.differs(self.canonical(*t)));
        match &def.kind {
            TypeDefKind::Enum(e) => e.cases.iter().any(|c| c.name == "unknown"),
            TypeDefKind::Record(r) => r.fields.iter().any(|f| secret(&f.name) || inner(&f.ty)),
            TypeDefKind::Variant(v) => v
                .cases
                .iter()
                .any(|c| secret(&c.name) || c.ty.as_ref().is_some_and(inner)),
            TypeDefKind::Tuple(t) => t.types.iter().any(inner),
            TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => inner(t),
            _ => false,
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
                    let name = self.enqueue(id, input);
                    return json!({"$ref": format!("#/$defs/{name}")});
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
            let key = match self.reached.get(&ty) {
                Some((true, true)) if input && self.differs(ty) => format!("{name}.input"),
                _ => name.clone(),
            };
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
                        self.json_field(&mut property, &path);
                        if input {
                            text_rules(&mut property, &path, &field.name);
                            list_rules(&mut property, &path);
                        }
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
                        .filter(|c| !(input && c.name == "unknown"))
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
                                self.json_field(&mut payload, &path);
                                if input {
                                    text_rules(&mut payload, &path, &case.name);
                                }
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
            self.defs.insert(key, schema);
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

    fn finish(mut self, version: &str) -> Value {
        self.drain();
        let mut defs = std::mem::take(&mut self.defs);
        defs.extend(std::mem::take(&mut self.outputs));
        let used: BTreeSet<&str> = table::SECRETS
            .iter()
            .chain(table::ACCEPTS.iter().map(|(p, _)| p))
            .chain(table::JSON_FIELDS.iter().map(|(p, _)| p))
            .chain(table::ENGINE_KEPT)
            .chain(table::FIELDS_FROM.iter().map(|(f, _)| f))
            .chain(table::NOT_BLANK_FIELDS.iter().filter(|f| f.contains('.')))
            .chain(table::NOT_EMPTY_FIELDS)
            .chain(table::NOT_EMPTY_LISTS)
            .chain(table::ONE_HEADER.iter().map(|(p, _)| p))
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
        schema
    }
}

/// A table pattern with its placeholders filled: `{S}` a white-space character, `{W}` the
/// inside of that class, `{HEADERS}` the headers a raw request cannot set (any case).
fn pattern(template: &str) -> String {
    let headers: Vec<String> = limits::FORBIDDEN_HEADERS
        .iter()
        .map(|h| any_case(h))
        .collect();
    template
        .replace("{S}", &format!("[{}]", table::WHITE))
        .replace("{W}", table::WHITE)
        .replace("{HEADERS}", &headers.join("|"))
}

/// A word in any ASCII case, as a pattern: `Host` → `[Hh][Oo][Ss][Tt]`.
fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| match c.is_ascii_alphabetic() {
            true => format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase()),
            false => regex_escape(c),
        })
        .collect()
}

/// A character outside a class, as a pattern with the `u` flag reads it (where `\-` is an
/// error).
fn regex_escape(c: char) -> String {
    match c {
        '.' => format!("\\{c}"),
        c => c.to_string(),
    }
}

/// What the component requires of a text field of a request: not blank, one path segment,
/// or a pattern of its own (`src/catalog/table.rs`).
fn text_rules(schema: &mut Value, path: &str, field: &str) {
    if table::JSON_FIELDS.iter().any(|(p, _)| *p == path) {
        // Its text is ruled where it is made ([`Schema::json_field`]).
        return;
    }
    let patterns: Vec<(&str, String)> = table::PATTERNS
        .iter()
        .filter_map(|(p, pat)| Some((p.strip_prefix(path)?, pattern(pat))))
        .collect();
    let target = value_case(schema);
    let is_text = target["type"] == "string" || target["type"] == json!(["string", "null"]);
    let not_blank = table::NOT_BLANK_FIELDS
        .iter()
        .any(|f| *f == field || *f == path);
    if table::PATH_SEGMENTS.contains(&field) {
        assert!(is_text, "{path}: a path segment is text");
        target["pattern"] = json!(pattern(table::SEGMENT));
        target["maxLength"] = json!(1024);
    } else if not_blank {
        assert!(is_text, "{path}: only text can be blank");
        target["pattern"] = json!(pattern(table::NOT_BLANK));
    } else if table::NOT_EMPTY_FIELDS.contains(&path) {
        assert!(is_text, "{path}: only text can be empty");
        target["minLength"] = json!(1);
    }
    for (rest, pat) in patterns {
        if rest.is_empty() {
            assert!(is_text, "{path}: a pattern is for text");
            target["pattern"] = json!(pat);
        } else if rest == "[]" {
            target["items"]["pattern"] = json!(pat);
        } else if let Some(item_field) = rest.strip_prefix("[].") {
            let items = target["items"].take();
            let field = json!({"type": "string", "pattern": pat});
            let fields = json!({"type": "object", "properties": {item_field: field}});
            target["items"] = json!({"allOf": [items, fields]});
        }
    }
}

/// What the component requires of a list in a request: an item at least, or exactly one
/// header of a name (`src/catalog/table.rs`).
fn list_rules(schema: &mut Value, path: &str) {
    let target = value_case(schema);
    if table::NOT_EMPTY_LISTS.contains(&path) {
        assert!(target["type"] == "array", "{path}: not a list");
        target["minItems"] = json!(1);
    }
    if let Some((_, header)) = table::ONE_HEADER.iter().find(|(p, _)| *p == path) {
        assert!(target["type"] == "array", "{path}: not a list");
        let named = json!({
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string", "pattern": format!("^{}$", any_case(header))}},
        });
        target["contains"] = named.clone();
        target["minContains"] = json!(1);
        target["maxContains"] = json!(1);
        let valued = json!({
            "type": "object",
            "properties": {"value": {"type": "string", "pattern": pattern(table::NOT_BLANK)}},
        });
        let items = target["items"].take();
        target["items"] = json!({"allOf": [items, {"if": named, "then": valued}]});
    }
}

/// What a field that holds JSON takes, decoded: its schema from the table.
fn json_shape(shape: &table::Json, record_fields: impl Fn(&str) -> Vec<String>) -> Value {
    // As `patternProperties`, so a form offers no field for them.
    let null_only = |keys: &[String]| {
        let names = format!("^(?:{})$", keys.join("|"));
        json!({"type": "object", "patternProperties": {names: {"type": "null"}}})
    };
    match shape {
        table::Json::Object => json!({"type": "object"}),
        table::Json::ObjectOrArray => json!({"type": ["object", "array"]}),
        table::Json::ObjectBeside(record) => null_only(
            &record_fields(record)
                .iter()
                .map(|f| camel(f))
                .collect::<Vec<_>>(),
        ),
        table::Json::ObjectWithout(keys) => {
            null_only(&keys.iter().map(|k| k.to_string()).collect::<Vec<_>>())
        }
        table::Json::Shaped(text) => serde_json::from_str(text).expect("a JSON Schema"),
    }
}

/// `cost-center` → `costCenter`.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        match c {
            '-' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// The case of a field's schema that holds its value: the first of an optional field's
/// `anyOf` (the value, then null), or the schema itself.
fn value_case(schema: &mut Value) -> &mut Value {
    if schema.get("anyOf").is_some() {
        return &mut schema["anyOf"][0];
    }
    schema
}

/// A string field that holds JSON: the JSON it takes (each type a named choice) or its
/// text, whose `contentSchema` is the same; null stays a choice where it was one.
fn holds_json(schema: &mut Value, path: &str, shape: Value) {
    let nullable = schema["type"] == json!(["string", "null"]);
    assert!(
        nullable || schema["type"] == "string",
        "src/catalog/table.rs: {path} holds JSON, so it is a string"
    );
    let mut cases: Vec<Value> = match &shape["type"] {
        Value::Array(types) => types
            .iter()
            .map(|ty| json!({"type": ty, "title": title(ty.as_str().expect("a type"))}))
            .collect(),
        _ => {
            let mut object = shape.clone();
            object["title"] = json!("Object");
            vec![object]
        }
    };
    cases.push(json!({
        "type": "string",
        "title": "JSON text",
        "contentMediaType": "application/json",
        "contentSchema": shape,
    }));
    if nullable {
        cases.push(json!({"type": "null", "title": "None"}));
    }
    *schema = json!({"anyOf": cases});
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

/// The docs as a description: plain text, as a form shows it (the WIT's code marks
/// dropped, its lines joined).
fn described(mut schema: Value, docs: &Docs) -> Value {
    let text = plain(docs.contents.as_deref().unwrap_or(""));
    if !text.is_empty() {
        schema["description"] = json!(text);
    }
    schema
}

/// Doc text without Markdown's code marks, its lines joined by spaces.
fn plain(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('`', "")
}

/// The description, the format the docs name, and a whole number's bounds and default from
/// `src/catalog/limits.rs` (the component's own): docs that state a number for a field
/// with no row there fail the build rather than be guessed at.
fn annotate(schema: &mut Value, docs: &Docs, path: &str) {
    let text = docs.contents.as_deref().unwrap_or("").replace('\n', " ");
    let target = value_case(schema);
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
        // The UTC form Okta writes and the component reads (`objects::timestamp`).
        target["pattern"] = json!("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$");
    }
    let default = match limit {
        Some(bounds) => bounds.default.map(|n| json!(n)),
        None if is("integer") => None,
        None => default_in(&text),
    };
    if let Some(default) = default {
        // An optional record or enum is a choice of it or null: the default belongs to the
        // value's case, where a form's select offers it, not to the choice.
        value_case(schema)["default"] = default;
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

/// Absent, null or blank text: a field not given.
fn blank() -> Value {
    json!({"anyOf": [
        {"type": "null"},
        {"type": "string", "pattern": format!("^[{}]*$", table::WHITE)},
    ]})
}

/// Puts `leaf` at a field of `schema` (`record/field` reaches inside a record, `record/*`
/// is each of its fields). `required`: the field and the records on its way are there,
/// each an object, as an `if` asks; otherwise an absent field holds vacuously.
fn put(schema: &mut Value, field: &str, leaf: Value, required: bool) {
    let steps: Vec<&str> = field.split('/').collect();
    let mut at = schema;
    for (i, step) in steps.iter().enumerate() {
        if *step == "*" {
            at["additionalProperties"] = leaf;
            return;
        }
        if required {
            match at["required"].as_array_mut() {
                Some(names) if !names.contains(&json!(step)) => names.push(json!(step)),
                Some(_) => {}
                None => at["required"] = json!([step]),
            }
        }
        at = &mut at["properties"][*step];
        if i + 1 < steps.len() {
            // A record inside: say it is one, as a strict validator wants (where the field
            // need not be there, a null record holds too).
            at["type"] = match required {
                true => json!("object"),
                false => json!(["object", "null"]),
            };
        }
    }
    *at = leaf;
}

/// Every one of `fields` given: present, not null, and not blank if it is text.
fn given(fields: &[&str]) -> Value {
    let mut schema = json!({});
    for field in fields {
        put(&mut schema, field, json!({"not": blank()}), true);
    }
    schema
}

/// Every one of `fields` not given: absent, null or blank text.
fn unset(fields: &[&str]) -> Value {
    let mut schema = json!({});
    for field in fields {
        put(&mut schema, field, blank(), false);
    }
    schema
}

/// What a [`table::Then`] asks, as schema keywords.
fn then(asks: &[table::Then]) -> Value {
    let mut schema = json!({});
    let mut all = Vec::new();
    for ask in asks {
        match ask {
            table::Then::Given(field) => put(&mut schema, field, json!({"not": blank()}), true),
            table::Then::Unset(field) => put(&mut schema, field, blank(), false),
            table::Then::Not(field, value) => {
                let value: Value = serde_json::from_str(value).expect("a JSON value");
                let mut not = json!({});
                put(&mut not, field, json!({"not": {"const": value}}), false);
                all.push(not);
            }
            table::Then::Chars(field, n) => {
                let mut chars = json!({});
                let text = json!({"type": "string", "minLength": n, "maxLength": n});
                put(
                    &mut chars,
                    field,
                    json!({"anyOf": [{"type": "null"}, text]}),
                    false,
                );
                all.push(chars);
            }
            table::Then::Requires(field, other) => all.push(json!({
                "if": given(&[field]),
                "then": given(&[other]),
            })),
        }
    }
    if !all.is_empty() {
        schema["allOf"] = json!(all);
    }
    schema
}

/// The table's rules for a request, as schema keywords.
fn rules(object: &mut Value, name: &str) {
    let Some((_, rules)) = table::RULES.iter().find(|(def, _)| *def == name) else {
        return;
    };
    let mut all = Vec::new();
    for rule in *rules {
        match rule {
            table::Rule::AtMostOne(fields) => {
                let mut pairs = Vec::new();
                for (i, a) in fields.iter().enumerate() {
                    for b in &fields[i + 1..] {
                        pairs.push(given(&[a, b]));
                    }
                }
                all.push(json!({"not": {"anyOf": pairs}}));
            }
            table::Rule::Requires(field, others) => all.push(json!({
                "if": given(&[field]),
                "then": given(others),
            })),
            table::Rule::AtLeastOne(fields) => all.push(json!({"not": unset(fields)})),
            table::Rule::AtMost(field, max) => {
                let mut rule = json!({});
                let leaf = json!({"type": ["integer", "null"], "maximum": max});
                put(&mut rule, field, leaf, false);
                all.push(rule);
            }
            table::Rule::WhenTrue(field, needs) => all.push(json!({
                "if": {"required": [field], "properties": {*field: {"enum": [true]}}},
                "then": given(needs),
            })),
            table::Rule::TrueOnlyWith(field, on) => all.push(json!({
                "if": {"required": [field], "properties": {*field: {"enum": [true]}}},
                "then": {"required": [on], "properties": {*on: {"enum": [true]}}},
            })),
            table::Rule::When {
                field,
                cases,
                then: asks,
            } => {
                let mut when = json!({});
                put(&mut when, field, json!({"enum": cases}), true);
                all.push(json!({"if": when, "then": then(asks)}));
            }
            table::Rule::OnlyWhen { field, on, cases } => all.push(json!({
                "if": given(&[field]),
                "then": {"required": [on], "properties": {*on: {"enum": cases}}},
            })),
        }
    }
    if !all.is_empty() {
        object["allOf"] = json!(all);
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
    plain(&lines.join(" "))
}
