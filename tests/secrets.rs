//! Secrets never reach `Debug`, `Display` or error text.
//!
//! Extends the unit tests in `key.rs`, `keyring.rs` and `codec.rs` (which
//! check one form of one key each): here every type that holds or touches a
//! key is printed in every way (`{}`, `{:?}`, `{:#?}`), after every error
//! path that can be reached with the key, and the output is searched for any
//! 6-byte window of the master keys **and of the HKDF subkeys the codec
//! derives**, in hex (both cases), standard and URL-safe base64 (every
//! alignment), and as a decimal byte list.
//!
//! The second half searches freed memory: a global allocator
//! (`tests/support/scan-alloc`) looks through every block before it is freed
//! for the raw keys, their base64 text, the HKDF subkeys and the HMAC states
//! made from them, while a keyring of 1, 5 or 9 keys is parsed and exported
//! and codecs of both modes are built and encode and decode with every key.
//!
//! That keys wipe themselves on drop is checked at compile time in
//! `src/rfc_wycheproof_vectors.rs` (`key_material_types_zeroize_on_drop`); that
//! `zeroize` really clears a key in `key.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use cookie_seal::consts::MAX_KEY_LEN;
use cookie_seal::{Codec, Compression, EncodeOptions, Error, Key, Keyring, Session, SessionId};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};

const WINDOW: usize = 6;

/// Pseudo-random key bytes (SHA-256 chains), so a match cannot be chance.
fn secret(label: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut block = Sha256::digest(label.as_bytes());
    while out.len() < len {
        out.extend_from_slice(&block);
        block = Sha256::digest(block);
    }
    out.truncate(len);
    out
}

/// The subkey for `label` and the default purpose (FORMAT.md section 4).
fn subkey(master: &[u8], label: &[u8]) -> Vec<u8> {
    let mut info = Vec::new();
    for part in [label, b"session"] {
        info.extend_from_slice(&(part.len() as u64).to_le_bytes());
        info.extend_from_slice(part);
    }
    let mut out = [0; 32];
    Hkdf::<Sha256>::new(None, master)
        .expand(&info, &mut out)
        .unwrap();
    out.to_vec()
}

/// Every spelling of every 6-byte window of `secret` that could show up.
fn spellings(secret: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for window in secret.windows(WINDOW) {
        let hex: String = window.iter().map(|b| format!("{b:02x}")).collect();
        out.push(hex.to_uppercase());
        out.push(hex);
        let decimal: Vec<String> = window.iter().map(u8::to_string).collect();
        out.push(decimal.join(", "));
    }
    // Base64 at each of the three byte alignments, 8-character windows.
    for shift in 0..3 {
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let text = engine.encode(&secret[shift..]);
            let chars: Vec<char> = text.chars().collect();
            out.extend(chars.windows(8).map(|w| w.iter().collect::<String>()));
        }
    }
    out
}

struct Secrets {
    spellings: Vec<String>,
}

impl Secrets {
    fn new(masters: &[&[u8]]) -> Secrets {
        let mut spellings = Vec::new();
        for master in masters {
            spellings.extend(self::spellings(master));
            for label in [
                b"cookie-seal/v1 hmac-sha256".as_slice(),
                b"cookie-seal/v1 xchacha20poly1305",
            ] {
                spellings.extend(self::spellings(&subkey(master, label)));
            }
        }
        Secrets { spellings }
    }

    fn assert_absent(&self, what: &str, shown: &str) {
        for spelling in &self.spellings {
            assert!(
                !shown.contains(spelling.as_str()),
                "{what} shows key material {spelling:?}: {shown}"
            );
        }
    }

    fn assert_debug_clean<T: std::fmt::Debug>(&self, what: &str, value: &T) {
        self.assert_absent(what, &format!("{value:?}"));
        self.assert_absent(what, &format!("{value:#?}"));
    }

