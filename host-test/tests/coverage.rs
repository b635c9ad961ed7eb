//! Every function the component exports has a typed test through the `.wasm`: a new node
//! cannot land untested.

use okta_host::{Host, HostConfig};
use std::path::Path;

#[test]
fn every_exported_function_has_a_test() {
    let host = Host::new(HostConfig {
        max_instances: 1,
        ..HostConfig::default()
    })
    .unwrap();
    let tests_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut sources = String::new();
    for entry in std::fs::read_dir(&tests_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.extension().is_some_and(|e| e == "rs")
            && name != "coverage.rs"
            && name != "secrets.rs"
        {
            sources.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    assert!(
        host.catalog().len() >= 55,
        "the catalogue shrank: {}",
        host.catalog().len()
    );
    let untested: Vec<_> = host
        .catalog()
        .iter()
        .filter(|node| {
            let function = node.id.split('.').nth(1).unwrap().replace('-', "_");
            !sources.contains(&format!("call_{function}"))
        })
        .map(|node| node.id.clone())
        .collect();
    assert!(
        untested.is_empty(),
        "nodes without a test through the component: {untested:?}"
    );
}
