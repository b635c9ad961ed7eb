//! `policies.list-policies` and `realms.list-realms` through the real component.

mod common;

use common::*;
use okta_host::wit::policies::*;
use okta_host::wit::realms::*;
use okta_host::wit::types::{ErrorKind, LifecycleStatus, PageRequest, SortOrder};

fn policies(kind: PolicyType) -> ListPoliciesRequest {
    ListPoliciesRequest {
        policy_type: kind,
        status: None,
        q: None,
        expand: None,
        resource_id: None,
        sort_by: None,
        page: None,
        include_raw: None,
    }
}

#[tokio::test]
async fn list_policies_by_type_and_status() {
    let env = Env::start().await;
    let sign_on = call!(
        env,
        okta_management_policies,
        call_list_policies,
        &policies(PolicyType::OktaSignOn)
    )
    .unwrap();
    assert_eq!(
        sign_on
            .items
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["Default Policy", "Contractors"]
    );
    assert!(sign_on.items[0].system && sign_on.items[0].priority == Some(1));
    assert_eq!(sign_on.items[0].policy_type, "OKTA_SIGN_ON");
    let active = ListPoliciesRequest {
        status: Some(LifecycleStatus::Active),
        ..policies(PolicyType::OktaSignOn)
    };
    assert_eq!(
        call!(env, okta_management_policies, call_list_policies, &active)
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(
        env.mock
            .requests()
            .last()
            .unwrap()
            .query
            .as_deref()
            .unwrap()
            .starts_with("type=OKTA_SIGN_ON&status=ACTIVE")
    );
    let paged = ListPoliciesRequest {
        page: Some(PageRequest {
            limit: Some(1),
            after: None,
            fetch_all: None,
            max_items: None,
        }),
        ..policies(PolicyType::AccessPolicy)
    };
    let first = call!(env, okta_management_policies, call_list_policies, &paged).unwrap();
    assert_eq!(first.items.len(), 1);
    assert!(first.next_cursor.is_some());
    let none = call!(
        env,
        okta_management_policies,
        call_list_policies,
        &policies(PolicyType::EntityRisk)
    )
    .unwrap();
    assert!(none.items.is_empty());
    let unknown = ListPoliciesRequest {
        status: Some(LifecycleStatus::Unknown),
        ..policies(PolicyType::Password)
    };
    assert_error(
        &call!(env, okta_management_policies, call_list_policies, &unknown).unwrap_err(),
        ErrorKind::InvalidInput,
        None,
    );
}

#[tokio::test]
async fn list_realms_with_search_sort_and_paging() {
    let env = Env::start().await;
    let all = ListRealmsRequest {
        search: None,
        sort_by: None,
        sort_order: None,
        page: None,
        include_raw: None,
    };
    let realms = call!(env, okta_management_realms, call_list_realms, &all).unwrap();
    assert_eq!(realms.items.len(), 3);
    assert!(realms.items[0].is_default);
    let partners = ListRealmsRequest {
        search: Some(r#"profile.realmType eq "PARTNER""#.into()),
        sort_by: Some("profile.name".into()),
        sort_order: Some(SortOrder::Ascending),
        page: None,
        include_raw: None,
    };
    let found = call!(env, okta_management_realms, call_list_realms, &partners).unwrap();
    assert_eq!(
        found
            .items
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["Contractors", "Partners"]
    );
    assert_eq!(found.items[1].domains, ["partner.example.com"]);
    let paged = ListRealmsRequest {
        page: Some(PageRequest {
            limit: Some(2),
            after: None,
            fetch_all: Some(true),
            max_items: None,
        }),
        ..all
    };
    assert_eq!(
        call!(env, okta_management_realms, call_list_realms, &paged)
            .unwrap()
            .items
            .len(),
        3
    );
    let bad = ListRealmsRequest {
        search: Some("profile.name eq".into()),
        sort_by: None,
        sort_order: None,
        page: None,
        include_raw: None,
    };
    assert_error(
        &call!(env, okta_management_realms, call_list_realms, &bad).unwrap_err(),
        ErrorKind::BadRequest,
        Some("E0000031"),
    );
}
