//! The CLI's token input (`src/bin/cookie_seal/paste.rs`, included as a
//! module): arbitrary text as pasted by an operator. Never panics; what it
//! accepts has a valid cookie name (if any) and reads back the same when
//! written as `NAME=value`; accepted values go on to the library's header
//! reader (`inspect`) without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../src/bin/cookie_seal/paste.rs"]
#[allow(dead_code)]
mod paste;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(pasted) = paste::parse_pasted(text) else {
        return;
    };
    if let Some(name) = &pasted.name {
        assert!(
            paste::is_cookie_name(name),
            "invalid name accepted: {name:?}"
        );
        let again = paste::parse_pasted(&format!("{name}={}", pasted.value));
        if !pasted.value.contains([';', '"']) && pasted.value.trim() == pasted.value {
            assert_eq!(again.as_ref().map(|p| &p.value), Ok(&pasted.value));
        }
    }
    assert!(pasted.value.len() <= text.len());
    let _ = cookie_seal::inspect(&pasted.value);
});
