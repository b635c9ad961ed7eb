//! The connection: domain validation, the credential and the options.

use crate::client::auth::Credential;
use crate::client::error::invalid_input;
use crate::client::retry::Policy;
use crate::wit::types::{self as wit, OktaError, Options};
use std::time::Duration;

use crate::catalog::limits::{
    Bounds, DEADLINE_MS, MAX_RATE_LIMIT_WAIT_MS, MAX_RESPONSE_BYTES, MAX_RETRIES, TIMEOUT_MS,
};

/// A checked connection, ready to send requests with.
#[derive(Clone, Debug)]
pub(crate) struct Connection {
    /// The org's host, lower case, without scheme or slash.
    pub domain: String,
    /// The credential.
    pub credential: Credential,
    /// Retries and the longest rate-limit wait.
    pub policy: Policy,
    /// The connect timeout passed to the host.
    pub timeout: Duration,
    /// The largest response body read.
    pub max_response_bytes: usize,
    /// The longest the whole call may take.
    pub deadline: Duration,
}

impl Connection {
    /// Checks a WIT connection. Nothing is sent when this fails.
    pub(crate) fn from_wit(conn: &wit::Connection) -> Result<Self, OktaError> {
        let domain = normalize_domain(&conn.domain)?;
        let credential = Credential::from_wit(&conn.auth)?;
        let options = conn.options.unwrap_or(Options {
            max_retries: None,
            max_rate_limit_wait_ms: None,
            timeout_ms: None,
            max_response_bytes: None,
            deadline_ms: None,
        });
        let max_retries = bounded("options.max-retries", options.max_retries, MAX_RETRIES)?;
        let max_wait = bounded(
            "options.max-rate-limit-wait-ms",
            options.max_rate_limit_wait_ms,
            MAX_RATE_LIMIT_WAIT_MS,
        )?;
        let timeout = bounded("options.timeout-ms", options.timeout_ms, TIMEOUT_MS)?;
        let max_response_bytes = bounded(
            "options.max-response-bytes",
            options.max_response_bytes,
            MAX_RESPONSE_BYTES,
        )?;
        let deadline = bounded("options.deadline-ms", options.deadline_ms, DEADLINE_MS)?;
        let ms = |ms: u32| Duration::from_millis(ms.into());
        Ok(Connection {
            domain,
            credential,
            policy: Policy {
                max_retries,
                max_wait: ms(max_wait),
                ..Policy::default()
            },
            timeout: ms(timeout),
            max_response_bytes: max_response_bytes as usize,
            deadline: ms(deadline),
        })
    }
}

/// Checks an optional number against its bounds; absent, its default.
fn bounded(field: &str, value: Option<u32>, bounds: Bounds) -> Result<u32, OktaError> {
    match value {
        Some(v) if !bounds.takes(v) => Err(invalid_input(format!(
            "{field} must be from {} to {}",
            bounds.min, bounds.max
        ))),
        Some(v) => Ok(v),
        None => Ok(bounds.default_or(bounds.min)),
    }
}

/// Normalizes and checks an org domain: `https://` and one trailing `/` are stripped; a
/// path, userinfo, port, IP literal, `localhost`, `http://`, a placeholder or an `-admin.`
/// host is rejected.
pub(crate) fn normalize_domain(input: &str) -> Result<String, OktaError> {
    let bad = |why: &str| invalid_input(format!("domain {why}"));
    let mut host = input.trim();
    if host.is_empty() {
        return Err(bad("is empty"));
    }
    if host.contains('{') || host.contains('}') {
        return Err(bad(
            "is a placeholder; use your org's domain, such as dev-123456.okta.com",
        ));
    }
    if has_prefix(host, "http://") {
        return Err(bad("must use https"));
    }
    if has_prefix(host, "https://") {
        host = &host["https://".len()..];
    }
    if let Some(stripped) = host.strip_suffix('/') {
        host = stripped;
    }
    if host.contains('@') {
        return Err(bad("cannot contain userinfo (`@`)"));
    }
    if host.contains('/') || host.contains('?') || host.contains('#') || host.contains("://") {
        return Err(bad("must be a host name, without a path"));
    }
    if host.starts_with('[') || host.contains(':') {
        return Err(bad("cannot contain a port or an IP address"));
    }
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return Err(bad("cannot be localhost"));
    }
    if host.len() > 253 || !host.is_ascii() {
        return Err(bad("is not a valid host name (use its punycode form)"));
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Err(bad("must be a full host name, such as dev-123456.okta.com"));
    }
    let valid_label = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !labels.iter().all(valid_label) {
        return Err(bad("is not a valid host name"));
    }
    // A host whose last label is a number in any base (`1`, `0x7f`, `0177`) is an IPv4
    // address to URL parsers and to `inet_aton` (`127.1`, `0x7f.0x1`, `127.0.0.0x1`). Every
    // top-level domain begins with a letter.
    if labels
        .last()
        .is_some_and(|tld| !tld.starts_with(|c: char| c.is_ascii_alphabetic()))
    {
        return Err(bad("cannot be an IP address, in any spelling"));
    }
    if labels.iter().any(|l| l.ends_with("-admin")) {
        return Err(bad(
            "is the admin console's host; use the org domain without `-admin`",
        ));
    }
    Ok(host)
}

