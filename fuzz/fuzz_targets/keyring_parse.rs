//! Arbitrary text into the textual keyring parser: never panics; whatever it
//! accepts exports and parses back to the same keyring and yields a working
//! codec.
#![no_main]

use cookie_seal::{Codec, Keyring};
use cookie_seal_fuzz::now;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(ring) = text.parse::<Keyring>() else {
        return;
    };
    let again: Keyring = match ring.export().parse() {
        Ok(again) => again,
        Err(e) => panic!("exported keyring does not parse back: {e}"),
    };
    assert_eq!(again, ring);
    assert_eq!(again.primary_id(), ring.primary_id());
    assert!(ring.ids().any(|id| id == ring.primary_id()));
    let codec = Codec::signed(ring);
    let token = codec.encode_at(&7u8, now());
    let back = token.and_then(|t| codec.decode_at::<u8>(&t, now()));
    assert_eq!(back.map(|d| d.value), Ok(7));
});
