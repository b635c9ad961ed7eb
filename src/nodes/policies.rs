//! The `policies` interface: WIT requests → request specs, Okta answers → WIT outputs.

use crate::client::encode;
use crate::client::paging::{self, Paging};
use crate::client::spec::RequestSpec;
use crate::client::{Client, Transport};
use crate::nodes::objects::{self, parse, text};
use crate::wit::policies::{ListPoliciesRequest, Policy, PolicyPage, PolicyType};
use crate::wit::types::{LifecycleStatus, OktaError};
use serde_json::Value;

/// Okta's name for a policy type.
fn policy_type_name(kind: PolicyType) -> &'static str {
    match kind {
        PolicyType::AccessPolicy => "ACCESS_POLICY",
        PolicyType::EntityRisk => "ENTITY_RISK",
        PolicyType::IdpDiscovery => "IDP_DISCOVERY",
        PolicyType::MfaEnroll => "MFA_ENROLL",
        PolicyType::OktaSignOn => "OKTA_SIGN_ON",
        PolicyType::Password => "PASSWORD",
        PolicyType::PostAuthSession => "POST_AUTH_SESSION",
        PolicyType::ProfileEnrollment => "PROFILE_ENROLLMENT",
        PolicyType::DeviceSignalCollection => "DEVICE_SIGNAL_COLLECTION",
        PolicyType::SessionViolationDetection => "SESSION_VIOLATION_DETECTION",
        PolicyType::ClientUpdate => "CLIENT_UPDATE",
        PolicyType::IdentityClaimSourcing => "IDENTITY_CLAIM_SOURCING",
    }
}

/// `GET /api/v1/policies` with the type, filters and paging.
pub(crate) fn build_list_policies(
    req: &ListPoliciesRequest,
) -> Result<(RequestSpec, Paging), OktaError> {
    let status = match req.status {
        None => None,
        Some(LifecycleStatus::Active) => Some("ACTIVE"),
        Some(LifecycleStatus::Inactive) => Some("INACTIVE"),
        Some(LifecycleStatus::Unknown) => {
            return Err(crate::client::error::invalid_input(
                "status must be active or inactive",
            ));
        }
    };
    let spec = RequestSpec::get("/api/v1/policies".into())
        .query("type", policy_type_name(req.policy_type))
        .query_opt("status", status)
        .query_opt("q", encode::non_blank(&req.q))
        .query_opt("expand", encode::non_blank(&req.expand))
        .query_opt("resourceId", encode::non_blank(&req.resource_id))
        .query_opt("sortBy", encode::non_blank(&req.sort_by));
    Ok((spec, paging::plan(req.page.as_ref(), req.include_raw)?))
}

/// Parses a policy.
pub(crate) fn policy(raw: &[u8]) -> Result<Policy, OktaError> {
    let object = parse(raw, "a policy")?;
    Ok(Policy {
        id: objects::required(&object, "id", "a policy")?,
        name: text(&object, "name").unwrap_or_default(),
        policy_type: text(&object, "type").unwrap_or_default(),
        status: objects::lifecycle_status(&object),
        description: text(&object, "description"),
        priority: object
            .get("priority")
            .and_then(Value::as_u64)
            .and_then(|p| u32::try_from(p).ok()),
        system: objects::flag(&object, "system"),
        created: text(&object, "created"),
        last_updated: text(&object, "lastUpdated"),
        raw: Some(objects::raw_text(raw)),
    })
}

/// `policies.list-policies`.
pub(crate) fn list_policies<T: Transport>(
    client: &mut Client<T>,
    req: ListPoliciesRequest,
) -> Result<PolicyPage, OktaError> {
    let (spec, paging) = build_list_policies(&req)?;
    let (items, next_cursor) = client.list(spec, &paging, policy)?;
    Ok(PolicyPage { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_by_type_and_status() {
        let req = ListPoliciesRequest {
            policy_type: PolicyType::OktaSignOn,
            status: Some(LifecycleStatus::Active),
            q: None,
            expand: Some("rules".into()),
            resource_id: None,
            sort_by: Some("created".into()),
            page: None,
            include_raw: None,
        };
        let (spec, _) = build_list_policies(&req).unwrap();
        assert_eq!(
            spec.path_and_query(),
            "/api/v1/policies?type=OKTA_SIGN_ON&status=ACTIVE&expand=rules&sortBy=created"
        );
        let unknown = ListPoliciesRequest {
            status: Some(LifecycleStatus::Unknown),
            ..req
        };
        assert!(build_list_policies(&unknown).is_err());
    }

    #[test]
    fn parses_a_policy() {
        let p = policy(br#"{"id":"00p1","name":"Default Policy","type":"PASSWORD","status":"ACTIVE","priority":1,"system":true}"#).unwrap();
        assert_eq!(
            (p.name.as_str(), p.status, p.priority, p.system),
            ("Default Policy", LifecycleStatus::Active, Some(1), true)
        );
    }
}
