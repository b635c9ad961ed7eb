//! The `catalog` interface through the real component, checked with a JSON Schema 2020-12
//! validator: the schema is valid, each node's example is valid input, the rules it states
//! are the ones the component enforces, and what the nodes return matches their output
//! schemas. The README's node table is the catalog's.

mod common;

use common::*;
use okta_host::flow::Flow;
use okta_host::wit::catalog::NodeKind;
use okta_host::{ComponentCatalog, Outcome};
use serde_json::{Value, json};

async fn catalog(env: &Env) -> ComponentCatalog {
    env.host.describe().await.expect("the catalog").clone()
}

fn validator(catalog: &ComponentCatalog, def: &str) -> jsonschema::Validator {
    jsonschema::draft202012::new(&catalog.schema_of(def)).expect("a valid schema")
}

/// The instance paths of what the validator finds wrong, down through the alternatives of
/// an option (`anyOf` with null) or a variant (`oneOf`) to the field itself.
fn errors(catalog: &ComponentCatalog, def: &str, instance: &Value) -> Vec<String> {
    fn paths(error: &jsonschema::ValidationError<'_>, out: &mut Vec<String>) {
        out.push(error.instance_path().to_string());
        if let jsonschema::error::ValidationErrorKind::AnyOf { context }
        | jsonschema::error::ValidationErrorKind::OneOfNotValid { context } = error.kind()
        {
            for error in context.iter().flatten() {
                paths(error, out);
            }
        }
    }
    let mut out = Vec::new();
    for error in validator(catalog, def).iter_errors(instance) {
        paths(&error, &mut out);
    }
    out
}

#[tokio::test]
async fn the_catalog_lists_every_node_the_component_exports() {
    let env = Env::start().await;
    let mut node = env.node().await;
    let catalog = node.nodes.okta_management_catalog();
    let nodes = catalog.call_nodes(&mut node.store).await.unwrap();
    let schema = catalog.call_schema(&mut node.store).await.unwrap();
    let reflected: Vec<&str> = env.host.catalog().iter().map(|n| n.id.as_str()).collect();
    let listed: Vec<&str> = nodes
        .iter()
        .map(|n| n.id.as_str())
        .filter(|id| okta_host::catalog::operation_of(id).is_none())
        .collect();
    assert_eq!(
        listed, reflected,
        "the catalog is the exports, in their order"
    );
    let operations = nodes.len() - listed.len();
    assert_eq!(
        operations, 729,
        "one node per operation of Okta's spec, less the 3 no call succeeds with"
    );
    assert!(nodes.len() >= 67);
    let find = |id: &str| nodes.iter().find(|n| n.id == id).unwrap();
    let delete = find("users.delete-user");
    assert!(delete.destructive && delete.idempotent);
    assert_eq!(delete.category, "users");
    assert_eq!(delete.label, "Delete user");
    let create = find("users.create-user");
    assert!(!create.destructive && !create.idempotent);
    assert_eq!(create.scopes, ["okta.users.manage"]);
    assert_eq!(
        create.input_schema.as_deref(),
        Some("users.create-user-request")
    );
    assert_eq!(create.output_schema, "types.user");
    assert_eq!(find("triggers.poll-new-users").kind, NodeKind::Trigger);
    assert_eq!(find("picklists.select-user").kind, NodeKind::Picklist);
    assert_eq!(find("connection.test-connection").input_schema, None);
    let schema: Value = serde_json::from_str(&schema).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(env.requests(), 0, "the catalog calls nothing");
}

