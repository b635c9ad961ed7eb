//! `system-log.list-events` through the real component: the mock records an event for every
//! write, and polling keeps Okta's `next` link.

mod common;

use common::*;
use okta_host::wit::system_log::*;
use okta_host::wit::types::{ErrorKind, PageRequest, SortOrder};
use okta_host::wit::users::SuspendUserRequest;

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

fn page(limit: Option<u32>, after: Option<String>, fetch_all: bool) -> Option<PageRequest> {
    Some(PageRequest {
        limit,
        after,
        fetch_all: Some(fetch_all),
        max_items: None,
    })
}

#[tokio::test]
async fn every_write_is_in_the_log_and_polling_continues_from_the_cursor() {
    let env = Env::start().await;
    let id = env.add_user("logged@example.com");
    users!(
        env,
        call_suspend_user,
        &SuspendUserRequest {
            user_id: id.clone()
        }
    )
    .unwrap();
    let filter = ListEventsRequest {
        filter: Some(format!(r#"target.id eq "{id}""#)),
        ..request()
    };
    let events = call!(env, okta_management_system_log, call_list_events, &filter).unwrap();
    assert_eq!(
        events
            .items
            .iter()
            .map(|e| e.event_type.as_str())
            .collect::<Vec<_>>(),
        ["user.lifecycle.suspend"]
    );
    let event = &events.items[0];
    assert_eq!(event.severity, LogSeverity::Info);
    assert_eq!(event.outcome_result.as_deref(), Some("SUCCESS"));
    assert_eq!(
        event.actor.as_ref().and_then(|a| a.alternate_id.as_deref()),
        Some("admin@example.com")
    );
    assert_eq!(
        event.targets[0].alternate_id.as_deref(),
        Some("logged@example.com")
    );
    assert_eq!(
        event
            .client
            .as_ref()
            .and_then(|c| c.geo.as_ref())
            .and_then(|g| g.city.as_deref()),
        Some("San Francisco")
    );

    // An ascending poll with no `until` always gets a cursor, even when it is up to date.
    let poll = ListEventsRequest {
        sort_order: Some(SortOrder::Ascending),
        page: page(Some(100), None, true),
        ..request()
    };
    let first = call!(env, okta_management_system_log, call_list_events, &poll).unwrap();
    let cursor = first.next_cursor.clone().expect("polling keeps a cursor");
    // The cursor goes back with the request that returned it.
    let nothing_new = ListEventsRequest {
        page: page(None, Some(cursor.clone()), false),
        ..poll.clone()
    };
    let empty = call!(
        env,
        okta_management_system_log,
        call_list_events,
        &nothing_new
    )
    .unwrap();
    assert!(empty.items.is_empty());
    assert!(empty.next_cursor.is_some());

    users!(
        env,
        call_unsuspend_user,
        &okta_host::wit::users::UnsuspendUserRequest { user_id: id }
    )
    .unwrap();
    let later = call!(
        env,
        okta_management_system_log,
        call_list_events,
        &ListEventsRequest {
            page: page(None, empty.next_cursor, false),
            ..poll
        }
    )
    .unwrap();
    assert_eq!(
        later
            .items
            .iter()
            .map(|e| e.event_type.as_str())
            .collect::<Vec<_>>(),
        ["user.lifecycle.unsuspend"]
    );
}

#[tokio::test]
async fn fetch_all_pages_through_the_log_and_stops_at_max_items() {
    let env = Env::seeded().await;
    for i in 0..5 {
        let id = env.add_user(&format!("p{i}@example.com"));
        users!(env, call_suspend_user, &SuspendUserRequest { user_id: id }).unwrap();
    }
    let suspends = ListEventsRequest {
        filter: Some(r#"eventType eq "user.lifecycle.suspend""#.into()),
        page: page(Some(2), None, true),
        ..request()
    };
    env.mock.clear_requests();
    let all = call!(env, okta_management_system_log, call_list_events, &suspends).unwrap();
    assert_eq!(all.items.len(), 5);
    assert!(env.requests() >= 3, "{} requests", env.requests());
    let capped = ListEventsRequest {
        page: Some(PageRequest {
            limit: Some(2),
            after: None,
            fetch_all: Some(true),
            max_items: Some(3),
        }),
        ..suspends
    };
    assert_eq!(
        call!(env, okta_management_system_log, call_list_events, &capped)
            .unwrap()
            .items
            .len(),
        3
    );

    let newest = ListEventsRequest {
        sort_order: Some(SortOrder::Descending),
        page: page(Some(1), None, false),
        ..request()
    };
    let one = call!(env, okta_management_system_log, call_list_events, &newest).unwrap();
    assert_eq!(one.items[0].event_type, "user.lifecycle.suspend");
    let q = ListEventsRequest {
        q: Some("p4@example.com".into()),
        ..request()
    };
    assert_eq!(
        call!(env, okta_management_system_log, call_list_events, &q)
            .unwrap()
            .items
            .len(),
        1
    );
}

#[tokio::test]
async fn bad_windows_are_refused() {
    let env = Env::start().await;
    for bad in [
        ListEventsRequest {
            page: page(Some(1001), None, false),
            ..request()
        },
        ListEventsRequest {
            since: Some("2026-01-01T00:00:00Z".into()),
            page: page(None, Some("abc".into()), false),
            ..request()
        },
    ] {
        assert_error(
            &call!(env, okta_management_system_log, call_list_events, &bad).unwrap_err(),
            ErrorKind::InvalidInput,
            None,
        );
    }
    assert_eq!(env.requests(), 0);
    // A time that is not Okta's UTC form is refused before it is sent (Okta answers such
    // a `since` with 400 E0000030); one without a fraction is sent as Okta writes times.
    for since in ["yesterday", "2026-01-01T00:00:00+01:00", ""] {
        let bad_date = ListEventsRequest {
            since: Some(since.into()),
            ..request()
        };
        assert_error(
            &call!(env, okta_management_system_log, call_list_events, &bad_date).unwrap_err(),
            ErrorKind::InvalidInput,
            None,
        );
    }
    assert_eq!(env.requests(), 0);
    let plain = ListEventsRequest {
        since: Some("2026-01-01T00:00:00Z".into()),
        ..request()
    };
    call!(env, okta_management_system_log, call_list_events, &plain).unwrap();
    let sent = env.api_requests();
    assert!(
        sent.last()
            .unwrap()
            .query
            .as_deref()
            .unwrap_or("")
            .contains("since=2026-01-01T00%3A00%3A00.000Z"),
        "{sent:?}"
    );
    let bad_filter = ListEventsRequest {
        filter: Some("eventType eq".into()),
        ..request()
    };
    assert_error(
        &call!(
            env,
            okta_management_system_log,
            call_list_events,
            &bad_filter
        )
        .unwrap_err(),
        ErrorKind::BadRequest,
        Some("E0000031"),
    );
}

#[tokio::test]
async fn a_numeric_postal_code_is_kept() {
    let env = Env::start().await;
    // Okta's own `ListLogs` example sends `postalCode` as a number.
    let published = okta_mock::state::timestamp(std::time::SystemTime::now());
    env.mock.state().events.push(serde_json::json!({
        "uuid": "dc9fd3c0-598c-11ef-8478-2b7584bf8d5a",
        "published": published,
        "eventType": "user.session.start",
        "version": "0",
        "severity": "INFO",
        "displayMessage": "User login to Okta",
        "actor": {"id": "00uttidj01jqL21aM1d6", "type": "User", "alternateId": "john.doe@example.com", "displayName": "John Doe"},
        "client": {
            "ipAddress": "10.0.0.1",
            "geographicalContext": {
                "city": "New York", "state": "New York", "country": "United States", "postalCode": 10013,
                "geolocation": {"lat": 40.3157, "lon": -74.01}
            }
        },
        "outcome": {"result": "SUCCESS", "reason": null},
        "target": [],
    }));
    let events = call!(
        env,
        okta_management_system_log,
        call_list_events,
        &ListEventsRequest {
            filter: Some(r#"eventType eq "user.session.start""#.into()),
            ..request()
        }
    )
    .unwrap();
    let geo = events.items[0]
        .client
        .as_ref()
        .unwrap()
        .geo
        .clone()
        .unwrap();
    assert_eq!(geo.postal_code.as_deref(), Some("10013"));
    assert_eq!(geo.city.as_deref(), Some("New York"));
    assert_eq!(geo.latitude, Some(40.3157));
}
