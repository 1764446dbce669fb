//! Arbitrary strings and bytes into `decode_at` / `decode_with` of sealed
//! codecs (one also accepting signed tokens, the migration path) with a
//! fixed keyring and clock: never panics, never verifies.
#![no_main]

use cookie_seal_fuzz::{assert_never_verifies, codecs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [_, _, sealed, migrating] = codecs();
    assert_never_verifies(&[sealed, migrating], data);
});