/// Whether `json` has the shape of type `index` in a `Host::shapes` table, as a host in
/// another language reads it (`examples/js-host/lib/shapes.mjs`).
fn fits(types: &[Value], index: &Value, json: &Value) -> bool {
    let ty = &types[index.as_u64().unwrap() as usize];
    let all = |items: &[Value], shape: &Value| items.iter().all(|i| fits(types, shape, i));
    match (ty.as_str(), json) {
        (Some("string"), Value::String(_)) | (Some("bool"), Value::Bool(_)) => true,
        (Some("u32" | "u64" | "u16" | "u8"), Value::Number(n)) => n.is_u64(),
        (Some(_), _) => false,
        (None, _) if ty.get("option").is_some() => {
            json.is_null() || fits(types, &ty["option"], json)
        }
        (None, Value::Array(items)) if ty.get("list").is_some() => all(items, &ty["list"]),
        (None, Value::String(name)) if ty.get("enum").is_some() => {
            ty["enum"].as_array().unwrap().contains(&json!(name))
        }
        (None, Value::Object(fields)) if ty.get("record").is_some() => {
            let declared = ty["record"].as_array().unwrap();
            fields
                .keys()
                .all(|k| declared.iter().any(|f| f[0] == json!(k)))
                && declared
                    .iter()
                    .all(|f| match fields.get(f[0].as_str().unwrap()) {
                        Some(value) => fits(types, &f[1], value),
                        None => types[f[1].as_u64().unwrap() as usize]
                            .get("option")
                            .is_some(),
                    })
        }
        (None, _) if ty.get("variant").is_some() => {
            let cases = ty["variant"].as_array().unwrap();
            match json {
                Value::String(name) => cases.iter().any(|c| c[0] == json!(name) && c[1].is_null()),
                Value::Object(one) if one.len() == 1 => {
                    let (name, payload) = one.iter().next().unwrap();
                    cases.iter().any(|c| {
                        c[0] == json!(name) && !c[1].is_null() && fits(types, &c[1], payload)
                    })
                }
                _ => false,
            }
        }
        _ => false,
    }
}

#[tokio::test]
async fn the_shapes_give_every_node_its_types_and_fit_every_example() {
    let env = Env::start().await;
    let shapes = env.host.shapes().await.unwrap();
    assert_eq!(shapes["package"], env.host.package());
    let types = shapes["types"].as_array().unwrap();
    let nodes = shapes["nodes"].as_object().unwrap();
    // Every typed node, and `operations.call`, which runs each operation's node.
    assert_eq!(nodes.len(), env.host.catalog().len() + 1);
    assert!(nodes.contains_key("operations.call"));
    let get_user = &nodes["users.get-user"];
    assert_eq!(get_user["params"][0][0], "conn");
    assert_eq!(get_user["params"][1][0], "request");
    let request = &types[get_user["params"][1][1].as_u64().unwrap() as usize];
    let fields: Vec<&Value> = request["record"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f[0])
        .collect();
    assert_eq!(fields, ["user-id", "expand"]);
    let result = &types[get_user["result"].as_u64().unwrap() as usize]["result"];
    let error = &types[result[1].as_u64().unwrap() as usize];
    assert!(
        error["record"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f[0] == "reset-at")
    );
    let unique: std::collections::BTreeSet<String> = types.iter().map(Value::to_string).collect();
    assert_eq!(unique.len(), types.len(), "each type once");
    let catalog = catalog(&env).await;
    let mut checked = 0;
    // An operation's node runs through `operations.call`, its input JSON text in the
    // request's `input`.
    for node in catalog
        .nodes
        .iter()
        .filter(|n| okta_host::catalog::operation_of(&n.id).is_none())
    {
        let Some(example) = &node.example else {
            continue;
        };
        let example: Value = serde_json::from_str(example).unwrap();
        let request = nodes[&node.id]["params"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p[0] == "request")
            .map(|p| p[1].clone())
            .unwrap();
        assert!(fits(types, &request, &example), "{}: {example}", node.id);
        assert!(
            !fits(types, &request, &json!({"no-such-field": 1})),
            "{}",
            node.id
        );
        checked += 1;
    }
    assert!(checked >= 60, "{checked} examples");
}

#[tokio::test]
async fn the_schema_is_valid_and_every_example_is_valid_input() {
    let env = Env::start().await;
    let catalog = catalog(&env).await;
    jsonschema::meta::validate(&catalog.schema).expect("a valid JSON Schema 2020-12 document");
    for node in &catalog.nodes {
        let Some(input) = &node.input_schema else {
            assert!(node.example.is_none(), "{}", node.id);
            continue;
        };
        let example: Value = serde_json::from_str(node.example.as_deref().unwrap()).unwrap();
        let wrong = errors(&catalog, input, &example);
        assert!(
            wrong.is_empty(),
            "{}: its example is invalid at {wrong:?}",
            node.id
        );
        assert!(catalog.def(&node.output_schema).is_some(), "{}", node.id);
    }
}

