//! The `realms` interface: WIT requests → request specs, Okta answers → WIT outputs.

use crate::client::encode;
use crate::client::paging::{self, Paging};
use crate::client::spec::{self, RequestSpec};
use crate::client::{Client, Transport};
use crate::nodes::objects::{self, parse, text};
use crate::wit::realms::{ListRealmsRequest, Realm, RealmPage};
use crate::wit::types::OktaError;
use serde_json::Value;

/// `GET /api/v1/realms` with the search, sort and paging.
pub(crate) fn build_list_realms(
    req: &ListRealmsRequest,
) -> Result<(RequestSpec, Paging), OktaError> {
    let spec = RequestSpec::get("/api/v1/realms".into())
        .query_opt("search", encode::non_blank(&req.search))
        .query_opt("sortBy", encode::non_blank(&req.sort_by))
        .query_opt("sortOrder", req.sort_order.map(spec::sort_order_param));
    Ok((spec, paging::plan(req.page.as_ref(), req.include_raw)?))
}

/// Parses a realm.
pub(crate) fn realm(raw: &[u8]) -> Result<Realm, OktaError> {
    let object = parse(raw, "a realm")?;
    let profile = object.get("profile").cloned().unwrap_or(Value::Null);
    Ok(Realm {
        id: objects::required(&object, "id", "a realm")?,
        name: text(&profile, "name").unwrap_or_default(),
        realm_type: text(&profile, "realmType"),
        is_default: objects::flag(&object, "isDefault"),
        domains: objects::strings(profile.get("domains")),
        created: text(&object, "created"),
        last_updated: text(&object, "lastUpdated"),
        raw: Some(objects::raw_text(raw)),
    })
}

/// `realms.list-realms`.
pub(crate) fn list_realms<T: Transport>(
    client: &mut Client<T>,
    req: ListRealmsRequest,
) -> Result<RealmPage, OktaError> {
    let (spec, paging) = build_list_realms(&req)?;
    let (items, next_cursor) = client.list(spec, &paging, realm)?;
    Ok(RealmPage { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wit::types::SortOrder;

    #[test]
    fn builds_and_parses() {
        let req = ListRealmsRequest {
            search: Some(r#"profile.name sw "Part""#.into()),
            sort_by: Some("profile.name".into()),
            sort_order: Some(SortOrder::Descending),
            page: None,
            include_raw: None,
        };
        let (spec, _) = build_list_realms(&req).unwrap();
        assert_eq!(
            spec.path_and_query(),
            "/api/v1/realms?search=profile.name%20sw%20%22Part%22&sortBy=profile.name&sortOrder=desc"
        );
        let r = realm(br#"{"id":"guo1","isDefault":false,"profile":{"name":"Partners","realmType":"PARTNER","domains":["p.com"]}}"#).unwrap();
        assert_eq!(
            (r.name.as_str(), r.realm_type.as_deref(), r.domains.len()),
            ("Partners", Some("PARTNER"), 1)
        );
    }
}
