//! The `picklists` interface through the real component: what a person types becomes Okta's
//! own search, and every choice is reachable page by page.

mod common;

use common::*;
use okta_host::wit::picklists::*;
use okta_host::wit::types::ErrorKind;
use okta_mock::MockConfig;
use serde_json::json;

fn request(search: Option<&str>, cursor: Option<String>, limit: Option<u32>) -> PicklistRequest {
    PicklistRequest {
        search: search.map(Into::into),
        cursor,
        limit,
    }
}

/// The query of the last API request the mock saw, decoded.
fn last_query(env: &Env) -> String {
    let query = env.api_requests().pop().unwrap().query.unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn select_user_searches_okta_and_labels_people_by_name_and_email() {
    let env = Env::seeded().await;
    let page = call!(
        env,
        okta_management_picklists,
        call_select_user,
        &request(Some("ada"), None, None)
    )
    .unwrap();
    assert_eq!(page.choices.len(), 1, "{:?}", page.choices);
    let ada = &page.choices[0];
    assert_eq!(ada.label, "Ada Lovelace (ada.lovelace@example.com)");
    assert!(ada.value.starts_with("00u"));
    assert_eq!(
        ada.detail.as_deref(),
        Some("ada.lovelace@example.com · ACTIVE")
    );
    let query = last_query(&env);
    assert!(
        query.contains(r#"search=profile.firstName sw "ada" or profile.lastName sw "ada""#),
        "Okta searches, not the component: {query}"
    );
    let quoted = call!(
        env,
        okta_management_picklists,
        call_select_user,
        &request(Some(r#"a" or id pr or "x"#), None, None)
    )
    .unwrap();
    assert!(
        quoted.choices.is_empty(),
        "the text stays one string literal"
    );
}

#[tokio::test]
async fn every_user_is_reachable_page_by_page() {
    let env = Env::with(MockConfig {
        seed_users: 120,
        ..MockConfig::default()
    })
    .await;
    let mut cursor = None;
    let mut values = Vec::new();
    let mut pages = 0;
    loop {
        let page = call!(
            env,
            okta_management_picklists,
            call_select_user,
            &request(None, cursor, Some(50))
        )
        .unwrap();
        pages += 1;
        assert!(page.choices.len() <= 50);
        values.extend(page.choices.into_iter().map(|c| c.value));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut unique = values.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), values.len());
    assert_eq!(values.len(), 121, "the seeded users and the admin");
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn select_group_app_realm_and_user_type_use_okta_s_search() {
    let env = Env::seeded().await;
    let groups = call!(
        env,
        okta_management_picklists,
        call_select_group,
        &request(Some("Eng"), None, None)
    )
    .unwrap();
    assert_eq!(groups.choices.len(), 1);
    assert_eq!(groups.choices[0].label, "Engineering");
    assert_eq!(
        groups.choices[0].detail.as_deref(),
        Some("Builds the product")
    );
    assert!(last_query(&env).contains(r#"search=profile.name sw "Eng""#));

    let apps = call!(
        env,
        okta_management_picklists,
        call_select_app,
        &request(Some("sales"), None, None)
    )
    .unwrap();
    assert_eq!(apps.choices.len(), 1);
    assert_eq!(apps.choices[0].label, "Salesforce.com (salesforce)");
    assert!(last_query(&env).contains("q=sales"));

    let realms = call!(
        env,
        okta_management_picklists,
        call_select_realm,
        &request(Some("Part"), None, None)
    )
    .unwrap();
    assert_eq!(
        realms
            .choices
            .iter()
            .map(|c| (c.label.as_str(), c.detail.as_deref()))
            .collect::<Vec<_>>(),
        [("Partners", Some("PARTNER"))]
    );
    assert!(last_query(&env).contains(r#"search=profile.name sw "Part""#));

    let types = call!(
        env,
        okta_management_picklists,
        call_select_user_type,
        &request(Some("user"), None, None)
    )
    .unwrap();
    assert!(!types.choices.is_empty());
    assert!(types.choices.iter().all(|c| c.value.starts_with("oty")));
}

#[tokio::test]
async fn select_event_hook_matches_names_and_pages_the_whole_list() {
    let env = Env::start().await;
    for name in ["Provisioning", "Audit", "Provisioning (EU)"] {
        let made = env
            .host
            .call_json(
                &env.conn,
                "event-hooks.create-event-hook",
                &json!({
                    "name": name,
                    "uri": "https://flows.example.com/hooks",
                    "event-types": ["user.lifecycle.create"],
                }),
            )
            .await
            .unwrap();
        assert!(matches!(made, okta_host::Outcome::Ok(_)), "{made:?}");
    }
    let first = call!(
        env,
        okta_management_picklists,
        call_select_event_hook,
        &request(Some("provisioning"), None, Some(1))
    )
    .unwrap();
    assert_eq!(first.choices.len(), 1);
    assert_eq!(first.choices[0].label, "Provisioning");
    assert_eq!(
        first.choices[0].detail.as_deref(),
        Some("https://flows.example.com/hooks")
    );
    let second = call!(
        env,
        okta_management_picklists,
        call_select_event_hook,
        &request(Some("provisioning"), first.next_cursor, Some(1))
    )
    .unwrap();
    assert_eq!(second.choices[0].label, "Provisioning (EU)");
    assert_eq!(second.next_cursor, None);
    let wrong = call!(
        env,
        okta_management_picklists,
        call_select_event_hook,
        &request(None, Some("nine".into()), None)
    )
    .unwrap_err();
    assert_error(&wrong, ErrorKind::InvalidInput, None);
}

#[tokio::test]
async fn select_user_factor_lists_a_user_s_factors_by_type_and_provider() {
    let env = Env::start().await;
    let user = env.add_user("factor.picker@example.com");
    for kind in [
        okta_host::wit::factors::FactorType::Sms,
        okta_host::wit::factors::FactorType::Question,
    ] {
        let mut req = enroll(&user, kind);
        req.phone_number = Some("+1-555-415-1337".into());
        req.question = Some("disliked_food".into());
        req.answer = Some("mayonnaise".into());
        let enrolled = call!(env, okta_management_factors, call_enroll_factor, &req);
        assert!(enrolled.is_ok(), "{enrolled:?}");
    }
    let all = call!(
        env,
        okta_management_picklists,
        call_select_user_factor,
        &UserPicklistRequest {
            user_id: "factor.picker@example.com".into(),
            search: None,
        }
    )
    .unwrap();
    let labels: Vec<&str> = all.choices.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["sms (OKTA)", "question (OKTA)"]);
    let sms = call!(
        env,
        okta_management_picklists,
        call_select_user_factor,
        &UserPicklistRequest {
            user_id: user.clone(),
            search: Some("SMS".into()),
        }
    )
    .unwrap();
    assert_eq!(sms.choices.len(), 1);
    assert_eq!(sms.choices[0].value, all.choices[0].value);
    assert_eq!(sms.choices[0].detail.as_deref(), Some("+15554151337"));
    let missing = call!(
        env,
        okta_management_picklists,
        call_select_user_factor,
        &UserPicklistRequest {
            user_id: "nobody@example.com".into(),
            search: None,
        }
    )
    .unwrap_err();
    assert_error(&missing, ErrorKind::NotFound, Some("E0000007"));
}

#[tokio::test]
async fn a_bad_picklist_request_is_refused_before_anything_is_sent() {
    let env = Env::start().await;
    for req in [
        request(None, None, Some(0)),
        request(None, None, Some(201)),
        request(Some(&"x".repeat(300)), None, None),
    ] {
        let err = call!(env, okta_management_picklists, call_select_group, &req).unwrap_err();
        assert_error(&err, ErrorKind::InvalidInput, None);
    }
    assert_eq!(env.requests(), 0);
}

#[tokio::test]
async fn user_profile_fields_give_the_org_s_own_attributes_as_a_schema() {
    let env = Env::seeded().await;
    // An admin adds a custom attribute, with Okta's own operation.
    let added = env
        .host
        .call_json(
            &env.conn,
            "operations.updateUserProfile",
            &json!({"schemaId": "default", "body": {"definitions": {"custom": {"properties": {
                "costCode": {"title": "Cost code", "type": "string", "enum": ["R1", "R2"], "required": true},
                "level": {"title": "Level", "type": "integer", "minimum": 1, "maximum": 9},
            }}}}}),
        )
        .await
        .unwrap();
    assert!(matches!(added, okta_host::Outcome::Ok(_)), "{added:?}");
    let fields = call!(
        env,
        okta_management_picklists,
        call_user_profile_fields,
        &UserProfileFieldsRequest { type_id: None }
    )
    .unwrap();
    assert_eq!(fields.custom, ["costCode", "level"]);
    let schema: serde_json::Value = serde_json::from_str(&fields.schema).unwrap();
    let properties = &schema["properties"];
    assert_eq!(properties["costCode"]["title"], "Cost code");
    assert_eq!(properties["costCode"]["enum"], json!(["R1", "R2", null]));
    assert_eq!(properties["level"]["maximum"], 9);
    assert_eq!(properties["login"]["title"], "Username");
    let required = schema["required"].as_array().unwrap();
    assert!(required.contains(&json!("costCode")) && required.contains(&json!("login")));
    // The schema is one a standard validator compiles, and it takes a profile with the
    // custom attributes a create-user sends in `profile-extra`.
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let profile = json!({"login": "a@example.com", "email": "a@example.com", "firstName": "A",
                         "lastName": "B", "costCode": "R1", "level": 3});
    assert!(validator.is_valid(&profile));
    assert!(!validator.is_valid(&json!({"login": "a@example.com", "costCode": "R9"})));
    let created = env
        .host
        .call_json(
            &env.conn,
            "users.create-user",
            &json!({"profile": {"login": "cc@example.com", "email": "cc@example.com",
                                "first-name": "C", "last-name": "C"},
                    "profile-extra": {"costCode": "R1", "level": 3}}),
        )
        .await
        .unwrap();
    let okta_host::Outcome::Ok(user) = created else {
        panic!("{created:?}");
    };
    let stored = env.mock.state().users[user["id"].as_str().unwrap()]
        .profile
        .clone();
    assert_eq!(stored["costCode"], "R1");
    // A user type's profile: the type's own schema, by its link.
    let contractor = call!(
        env,
        okta_management_users,
        call_list_user_types,
        okta_host::wit::users::ListUserTypesRequest { include_raw: None }
    )
    .unwrap()
    .into_iter()
    .find(|t| t.name == "contractor")
    .unwrap();
    let theirs = call!(
        env,
        okta_management_picklists,
        call_user_profile_fields,
        &UserProfileFieldsRequest {
            type_id: Some(contractor.id)
        }
    )
    .unwrap();
    assert!(
        theirs.custom.is_empty(),
        "the contractor type has its own schema"
    );
    let missing = call!(
        env,
        okta_management_picklists,
        call_user_profile_fields,
        &UserProfileFieldsRequest {
            type_id: Some("otynothing".into())
        }
    )
    .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn app_user_profile_fields_give_the_app_s_attributes() {
    let env = Env::seeded().await;
    let slack = okta_mock::state::demo::SLACK;
    env.host
        .call_json(
            &env.conn,
            "operations.updateApplicationUserProfile",
            &json!({"appId": slack, "body": {"definitions": {"custom": {"properties": {
                "team": {"title": "Team", "type": "string", "oneOf": [
                    {"const": "eng", "title": "Engineering"}, {"const": "ops", "title": "Operations"}]},
            }}}}}),
        )
        .await
        .unwrap();
    let fields = call!(
        env,
        okta_management_picklists,
        call_app_user_profile_fields,
        &AppProfileFieldsRequest {
            app_id: slack.into()
        }
    )
    .unwrap();
    assert_eq!(fields.custom, ["team"]);
    let schema: serde_json::Value = serde_json::from_str(&fields.schema).unwrap();
    assert_eq!(
        schema["properties"]["team"]["oneOf"][0]["title"],
        "Engineering"
    );
    assert_eq!(schema["properties"]["userName"]["title"], "Username");
    let missing = call!(
        env,
        okta_management_picklists,
        call_app_user_profile_fields,
        &AppProfileFieldsRequest {
            app_id: "0oanothing".into()
        }
    )
    .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
}
