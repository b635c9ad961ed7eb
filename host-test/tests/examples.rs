//! Every catalog example runs as it stands against a freshly seeded mock (the demo org of
//! `okta-nodes mock --seed`) and succeeds: the ids and logins it names are the demo org's,
//! and a user it acts on is in the state the node needs (Alan staged, Barbara provisioned,
//! John locked out, Edsger suspended, the demo hook sending to an endpoint on the mock that
//! answers Okta's verification challenge). The operations' nodes are held to the spec by
//! tests/operations.rs.

mod common;

use common::*;
use okta_host::Outcome;
use serde_json::Value;

#[tokio::test]
async fn every_example_succeeds_against_a_fresh_demo_org() {
    let catalog = Env::seeded().await.host.describe().await.unwrap().clone();
    let mut failed = Vec::new();
    let mut ran = 0;
    // An operation's example is built from the spec's own examples, whose ids are not the
    // demo org's: tests/operations.rs sends each to a server that checks it by the spec.
    for node in catalog
        .nodes
        .iter()
        .filter(|n| okta_host::catalog::operation_of(&n.id).is_none())
    {
        let Some(example) = &node.example else {
            continue;
        };
        let input: Value = serde_json::from_str(example).unwrap();
        let env = Env::seeded().await;
        match env.host.call_json(&env.conn, &node.id, &input).await {
            Ok(Outcome::Ok(_)) => ran += 1,
            Ok(Outcome::Err(err)) => failed.push(format!("{}: {example}: {err}", node.id)),
            Err(err) => failed.push(format!("{}: {example}: {err:#}", node.id)),
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} examples failed:\n{}",
        failed.len(),
        failed.len() + ran,
        failed.join("\n")
    );
    assert!(ran >= 60, "{ran} examples ran");
}