fn has_prefix(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wit::types::{Auth, ErrorKind};

    /// The fixed `Authorization` value of an API or bearer token connection.
    fn header(c: &Connection) -> &str {
        match &c.credential {
            Credential::Fixed(secret) => secret.expose(),
            other => panic!("{other:?}"),
        }
    }

    fn conn(domain: &str, auth: Auth) -> wit::Connection {
        wit::Connection {
            domain: domain.into(),
            auth,
            options: None,
        }
    }

    #[test]
    fn accepts_okta_hosts_and_custom_domains() {
        for (input, want) in [
            ("dev-123456.okta.com", "dev-123456.okta.com"),
            ("https://acme.okta-emea.com/", "acme.okta-emea.com"),
            ("HTTPS://Acme.OktaPreview.com", "acme.oktapreview.com"),
            ("  login.acme.com  ", "login.acme.com"),
            ("id.example.co.uk", "id.example.co.uk"),
        ] {
            assert_eq!(normalize_domain(input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn rejects_what_is_not_an_org_host() {
        for input in [
            "",
            "http://dev-1.okta.com",
            "https://dev-1.okta.com/api/v1",
            "dev-1.okta.com//",
            "user:pw@dev-1.okta.com",
            "dev-1.okta.com:8443",
            "127.0.0.1",
            "10.0.0.1",
            "[::1]",
            "localhost",
            "api.localhost",
            "{yourOktaDomain}",
            "https://{yourOktaDomain}",
            "dev-1-admin.okta.com",
            "okta",
            "dev_1.okta.com",
            "-dev.okta.com",
            "dev..okta.com",
            "dev-1.okta.com?x=1",
            "dév.okta.com",
            "127.0.0.0x1",
            "0x7f.0x1",
            "0177.0.0.0x1",
            "169.254.169.0xfe",
            "127.1",
            "example.0X7F",
            "example.09",
        ] {
            assert!(
                matches!(normalize_domain(input), Err(e) if e.kind == ErrorKind::InvalidInput && e.message.starts_with("domain")),
                "{input:?} was accepted"
            );
        }
    }

    #[test]
    fn builds_the_authorization_header_and_strips_a_pasted_scheme() {
        let c = Connection::from_wit(&conn("x.okta.com", Auth::ApiToken("00abc".into()))).unwrap();
        assert_eq!(header(&c), "SSWS 00abc");
        assert!(c.credential.is_api_token());
        let c =
            Connection::from_wit(&conn("x.okta.com", Auth::ApiToken("SSWS 00abc".into()))).unwrap();
        assert_eq!(header(&c), "SSWS 00abc");
        let c = Connection::from_wit(&conn("x.okta.com", Auth::BearerToken("bearer eyJ".into())))
            .unwrap();
        assert_eq!(header(&c), "Bearer eyJ");
        for bad in ["", "  ", "SSWS ", "a b", "a\r\nX-Evil: 1"] {
            let err =
                Connection::from_wit(&conn("x.okta.com", Auth::ApiToken(bad.into()))).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidInput);
            let msg = err.message;
            assert!(msg.starts_with("auth.api-token"), "{msg}");
            assert!(!msg.contains("X-Evil"));
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let token = "00SENTINEL-token-value";
        let c = Connection::from_wit(&conn("x.okta.com", Auth::ApiToken(token.into()))).unwrap();
        let debug = format!("{c:?} {:?} {:#?}", c.credential, c);
        assert!(!debug.contains(token), "{debug}");
        assert!(debug.contains("x.okta.com"));
    }

    #[test]
    fn checks_options() {
        let mut w = conn("x.okta.com", Auth::ApiToken("t".into()));
        let c = Connection::from_wit(&w).unwrap();
        assert_eq!(c.policy, Policy::default());
        assert_eq!(
            c.timeout,
            Duration::from_millis(TIMEOUT_MS.default_or(0).into())
        );
        let mut options = Options {
            max_retries: Some(11),
            max_rate_limit_wait_ms: None,
            timeout_ms: None,
            max_response_bytes: None,
            deadline_ms: None,
        };
        w.options = Some(options);
        assert!(Connection::from_wit(&w).is_err());
        options.max_retries = Some(0);
        options.timeout_ms = Some(0);
        w.options = Some(options);
        assert!(Connection::from_wit(&w).is_err());
        options.timeout_ms = Some(500);
        options.max_rate_limit_wait_ms = Some(1500);
        options.max_response_bytes = Some(2048);
        w.options = Some(options);
        let c = Connection::from_wit(&w).unwrap();
        assert_eq!(c.policy.max_retries, 0);
        assert_eq!(c.policy.max_wait, Duration::from_millis(1500));
        assert_eq!(c.timeout, Duration::from_millis(500));
        assert_eq!(c.max_response_bytes, 2048);
        assert_eq!(
            c.deadline,
            Duration::from_millis(DEADLINE_MS.default_or(0).into())
        );
        for (ms, ok) in [(0, false), (1, true), (3_600_000, true), (3_600_001, false)] {
            options.deadline_ms = Some(ms);
            w.options = Some(options);
            let got = Connection::from_wit(&w);
            assert_eq!(got.is_ok(), ok, "deadline-ms {ms}");
            if let Err(err) = got {
                assert!(
                    err.message.starts_with("options.deadline-ms"),
                    "{}",
                    err.message
                );
            }
        }
    }
}
