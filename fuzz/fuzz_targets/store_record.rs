//! A store record from arbitrary bytes, read as the store layers read it
//! (`cookie_seal::__fuzz::store_record`): the metadata blob either parses
//! (and writes back to the same fields) or is refused, never a panic; the
//! values, whatever their bytes, are then typed as an app would type them,
//! and the CBOR reader refuses, never panics. A record comes from the store,
//! which the cookie does not authenticate: a shared or compromised store can
//! hand the layer any bytes.
#![no_main]

use arbitrary::Arbitrary;
use cookie_seal::__fuzz::store_record;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    meta: Vec<u8>,
    values: Vec<(String, Vec<u8>)>,
}

fuzz_target!(|input: Input| {
    let Some(session) = store_record(&input.meta, input.values) else {
        return;
    };
    let keys: Vec<String> = session.keys().map(str::to_owned).collect();
    assert_eq!(keys.len(), session.len());
    for key in &keys {
        assert!(session.contains_key(key));
        let _ = session.get::<u64>(key);
        let _ = session.get::<String>(key);
        let _ = session.get::<Option<f32>>(key);
        let _ = session.get::<Vec<(i8, String)>>(key);
        let _ = session.get::<serde::de::IgnoredAny>(key);
    }
    let _ = session.expiry();
    let _ = session.generation();
});
