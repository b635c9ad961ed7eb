//! The `operations` interface: any operation of Okta's Management spec by its
//! `operationId`, its input checked against the operation's table row (generated from the
//! spec by `build.rs`) before anything is sent, and sent through the same client as every
//! node.

use crate::client::error::{decode, invalid_input};
use crate::client::paging::{self, Paging};
use crate::client::spec::{Body, Method, RequestSpec, Retry};
use crate::client::{Client, Transport, encode};
use crate::nodes::raw::{check_headers, multipart};
use crate::wit::operations::OperationRequest;
use crate::wit::raw::MultipartPart;
use crate::wit::types::OktaError;
use serde_json::{Map, Value};

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// The largest input taken, in bytes: the largest body and room for its parameters.
const MAX_INPUT: usize = crate::client::MAX_BODY + (64 << 10);

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum At {
    /// One path segment, in place of `{name}`.
    Path,
    /// A query parameter.
    Query,
    /// A request header.
    Header,
}

/// What a parameter takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Text.
    Text,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// A list of text: repeated (`explode`) or joined by commas.
    List {
        /// `name=a&name=b` rather than `name=a,b`.
        explode: bool,
    },
}

/// One parameter of an operation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Param {
    /// The spec's name.
    pub name: &'static str,
    /// Where it goes.
    pub at: At,
    /// What it takes.
    pub kind: Kind,
    /// Whether it must be given (every path parameter is).
    pub required: bool,
    /// The values it takes, as text; any when empty.
    pub values: &'static [&'static str],
    /// The least number it takes.
    pub min: Option<f64>,
    /// The greatest number it takes.
    pub max: Option<f64>,
    /// The longest text it takes, in characters.
    pub max_len: u64,
}

/// How a request body is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// A JSON object.
    Object,
    /// A JSON array.
    Array,
    /// Any JSON.
    Any,
    /// Text sent as it is, in the operation's media type (a certificate).
    Text,
    /// `multipart/form-data` parts.
    Parts,
}

/// An operation's request body.
#[derive(Debug)]
pub(crate) struct BodyRule {
    /// The media type sent.
    pub media: &'static str,
    /// Whether the operation needs one.
    pub required: bool,
    /// How it is taken.
    pub kind: BodyKind,
    /// The members a JSON object body must have.
    pub members: &'static [&'static str],
}

/// One operation of the spec.
#[derive(Debug)]
pub(crate) struct Operation {
    /// The spec's `operationId`.
    pub id: &'static str,
    /// The method.
    pub method: Method,
    /// The path template, `{name}` for each path parameter.
    pub path: &'static str,
    /// Its parameters.
    pub params: &'static [Param],
    /// Its body, if it takes one.
    pub body: Option<BodyRule>,
    /// Whether it pages by `after` (its `limit` and `after` are the input's `page`).
    pub pages: bool,
    /// Whether sending it twice does no more than once.
    pub repeatable: bool,
    /// Whether Okta answers text (a certificate request, XML) rather than JSON.
    pub text_answer: bool,
}

impl Operation {
    /// The operation of this id.
    pub(crate) fn find(id: &str) -> Option<&'static Operation> {
        OPERATIONS
            .binary_search_by(|op| op.id.cmp(id))
            .ok()
            .map(|at| &OPERATIONS[at])
    }

    /// The request for an input, checked; and the paging, for an operation that pages.
    pub(crate) fn build(&self, input: &str) -> Result<(RequestSpec, Option<Paging>), OktaError> {
        if input.len() > MAX_INPUT {
            return Err(invalid_input(format!(
                "the input is larger than {MAX_INPUT} bytes"
            )));
        }
        let input: Value = match input.trim() {
            "" => Value::Object(Map::new()),
            text => serde_json::from_str(text)
                .map_err(|e| invalid_input(format!("the input is not JSON: {e}")))?,
        };
        let Value::Object(input) = input else {
            return Err(invalid_input("the input must be a JSON object"));
        };
        for name in input.keys() {
            let known = self.params.iter().any(|p| p.name == name)
                || (name == "body" && self.body.is_some())
                || (name == "page" && self.pages);
            if !known {
                return Err(invalid_input(format!("{} takes no `{name}`", self.id)));
            }
        }
        let given = |name: &str| input.get(name).filter(|v| !v.is_null());
        let mut path = String::new();
        let mut rest = self.path;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
            path.push_str(&rest[..open]);
            let name = &rest[open + 1..close];
            let param = self
                .params
                .iter()
                .find(|p| p.name == name && p.at == At::Path);
            let value = match (param, given(name)) {
                (Some(param), Some(value)) => param.text(value)?,
                _ => return Err(invalid_input(format!("{name} is required"))),
            };
            path.push_str(&encode::segment(name, &value)?);
            rest = rest.get(close + 1..).unwrap_or_default();
        }
        path.push_str(rest);
        let mut spec = RequestSpec::with_method(self.method, path).retry(if self.repeatable {
            Retry::Safe
        } else {
            Retry::Unsafe
        });
        let mut headers = Vec::new();
        for param in self.params.iter().filter(|p| p.at != At::Path) {
            let Some(value) = given(param.name) else {
                if param.required {
                    return Err(invalid_input(format!("{} is required", param.name)));
                }
                continue;
            };
            for text in param.texts(value)? {
                match param.at {
                    At::Header => headers.push(crate::wit::types::Pair {
                        name: param.name.into(),
                        value: text,
                    }),
                    _ => spec = spec.query(param.name, text),
                }
            }
        }
        spec.headers = check_headers(&headers)?;
        spec.body = match (&self.body, given("body")) {
            (Some(rule), Some(body)) => Some(rule.encode(body)?),
            (Some(rule), None) if rule.required => {
                return Err(invalid_input("body is required"));
            }
            _ => None,
        };
        let paging = match self.pages {
            true => Some(paging::plan(
                paging::from_json(given("page"))?.as_ref(),
                Some(true),
            )?),
            false => None,
        };
        Ok((spec, paging))
    }
}

