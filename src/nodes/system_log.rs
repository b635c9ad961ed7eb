//! The `system-log` interface: WIT requests → request specs, Okta answers → WIT outputs.

use crate::client::encode;
use crate::client::error::invalid_input;
use crate::client::paging::{self, Paging};
use crate::client::spec::RequestSpec;
use crate::client::{Client, Transport};
use crate::nodes::objects::{self, parse, scalar_text, text};
use crate::wit::system_log::{
    ListEventsRequest, LogClient, LogEntity, LogEvent, LogGeo, LogPage, LogSeverity,
};
use crate::wit::types::{OktaError, SortOrder};
use serde_json::Value;

/// Okta's largest page of events.
pub(crate) const MAX_LIMIT: u32 = crate::catalog::limits::LOG_PAGE_LIMIT.max;

/// `GET /api/v1/logs` with the window, query and paging.
pub(crate) fn build_list_events(
    req: &ListEventsRequest,
) -> Result<(RequestSpec, Paging), OktaError> {
    let paging = paging::plan(req.page.as_ref(), req.include_raw)?;
    if paging.limit.is_some_and(|l| l > MAX_LIMIT) {
        return Err(invalid_input(format!(
            "page.limit is at most {MAX_LIMIT} for the system log"
        )));
    }
    let since = objects::utc_time("since", &req.since)?;
    let until = objects::utc_time("until", &req.until)?;
    if since.is_some() && paging.start.is_some() {
        return Err(invalid_input(
            "since and page.after cannot be used together",
        ));
    }
    let spec = RequestSpec::get("/api/v1/logs".into())
        .query_opt("since", since.as_deref())
        .query_opt("until", until.as_deref())
        .query_opt("filter", encode::non_blank(&req.filter))
        .query_opt("q", encode::non_blank(&req.q))
        .query_opt(
            "sortOrder",
            req.sort_order.map(|o| match o {
                SortOrder::Ascending => "ASCENDING",
                SortOrder::Descending => "DESCENDING",
            }),
        );
    Ok((spec, paging))
}

fn entity(object: &Value) -> Option<LogEntity> {
    Some(LogEntity {
        id: text(object, "id")?,
        entity_type: text(object, "type").unwrap_or_default(),
        alternate_id: text(object, "alternateId"),
        display_name: text(object, "displayName"),
    })
}

fn client(object: &Value) -> LogClient {
    let geo = object
        .get("geographicalContext")
        .filter(|g| g.is_object())
        .map(|g| LogGeo {
            city: scalar_text(g, "city"),
            state: scalar_text(g, "state"),
            country: scalar_text(g, "country"),
            postal_code: scalar_text(g, "postalCode"),
            latitude: g.pointer("/geolocation/lat").and_then(Value::as_f64),
            longitude: g.pointer("/geolocation/lon").and_then(Value::as_f64),
        });
    LogClient {
        ip_address: text(object, "ipAddress"),
        user_agent: object
            .get("userAgent")
            .and_then(|u| text(u, "rawUserAgent")),
        device: text(object, "device"),
        zone: text(object, "zone"),
        geo,
    }
}

/// Parses a system log event.
pub(crate) fn log_event(raw: &[u8]) -> Result<LogEvent, OktaError> {
    let object = parse(raw, "a log event")?;
    let outcome = object.get("outcome").cloned().unwrap_or(Value::Null);
    Ok(LogEvent {
        uuid: objects::required(&object, "uuid", "a log event")?,
        published: text(&object, "published").unwrap_or_default(),
        event_type: text(&object, "eventType").unwrap_or_default(),
        severity: match object.get("severity").and_then(Value::as_str) {
            Some("DEBUG") => LogSeverity::Debug,
            Some("INFO") => LogSeverity::Info,
            Some("WARN") => LogSeverity::Warn,
            Some("ERROR") => LogSeverity::Error,
            _ => LogSeverity::Unknown,
        },
        display_message: text(&object, "displayMessage"),
        actor: object.get("actor").and_then(entity),
        client: object.get("client").filter(|c| c.is_object()).map(client),
        outcome_result: text(&outcome, "result"),
        outcome_reason: text(&outcome, "reason"),
        targets: object
            .get("target")
            .and_then(Value::as_array)
            .map(|targets| targets.iter().filter_map(entity).collect())
            .unwrap_or_default(),
        raw: Some(objects::raw_text(raw)),
    })
}

