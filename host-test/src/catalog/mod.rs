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

/// Every node the component exports, in WIT order, and the package they belong to, such
/// as `okta:management@0.5.0`.
pub(crate) fn read_catalog(
    engine: &Engine,
    component: &Component,
) -> Result<(Vec<NodeInfo>, String)> {
    let mut nodes = Vec::new();
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
            nodes.push(NodeInfo {
                id: format!("{interface}.{function}"),
                label: label(function),
                takes_connection,
                takes_request,
                index,
                func,
            });
        }
    }
    let package = package.ok_or_else(|| anyhow!("the component exports no {PACKAGE} node"))?;
    Ok((nodes, package))
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
    fn labels_read_as_words() {
        assert_eq!(label("create-user"), "Create user");
        assert_eq!(label("list-user-apps"), "List user apps");
    }
}