impl Param {
    /// The one text value of a scalar parameter, checked.
    fn text(&self, value: &Value) -> Result<String, OktaError> {
        let name = self.name;
        let text = match (self.kind, value) {
            (Kind::Text, Value::String(s)) => {
                if s.chars().count() as u64 > self.max_len {
                    return Err(invalid_input(format!(
                        "{name} is longer than {} characters",
                        self.max_len
                    )));
                }
                s.clone()
            }
            (Kind::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => {
                self.bounded(n.as_f64().unwrap_or_default())?;
                n.to_string()
            }
            // JSON Schema's integer: a number without a fraction (`5.0`), within i64.
            (Kind::Integer, Value::Number(n))
                if n.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.0e18) =>
            {
                let whole = n.as_f64().unwrap_or_default();
                self.bounded(whole)?;
                (whole as i64).to_string()
            }
            (Kind::Boolean, Value::Bool(b)) => b.to_string(),
            (kind, _) => {
                return Err(invalid_input(format!(
                    "{name} must be {}",
                    match kind {
                        Kind::Text => "a string",
                        Kind::Integer => "a whole number",
                        Kind::Boolean => "true or false",
                        Kind::List { .. } => "an array of strings",
                    }
                )));
            }
        };
        self.listed(&text)?;
        if self.at == At::Header && text.chars().any(char::is_control) {
            return Err(invalid_input(format!("{name} holds a control character")));
        }
        Ok(text)
    }

    /// The texts a parameter sends: one, or a list's (each checked), repeated or joined.
    fn texts(&self, value: &Value) -> Result<Vec<String>, OktaError> {
        let Kind::List { explode } = self.kind else {
            return self.text(value).map(|t| vec![t]);
        };
        let Value::Array(items) = value else {
            return Err(invalid_input(format!(
                "{} must be an array of strings",
                self.name
            )));
        };
        let item = Param {
            kind: Kind::Text,
            ..*self
        };
        let texts = items
            .iter()
            .map(|v| item.text(v))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(match explode {
            true => texts,
            false if texts.is_empty() => Vec::new(),
            false => vec![texts.join(",")],
        })
    }

    /// Checks a number against the parameter's bounds.
    fn bounded(&self, n: f64) -> Result<(), OktaError> {
        let below = self.min.is_some_and(|min| n < min);
        let above = self.max.is_some_and(|max| n > max);
        if below || above {
            return Err(invalid_input(format!(
                "{} must be from {} to {}",
                self.name,
                self.min.map_or("any".into(), |m| m.to_string()),
                self.max.map_or("any".into(), |m| m.to_string()),
            )));
        }
        Ok(())
    }

    /// Checks a value against the parameter's enum.
    fn listed(&self, text: &str) -> Result<(), OktaError> {
        if self.values.is_empty() || self.values.contains(&text) {
            return Ok(());
        }
        Err(invalid_input(format!(
            "{} must be one of {}",
            self.name,
            self.values.join(", ")
        )))
    }
}

