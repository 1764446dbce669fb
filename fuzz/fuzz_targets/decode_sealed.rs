//! Arbitrary strings and bytes into `decode_at` / `decode_with` of sealed
//! codecs (one also accepting signed tokens, the migration path) with a
//! fixed keyring and clock: never panics, never verifies.
#![no_main]

use cookie_seal::{inspect, Session};
use cookie_seal_fuzz::{codecs, now, token_candidates};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [_, _, sealed, migrating] = codecs();
    for token in token_candidates(data) {
        let _ = inspect(&token);
        for codec in [sealed, migrating] {
            assert!(codec.decode_at::<Session>(&token, now()).is_err());
            assert!(codec.decode_at::<String>(&token, now()).is_err());
            assert!(codec
                .decode_with::<Vec<u8>>(
                    &token,
                    &cookie_seal::DecodeOptions::new().context(b"ctx"),
                    now()
                )
                .is_err());
        }
    }
});
