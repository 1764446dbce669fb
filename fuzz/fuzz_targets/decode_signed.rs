//! Arbitrary strings and bytes into `decode_at` / `decode_with` of signed
//! codecs with a fixed keyring and clock: never panics, never verifies.
#![no_main]

use cookie_seal_fuzz::{assert_never_verifies, codecs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [signed, csrf, _, _] = codecs();
    assert_never_verifies(&[signed, csrf], data);
});
