//! A token reader written from FORMAT.md alone, with the primitive crates
//! (base64, HKDF, HMAC-SHA256, XChaCha20-Poly1305, raw inflate) and no
//! cookie-seal code, run over every published vector: valid tokens read back
//! to their payload and metadata, invalid ones fail at the step FORMAT.md
//! section 10 names. If FORMAT.md and the crate drift apart, this fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use std::collections::BTreeMap;
use std::io::Read;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

const VECTORS: &str = include_str!("vectors/v1.json");

/// What a read gives: the payload and the metadata (section 2 and 3).
#[derive(Debug, PartialEq)]
struct Read1 {
    key_id: u32,
    issued_at: u64,
    created_at: u64,
    generation: u32,
    /// The expiry field: `None` if absent.
    expiry: Option<u64>,
    compressed: bool,
    payload: Vec<u8>,
}

/// Section 9: `ID:KEY,...`, the key in base64url without padding or
/// standard base64 with padding.
fn keyring(text: &str) -> BTreeMap<u32, Vec<u8>> {
    text.split(',')
        .map(|entry| {
            let (id, key) = entry.trim().split_once(':').unwrap();
            let key = URL_SAFE_NO_PAD
                .decode(key)
                .or_else(|_| STANDARD.decode(key))
                .unwrap();
            (id.parse().unwrap(), key)
        })
        .collect()
}

/// Section 5.
fn subkey(master: &[u8], label: &str, purpose: &str) -> [u8; 32] {
    let mut info = Vec::new();
    for part in [label.as_bytes(), purpose.as_bytes()] {
        info.extend_from_slice(&(part.len() as u64).to_le_bytes());
        info.extend_from_slice(part);
    }
    let mut out = [0; 32];
    hkdf::Hkdf::<Sha256>::new(None, master)
        .expand(&info, &mut out)
        .unwrap();
    out
}

/// Section 4.
fn context_block(context: &[u8]) -> Vec<u8> {
    if context.is_empty() {
        return Vec::new();
    }
    let mut out = vec![0];
    out.extend_from_slice(&(context.len() as u64).to_le_bytes());
    out.extend_from_slice(context);
    out
}

/// A canonical unsigned LEB128 of at most `max` bytes.
fn varint(bytes: &mut &[u8], max: usize, bits: u32) -> Result<u64, &'static str> {
    let mut value: u128 = 0;
    for i in 0..max {
        let (&byte, rest) = bytes.split_first().ok_or("Malformed")?;
        *bytes = rest;
        value |= u128::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            if byte == 0 && i > 0 {
                return Err("Malformed");
            }
            return if value >> bits == 0 {
                u64::try_from(value).map_err(|_| "Malformed")
            } else {
                Err("Malformed")
            };
        }
    }
    Err("Malformed")
}

/// The fields after the key ID (section 2), announced by `flags`.
type Fields = (u64, u64, u32, Option<u64>);

fn fields(flags: u8, bytes: &mut &[u8]) -> Result<Fields, &'static str> {
    let issued_at = varint(bytes, 10, 64)?;
    let mut created_at = issued_at;
    if flags & 0x08 != 0 {
        let delta = varint(bytes, 10, 64)?;
        if delta == 0 || delta > issued_at {
            return Err("Malformed");
        }
        created_at = issued_at - delta;
    }
    let mut generation = 0;
    if flags & 0x10 != 0 {
        generation = u32::try_from(varint(bytes, 5, 32)?).map_err(|_| "Malformed")?;
        if generation == 0 {
            return Err("Malformed");
        }
    }
    let expiry = if flags & 0x40 != 0 {
        Some(varint(bytes, 10, 64)?)
    } else {
        None
    };
    Ok((issued_at, created_at, generation, expiry))
}

