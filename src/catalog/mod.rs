//! The `catalog` interface: every node with its flags and scopes, and the JSON Schema of
//! every input and output. Both are generated from `wit/` and `table.rs` by `build.rs`;
//! nothing here is written twice.

/// The whole numbers the request fields take: the component checks input against them,
/// and `build.rs` writes them into the schema.
#[allow(dead_code)]
pub(crate) mod limits;

/// The table the catalog is generated from; the component carries what build.rs made of
/// it, and its tests check the table itself.
#[cfg(test)]
pub(crate) mod table;

use crate::wit::catalog::{FieldNote, NodeInfo, NodeKind};
use serde_json::Value;

/// The catalog as `build.rs` wrote it: a line of nodes and a line of schema, deflated.
const CATALOG: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/catalog.deflate"));

/// The two lines: the node table and the schema. The bytes were written by `build.rs` from
/// a `String`; should they not inflate, both are empty rather than a trap.
fn lines() -> (String, String) {
    let text = miniz_oxide::inflate::decompress_to_vec(CATALOG)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default();
    match text.split_once('\n') {
        Some((nodes, schema)) => (nodes.to_string(), schema.to_string()),
        None => (String::new(), String::new()),
    }
}

/// `catalog.schema`: the JSON Schema document.
pub(crate) fn schema() -> String {
    lines().1
}