#[tokio::test]
async fn the_schema_describes_forms_secrets_cases_and_defaults() {
    let env = Env::start().await;
    let catalog = catalog(&env).await;
    let def = |name: &str| catalog.def(name).unwrap().clone();
    let enroll = def("factors.enroll-factor-request");
    let cases = enroll["properties"]["factor-type"]["enum"]
        .as_array()
        .unwrap();
    assert_eq!(cases.len(), 7, "only the types the node enrolls: {cases:?}");
    assert!(!cases.contains(&json!("u2f")) && !cases.contains(&json!("webauthn")));
    assert_eq!(
        def("factors.factor-type")["oneOf"]
            .as_array()
            .unwrap()
            .len(),
        14
    );
    for (record, field) in [
        ("factors.enroll-factor-request", "shared-secret"),
        ("users.change-password-request", "old-password"),
        ("types.client-credentials", "private-key"),
        ("triggers.event-hook-delivery", "expected-authorization"),
    ] {
        let property = &def(record)["properties"][field];
        assert_eq!(property["format"], "password", "{record}.{field}");
        assert!(property.get("secret").is_none(), "no keyword of our own");
        assert_eq!(property["writeOnly"], true, "{record}.{field}");
    }
    let api_token = &def("types.auth")["oneOf"][0]["properties"]["api-token"];
    assert_eq!(api_token["format"], "password");
    let temp = &def("users.expire-password-result")["properties"]["temp-password"];
    assert_eq!(temp["format"], "password", "a secret output is marked too");
    assert!(
        temp.get("writeOnly").is_none(),
        "an output is not write-only"
    );
    let options = def("types.options");
    assert_eq!(options["properties"]["max-retries"]["default"], 2);
    assert_eq!(options["properties"]["max-retries"]["maximum"], 10);
    assert_eq!(options["properties"]["deadline-ms"]["maximum"], 3_600_000);
    // The numbers come from the component's own limits, not from the prose.
    let bytes = &options["properties"]["max-response-bytes"];
    assert_eq!(bytes["default"], 16 << 20);
    assert_eq!(bytes["minimum"], 1024);
    assert_eq!(bytes["maximum"], 256 << 20);
    for field in ["timeout-ms", "deadline-ms"] {
        assert_eq!(options["properties"][field]["minimum"], 1, "{field}");
    }
    let user = def("types.user");
    assert_eq!(user["properties"]["created"]["format"], "date-time");
    assert!(
        user["properties"]["id"]["description"]
            .as_str()
            .unwrap()
            .contains("00u1ero7vZFVEIYLW00L"),
        "WIT docs are the descriptions"
    );
    assert!(
        user["required"]
            .as_array()
            .unwrap()
            .contains(&json!("status")),
        "non-option fields are required"
    );
    let listing = def("users.list-users-request");
    assert!(
        listing["allOf"][0]["not"]["anyOf"].is_array(),
        "at most one of q, filter, search"
    );
    assert_eq!(
        listing["allOf"][1]["if"]["required"],
        json!(["sort-by"]),
        "sort-by needs search, each set only when not blank"
    );
    assert_eq!(listing["allOf"][1]["then"]["required"], json!(["search"]));
    let schema_text = catalog.schema.to_string();
    assert_eq!(
        schema_text.matches("\"types.user\":").count(),
        1,
        "one shared definition of user"
    );
}

#[tokio::test]
async fn a_wrong_input_is_rejected_at_its_field() {
    let env = Env::start().await;
    let catalog = catalog(&env).await;
    let cases = [
        (
            "factors.enroll-factor-request",
            json!({"user-id": "00u1", "factor-type": "u2f"}),
            "/factor-type",
        ),
        (
            "users.list-users-request",
            json!({"page": {"limit": -1}}),
            "/page/limit",
        ),
        (
            "users.create-user-request",
            json!({"profile": {"login": 7}}),
            "/profile/login",
        ),
        (
            "raw.raw-request",
            json!({"method": "fetch", "path": "/api/v1/users"}),
            "/method",
        ),
        (
            "groups.create-group-request",
            json!({"name": "x", "colour": "red"}),
            "",
        ),
        (
            "users.set-password-request",
            json!({"user-id": "00u1", "password": {"value": 7}}),
            "/password",
        ),
    ];
    for (def, input, path) in cases {
        let wrong = errors(&catalog, def, &input);
        assert!(
            wrong.iter().any(|p| p == path),
            "{def}: {input} is wrong at {path}, the validator says {wrong:?}"
        );
    }
}

