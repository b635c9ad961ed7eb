//! JSON ↔ component values, by the component's own types, so any node can be called with
//! JSON that uses the WIT names.
//!
//! Records are objects keyed by WIT field name; an `option` is `null` or absent when empty;
//! an `enum` is its case name; a `variant` is `"case"` without a payload or
//! `{"case": payload}`; lists and tuples are arrays; flags are arrays of names. A string is
//! a string, except at a place the catalog says holds JSON (`request.profile-extra`): there
//! an object or array is taken as its JSON text.

use anyhow::{Result, anyhow, bail};
use serde_json::{Map, Value, json};
use wasmtime::component::{Type, Val};

/// Converts JSON to a value of type `ty`; `at` names the place for errors (`request.page`).
pub fn to_val(json: &Value, ty: &Type, at: &str) -> Result<Val> {
    to_val_holding(json, ty, at, &[])
}

/// [`to_val`], where the strings at `json_places` hold JSON: an object or array there is
/// taken as its text. A place is written as `at` names it, with `[]` for any list index
/// (`request.body.json`).
pub fn to_val_holding(json: &Value, ty: &Type, at: &str, json_places: &[String]) -> Result<Val> {
    let to_val = |json: &Value, ty: &Type, at: &str| to_val_holding(json, ty, at, json_places);
    Ok(match ty {
        Type::Bool => Val::Bool(
            json.as_bool()
                .ok_or_else(|| expected(at, "true or false", json))?,
        ),
        Type::String => Val::String(match json {
            Value::String(text) => text.clone(),
            Value::Object(_) | Value::Array(_) if holds_json(json_places, at) => json.to_string(),
            _ if holds_json(json_places, at) => {
                return Err(expected(at, "JSON (an object, or its text)", json));
            }
            _ => return Err(expected(at, "a string", json)),
        }),
        Type::Char => {
            let s = json
                .as_str()
                .ok_or_else(|| expected(at, "a character", json))?;
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Val::Char(c),
                _ => return Err(expected(at, "one character", json)),
            }
        }
        Type::U8 => Val::U8(unsigned(json, at)?),
        Type::U16 => Val::U16(unsigned(json, at)?),
        Type::U32 => Val::U32(unsigned(json, at)?),
        Type::U64 => Val::U64(unsigned(json, at)?),
        Type::S8 => Val::S8(signed(json, at)?),
        Type::S16 => Val::S16(signed(json, at)?),
        Type::S32 => Val::S32(signed(json, at)?),
        Type::S64 => Val::S64(signed(json, at)?),
        Type::Float32 => Val::Float32(
            json.as_f64()
                .ok_or_else(|| expected(at, "a number", json))? as f32,
        ),
        Type::Float64 => Val::Float64(
            json.as_f64()
                .ok_or_else(|| expected(at, "a number", json))?,
        ),
        Type::List(list) => {
            let items = json
                .as_array()
                .ok_or_else(|| expected(at, "an array", json))?;
            let elem = list.ty();
            Val::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| to_val(item, &elem, &format!("{at}[{i}]")))
                    .collect::<Result<_>>()?,
            )
        }
        Type::Record(record) => {
            let object = json
                .as_object()
                .ok_or_else(|| expected(at, "an object", json))?;
            let names: Vec<&str> = record.fields().map(|f| f.name).collect();
            if let Some(unknown) = object.keys().find(|k| !names.contains(&k.as_str())) {
                bail!(
                    "{at} has no field `{unknown}`; its fields are: {}",
                    names.join(", ")
                );
            }
            let mut fields = Vec::with_capacity(names.len());
            for field in record.fields() {
                let place = join(at, field.name);
                let value = match (object.get(field.name), &field.ty) {
                    (None | Some(Value::Null), Type::Option(_)) => Val::Option(None),
                    (None, _) => bail!("{place} is required"),
                    (Some(value), ty) => to_val(value, ty, &place)?,
                };
                fields.push((field.name.to_string(), value));
            }
            Val::Record(fields)
        }
        Type::Tuple(tuple) => {
            let items = json
                .as_array()
                .ok_or_else(|| expected(at, "an array", json))?;
            let types: Vec<Type> = tuple.types().collect();
            if items.len() != types.len() {
                bail!("{at} must have {} items", types.len());
            }
            Val::Tuple(
                items
                    .iter()
                    .zip(&types)
                    .enumerate()
                    .map(|(i, (item, ty))| to_val(item, ty, &format!("{at}[{i}]")))
                    .collect::<Result<_>>()?,
            )
        }
        Type::Variant(variant) => {
            let (name, payload) = case_of(json, at)?;
            let case = variant.cases().find(|c| c.name == name).ok_or_else(|| {
                let names: Vec<&str> = variant.cases().map(|c| c.name).collect();
                anyhow!("{at}: `{name}` is not one of {}", names.join(", "))
            })?;
            let payload = match (case.ty, payload) {
                (None, None) => None,
                (Some(ty), Some(payload)) => Some(Box::new(to_val(payload, &ty, &join(at, name))?)),
                (None, Some(_)) => bail!("{at}: `{name}` takes no value"),
                (Some(_), None) => bail!("{at}: `{name}` needs a value: {{\"{name}\": ...}}"),
            };
            Val::Variant(name.to_string(), payload)
        }
        Type::Enum(enumeration) => {
            let name = json
                .as_str()
                .ok_or_else(|| expected(at, "a string", json))?;
            if !enumeration.names().any(|n| n == name) {
                let names: Vec<&str> = enumeration.names().collect();
                bail!("{at}: `{name}` is not one of {}", names.join(", "));
            }
            Val::Enum(name.to_string())
        }
        Type::Option(option) => match json {
            Value::Null => Val::Option(None),
            value => Val::Option(Some(Box::new(to_val(value, &option.ty(), at)?))),
        },
        Type::Flags(flags) => {
            let items = json
                .as_array()
                .ok_or_else(|| expected(at, "an array of names", json))?;
            let mut set = Vec::new();
            for item in items {
                let name = item
                    .as_str()
                    .ok_or_else(|| expected(at, "an array of names", json))?;
                if !flags.names().any(|n| n == name) {
                    bail!("{at}: `{name}` is not a flag");
                }
                set.push(name.to_string());
            }
            Val::Flags(set)
        }
        other => bail!("{at}: values of type {other:?} cannot come from JSON"),
    })
}

