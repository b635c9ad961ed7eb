//! The error-body parser: any status, headers and body give an error, never a panic, and the
//! message stays a readable size.
#![no_main]

use libfuzzer_sys::fuzz_target;
use okta_management::fuzzing::error_of;

fuzz_target!(|data: &[u8]| {
    let Some((head, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = 400 + u16::from_be_bytes(*head) % 200;
    // A rate-limit reset header, from the body's first line, exercises the header path too.
    let first_line = body.split(|b| *b == b'\n').next().unwrap_or_default();
    let headers = vec![(
        "x-rate-limit-reset".to_string(),
        String::from_utf8_lossy(first_line).into_owned(),
    )];
    let error = error_of(status, headers, body.to_vec());
    assert!(!error.is_empty());
});
