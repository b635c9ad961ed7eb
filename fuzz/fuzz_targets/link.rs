//! The `Link` header parser: any header values give at most one cursor, and a cursor is a
//! path that goes on the wire as it is.
#![no_main]

use libfuzzer_sys::fuzz_target;
use okta_management::fuzzing::next_cursor;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let values: Vec<&str> = text.split('\n').collect();
    if let Some(cursor) = next_cursor(&values) {
        assert!(cursor.starts_with('/'), "{cursor:?}");
        assert!(
            cursor.bytes().all(|b| b.is_ascii_graphic() && b != b'#'),
            "{cursor:?}"
        );
    }
});