/// Converts a value back to JSON.
pub fn to_json(val: &Val) -> Value {
    match val {
        Val::Bool(b) => Value::Bool(*b),
        Val::S8(n) => (*n).into(),
        Val::U8(n) => (*n).into(),
        Val::S16(n) => (*n).into(),
        Val::U16(n) => (*n).into(),
        Val::S32(n) => (*n).into(),
        Val::U32(n) => (*n).into(),
        Val::S64(n) => (*n).into(),
        Val::U64(n) => (*n).into(),
        Val::Float32(n) => {
            serde_json::Number::from_f64(f64::from(*n)).map_or(Value::Null, Value::Number)
        }
        Val::Float64(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        Val::Char(c) => Value::String(c.to_string()),
        Val::String(s) => Value::String(s.clone()),
        Val::List(items) | Val::Tuple(items) | Val::FixedLengthList(items) => {
            Value::Array(items.iter().map(to_json).collect())
        }
        Val::Record(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, value)| (name.clone(), to_json(value)))
                .collect(),
        ),
        Val::Variant(name, None) | Val::Enum(name) => Value::String(name.clone()),
        Val::Variant(name, Some(payload)) => {
            Value::Object(Map::from_iter([(name.clone(), to_json(payload))]))
        }
        Val::Option(None) => Value::Null,
        Val::Option(Some(value)) => to_json(value),
        Val::Result(Ok(value)) => Value::Object(Map::from_iter([(
            "ok".to_string(),
            value.as_deref().map_or(Value::Null, to_json),
        )])),
        Val::Result(Err(value)) => Value::Object(Map::from_iter([(
            "error".to_string(),
            value.as_deref().map_or(Value::Null, to_json),
        )])),
        Val::Flags(names) => Value::Array(names.iter().cloned().map(Value::String).collect()),
        Val::Map(pairs) => Value::Array(
            pairs
                .iter()
                .map(|(k, v)| Value::Array(vec![to_json(k), to_json(v)]))
                .collect(),
        ),
        Val::Resource(_) | Val::Future(_) | Val::Stream(_) | Val::ErrorContext(_) => Value::Null,
    }
}

