//! The domain validator: whatever it accepts is a lower-case DNS name of at most 253 bytes,
//! with no port, path, userinfo or numeric top-level label (an IP address in any spelling).
#![no_main]

use libfuzzer_sys::fuzz_target;
use okta_management::fuzzing::domain;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(host) = domain(input) {
        assert!(host.len() <= 253, "{host:?}");
        assert!(
            host.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'),
            "{host:?}"
        );
        let tld = host.rsplit('.').next().unwrap_or_default();
        assert!(
            tld.starts_with(|c: char| c.is_ascii_lowercase()),
            "{host:?}"
        );
        assert!(host.contains('.'), "{host:?}");
        assert!(!host.ends_with("localhost"), "{host:?}");
    }
});