    fn assert_error_clean(&self, what: &str, error: &Error) {
        self.assert_absent(what, &format!("{error}"));
        self.assert_debug_clean(what, error);
    }
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

#[test]
fn keys_keyrings_and_codecs_print_no_key_material() {
    let a = secret("master a", 32);
    let b = secret("master b", 64);
    let secrets = Secrets::new(&[&a, &b]);
    let key_a = Key::from_bytes(&a).unwrap();
    let key_b = Key::from_bytes(&b).unwrap();
    secrets.assert_debug_clean("Key", &key_a);
    secrets.assert_debug_clean("Key", &key_b);

    let mut ring = Keyring::new(1, key_a);
    ring.add(2, key_b).unwrap();
    secrets.assert_debug_clean("Keyring", &ring);
    let exported = ring.export();
    let parsed: Keyring = exported.parse().unwrap();
    secrets.assert_debug_clean("parsed Keyring", &parsed);
    // The export itself is the one place key bytes may appear, and it wipes
    // itself on drop.
    let _: &zeroize::Zeroizing<String> = &exported;
    assert!(exported.contains(&URL_SAFE_NO_PAD.encode(&a)));

    for codec in [
        Codec::signed(ring.clone()),
        Codec::sealed(ring.clone()),
        Codec::sealed(ring.clone())
            .purpose("csrf")
            .compression(Compression::Auto)
            .accept_signed(true)
            .max_age(Duration::from_secs(60)),
    ] {
        secrets.assert_debug_clean("Codec", &codec);
        let token = codec
            .encode_with(
                &"value",
                &EncodeOptions::new().context(b"ctx").generation(2),
                now(),
            )
            .unwrap();
        let decoded = codec
            .decode_with::<String>(
                &token,
                &cookie_seal::DecodeOptions::new().context(b"ctx"),
                now(),
            )
            .unwrap();
        secrets.assert_debug_clean("Decoded", &decoded);
        secrets.assert_debug_clean("EncodeOptions", &decoded.carry_over());
    }
}

#[test]
fn every_reachable_error_prints_no_key_material() {
    let a = secret("errors a", 32);
    let other = secret("errors other", 32);
    let secrets = Secrets::new(&[&a, &other]);
    let ring = Keyring::new(1, Key::from_bytes(&a).unwrap());
    let signed = Codec::signed(ring.clone()).max_age(Duration::from_secs(10));
    let sealed = Codec::sealed(ring.clone()).compression(Compression::Auto);
    let stranger = Codec::signed(Keyring::new(1, Key::from_bytes(&other).unwrap()));
    let unknown_id = Codec::signed(Keyring::new(9, Key::from_bytes(&other).unwrap()));

    let token = signed.encode_at(&"x".repeat(300), now()).unwrap();
    let sealed_token = sealed.encode_at(&"x".repeat(300), now()).unwrap();
    let later = now() + Duration::from_secs(3600);
    let earlier = now() - Duration::from_secs(3600);
    let mut errors: Vec<(&str, Error)> = vec![
        (
            "forged",
            stranger.decode_at::<String>(&token, now()).unwrap_err(),
        ),
        (
            "wrong context",
            signed
                .decode_with::<String>(
                    &token,
                    &cookie_seal::DecodeOptions::new().context(b"c"),
                    now(),
                )
                .unwrap_err(),
        ),
        (
            "unknown key",
            unknown_id.decode_at::<String>(&token, now()).unwrap_err(),
        ),
        (
            "mode",
            sealed.decode_at::<String>(&token, now()).unwrap_err(),
        ),
        (
            "expired",
            signed.decode_at::<String>(&token, later).unwrap_err(),
        ),
        (
            "future",
            signed.decode_at::<String>(&token, earlier).unwrap_err(),
        ),
        ("type", signed.decode_at::<u8>(&token, now()).unwrap_err()),
        (
            "sealed type",
            sealed.decode_at::<u8>(&sealed_token, now()).unwrap_err(),
        ),
        (
            "malformed",
            signed.decode_at::<String>("%%%", now()).unwrap_err(),
        ),
        (
            "too large",
            signed
                .decode_at::<String>(&"A".repeat(5000), now())
                .unwrap_err(),
        ),
        (
            "encode too large",
            signed.encode_at(&secret("noise", 4000), now()).unwrap_err(),
        ),
        ("short key", Key::from_bytes(&a[..31]).unwrap_err()),
    ];
    let long_key = secret("errors a", MAX_KEY_LEN + 1);
    errors.push(("long key", Key::from_bytes(&long_key).unwrap_err()));

    // Keyring text with key material next to every kind of syntax error.
    let a64 = URL_SAFE_NO_PAD.encode(&a);
    let std64 = STANDARD.encode(&a);
    let short64 = URL_SAFE_NO_PAD.encode(&a[..20]);
    for text in [
        format!("1:{a64},1:{a64}"),
        format!("1:{short64}"),
        format!("1:{a64}!"),
        format!("x:{a64}"),
        a64.clone(),
        format!("1:{std64}="),
        format!("99999999999:{a64}"),
        format!("1:{a64},,2:{a64}"),
        format!("1:{}", URL_SAFE_NO_PAD.encode(&long_key)),
    ] {
        let error = text.parse::<Keyring>().unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(
            !shown.contains(&a64[..12]) && !shown.contains(&std64[..12]),
            "{shown}"
        );
        errors.push(("keyring text", error));
    }
    let kinds: std::collections::BTreeSet<String> = errors
        .iter()
        .map(|(_, e)| {
            format!("{e:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(kinds.len() >= 11, "error kinds covered: {kinds:?}");
    for (what, error) in &errors {
        secrets.assert_error_clean(what, error);
    }
}

#[test]
fn sessions_and_session_ids_print_no_values_or_ids() {
    let id = SessionId::generate().unwrap();
    let id_bytes = id.as_bytes().to_vec();
    let value = secret("session value", 24);
    let secrets = Secrets::new(&[&id_bytes, &value]);
    secrets.assert_debug_clean("SessionId", &id);
    let mut session = Session::new();
    session.regenerate().unwrap();
    session.insert("token", &value).unwrap();
    let own_id = session.id().unwrap().as_bytes().to_vec();
    Secrets::new(&[&own_id, &value]).assert_debug_clean("Session", &session);
}

/// The search above can fail: each way a key could be printed is found.
#[test]
fn the_leak_search_finds_every_spelling_of_a_key_or_subkey() {
    let master = secret("detector", 32);
    let secrets = Secrets::new(&[&master]);
    let sign_subkey = subkey(&master, b"cookie-seal/v1 hmac-sha256");
    let hex: String = master[5..12].iter().map(|b| format!("{b:02x}")).collect();
    let leaks = [
        format!("Key({:?})", &master[3..10]),
        format!("key={hex}"),
        format!("key={}", hex.to_uppercase()),
        format!("key={}", STANDARD.encode(&master[1..])),
        format!("key={}", URL_SAFE_NO_PAD.encode(&master[2..])),
        format!("SignKey({:?})", &sign_subkey[20..]),
    ];
    for leak in leaks {
        let found = std::panic::catch_unwind(|| secrets.assert_absent("probe", &leak));
        assert!(found.is_err(), "not detected: {leak}");
    }
}

#[global_allocator]
static SCANNING: scan_alloc::Scanning = scan_alloc::Scanning;

/// One scenario at a time: the needles and hit counters are global.
static SCAN_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The searched forms of one master key, each named for the failure report.
fn key_needles(index: usize, master: &[u8]) -> Vec<(String, [u8; scan_alloc::NEEDLE_LEN])> {
    use sha2::block_api::compress256;
    let first = |bytes: &[u8]| -> [u8; scan_alloc::NEEDLE_LEN] {
        bytes[..scan_alloc::NEEDLE_LEN].try_into().unwrap()
    };
    let mut out = vec![
        (format!("key {index} raw bytes 0..16"), first(master)),
        (
            format!("key {index} raw bytes 16..32"),
            first(&master[16..]),
        ),
        (
            format!("key {index} URL-safe base64"),
            first(URL_SAFE_NO_PAD.encode(master).as_bytes()),
        ),
        (
            format!("key {index} standard base64"),
            first(STANDARD.encode(master).as_bytes()),
        ),
    ];
    for (label, name) in [
        (b"cookie-seal/v1 hmac-sha256".as_slice(), "HMAC subkey"),
        (b"cookie-seal/v1 xchacha20poly1305", "AEAD subkey"),
    ] {
        let sub = subkey(master, label);
        out.push((format!("key {index} {name}"), first(&sub)));
        // What an HMAC-SHA256 instance keeps: the SHA-256 state after one
        // block of (subkey XOR ipad) and of (subkey XOR opad).
        for pad in [0x36u8, 0x5c] {
            let mut block = [pad; 64];
            for (b, k) in block.iter_mut().zip(&sub) {
                *b ^= k;
            }
            let mut state: [u32; 8] = [
                0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
                0x5be0cd19,
            ];
            compress256(&mut state, &[block]);
            let bytes: Vec<u8> = state.iter().flat_map(|w| w.to_ne_bytes()).collect();
            out.push((
                format!("key {index} {name} HMAC state {pad:#x}"),
                first(&bytes),
            ));
        }
    }
    out
}

/// `n` master keys of 32 to 96 bytes, in buffers that wipe themselves.
fn scan_keys(n: usize) -> Vec<zeroize::Zeroizing<Vec<u8>>> {
    (0..n)
        .map(|i| zeroize::Zeroizing::new(secret(&format!("scan key {i}"), 32 + 8 * i)))
        .collect()
}

/// Runs `scenario` with the allocator searching for the keys' material and
/// fails naming every form found in a freed block.
fn assert_nothing_left_behind(masters: &[zeroize::Zeroizing<Vec<u8>>], scenario: impl FnOnce()) {
    let named: Vec<(String, [u8; scan_alloc::NEEDLE_LEN])> = masters
        .iter()
        .enumerate()
        .flat_map(|(i, master)| key_needles(i + 1, master))
        .collect();
    let needles: Vec<[u8; scan_alloc::NEEDLE_LEN]> = named.iter().map(|(_, n)| *n).collect();
    scan_alloc::arm(&needles);
    scenario();
    let hits = scan_alloc::disarm();
    let found: Vec<String> = named
        .iter()
        .zip(&hits)
        .filter(|(_, &hits)| hits > 0)
        .map(|((name, _), hits)| format!("{name} ({hits} freed blocks)"))
        .collect();
    assert!(
        found.is_empty(),
        "key material left in freed memory: {found:?}"
    );
}

/// The keyring text of `masters` (IDs 1..), built in one buffer sized up
/// front so the test itself frees no copy.
fn keyring_text(masters: &[zeroize::Zeroizing<Vec<u8>>]) -> zeroize::Zeroizing<String> {
    let mut text = zeroize::Zeroizing::new(String::with_capacity(8192));
    for (i, master) in masters.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&(i + 1).to_string());
        text.push(':');
        // Odd keys in standard padded base64, even ones URL-safe.
        let mut buf = zeroize::Zeroizing::new([0u8; 256]);
        let written = if i % 2 == 0 {
            STANDARD
                .encode_slice(master.as_slice(), buf.as_mut())
                .unwrap()
        } else {
            URL_SAFE_NO_PAD
                .encode_slice(master.as_slice(), buf.as_mut())
                .unwrap()
        };
        text.push_str(std::str::from_utf8(&buf[..written]).unwrap());
    }
    assert!(text.capacity() == 8192, "the text buffer never grew");
    text
}

fn keyring_codec_round_trips(n: usize) {
    let _serial = SCAN_LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let masters = scan_keys(n);
    let text = keyring_text(&masters);
    assert_nothing_left_behind(&masters, || {
        let ring: Keyring = text.parse().unwrap();
        assert_eq!(ring.ids().count(), n);
        let exported = ring.export();
        let again: Keyring = exported.parse().unwrap();
        assert_eq!(again, ring);
        drop(exported);
        let mut session = Session::new();
        session.insert("user", "ada").unwrap();
        for id in 1..=u32::try_from(n).unwrap() {
            // Each key writes once (as the primary) and is read by a codec
            // whose primary is another key, in both modes.
            let mut writer_ring = ring.clone();
            writer_ring.promote(id).unwrap();
            for (writer, reader) in [
                (
                    Codec::signed(writer_ring.clone()),
                    Codec::signed(ring.clone()),
                ),
                (
                    Codec::sealed(writer_ring.clone()).compression(Compression::Auto),
                    Codec::sealed(ring.clone()),
                ),
            ] {
                let token = writer.encode_at(&session, now()).unwrap();
                let decoded = reader.decode_at::<Session>(&token, now()).unwrap();
                assert_eq!(decoded.key_id, id);
                assert_eq!(decoded.needs_reissue(), id != 1);
            }
        }
    });
}

#[test]
fn no_key_material_in_freed_memory_with_1_key() {
    keyring_codec_round_trips(1);
}

#[test]
fn no_key_material_in_freed_memory_with_5_keys() {
    keyring_codec_round_trips(5);
}

#[test]
fn no_key_material_in_freed_memory_with_9_keys() {
    keyring_codec_round_trips(9);
}

/// The scan can fail: an unwiped copy of a key, of its base64 or of a
/// subkey, freed while armed, is found and named.
#[test]
fn the_freed_memory_scan_finds_an_unwiped_copy() {
    let _serial = SCAN_LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let masters = scan_keys(2);
    let leaks: Vec<Box<dyn Fn()>> = vec![
        Box::new(|| drop(masters[1].to_vec())),
        Box::new(|| drop(STANDARD.encode(masters[0].as_slice()))),
        Box::new(|| drop(subkey(&masters[1], b"cookie-seal/v1 xchacha20poly1305"))),
    ];
    for leak in leaks {
        let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            assert_nothing_left_behind(&masters, &*leak);
        }));
        assert!(found.is_err(), "an unwiped copy went unnoticed");
    }
}