/// The vector's reader: its mode, keyring, purpose, context, lifetimes, now.
fn read(v: &Value, token: &str) -> Result<Read1, String> {
    let reader_mode = v["mode"].as_str().unwrap();
    let keys = keyring(v["keyring"].as_str().unwrap());
    let purpose = v["purpose"].as_str().unwrap();
    let ctx = context_block(v["context"].as_str().unwrap().as_bytes());
    let now = v["now"].as_u64().unwrap();
    let (max_age, skew) = (
        v["max_age"].as_u64().unwrap(),
        v["clock_skew"].as_u64().unwrap(),
    );

    // 1-2. Strict base64url (the engine refuses padding and non-zero trailing bits).
    if token.len() > 4089 {
        return Err("TooLarge".into());
    }
    let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| "Malformed")?;
    // 3. Header.
    let mut rest: &[u8] = &raw;
    let (&version, after) = rest.split_first().ok_or("Malformed")?;
    if version != 1 {
        return Err(format!("UnsupportedVersion({version})"));
    }
    let (&flags, after) = after.split_first().ok_or("Malformed")?;
    rest = after;
    let mode = match flags & 0b11 {
        0b01 if flags & 0xA0 == 0 => "signed",
        0b10 if flags == 0x02 => "sealed",
        _ => return Err("Malformed".into()),
    };
    let key_id = u32::try_from(varint(&mut rest, 5, 32)?).map_err(|_| "Malformed")?;
    let signed_fields = if mode == "signed" {
        Some(fields(flags, &mut rest)?)
    } else {
        None
    };
    let header = &raw[..raw.len() - rest.len()];
    // 4. Mode and key.
    if mode != reader_mode {
        return Err("ModeMismatch".into());
    }
    let master = keys.get(&key_id).ok_or(format!("UnknownKey({key_id})"))?;
    // 5-7. Length, tag, sealed metadata and padding.
    let (meta_flags, (issued_at, created_at, generation, expiry), body) = if mode == "signed" {
        if rest.len() < 32 {
            return Err("Malformed".into());
        }
        let (body, tag) = rest.split_at(rest.len() - 32);
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&subkey(
            master,
            "cookie-seal/v1 hmac-sha256",
            purpose,
        ))
        .unwrap();
        mac.update(&ctx);
        mac.update(header);
        mac.update(body);
        mac.verify_slice(tag).map_err(|_| "Invalid")?;
        (flags, signed_fields.unwrap(), body.to_vec())
    } else {
        if rest.len() < 40 {
            return Err("Malformed".into());
        }
        let (nonce, sealed) = rest.split_at(24);
        let cipher = XChaCha20Poly1305::new_from_slice(&subkey(
            master,
            "cookie-seal/v1 xchacha20poly1305",
            purpose,
        ))
        .unwrap();
        let aad = [&ctx[..], header].concat();
        let plaintext = cipher
            .decrypt(
                &XNonce::try_from(nonce).unwrap(),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| "Invalid")?;
        let mut p: &[u8] = &plaintext;
        let (&meta_flags, after) = p.split_first().ok_or("Malformed")?;
        p = after;
        if meta_flags & !0x7C != 0 {
            return Err("Malformed".into());
        }
        let times = fields(meta_flags, &mut p)?;
        if meta_flags & 0x20 != 0 {
            let before = p.len();
            let n = usize::try_from(varint(&mut p, 5, 32)?).map_err(|_| "Malformed")?;
            let zeros = n.checked_sub(before - p.len()).ok_or("Malformed")?;
            if p.len() < zeros || p[..zeros].iter().any(|&b| b != 0) {
                return Err("Malformed".into());
            }
            p = &p[zeros..];
        }
        (meta_flags, times, p.to_vec())
    };
    // 8. Times, on authentic bytes only.
    if issued_at > now.saturating_add(skew) {
        return Err("IssuedInFuture".into());
    }
    // The session's own idle lifetime, if it has one, never past the reader's.
    let idle = match expiry {
        Some(own) if own > 0 => own.min(max_age),
        _ => max_age,
    };
    if now.saturating_sub(issued_at) > idle {
        return Err("Expired".into());
    }
    // 9. Inflate (the caller compares the payload bytes).
    let compressed = meta_flags & 0x04 != 0;
    let payload = if compressed {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(&body[..])
            .take(16_385)
            .read_to_end(&mut out)
            .map_err(|_| "Inflate")?;
        if out.len() > 16_384 {
            return Err("Inflate".into());
        }
        out
    } else {
        body
    };
    Ok(Read1 {
        key_id,
        issued_at,
        created_at,
        generation,
        expiry,
        compressed,
        payload,
    })
}

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