impl BodyRule {
    /// The body as sent, checked against the rule.
    fn encode(&self, body: &Value) -> Result<Body, OktaError> {
        let wrong = |what: &str| Err(invalid_input(format!("body must be {what}")));
        match (self.kind, body) {
            (BodyKind::Object, Value::Object(members)) => {
                if let Some(missing) = self.members.iter().find(|m| !members.contains_key(**m)) {
                    return Err(invalid_input(format!("body.{missing} is required")));
                }
            }
            (BodyKind::Object, _) => return wrong("a JSON object"),
            (BodyKind::Array, Value::Array(_)) | (BodyKind::Any, _) => {}
            (BodyKind::Array, _) => return wrong("a JSON array"),
            (BodyKind::Text, Value::String(text)) if !text.trim().is_empty() => {
                return Ok(Body::Bytes {
                    content_type: self.media.into(),
                    bytes: text.clone().into_bytes(),
                });
            }
            (BodyKind::Text, _) => return wrong("text that is not blank"),
            (BodyKind::Parts, Value::Array(parts)) if !parts.is_empty() => {
                let parts = parts.iter().map(part).collect::<Result<Vec<_>, _>>()?;
                return multipart(&parts);
            }
            (BodyKind::Parts, _) => return wrong("a list of multipart parts"),
        }
        Ok(match self.media {
            "application/json" => Body::Json(body.clone()),
            media => Body::Bytes {
                content_type: media.into(),
                bytes: body.to_string().into_bytes(),
            },
        })
    }
}

/// One multipart part of a body: `{name, filename, content-type, data-base64}`.
fn part(value: &Value) -> Result<MultipartPart, OktaError> {
    let Value::Object(part) = value else {
        return Err(invalid_input("a multipart part must be an object"));
    };
    let text = |key: &str, required: bool| match part.get(key) {
        Some(Value::String(s)) => Ok(Some(s.clone())),
        None | Some(Value::Null) if !required => Ok(None),
        _ => Err(invalid_input(format!(
            "a multipart part's {key} must be a string"
        ))),
    };
    if let Some(key) = part
        .keys()
        .find(|k| !["name", "filename", "content-type", "data-base64"].contains(&k.as_str()))
    {
        return Err(invalid_input(format!("a multipart part takes no `{key}`")));
    }
    Ok(MultipartPart {
        name: text("name", true)?.unwrap_or_default(),
        filename: text("filename", false)?,
        content_type: text("content-type", false)?,
        data_base64: text("data-base64", true)?.unwrap_or_default(),
    })
}

