//! Behaviour of `FlaskCodec` without Python: pinned Flask tokens, rotation,
//! time rules, and the bad-input rules (these also guard the fuzz entry
//! point `FlaskCodec::decode_at`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flate2::write::ZlibEncoder;
use serde_json::{json, Value};

use super::encode::{payload, ZLIB_LEVEL};
use super::signer::SigningKey;
use super::*;
use crate::error::Lifetime;

mod bad_input;
mod flask_tokens;
mod keys_and_time;

const T: u64 = 1_700_000_000;

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

/// An authentic token around any payload text, as a key holder could make.
fn forge_authentic(secret: &[u8], payload: &str, timestamp: u64) -> String {
    SigningKey::derive(secret, DEFAULT_SALT.as_bytes()).sign(payload, timestamp)
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn compressed_payload(bytes: &[u8]) -> String {
    format!(".{}", URL_SAFE_NO_PAD.encode(zlib(bytes)))
}

// Tokens written by Flask 3.1.3 / itsdangerous 2.2.0 with SECRET_KEY =
// "flask-secret" at timestamp 1_700_000_000.
const FLASK_SMALL: &str = "eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.xBiiReDyCviLRFpewSeiovwvVC8";
const FLASK_TAGS: &str = ".eJx1jLEKwjAURX8l3DlgkjZtEmrBRSfBoZuVYmxAEbcGhJJ_9yWdXc7lHQ5vhYdbwYg4XMweiWMuhojhGTlTlh2DZ0qomqnKaeu0YafzkNP3lr7KLNMEJxPpT7mJ6Hz_7Xa-z_GyVXBXyXHHjVQsigipqlo3rfm3-cEYhQiW4jE2Omhiqx5IP7pqMLQ.ZVPxAA.Jy6CslhL-Rptmu2AcxAASBw6wJc";
const FLASK_REPEAT: &str =
    ".eJyrVqpQslIqSi1ITSxRGKVoQinVAgCIy4Wl.ZVPxAA.YCmmxzzug6rtJKFaVkcsKesPp7A";

fn flask_tags_session() -> Value {
    json!({
        "t": {" t": [1, "a"]},
        "b": {" b": [0, 255]},
        "m": {" m": "<b>x</b>"},
        "u": {" u": "12345678-1234-5678-1234-567812345678"},
        "d": {" d": "2024-02-29T23:59:58Z"},
        "k": {" di": {" t": 1}},
        "é": "日本",
    })
}