#[test]
fn a_reader_written_from_format_md_reads_every_valid_vector() {
    let file = vectors();
    let valid = file["valid"].as_array().unwrap();
    assert!(valid.len() >= 13);
    for v in valid {
        let name = v["name"].as_str().unwrap();
        let read = read(v, v["token"].as_str().unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let payload = v["payload_hex"].as_str().unwrap();
        let hex: String = read.payload.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, payload, "{name}: payload");
        assert_eq!(read.issued_at, v["now"].as_u64().unwrap(), "{name}");
        assert_eq!(
            read.created_at,
            v["created_at"].as_u64().unwrap_or(read.issued_at),
            "{name}"
        );
        assert_eq!(
            u64::from(read.generation),
            v["generation"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(read.expiry, v["expiry"].as_u64(), "{name}: expiry");
        let primary: u32 = v["keyring"]
            .as_str()
            .unwrap()
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(read.key_id, primary, "{name}");
        if v["pad_to"].as_u64().is_some() {
            assert_eq!(
                v["token"].as_str().unwrap().len() as u64 % v["pad_to"].as_u64().unwrap(),
                0
            );
        }
        assert_eq!(read.compressed, name.contains("compressed"), "{name}");
        if v["value"]["type"] == "session" {
            let entries = session_entries(&read.payload).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(Value::Object(entries), v["value"]["entries"], "{name}");
        }
    }
}

/// Section 8: a session payload is `00` (no ID) or `01` and 32 bytes, then
/// a count and that many (key, value) pairs, keys in ascending byte order;
/// each value is one CBOR data item. Gives the entries as JSON.
fn session_entries(payload: &[u8]) -> Result<serde_json::Map<String, Value>, String> {
    let mut rest = payload;
    match take(&mut rest, 1)? {
        [0] => {}
        [1] => drop(take(&mut rest, 32)?),
        _ => return Err("bad ID option".into()),
    }
    let count = varint(&mut rest, 10, 64)?;
    let mut entries = serde_json::Map::new();
    let mut last: Option<String> = None;
    for _ in 0..count {
        let len = usize::try_from(varint(&mut rest, 10, 64)?).unwrap();
        let key = String::from_utf8(take(&mut rest, len)?.to_vec()).map_err(|e| e.to_string())?;
        if last
            .as_ref()
            .is_some_and(|last| last.as_bytes() >= key.as_bytes())
        {
            return Err("keys out of order".into());
        }
        let len = usize::try_from(varint(&mut rest, 10, 64)?).unwrap();
        let mut value = take(&mut rest, len)?;
        let json = cbor(&mut value)?;
        if !value.is_empty() {
            return Err("bytes after the CBOR value".into());
        }
        entries.insert(key.clone(), json);
        last = Some(key);
    }
    if !rest.is_empty() {
        return Err("bytes after the session".into());
    }
    Ok(entries)
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
    if bytes.len() < n {
        return Err("truncated".into());
    }
    let (head, tail) = bytes.split_at(n);
    *bytes = tail;
    Ok(head)
}

/// RFC 8949, as much as section 8 uses: one data item as JSON (a byte
/// string as an array of numbers; a map's keys must be text).
fn cbor(bytes: &mut &[u8]) -> Result<Value, String> {
    let initial = take(bytes, 1)?[0];
    let (major, info) = (initial >> 5, initial & 0x1F);
    let argument = |bytes: &mut &[u8]| -> Result<u64, String> {
        Ok(match info {
            0..=23 => u64::from(info),
            24 => u64::from(take(bytes, 1)?[0]),
            25 => u64::from(u16::from_be_bytes(take(bytes, 2)?.try_into().unwrap())),
            26 => u64::from(u32::from_be_bytes(take(bytes, 4)?.try_into().unwrap())),
            27 => u64::from_be_bytes(take(bytes, 8)?.try_into().unwrap()),
            _ => return Err(format!("unsupported additional info {info}")),
        })
    };
    Ok(match major {
        0 => Value::from(argument(bytes)?),
        1 => Value::from(-1 - i64::try_from(argument(bytes)?).map_err(|e| e.to_string())?),
        2 => {
            let len = usize::try_from(argument(bytes)?).unwrap();
            Value::from(take(bytes, len)?.to_vec())
        }
        3 => {
            let len = usize::try_from(argument(bytes)?).unwrap();
            Value::from(std::str::from_utf8(take(bytes, len)?).map_err(|e| e.to_string())?)
        }
        4 => {
            let len = argument(bytes)?;
            Value::Array((0..len).map(|_| cbor(bytes)).collect::<Result<_, _>>()?)
        }
        5 => {
            let mut map = serde_json::Map::new();
            for _ in 0..argument(bytes)? {
                let Value::String(key) = cbor(bytes)? else {
                    return Err("a map key that is not text".into());
                };
                map.insert(key, cbor(bytes)?);
            }
            Value::Object(map)
        }
        7 => match info {
            20 => Value::Bool(false),
            21 => Value::Bool(true),
            22 => Value::Null,
            25 => Value::from(half(u16::from_be_bytes(
                take(bytes, 2)?.try_into().unwrap(),
            ))),
            26 => Value::from(f64::from(f32::from_be_bytes(
                take(bytes, 4)?.try_into().unwrap(),
            ))),
            27 => Value::from(f64::from_be_bytes(take(bytes, 8)?.try_into().unwrap())),
            _ => return Err(format!("unsupported simple value {info}")),
        },
        _ => return Err(format!("unsupported major type {major}")),
    })
}

/// An IEEE 754 half-precision float (RFC 8949 appendix D).
fn half(bits: u16) -> f64 {
    let exponent = i32::from((bits >> 10) & 0x1F);
    let mantissa = f64::from(bits & 0x3FF);
    let magnitude = match exponent {
        0 => mantissa * 2f64.powi(-24),
        31 if mantissa == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (mantissa + 1024.0) * 2f64.powi(exponent - 25),
    };
    if bits & 0x8000 == 0 {
        magnitude
    } else {
        -magnitude
    }
}

#[test]
fn a_reader_written_from_format_md_gives_every_invalid_vector_its_error() {
    let file = vectors();
    let invalid = file["invalid"].as_array().unwrap();
    assert!(invalid.len() >= 20);
    for v in invalid {
        let name = v["name"].as_str().unwrap();
        let expected = v["error"].as_str().unwrap();
        assert_eq!(
            read(v, v["token"].as_str().unwrap()).map(|_| ()),
            Err(expected.to_owned()),
            "{name}"
        );
    }
}