/// `catalog.nodes`.
pub(crate) fn nodes() -> Vec<NodeInfo> {
    let table: Value = serde_json::from_str(&lines().0).unwrap_or_default();
    let text = |node: &Value, key: &str| node[key].as_str().map(str::to_string);
    let strings = |node: &Value, key: &str| {
        node[key]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|s| s.as_str().map(Into::into))
                    .collect()
            })
            .unwrap_or_default()
    };
    table
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|node| NodeInfo {
            id: text(node, "id").unwrap_or_default(),
            kind: match node["kind"].as_str() {
                Some("trigger") => NodeKind::Trigger,
                Some("picklist") => NodeKind::Picklist,
                _ => NodeKind::Action,
            },
            label: text(node, "label").unwrap_or_default(),
            description: text(node, "description").unwrap_or_default(),
            category: text(node, "category").unwrap_or_default(),
            destructive: node["destructive"].as_bool().unwrap_or(false),
            idempotent: node["idempotent"].as_bool().unwrap_or(false),
            scopes: strings(node, "scopes"),
            endpoints: strings(node, "endpoints"),
            input_schema: text(node, "input-schema"),
            output_schema: text(node, "output-schema").unwrap_or_default(),
            example: text(node, "example"),
            version: node["version"].as_u64().unwrap_or(0) as u32,
            connection_schema: text(node, "connection-schema"),
            fields: node["fields"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|field| FieldNote {
                    pointer: text(field, "pointer").unwrap_or_default(),
                    picklist: text(field, "picklist"),
                    engine_kept: field["engine-kept"].as_bool().unwrap_or(false),
                    fields_from: text(field, "fields-from"),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn every_node_has_a_row_and_every_row_a_node() {
        let rows: BTreeSet<&str> = table::ROWS.iter().map(|r| r.id).collect();
        let nodes = nodes();
        // The operations' nodes come from the spec's table, not from rows.
        let ids: BTreeSet<&str> = nodes
            .iter()
            .map(|n| n.id.as_str())
            .filter(|id| !id.starts_with("operations."))
            .collect();
        assert_eq!(rows, ids);
        assert_eq!(rows.len(), table::ROWS.len(), "one row per node");
    }

    /// Okta's spec, as `scripts/spec-scopes` extracts it: `METHOD /path scope...`.
    fn spec_scopes() -> BTreeMap<String, Vec<String>> {
        include_str!("okta-scopes.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|line| {
                let mut words = line.split(' ');
                let endpoint = format!("{} {}", words.next().unwrap(), words.next().unwrap());
                (endpoint, words.map(str::to_string).collect())
            })
            .collect()
    }

    #[test]
    fn scopes_are_those_okta_declares_for_the_endpoints() {
        let spec = spec_scopes();
        for node in nodes() {
            let mut wanted = BTreeSet::new();
            for endpoint in &node.endpoints {
                let scopes = spec
                    .get(endpoint)
                    .unwrap_or_else(|| panic!("{}: {endpoint} is not in Okta's spec", node.id));
                wanted.extend(scopes.iter().map(String::as_str));
            }
            let given: BTreeSet<&str> = node.scopes.iter().map(String::as_str).collect();
            assert_eq!(given, wanted, "{}: scopes against the spec", node.id);
        }
    }

    #[test]
    fn the_schema_is_one_json_document_with_every_nodes_schemas() {
        let schema: Value = serde_json::from_str(&schema()).unwrap();
        let defs = schema["$defs"].as_object().unwrap();
        for node in nodes() {
            assert!(defs.contains_key(&node.output_schema), "{}", node.id);
            if let Some(input) = &node.input_schema {
                let examples = defs[input]["examples"].as_array().unwrap();
                let mine: Value = serde_json::from_str(&node.example.unwrap()).unwrap();
                assert!(examples.contains(&mine), "{}: its example", node.id);
            }
        }
    }

    #[test]
    fn every_operation_is_a_node_and_every_operation_node_an_operation() {
        use crate::nodes::operations::{OPERATIONS, Operation};
        let nodes = nodes();
        let listed: BTreeSet<&str> = nodes
            .iter()
            .filter_map(|n| n.id.strip_prefix("operations."))
            .collect();
        let table: BTreeSet<&str> = OPERATIONS.iter().map(|op| op.id).collect();
        assert_eq!(listed, table);
        let spec: Value =
            serde_json::from_str(include_str!("../operations/operations.json")).unwrap();
        let left_out = spec["left-out"].as_array().unwrap();
        assert!(left_out.iter().all(|row| row["reason"].as_str().is_some()));
        assert_eq!(
            table.len() + left_out.len(),
            732,
            "Okta's Management spec 2026.06.3 has 732"
        );
        for node in nodes.iter().filter(|n| n.id.starts_with("operations.")) {
            let op = Operation::find(&node.id["operations.".len()..]).unwrap();
            assert_eq!(
                node.endpoints,
                [format!("{} {}", op.method.as_str(), op.path)]
            );
            assert_eq!(node.idempotent, op.repeatable, "{}", node.id);
        }
    }

    #[test]
    fn enroll_factor_refuses_exactly_the_types_the_schema_leaves_out() {
        use crate::nodes::factors::build_enroll;
        use crate::wit::factors::{EnrollFactorRequest, FactorType};
        let all = [
            FactorType::Call,
            FactorType::Email,
            FactorType::Push,
            FactorType::Question,
            FactorType::SignedNonce,
            FactorType::Sms,
            FactorType::Token,
            FactorType::TokenHardware,
            FactorType::TokenHotp,
            FactorType::TokenSoftwareTotp,
            FactorType::U2f,
            FactorType::Web,
            FactorType::Webauthn,
            FactorType::Unknown,
        ];
        for factor_type in all {
            let debug = format!("{factor_type:?}");
            let wit_name = debug
                .rsplit("::")
                .next()
                .unwrap()
                .chars()
                .enumerate()
                .flat_map(|(i, c)| {
                    let dash = (i > 0 && c.is_ascii_uppercase()).then_some('-');
                    dash.into_iter().chain(Some(c.to_ascii_lowercase()))
                })
                .collect::<String>();
            let req = EnrollFactorRequest {
                user_id: "00u1".into(),
                factor_type,
                provider: None,
                phone_number: Some("+15555550100".into()),
                email: Some("a@example.com".into()),
                question: Some("q".into()),
                answer: Some("answer".into()),
                factor_profile_id: (factor_type == FactorType::TokenHotp).then(|| "fpr1".into()),
                shared_secret: (factor_type == FactorType::TokenHotp).then(|| "JBSWY3DP".into()),
                activate: None,
                update_phone: None,
                token_lifetime_seconds: None,
            };
            let accepted = table::ENROLLABLE_FACTORS.contains(&wit_name.as_str());
            assert_eq!(build_enroll(&req).is_ok(), accepted, "{wit_name}");
        }
    }
}