/// The component's types as JSON, each once, for a host in another language that turns
/// this module's JSON into its own bindings' values (`okta-nodes shapes`). A type is a
/// primitive's WIT name (`"string"`, `"u32"`) or an object naming its kind, with the
/// indexes of the types inside it: `{"list": 3}`, `{"option": 3}`,
/// `{"record": [["field", 3], ...]}`, `{"tuple": [3, 4]}`,
/// `{"variant": [["case", 3 or null], ...]}`, `{"enum": ["case", ...]}`,
/// `{"flags": ["name", ...]}`, `{"result": [ok or null, err or null]}`.
#[derive(Debug, Default)]
pub struct Shapes {
    types: Vec<Value>,
}

impl Shapes {
    /// The index of `ty`, adding it and the types inside it when they are new.
    pub fn add(&mut self, ty: &Type) -> usize {
        let mut some = |ty: Option<Type>| ty.map(|ty| self.add(&ty));
        let shape = match ty {
            Type::Bool => json!("bool"),
            Type::S8 => json!("s8"),
            Type::U8 => json!("u8"),
            Type::S16 => json!("s16"),
            Type::U16 => json!("u16"),
            Type::S32 => json!("s32"),
            Type::U32 => json!("u32"),
            Type::S64 => json!("s64"),
            Type::U64 => json!("u64"),
            Type::Float32 => json!("f32"),
            Type::Float64 => json!("f64"),
            Type::Char => json!("char"),
            Type::String => json!("string"),
            Type::List(list) => json!({ "list": some(Some(list.ty())) }),
            Type::Option(option) => json!({ "option": some(Some(option.ty())) }),
            Type::Record(record) => json!({ "record": record
                .fields()
                .map(|field| json!([field.name, some(Some(field.ty))]))
                .collect::<Vec<_>>() }),
            Type::Tuple(tuple) => json!({ "tuple": tuple
                .types()
                .map(|ty| some(Some(ty)))
                .collect::<Vec<_>>() }),
            Type::Variant(variant) => json!({ "variant": variant
                .cases()
                .map(|case| json!([case.name, some(case.ty)]))
                .collect::<Vec<_>>() }),
            Type::Enum(enumeration) => json!({ "enum": enumeration.names().collect::<Vec<_>>() }),
            Type::Flags(flags) => json!({ "flags": flags.names().collect::<Vec<_>>() }),
            Type::Result(result) => json!({ "result": [some(result.ok()), some(result.err())] }),
            other => json!({ "unsupported": format!("{other:?}") }),
        };
        match self.types.iter().position(|known| *known == shape) {
            Some(index) => index,
            None => {
                self.types.push(shape);
                self.types.len() - 1
            }
        }
    }

    /// The table: a type's index is its place in it.
    pub fn into_types(self) -> Vec<Value> {
        self.types
    }
}

/// A variant case given as `"case"` or `{"case": payload}`.
fn case_of<'a>(json: &'a Value, at: &str) -> Result<(&'a str, Option<&'a Value>)> {
    match json {
        Value::String(name) => Ok((name, None)),
        Value::Object(object) if object.len() == 1 => {
            let (name, payload) = object
                .iter()
                .next()
                .ok_or_else(|| anyhow!("{at} is empty"))?;
            Ok((name, Some(payload)))
        }
        other => Err(expected(at, "\"case\" or {\"case\": value}", other)),
    }
}

fn unsigned<T: TryFrom<u64>>(json: &Value, at: &str) -> Result<T> {
    json.as_u64()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| expected(at, "a whole number in range", json))
}

fn signed<T: TryFrom<i64>>(json: &Value, at: &str) -> Result<T> {
    json.as_i64()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| expected(at, "a whole number in range", json))
}

/// Whether `at` (`request.items[3].body`) is one of `places` (`request.items[].body`).
fn holds_json(places: &[String], at: &str) -> bool {
    if places.is_empty() {
        return false;
    }
    let mut place = String::with_capacity(at.len());
    let mut index = false;
    for c in at.chars() {
        match c {
            '[' => {
                index = true;
                place.push_str("[]");
            }
            ']' => index = false,
            _ if index => {}
            c => place.push(c),
        }
    }
    places.contains(&place)
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_string()
    } else {
        format!("{at}.{name}")
    }
}

fn expected(at: &str, what: &str, got: &Value) -> anyhow::Error {
    let got = match got {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    anyhow!("{at} must be {what}, not {got}")
}