#[tokio::test]
async fn a_string_field_takes_a_string_and_a_json_field_an_object_or_its_text() {
    let env = Env::start().await;
    let catalog = catalog(&env).await;
    for wrong in [json!({"a": 1}), json!(["a"]), json!(true), json!(7)] {
        let input = json!({"user-id": wrong});
        assert!(!errors(&catalog, "users.get-user-request", &input).is_empty());
        let outcome = env
            .host
            .call_json(&env.conn, "users.get-user", &input)
            .await
            .unwrap();
        let Outcome::Err(err) = outcome else {
            panic!("{input} was taken")
        };
        assert_eq!(err["kind"], "invalid-input", "{input}");
        assert_eq!(
            err["message"],
            format!(
                "request.user-id must be a string, not {}",
                match wrong {
                    Value::Object(_) => "an object",
                    Value::Array(_) => "an array",
                    Value::Bool(_) => "a boolean",
                    _ => "a number",
                }
            )
        );
    }
    assert_eq!(env.requests(), 0, "nothing is sent");
    assert_eq!(
        catalog.json_places("raw.request"),
        ["request.body.json"],
        "the catalog says where JSON goes"
    );
    for (name, extra) in [
        ("As an object", json!({"costCenter": "R&D"})),
        ("As text", json!(r#"{"costCenter": "R&D"}"#)),
    ] {
        let input = json!({"name": name, "profile-extra": extra});
        assert!(errors(&catalog, "groups.create-group-request", &input).is_empty());
        let group = checked_call(&env, &catalog, "groups.create-group", input).await;
        assert_eq!(group["profile-extra"], r#"{"costCenter":"R&D"}"#, "{name}");
    }
    for wrong in [json!(7), json!(true)] {
        let input = json!({"name": "Wrong", "profile-extra": wrong});
        assert!(!errors(&catalog, "groups.create-group-request", &input).is_empty());
        let Outcome::Err(err) = env
            .host
            .call_json(&env.conn, "groups.create-group", &input)
            .await
            .unwrap()
        else {
            panic!("{input} was taken")
        };
        assert_eq!(err["kind"], "invalid-input");
    }
}

/// A value of the shape a property's schema asks for.
fn sample(catalog: &ComponentCatalog, property: &Value) -> Value {
    if let Some(cases) = property["enum"].as_array() {
        return cases[0].clone();
    }
    if let Some(target) = property["$ref"].as_str() {
        let def = catalog.def(target.trim_start_matches("#/$defs/")).unwrap();
        return sample(catalog, def);
    }
    if let Some(options) = property["anyOf"].as_array() {
        return sample(catalog, &options[0]);
    }
    if let Some(cases) = property["oneOf"].as_array() {
        return cases[0]["const"].clone();
    }
    let ty = match &property["type"] {
        Value::Array(types) => types[0].clone(),
        other => other.clone(),
    };
    match ty.as_str() {
        Some("boolean") => json!(true),
        Some("integer") => json!(1),
        Some("string") => json!("a"),
        Some("object") => json!({}),
        _ => json!("a"),
    }
}

/// Inputs that break one rule each: the node's example, changed.
fn violations(catalog: &ComponentCatalog, def: &Value, example: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let property = |field: &str| sample(catalog, &def["properties"][field]);
    for rule in def["allOf"].as_array().into_iter().flatten() {
        if let Some(pairs) = rule.pointer("/not/anyOf").and_then(Value::as_array) {
            let mut input = example.clone();
            let fields = pairs[0]["required"].as_array().unwrap();
            for field in fields {
                let field = field.as_str().unwrap();
                input[field] = property(field);
            }
            out.push((format!("at most one: {fields:?}"), input));
        } else if let (Some(when), Some(then)) = (rule.get("if"), rule.get("then")) {
            let mut input = example.clone();
            for (field, schema) in when["properties"].as_object().unwrap() {
                input[field] = match schema["enum"].as_array() {
                    Some(cases) => cases[0].clone(),
                    None => property(field),
                };
            }
            for (field, schema) in then["properties"].as_object().unwrap() {
                match schema["enum"].as_array() {
                    // A value the rule does not allow.
                    Some(allowed) => {
                        let every = sample_cases(catalog, &def["properties"][field]);
                        let Some(other) = every.into_iter().find(|c| !allowed.contains(c)) else {
                            continue;
                        };
                        input[field] = other;
                    }
                    None => {
                        input.as_object_mut().unwrap().remove(field);
                    }
                }
            }
            out.push((format!("when {when} then {then}"), input));
        }
    }
    for (field, needs) in def["dependentRequired"].as_object().into_iter().flatten() {
        let mut input = example.clone();
        input[field] = property(field);
        for need in needs.as_array().unwrap() {
            input
                .as_object_mut()
                .unwrap()
                .remove(need.as_str().unwrap());
        }
        out.push((format!("{field} needs {needs}"), input));
    }
    out
}

/// Every case a property's enum type has (a boolean's two).
fn sample_cases(catalog: &ComponentCatalog, property: &Value) -> Vec<Value> {
    let mut property = property.clone();
    if let Some(options) = property["anyOf"].as_array() {
        property = options[0].clone();
    }
    let boolean = |t: &Value| t == "boolean";
    if boolean(&property["type"])
        || property["type"]
            .as_array()
            .is_some_and(|t| t.iter().any(boolean))
    {
        return vec![json!(true), json!(false)];
    }
    if let Some(cases) = property["enum"].as_array()
        && property.get("$ref").is_none()
    {
        return cases.clone();
    }
    let target = property["$ref"].as_str().unwrap_or_default();
    let def = catalog.def(target.trim_start_matches("#/$defs/"));
    def.and_then(|d| d["oneOf"].as_array())
        .map(|cases| cases.iter().map(|c| c["const"].clone()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_rule_the_schema_states_is_one_the_component_enforces() {
    let env = Env::seeded().await;
    let catalog = catalog(&env).await;
    let mut checked = 0;
    for node in &catalog.nodes {
        let (Some(input), Some(example)) = (&node.input_schema, &node.example) else {
            continue;
        };
        let def = catalog.def(input).unwrap().clone();
        let example: Value = serde_json::from_str(example).unwrap();
        for (rule, broken) in violations(&catalog, &def, &example) {
            assert!(
                !errors(&catalog, input, &broken).is_empty(),
                "{}: the schema lets {broken} through ({rule})",
                node.id
            );
            let before = env.requests();
            let outcome = env
                .host
                .call_json(&env.conn, &node.id, &broken)
                .await
                .unwrap();
            let Outcome::Err(err) = outcome else {
                panic!("{}: the component took {broken} ({rule})", node.id)
            };
            assert_eq!(err["kind"], "invalid-input", "{}: {broken}: {err}", node.id);
            assert_eq!(env.requests(), before, "{}: nothing is sent", node.id);
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked} rules checked");
}

/// Runs `node` with `input` and checks its answer against its output schema, or an error
/// against `okta-error`. Returns the output.
async fn checked_call(env: &Env, catalog: &ComponentCatalog, node: &str, input: Value) -> Value {
    let info = catalog.node(node).unwrap();
    let outcome = env.host.call_json(&env.conn, node, &input).await.unwrap();
    let (def, value) = match &outcome {
        Outcome::Ok(output) => (info.output_schema.as_str(), output),
        Outcome::Err(error) => ("types.okta-error", error),
    };
    let wrong = errors(catalog, def, value);
    assert!(
        wrong.is_empty(),
        "{node}: {value} is not a {def}: {wrong:?}"
    );
    match outcome {
        Outcome::Ok(output) => output,
        Outcome::Err(error) => error,
    }
}

#[tokio::test]
async fn every_output_matches_its_output_schema() {
    // The demo flows read the mock's outbox, which takes the API token: this test is about
    // shapes, so it runs as the API token under every auth mode.
    let env = Env::with_host(
        okta_mock::MockConfig {
            seed: true,
            ..okta_mock::MockConfig::default()
        },
        okta_host::HostConfig::default(),
    )
    .await;
    let catalog = catalog(&env).await;
    let mut seen = std::collections::BTreeSet::new();
    for text in [
        include_str!("../../examples/flows/user-lifecycle.json"),
        include_str!("../../examples/flows/onboarding.json"),
        include_str!("../../examples/flows/offboarding.json"),
    ] {
        let flow = Flow::parse(text).unwrap();
        let mut wrong = Vec::new();
        flow.run(&env.host, &env.conn, |_, step, _, outcome| {
            let info = catalog.node(&step.node).unwrap();
            let (def, value) = match outcome {
                Outcome::Ok(output) => (info.output_schema.as_str(), output),
                Outcome::Err(error) => ("types.okta-error", error),
            };
            for path in errors(&catalog, def, value) {
                wrong.push(format!("{}: {def} at {path}", step.node));
            }
            seen.insert(step.node.clone());
        })
        .await
        .unwrap();
        assert!(wrong.is_empty(), "{wrong:?}");
    }
    let ada = checked_call(
        &env,
        &catalog,
        "users.get-user",
        json!({"user-id": "ada.lovelace@example.com"}),
    )
    .await;
    let ada_id = ada["id"].as_str().unwrap().to_string();
    let calls = [
        ("connection.test-connection", Value::Null),
        (
            "users.list-users",
            json!({"page": {"fetch-all": true}, "include-raw": true}),
        ),
        ("users.list-user-groups", json!({"user-id": ada_id})),
        ("users.list-user-apps", json!({"user-id": ada_id})),
        (
            "users.list-user-apps",
            json!({"user-id": ada_id, "view": "apps"}),
        ),
        ("users.list-user-types", json!({})),
        ("users.get-user", json!({"user-id": "nobody@example.com"})),
        ("groups.list-groups", json!({"expand": "stats"})),
        ("apps.list-apps", json!({})),
        ("system-log.list-events", json!({"page": {"limit": 5}})),
        ("event-hooks.list-event-hooks", json!({})),
        ("policies.list-policies", json!({"policy-type": "password"})),
        ("realms.list-realms", json!({})),
        ("factors.list-factors", json!({"user-id": ada_id})),
        (
            "factors.enroll-factor",
            json!({"user-id": ada_id, "factor-type": "token-software-totp", "provider": "GOOGLE"}),
        ),
        (
            "raw.request",
            json!({"method": "get", "path": "/api/v1/users/me"}),
        ),
        (
            "triggers.answer-verification",
            json!({"headers": [{"name": "x-okta-verification-challenge", "value": "abc"}]}),
        ),
        ("triggers.poll-system-log", json!({})),
        (
            "triggers.poll-new-users",
            json!({"since": "2020-01-01T00:00:00.000Z"}),
        ),
        ("triggers.poll-updated-users", json!({})),
        ("picklists.select-user", json!({"search": "a"})),
        ("picklists.select-group", json!({})),
        ("picklists.select-app", json!({})),
        ("picklists.select-event-hook", json!({})),
        ("picklists.select-realm", json!({})),
        ("picklists.select-user-factor", json!({"user-id": ada_id})),
        ("picklists.select-user-type", json!({})),
    ];
    for (node, input) in calls {
        checked_call(&env, &catalog, node, input).await;
        seen.insert(node.to_string());
    }
    assert!(seen.len() >= 39, "{} nodes' outputs checked", seen.len());
}

#[tokio::test]
async fn the_readme_node_table_is_the_catalog_s() {
    let env = Env::start().await;
    let table = catalog(&env).await.markdown_table();
    let readme_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(readme_path).unwrap();
    let (start, end) = ("<!-- nodes:start -->\n", "<!-- nodes:end -->");
    let from = readme.find(start).expect("the README marks its node table") + start.len();
    let to = readme.find(end).unwrap();
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{table}{}", &readme[..from], &readme[to..]);
        std::fs::write(readme_path, updated).unwrap();
        return;
    }
    assert!(
        readme[from..to] == table,
        "the README's node table is stale: run `UPDATE_README=1 cargo test -p okta-host \
         --test catalog the_readme` (or paste `cargo okta list --markdown`)"
    );
}

/// A connection option just inside its bounds is taken by the schema and the component; just
/// outside, refused by both (the component sends nothing).
#[tokio::test]
async fn option_bounds_hold_in_the_schema_and_the_component_alike() {
    let env = Env::start().await;
    let catalog = catalog(&env).await;
    let schema = catalog.schema_of("types.options");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let bounds = catalog.def("types.options").unwrap()["properties"].clone();
    for (field, value) in bounds.as_object().unwrap() {
        let (min, max) = (
            value["minimum"].as_u64().unwrap(),
            value["maximum"].as_u64().unwrap(),
        );
        let mut cases = vec![(min, true), (max, true), (max + 1, false)];
        if min > 0 {
            cases.push((min - 1, false));
        }
        for (n, ok) in cases {
            let Ok(n32) = u32::try_from(n) else { continue };
            assert_eq!(
                validator.is_valid(&json!({ field.as_str(): n })),
                ok,
                "{field} {n}: schema"
            );
            let mut conn = env.conn.clone();
            match field.as_str() {
                "max-retries" => conn.max_retries = Some(n32),
                "max-rate-limit-wait-ms" => conn.max_rate_limit_wait_ms = Some(n32),
                "timeout-ms" => conn.timeout_ms = Some(n32),
                "max-response-bytes" => conn.max_response_bytes = Some(n32),
                "deadline-ms" => conn.deadline_ms = Some(n32),
                other => panic!("a new option, {other}: add it here"),
            }
            let before = env.mock.state().traffic.arrived();
            let outcome = env
                .host
                .call_json(&conn, "connection.test-connection", &Value::Null)
                .await
                .unwrap();
            let refused = matches!(&outcome, Outcome::Err(e) if e["kind"] == "invalid-input");
            assert_eq!(!refused, ok, "{field} {n}: component: {outcome:?}");
            if refused {
                assert_eq!(
                    env.mock.state().traffic.arrived(),
                    before,
                    "{field} {n}: sent"
                );
            }
        }
    }
}

/// A default a form fills in is a value the component takes: `strict: false` without a
/// password, `revoke-sessions: false` without a temporary password.
#[tokio::test]
async fn defaults_a_form_fills_are_taken_alone() {
    let env = Env::seeded().await;
    let catalog = catalog(&env).await;
    let user = env.add_user("defaults@example.com");
    for (node, input) in [
        (
            "users.update-user",
            json!({"user-id": user, "profile": {"title": "Engineer"}, "strict": false}),
        ),
        (
            "users.expire-password",
            json!({"user-id": user, "revoke-sessions": false}),
        ),
    ] {
        let schema = catalog.node(node).unwrap().input_schema.clone().unwrap();
        assert!(
            errors(&catalog, &schema, &input).is_empty(),
            "{node}: the schema refuses {input}"
        );
        let outcome = env.host.call_json(&env.conn, node, &input).await.unwrap();
        assert!(matches!(outcome, Outcome::Ok(_)), "{node}: {outcome:?}");
    }
    let update = env
        .api_requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with(&user));
    assert!(
        update.is_some_and(|r| r.query.is_none_or(|q| !q.contains("strict"))),
        "strict is not sent without a password"
    );
}

/// Every definition, property and case has a title a person reads, so a form shows named
/// fields and named choices, not keys or "Option 2".
#[tokio::test]
async fn every_property_and_case_has_a_title() {
    let env = Env::start().await;
    let catalog = catalog(&env).await;
    fn walk(at: &str, schema: &Value, missing: &mut Vec<String>) {
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            if property["title"].as_str().is_none_or(str::is_empty) {
                missing.push(format!("{at}.{name}"));
            }
            walk(&format!("{at}.{name}"), property, missing);
        }
        for key in ["oneOf", "anyOf"] {
            for (i, case) in schema[key].as_array().into_iter().flatten().enumerate() {
                if case["title"].as_str().is_none_or(str::is_empty) && case.get("$ref").is_none() {
                    missing.push(format!("{at}.{key}[{i}]"));
                }
                walk(&format!("{at}.{key}[{i}]"), case, missing);
            }
        }
    }
    let mut missing = Vec::new();
    for (name, def) in catalog.schema["$defs"].as_object().unwrap() {
        if def["title"].as_str().is_none_or(str::is_empty) {
            missing.push(name.clone());
        }
        walk(name, def, &mut missing);
    }
    assert!(missing.is_empty(), "no title: {missing:?}");
    let def = |name: &str| catalog.def(name).unwrap().clone();
    assert_eq!(
        def("users.get-user-request")["properties"]["user-id"]["title"],
        "User ID"
    );
    assert_eq!(
        def("types.options")["properties"]["timeout-ms"]["title"],
        "Timeout (ms)"
    );
    assert_eq!(def("types.auth")["oneOf"][0]["title"], "API token");
}
