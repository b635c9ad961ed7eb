//! The `picklists` interface: choices for a form's dropdowns. Each is a list node with
//! the person's text turned into Okta's own search, its items turned into choices.

use crate::client::encode::filter_literal as quoted;
use crate::client::error::invalid_input;
use crate::client::{Client, Transport};
use crate::nodes::{apps, event_hooks, factors, groups, realms, users};
use crate::wit::apps::ListAppsRequest;
use crate::wit::event_hooks::ListEventHooksRequest;
use crate::wit::factors::ListFactorsRequest;
use crate::wit::groups::ListGroupsRequest;
use crate::wit::picklists::{Choice, ChoicePage, PicklistRequest, UserPicklistRequest};
use crate::wit::realms::ListRealmsRequest;
use crate::wit::types::{OktaError, PageRequest};
use crate::wit::users::{ListUserTypesRequest, ListUsersRequest};

/// Choices per page unless the request says otherwise.
const DEFAULT_LIMIT: u32 = crate::catalog::limits::PICKLIST_LIMIT.default_or(1);

/// The most choices per page: Okta's safe page size.
const MAX_LIMIT: u32 = crate::catalog::limits::PICKLIST_LIMIT.max;

/// The longest search text taken.
const MAX_SEARCH: usize = 256;

/// The request's search text, trimmed; `None` when blank.
fn search_text(search: &Option<String>) -> Result<Option<&str>, OktaError> {
    let text = search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if text.is_some_and(|t| t.len() > MAX_SEARCH) {
        return Err(invalid_input(format!(
            "search is longer than {MAX_SEARCH} bytes"
        )));
    }
    Ok(text)
}

/// The page Okta is asked for: one page of `limit`, from the cursor.
fn page(req: &PicklistRequest) -> Result<PageRequest, OktaError> {
    Ok(PageRequest {
        limit: Some(limit(req.limit)?),
        after: req.cursor.clone(),
        fetch_all: None,
        max_items: None,
    })
}

fn limit(limit: Option<u32>) -> Result<u32, OktaError> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        0 => Err(invalid_input("limit must be at least 1")),
        n if n > MAX_LIMIT => Err(invalid_input(format!("limit is at most {MAX_LIMIT}"))),
        n => Ok(n),
    }
}

/// A page of a list Okta returns whole, matched (ignoring ASCII case) and paged here: the
/// cursor is the offset. The search, the cursor and the limit are checked before the list
/// is fetched, so a bad one sends nothing.
struct LocalPage {
    needle: Option<String>,
    from: usize,
    limit: usize,
}

impl LocalPage {
    /// Checks a picklist request for a list paged here.
    fn new(req: &PicklistRequest) -> Result<Self, OktaError> {
        let from = match req.cursor.as_deref() {
            None => 0,
            Some(cursor) => cursor
                .parse::<u32>()
                .ok()
                .filter(|_| cursor.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| invalid_input("cursor is not a cursor of this picklist"))?
                as usize,
        };
        Ok(LocalPage {
            needle: search_text(&req.search)?.map(str::to_ascii_lowercase),
            from,
            limit: limit(req.limit)? as usize,
        })
    }

    /// The page of `choices` that match; a cursor past their end is refused.
    fn page(
        self,
        choices: Vec<Choice>,
        haystack: impl Fn(&Choice) -> String,
    ) -> Result<ChoicePage, OktaError> {
        let matching: Vec<Choice> = choices
            .into_iter()
            .filter(|c| {
                self.needle
                    .as_ref()
                    .is_none_or(|n| haystack(c).to_ascii_lowercase().contains(n.as_str()))
            })
            .collect();
        if self.from > matching.len() {
            return Err(invalid_input("cursor is not a cursor of this picklist"));
        }
        let to = (self.from + self.limit).min(matching.len());
        let next_cursor = (to < matching.len()).then(|| to.to_string());
        Ok(ChoicePage {
            choices: matching[self.from..to].to_vec(),
            next_cursor,
        })
    }
}