/// `operations.call`.
pub(crate) fn call<T: Transport>(
    client: &mut Client<T>,
    request: OperationRequest,
) -> Result<String, OktaError> {
    let op = Operation::find(&request.operation_id).ok_or_else(|| {
        invalid_input(format!(
            "no operation `{}` in Okta's Management API {SPEC_VERSION}",
            request.operation_id
        ))
    })?;
    let (spec, paging) = op.build(&request.input)?;
    let mut out = String::new();
    match paging {
        Some(paging) => {
            let (items, next) = client.list_json(spec, &paging)?;
            out.push_str("{\"status\":200,\"body\":");
            out.push_str(&items);
            out.push_str(",\"next-cursor\":");
            out.push_str(&Value::from(next).to_string());
            out.push('}');
        }
        None => {
            let resp = client.send(&spec)?;
            let body = if resp.body.iter().all(u8::is_ascii_whitespace) {
                Value::Null
            } else if op.text_answer {
                Value::String(String::from_utf8_lossy(&resp.body).into_owned())
            } else {
                serde_json::from_slice(&resp.body).map_err(|e| decode(op.id, e))?
            };
            out.push_str(&format!("{{\"status\":{},\"body\":{body}}}", resp.status));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::spec::Target;
    use crate::wit::types::ErrorKind;

    fn build(id: &str, input: &str) -> Result<(RequestSpec, Option<Paging>), OktaError> {
        Operation::find(id).unwrap().build(input)
    }

    fn refused(id: &str, input: &str) -> String {
        let err = build(id, input).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{id} {input}");
        err.message
    }

    #[test]
    fn the_table_is_sorted_and_finds_every_operation() {
        assert!(OPERATIONS.windows(2).all(|w| w[0].id < w[1].id));
        for op in OPERATIONS {
            assert_eq!(Operation::find(op.id).unwrap().id, op.id);
        }
        assert!(Operation::find("noSuchOperation").is_none());
    }

    #[test]
    fn path_parameters_are_one_encoded_segment_each() {
        let (spec, paging) = build(
            "assignUserToApplication",
            r#"{"appId": "0oa/../x y", "body": {"id": "00u1"}}"#,
        )
        .unwrap();
        assert_eq!(spec.path(), "/api/v1/apps/0oa%2F..%2Fx%20y/users");
        assert_eq!(spec.method, Method::Post);
        assert_eq!(spec.retry, Retry::Unsafe);
        assert!(paging.is_none());
        assert!(refused("getGroup", r#"{"groupId": ".."}"#).contains("groupId"));
        assert!(refused("getGroup", r#"{"groupId": "  "}"#).contains("groupId"));
        assert!(refused("getGroup", "{}").contains("groupId is required"));
        assert!(refused("getGroup", r#"{"groupId": null}"#).contains("groupId is required"));
    }

    #[test]
    fn parameters_are_checked_by_name_type_and_enum() {
        assert!(refused("getGroup", r#"{"groupId": "00g1", "nope": 1}"#).contains("`nope`"));
        assert!(refused("listGroups", r#"{"q": 3}"#).contains("q must be a string"));
        assert!(refused("listAgentPools", r#"{"poolType": "XX"}"#).contains("one of AD"));
        assert!(build("listAgentPools", r#"{"poolType": "LDAP"}"#).is_ok());
        assert!(refused("listGroups", "[]").contains("object"));
        // An integer without a fraction is one, as JSON Schema has it; with one it is not.
        let (spec, _) = build("listAgentPools", r#"{"limitPerPoolType": 5.0}"#).unwrap();
        assert_eq!(spec.query_value("limitPerPoolType"), Some("5"));
        assert!(refused("listAgentPools", r#"{"limitPerPoolType": 5.5}"#).contains("whole"));
        // A query value is encoded whatever it holds; a header's holds no control character.
        assert!(build("listGroups", r#"{"q": "a\nb"}"#).is_ok());
        assert!(
            refused(
                "updateUser",
                r#"{"id": "1", "If-Match": "a\nb", "body": {}}"#
            )
            .contains("control")
        );
        assert!(refused("listGroups", "{").contains("not JSON"));
        let (spec, _) = build("listGroups", r#"{"q": "a&b=c", "sortOrder": null}"#).unwrap();
        assert_eq!(spec.query_value("q"), Some("a&b=c"));
        assert!(spec.path_and_query().contains("q=a%26b%3Dc"));
    }

    #[test]
    fn a_list_operation_pages_and_takes_no_limit_of_its_own() {
        let (spec, paging) =
            build("listGroups", r#"{"page": {"limit": 5, "fetch-all": true}}"#).unwrap();
        let paging = paging.unwrap();
        assert_eq!(paging.limit, Some(5));
        assert!(paging.fetch_all);
        assert!(matches!(spec.target, Target::Parts { .. }));
        assert!(refused("listGroups", r#"{"limit": 5}"#).contains("`limit`"));
        assert!(refused("listGroups", r#"{"page": {"size": 5}}"#).contains("`size`"));
        assert!(refused("getGroup", r#"{"groupId": "1", "page": {}}"#).contains("`page`"));
    }

    #[test]
    fn bodies_are_checked_by_kind_and_required_members() {
        assert!(refused("createGroupRule", "{}").contains("body is required"));
        assert!(refused("createGroupRule", r#"{"body": []}"#).contains("JSON object"));
        let (spec, _) = build("createGroupRule", r#"{"body": {"name": "r"}}"#).unwrap();
        assert_eq!(spec.body.unwrap(), serde_json::json!({"name": "r"}));
        let rule = Operation::find("createUser")
            .unwrap()
            .body
            .as_ref()
            .unwrap();
        assert_eq!(rule.kind, BodyKind::Object);
        assert!(rule.members.contains(&"profile"));
        assert!(refused("createUser", r#"{"body": {}}"#).contains("body.profile"));
    }

    #[test]
    fn list_parameters_are_repeated_or_joined_as_the_spec_says() {
        let exploded: Vec<&Operation> = OPERATIONS
            .iter()
            .filter(|op| {
                op.params
                    .iter()
                    .any(|p| p.at == At::Query && matches!(p.kind, Kind::List { explode: false }))
            })
            .collect();
        assert!(!exploded.is_empty(), "the spec has comma-joined lists");
        let op = exploded[0];
        let list = op
            .params
            .iter()
            .find(|p| matches!(p.kind, Kind::List { explode: false }))
            .unwrap();
        let texts = list
            .texts(&serde_json::json!([
                list.values.first().unwrap_or(&"a"),
                list.values.first().unwrap_or(&"b")
            ]))
            .unwrap();
        assert_eq!(texts.len(), 1);
        assert!(texts[0].contains(','));
    }

    #[test]
    fn a_delete_that_escalates_is_never_repeated() {
        assert!(!Operation::find("deleteUser").unwrap().repeatable);
        assert!(Operation::find("deleteGroup").unwrap().repeatable);
        assert!(!Operation::find("createUser").unwrap().repeatable);
        assert!(Operation::find("replaceGroup").unwrap().repeatable);
    }
}
