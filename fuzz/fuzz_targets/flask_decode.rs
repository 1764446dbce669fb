//! Flask session cookies (`flask` feature) into `FlaskCodec::decode_at`.
//!
//! Two halves, chosen by the first byte: arbitrary text as a cookie (never
//! panics), and arbitrary payloads wrapped in a correct itsdangerous
//! signature (optionally zlib-compressed), so that inflate, JSON parsing and
//! Flask's tag handling are reached. Whatever decodes must encode again and
//! decode back to the same value (or be refused as too large).
#![no_main]

use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie_seal::flask::FlaskCodec;
use cookie_seal::Error;
use hmac::{Hmac, KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use sha1::Sha1;

const SECRET: &[u8] = b"flask-secret";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// An itsdangerous URLSafeTimedSerializer token (salt `cookie-session`,
/// HMAC-SHA1 key derivation) around `payload`, timestamped at `now()`.
fn sign_like_flask(payload: &str) -> String {
    let derived = Hmac::<Sha1>::new_from_slice(SECRET)
        .unwrap()
        .chain_update(b"cookie-session")
        .finalize()
        .into_bytes();
    let timestamp = URL_SAFE_NO_PAD.encode(1_700_000_000u32.to_be_bytes());
    let signed = format!("{payload}.{timestamp}");
    let tag = Hmac::<Sha1>::new_from_slice(&derived)
        .unwrap()
        .chain_update(signed.as_bytes())
        .finalize()
        .into_bytes();
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag))
}

fuzz_target!(|data: &[u8]| {
    let codec = FlaskCodec::new(SECRET).fallbacks([b"old-secret"]);
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let token = match selector % 3 {
        0 => String::from_utf8_lossy(body).into_owned(),
        1 => sign_like_flask(&URL_SAFE_NO_PAD.encode(body)),
        _ => {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            z.write_all(body).unwrap();
            sign_like_flask(&format!(".{}", URL_SAFE_NO_PAD.encode(z.finish().unwrap())))
        }
    };
    if let Ok(value) = codec.decode_at(&token, now()) {
        match codec.encode_at(&value, now()) {
            Ok(again) => assert_eq!(codec.decode_at(&again, now()).unwrap(), value),
            Err(Error::TooLarge { .. }) => {}
            Err(other) => panic!("decoded value does not encode again: {other:?}"),
        }
    }
});