/// `picklists.select-user`: `First Last (email)` by id; the text is a prefix of the first or
/// last name, the email or the login.
pub(crate) fn select_user<T: Transport>(
    client: &mut Client<T>,
    req: PicklistRequest,
) -> Result<ChoicePage, OktaError> {
    let search = search_text(&req.search)?.map(|text| {
        let text = quoted(text);
        [
            "profile.firstName",
            "profile.lastName",
            "profile.email",
            "profile.login",
        ]
        .iter()
        .map(|attr| format!("{attr} sw {text}"))
        .collect::<Vec<_>>()
        .join(" or ")
    });
    let list = ListUsersRequest {
        q: None,
        filter: None,
        search,
        sort_by: None,
        sort_order: None,
        extra_query: None,
        include_raw: None,
        page: Some(page(&req)?),
    };
    let found = users::list_users(client, list)?;
    let choices = found
        .items
        .into_iter()
        .map(|u| {
            let p = &u.profile;
            let name = [p.first_name.as_deref(), p.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let login = p.login.clone().unwrap_or_default();
            let contact = p.email.clone().unwrap_or_else(|| login.clone());
            let label = if name.is_empty() {
                contact
            } else {
                format!("{name} ({contact})")
            };
            Choice {
                label,
                value: u.id,
                detail: Some(format!(
                    "{login} · {}",
                    status_word(&format!("{:?}", u.status))
                )),
            }
        })
        .collect();
    Ok(ChoicePage {
        choices,
        next_cursor: found.next_cursor,
    })
}

/// `Deprovisioned` (a WIT enum's name) → `DEPROVISIONED`, as Okta writes a status.
fn status_word(debug: &str) -> String {
    let name = debug.rsplit("::").next().unwrap_or(debug);
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// `picklists.select-group`: groups by name, by id.
pub(crate) fn select_group<T: Transport>(
    client: &mut Client<T>,
    req: PicklistRequest,
) -> Result<ChoicePage, OktaError> {
    let list = ListGroupsRequest {
        q: None,
        filter: None,
        search: search_text(&req.search)?.map(|t| format!("profile.name sw {}", quoted(t))),
        sort_by: None,
        sort_order: None,
        expand: None,
        extra_query: None,
        include_raw: None,
        page: Some(page(&req)?),
    };
    let found = groups::list_groups(client, list)?;
    let choices = found
        .items
        .into_iter()
        .map(|g| Choice {
            label: g.name,
            value: g.id,
            detail: g.description,
        })
        .collect();
    Ok(ChoicePage {
        choices,
        next_cursor: found.next_cursor,
    })
}

/// `picklists.select-app`: `Label (name)` by id; Okta's `q` matches a prefix of either.
pub(crate) fn select_app<T: Transport>(
    client: &mut Client<T>,
    req: PicklistRequest,
) -> Result<ChoicePage, OktaError> {
    let list = ListAppsRequest {
        q: search_text(&req.search)?.map(str::to_string),
        filter: None,
        expand: None,
        use_optimization: None,
        include_non_deleted: None,
        page: Some(page(&req)?),
        include_raw: None,
    };
    let found = apps::list_apps(client, list)?;
    let choices = found
        .items
        .into_iter()
        .map(|a| Choice {
            label: format!("{} ({})", a.label, a.name),
            value: a.id,
            detail: Some(status_word(&format!("{:?}", a.status))),
        })
        .collect();
    Ok(ChoicePage {
        choices,
        next_cursor: found.next_cursor,
    })
}

/// `picklists.select-event-hook`: hooks by name, by id.
pub(crate) fn select_event_hook<T: Transport>(
    client: &mut Client<T>,
    req: PicklistRequest,
) -> Result<ChoicePage, OktaError> {
    let page = LocalPage::new(&req)?;
    let hooks = event_hooks::list_event_hooks(client, ListEventHooksRequest { include_raw: None })?;
    let choices = hooks
        .into_iter()
        .map(|h| Choice {
            label: h.name,
            value: h.id,
            detail: Some(h.uri),
        })
        .collect();
    page.page(choices, |c| c.label.clone())
}

/// `picklists.select-realm`: realms by name, by id.
pub(crate) fn select_realm<T: Transport>(
    client: &mut Client<T>,
    req: PicklistRequest,
) -> Result<ChoicePage, OktaError> {
    let list = ListRealmsRequest {
        search: search_text(&req.search)?.map(|t| format!("profile.name sw {}", quoted(t))),
        sort_by: None,
        sort_order: None,
        page: Some(page(&req)?),
        include_raw: None,
    };
    let found = realms::list_realms(client, list)?;
    let choices = found
        .items
        .into_iter()
        .map(|r| Choice {
            label: r.name,
            value: r.id,
            detail: r.realm_type,
        })
        .collect();
    Ok(ChoicePage {
        choices,
        next_cursor: found.next_cursor,
    })
}

/// `picklists.select-user-factor`: a user's factors, `type (provider)` by factor id.
pub(crate) fn select_user_factor<T: Transport>(
    client: &mut Client<T>,
    req: UserPicklistRequest,
) -> Result<ChoicePage, OktaError> {
    let page = LocalPage::new(&PicklistRequest {
        search: req.search,
        cursor: None,
        limit: Some(MAX_LIMIT),
    })?;
    let list = ListFactorsRequest {
        user_id: req.user_id,
        include_raw: None,
    };
    let choices = factors::list_factors(client, list)?
        .into_iter()
        .map(|f| Choice {
            label: format!(
                "{} ({})",
                factors::factor_type_name(f.factor_type).unwrap_or("unknown"),
                f.provider
            ),
            value: f.id,
            detail: f.phone_number.or(f.email).or(f.question),
        })
        .collect();
    page.page(choices, |c| c.label.clone())
}

/// `picklists.select-user-type`: user types by display name, by id.
pub(crate) fn select_user_type<T: Transport>(
    client: &mut Client<T>,
    req: PicklistRequest,
) -> Result<ChoicePage, OktaError> {
    let page = LocalPage::new(&req)?;
    let types = users::list_user_types(client, ListUserTypesRequest { include_raw: None })?;
    let choices = types
        .into_iter()
        .map(|t| Choice {
            label: t.display_name,
            value: t.id,
            detail: Some(t.name),
        })
        .collect();
    page.page(choices, |c| {
        format!("{} {}", c.label, c.detail.as_deref().unwrap_or(""))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(label: &str) -> Choice {
        Choice {
            label: label.into(),
            value: label.into(),
            detail: None,
        }
    }

    #[test]
    fn search_text_is_quoted_for_okta() {
        assert_eq!(quoted(r#"a "b" \c"#), r#""a \"b\" \\c""#);
    }

    #[test]
    fn a_whole_list_is_matched_and_paged_by_offset() {
        let all: Vec<Choice> = ["Alpha", "beta", "Alphabet", "gamma"]
            .iter()
            .map(|l| choice(l))
            .collect();
        let req = |search: Option<&str>, cursor: Option<&str>| PicklistRequest {
            search: search.map(Into::into),
            cursor: cursor.map(Into::into),
            limit: Some(1),
        };
        let paged = |search, cursor| {
            LocalPage::new(&req(search, cursor))?.page(all.clone(), |c| c.label.clone())
        };
        let first = paged(Some("ALPHA"), None).unwrap();
        assert_eq!(first.choices[0].label, "Alpha");
        let cursor = first.next_cursor.unwrap();
        let second = paged(Some("alpha"), Some(&cursor)).unwrap();
        assert_eq!(second.choices[0].label, "Alphabet");
        assert_eq!(second.next_cursor, None);
        assert!(paged(None, Some("9")).is_err());
        // A cursor that is no offset, or a search too long, is refused before any fetch.
        for cursor in ["x", "-1", "+1", "99999999999", " 1"] {
            assert!(
                LocalPage::new(&req(None, Some(cursor))).is_err(),
                "{cursor}"
            );
        }
        let long = "s".repeat(MAX_SEARCH + 1);
        assert!(LocalPage::new(&req(Some(&long), None)).is_err());
    }

    #[test]
    fn statuses_read_as_okta_writes_them() {
        assert_eq!(status_word("PasswordExpired"), "PASSWORD_EXPIRED");
        assert_eq!(status_word("Active"), "ACTIVE");
    }
}
