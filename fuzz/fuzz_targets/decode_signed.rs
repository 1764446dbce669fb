//! Arbitrary strings and bytes into `decode_at` / `decode_with` of signed
//! codecs with a fixed keyring and clock: never panics, never verifies.
#![no_main]

use cookie_seal::{inspect, Session};
use cookie_seal_fuzz::{codecs, now, token_candidates};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [signed, csrf, _, _] = codecs();
    for token in token_candidates(data) {
        let _ = inspect(&token);
        for codec in [signed, csrf] {
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