/// `system-log.list-events`.
pub(crate) fn list_events<T: Transport>(
    client: &mut Client<T>,
    req: ListEventsRequest,
) -> Result<LogPage, OktaError> {
    let (spec, paging) = build_list_events(&req)?;
    let (items, next_cursor) = client.list(spec, &paging, log_event)?;
    Ok(LogPage { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wit::types::PageRequest;

    fn request() -> ListEventsRequest {
        ListEventsRequest {
            since: None,
            until: None,
            filter: None,
            q: None,
            sort_order: None,
            page: None,
            include_raw: None,
        }
    }

    #[test]
    fn builds_a_window_and_checks_the_limit() {
        let req = ListEventsRequest {
            since: Some("2026-11-01T00:00:00.000Z".into()),
            filter: Some(r#"eventType eq "user.lifecycle.create""#.into()),
            sort_order: Some(SortOrder::Descending),
            page: Some(PageRequest {
                limit: Some(50),
                after: None,
                fetch_all: None,
                max_items: None,
            }),
            ..request()
        };
        let (spec, paging) = build_list_events(&req).unwrap();
        let first = paging::first_request(spec, &paging).unwrap();
        assert_eq!(
            first.path_and_query(),
            "/api/v1/logs?since=2026-11-01T00%3A00%3A00.000Z&filter=eventType%20eq%20%22user.lifecycle.create%22&sortOrder=DESCENDING&limit=50"
        );
        let too_many = ListEventsRequest {
            page: Some(PageRequest {
                limit: Some(1001),
                after: None,
                fetch_all: None,
                max_items: None,
            }),
            ..request()
        };
        assert!(build_list_events(&too_many).is_err());
        let both = ListEventsRequest {
            since: Some("2026-11-01T00:00:00Z".into()),
            page: Some(PageRequest {
                limit: None,
                after: Some("1700000000000_1".into()),
                fetch_all: None,
                max_items: None,
            }),
            ..request()
        };
        assert!(build_list_events(&both).is_err());
    }

    #[test]
    fn parses_an_event() {
        let raw = br#"{"uuid":"e1","published":"2026-11-24T10:00:00.000Z","eventType":"user.lifecycle.create","severity":"INFO",
            "displayMessage":"Create okta user","actor":{"id":"00uadmin","type":"User","alternateId":"admin@x.com","displayName":"Admin"},
            "client":{"ipAddress":"10.0.0.1","userAgent":{"rawUserAgent":"curl"},"geographicalContext":{"city":"Oslo","geolocation":{"lat":59.9,"lon":10.7}}},
            "outcome":{"result":"SUCCESS"},"target":[{"id":"00u1","type":"User","alternateId":"a@x.com","displayName":"A"},{"type":"broken"}]}"#;
        let e = log_event(raw).unwrap();
        assert_eq!(
            (e.event_type.as_str(), e.severity),
            ("user.lifecycle.create", LogSeverity::Info)
        );
        assert_eq!(
            e.actor.unwrap().alternate_id.as_deref(),
            Some("admin@x.com")
        );
        let client = e.client.unwrap();
        assert_eq!(client.user_agent.as_deref(), Some("curl"));
        let geo = client.geo.unwrap();
        assert_eq!(
            (geo.city.as_deref(), geo.latitude),
            (Some("Oslo"), Some(59.9))
        );
        assert_eq!(e.outcome_result.as_deref(), Some("SUCCESS"));
        assert_eq!(e.targets.len(), 1, "a target without an id is dropped");
    }

    #[test]
    fn a_number_where_text_is_expected_is_converted() {
        let raw = br#"{"uuid":"e2","client":{"geographicalContext":{"city":"New York","postalCode":10013,"state":null,"country":["x"]}}}"#;
        let geo = log_event(raw).unwrap().client.unwrap().geo.unwrap();
        assert_eq!(
            (geo.city.as_deref(), geo.postal_code.as_deref()),
            (Some("New York"), Some("10013"))
        );
        assert_eq!((geo.state, geo.country), (None, None));
    }
}
