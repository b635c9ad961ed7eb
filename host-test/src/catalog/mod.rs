//! The node catalogue, read from the component's own exports, and calls by node id with
//! JSON in and out. One table serves every node: a new WIT function is a new node here
//! without any code.

pub mod describe;

use anyhow::{Result, anyhow};

use wasmtime::Engine;
use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::{Component, ComponentExportIndex};

/// The WIT package whose interfaces are nodes.
const PACKAGE: &str = "okta:management/";

/// The package's interfaces whose functions are not nodes: `catalog` describes the nodes.
const NOT_NODES: &[&str] = &["catalog"];

/// The interface whose one function runs every operation of Okta's spec by id, each a node
/// `operations.<operationId>` of the component's own catalog.
const OPERATIONS: &str = "operations";

/// What the component exports: its typed nodes, and the function that runs each
/// `operations.<operationId>` node.
pub(crate) struct Exports {
    /// Every typed node, in WIT order.
    pub nodes: Vec<NodeInfo>,
    /// `operations.call`, if the component has it.
    pub operations: Option<NodeInfo>,
    /// The package, such as `okta:management@0.6.0`.
    pub package: String,
}

impl Exports {
    /// The node of an id: a typed node, or an operation (`operations.<operationId>`) run
    /// by `operations.call` (whether the component knows the operation is its own
    /// catalog's to say).
    pub(crate) fn find(&self, id: &str) -> Option<&NodeInfo> {
        match id
            .strip_prefix(OPERATIONS)
            .and_then(|r| r.strip_prefix('.'))
        {
            Some(operation) if !operation.is_empty() => self.operations.as_ref(),
            _ => self.nodes.iter().find(|n| n.id == id),
        }
    }
}

/// Whether a node id is an operation's (`operations.<operationId>`), and which.
pub fn operation_of(id: &str) -> Option<&str> {
    id.strip_prefix(OPERATIONS)?
        .strip_prefix('.')
        .filter(|op| !op.is_empty())
}

/// One node: an exported function.
#[derive(Clone, Debug)]
pub struct NodeInfo {
    /// `<interface>.<function>`, such as `users.create-user`.
    pub id: String,
    /// A label for a node palette, such as `Create user`.
    pub label: String,
    /// Whether the function takes a `connection` (`conn`): the event hook triggers do not.
    pub takes_connection: bool,
    /// Whether the function takes a request record.
    pub takes_request: bool,
    pub(crate) index: ComponentExportIndex,
    pub(crate) func: ComponentFunc,
}

/// Every node the component exports, in WIT order, the function that runs its operations,
/// and the package they belong to.
pub(crate) fn read_catalog(engine: &Engine, component: &Component) -> Result<Exports> {
    let mut nodes = Vec::new();
    let mut operations = None;
    let mut package = None;
    for (name, export) in component.component_type().exports(engine) {
        let Some(rest) = name.strip_prefix(PACKAGE) else {
            continue;
        };
        let ComponentItem::ComponentInstance(instance) = export.ty else {
            continue;
        };
        let (interface, version) = rest.split_once('@').unwrap_or((rest, ""));
        if NOT_NODES.contains(&interface) {
            continue;
        }
        package.get_or_insert_with(|| format!("{}@{version}", PACKAGE.trim_end_matches('/')));
        let instance_index = component
            .get_export_index(None, name)
            .ok_or_else(|| anyhow!("export {name} has no index"))?;
        for (function, item) in instance.exports(engine) {
            let ComponentItem::ComponentFunc(func) = item.ty else {
                continue;
            };
            let index = component
                .get_export_index(Some(&instance_index), function)
                .ok_or_else(|| anyhow!("export {name}#{function} has no index"))?;
            let takes = |param: &str| func.params().any(|(name, _)| name == param);
            let (takes_connection, takes_request) = (takes("conn"), takes("request"));
            let node = NodeInfo {
                id: format!("{interface}.{function}"),
                label: label(function),
                takes_connection,
                takes_request,
                index,
                func,
            };
            match (interface, function) {
                (OPERATIONS, "call") => operations = Some(node),
                _ => nodes.push(node),
            }
        }
    }
    let package = package.ok_or_else(|| anyhow!("the component exports no {PACKAGE} node"))?;
    Ok(Exports {
        nodes,
        operations,
        package,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_are_the_operations_prefix_and_a_name() {
        assert_eq!(
            operation_of("operations.createGroupRule"),
            Some("createGroupRule")
        );
        assert_eq!(operation_of("operations."), None);
        assert_eq!(operation_of("operations"), None);
        assert_eq!(operation_of("operationsx.a"), None);
        assert_eq!(operation_of("users.get-user"), None);
    }

    #[test]
    fn labels_read_as_words() {
        assert_eq!(label("create-user"), "Create user");
        assert_eq!(label("list-user-apps"), "List user apps");
    }
}
