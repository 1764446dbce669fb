//! Property tests (proptest) of the codec's public API.
//!
//! Case counts are fixed per property (listed in `SECURITY.md`) so
//! `cargo test` stays fast: 256 cases for each property, 64 for the
//! canonical-spelling property (it decodes 65 variants of each token).
//! `PROPTEST_CASES` does not override them; edit `CASES` for a longer run.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie_seal::{Codec, Compression, Error, Keyring, SessionMap};
use proptest::prelude::*;
use proptest::sample::Index;
use serde::{Deserialize, Serialize};

mod fixtures;
#[path = "properties/wrong_type.rs"]
mod wrong_type;

const CASES: u32 = 256;
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn keyring() -> Keyring {
    fixtures::ring(&[(1, 0x11), (2, 0x22)])
}

/// Both modes with both compression settings, labelled for messages.
fn codecs() -> [(&'static str, Codec); 4] {
    [
        ("signed/auto", Codec::signed(keyring())),
        (
            "signed/never",
            Codec::signed(keyring()).compression(Compression::Never),
        ),
        ("sealed/never", Codec::sealed(keyring())),
        (
            "sealed/auto",
            Codec::sealed(keyring()).compression(Compression::Auto),
        ),
    ]
}

fn codec_index() -> impl Strategy<Value = usize> {
    0..4usize
}

/// Values of the kinds apps keep in sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Value {
    Text(String),
    Number(u64),
    Signed(i64),
    Bytes(Vec<u8>),
    Flag(bool),
    List(Vec<i32>),
    Maybe(Option<String>),
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        ".{0,40}".prop_map(Value::Text),
        "(ab|cd|session ){0,60}".prop_map(Value::Text),
        any::<u64>().prop_map(Value::Number),
        any::<i64>().prop_map(Value::Signed),
        prop::collection::vec(any::<u8>(), 0..200).prop_map(Value::Bytes),
        any::<bool>().prop_map(Value::Flag),
        prop::collection::vec(any::<i32>(), 0..30).prop_map(Value::List),
        proptest::option::of("[a-z]{0,20}").prop_map(Value::Maybe),
    ]
}

/// An arbitrary session map (up to 8 entries, at most a few KB).
fn session() -> impl Strategy<Value = SessionMap> {
    prop::collection::btree_map(".{0,16}", value(), 0..8).prop_map(|entries| {
        let mut session = SessionMap::new();
        for (key, value) in &entries {
            session.insert(key, value).unwrap();
        }
        session
    })
}

/// A typed value decoded as a struct.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Profile {
    user_id: u64,
    name: String,
    roles: Vec<String>,
    settings: BTreeMap<String, Value>,
}

fn profile() -> impl Strategy<Value = Profile> {
    (
        any::<u64>(),
        ".{0,30}",
        prop::collection::vec("[a-z]{1,10}", 0..6),
        prop::collection::btree_map("[a-z]{1,8}", value(), 0..4),
    )
        .prop_map(|(user_id, name, roles, settings)| Profile {
            user_id,
            name,
            roles,
            settings,
        })
}

/// Encodes `value`, or `None` if (and only if) it is refused as too large.
fn encode<T: Serialize>(codec: &Codec, value: &T) -> Option<String> {
    match codec.encode_at(value, now()) {
        Ok(token) => {
            assert!(token.len() <= codec.settings().token_budget());
            Some(token)
        }
        Err(Error::TooLarge { len, limit }) if len > limit => None,
        Err(e) => panic!("encode failed with {e:?}"),
    }
}

fn raw_bytes(token: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(token).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// decode(encode(x)) == x for session maps and typed values, in every
    /// mode and compression setting (or encode refuses with TooLarge).
    #[test]
    fn decode_of_encode_is_identity_in_every_mode(session in session(), profile in profile()) {
        for (label, codec) in codecs() {
            if let Some(token) = encode(&codec, &session) {
                let back = codec.decode_at::<SessionMap>(&token, now()).unwrap();
                prop_assert_eq!(&back.value, &session, "{}", label);
                prop_assert_eq!(back.key_id, 1);
                prop_assert_eq!(back.issued_at, now());
            }
            if let Some(token) = encode(&codec, &profile) {
                let back = codec.decode_at::<Profile>(&token, now()).unwrap();
                prop_assert_eq!(&back.value, &profile, "{}", label);
            }
        }
    }

    /// Flipping any one bit of a token's bytes makes it fail to decode.
    #[test]
    fn any_single_bit_flip_is_rejected(
        session in session(),
        which in codec_index(),
        bit in any::<Index>(),
    ) {
        let (label, codec) = &codecs()[which];
        let Some(token) = encode(codec, &session) else { return Ok(()) };
        let mut raw = raw_bytes(&token);
        let bit = bit.index(raw.len() * 8);
        raw[bit / 8] ^= 1 << (bit % 8);
        let tampered = URL_SAFE_NO_PAD.encode(&raw);
        let result = codec.decode_at::<SessionMap>(&tampered, now());
        prop_assert!(result.is_err(), "{} accepted a flip of bit {}", label, bit);
    }

    /// Encoding never makes a token longer than the uncompressed encoding
    /// of the same value at the same time.
    #[test]
    fn compression_never_lengthens_a_token(session in session(), profile in profile()) {
        let pairs = [
            (Codec::signed(keyring()), Codec::signed(keyring()).compression(Compression::Never)),
            (Codec::sealed(keyring()).compression(Compression::Auto), Codec::sealed(keyring())),
        ];
        for (auto, never) in pairs {
            // An uncompressed form over budget may still compress to fit.
            if let Some(plain) = encode(&never, &session) {
                let short = encode(&auto, &session).unwrap();
                prop_assert!(short.len() <= plain.len(), "{} > {}", short.len(), plain.len());
            }
            if let Some(plain) = encode(&never, &profile) {
                let short = encode(&auto, &profile).unwrap();
                prop_assert!(short.len() <= plain.len(), "{} > {}", short.len(), plain.len());
            }
        }
    }

    /// With compression off (the sealed default), the token length is a
    /// function of the plaintext length only: random and all-zero payloads of
    /// one length give tokens of one length.
    #[test]
    fn sealed_token_length_depends_only_on_plaintext_length(
        (random, other) in (0usize..2500).prop_flat_map(|n| (
            prop::collection::vec(any::<u8>(), n),
            prop::collection::vec(any::<u8>(), n),
        )),
    ) {
        let codec = Codec::sealed(keyring());
        let zeros = vec![0u8; random.len()];
        let lengths: Vec<usize> = [&random, &other, &zeros]
            .iter()
            .map(|bytes| codec.encode_at(bytes, now()).unwrap().len())
            .collect();
        prop_assert!(lengths.iter().all(|&len| len == lengths[0]), "{:?}", lengths);
        // The same holds for sessions: equal keys, different values of one
        // length, stored as byte strings (a `Vec<u8>` is an array of CBOR
        // integers, where bytes from 24 up take two bytes: see FORMAT.md).
        let mut a = SessionMap::new();
        let mut b = SessionMap::new();
        a.insert("secret", &wrong_type::Bytes(random.clone())).unwrap();
        b.insert("secret", &wrong_type::Bytes(zeros.clone())).unwrap();
        prop_assert_eq!(
            codec.encode_at(&a, now()).unwrap().len(),
            codec.encode_at(&b, now()).unwrap().len()
        );
    }

    /// Random text never verifies, in either mode.
    #[test]
    fn random_strings_never_verify(text in "\\PC{0,300}", b64 in "[A-Za-z0-9_-]{0,400}") {
        for (label, codec) in codecs() {
            prop_assert!(codec.decode_at::<SessionMap>(&text, now()).is_err(), "{}", label);
            prop_assert!(codec.decode_at::<SessionMap>(&b64, now()).is_err(), "{}", label);
        }
    }

    /// Random bytes behind a real header (right version, mode and key ID, so
    /// the tag check runs) never verify.
    #[test]
    fn random_bodies_behind_a_real_header_never_verify(
        which in codec_index(),
        body in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let (label, codec) = &codecs()[which];
        let real = raw_bytes(&codec.encode_at(&SessionMap::new(), now()).unwrap());
        // Version, flags, key ID 1, five bytes of issue time.
        let mut forged = real[..8].to_vec();
        forged.extend_from_slice(&body);
        let forged = URL_SAFE_NO_PAD.encode(&forged);
        prop_assert!(codec.decode_at::<SessionMap>(&forged, now()).is_err(), "{}", label);
    }
}

/// One change to a session, for the model test.
#[derive(Debug, Clone)]
enum Change {
    Insert(String, Value),
    Remove(String),
    Clear,
}

fn change() -> impl Strategy<Value = Change> {
    // Few distinct keys, so changes often hit keys that are there.
    let key = "[a-e]{0,2}";
    prop_oneof![
        6 => (key, value()).prop_map(|(k, v)| Change::Insert(k, v)),
        3 => key.prop_map(Change::Remove),
        1 => Just(Change::Clear),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// `SessionMap` behaves as a `BTreeMap` of keys to CBOR bytes under any
    /// sequence of inserts, removes and clears (its storage rebuilds itself
    /// as values are replaced), and a decoded session is the same map.
    #[test]
    fn session_behaves_as_a_sorted_map(changes in prop::collection::vec(change(), 0..60)) {
        let mut session = SessionMap::new();
        let mut model: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for change in changes {
            match change {
                Change::Insert(key, value) => {
                    session.insert(&key, &value).unwrap();
                    let mut cbor = Vec::new();
                    ciborium::into_writer(&value, &mut cbor).unwrap();
                    model.insert(key, cbor);
                }
                Change::Remove(key) => {
                    prop_assert_eq!(session.remove(&key), model.remove(&key).is_some());
                }
                Change::Clear => {
                    session.clear();
                    model.clear();
                }
            }
            prop_assert_eq!(session.len(), model.len());
            prop_assert!(session.keys().eq(model.keys().map(String::as_str)));
            for (key, bytes) in &model {
                prop_assert_eq!(session.get_raw(key), Some(bytes.as_slice()));
            }
        }
        let codec = Codec::signed(keyring());
        let Some(token) = encode(&codec, &session) else { return Ok(()) };
        let back = codec.decode_at::<SessionMap>(&token, now()).unwrap().value;
        prop_assert!(back.keys().eq(model.keys().map(String::as_str)));
        prop_assert_eq!(back, session);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES / 4))]

    /// An accepted token has exactly one spelling: its bytes re-encode to the
    /// same string, and no other string with one character changed (any
    /// position, any base64url character; every choice for the last
    /// character, which carries the padding bits) decodes.
    #[test]
    fn accepted_tokens_are_canonical(
        session in session(),
        which in codec_index(),
        position in any::<Index>(),
        replacement in prop::sample::select(BASE64URL),
    ) {
        let (label, codec) = &codecs()[which];
        let Some(token) = encode(codec, &session) else { return Ok(()) };
        prop_assert_eq!(URL_SAFE_NO_PAD.encode(raw_bytes(&token)), token.clone());

        let mut variants = Vec::new();
        let mut changed = token.clone().into_bytes();
        changed[position.index(token.len())] = replacement;
        variants.push(changed);
        for &last in BASE64URL {
            let mut changed = token.clone().into_bytes();
            *changed.last_mut().unwrap() = last;
            variants.push(changed);
        }
        for variant in variants {
            let variant = String::from_utf8(variant).unwrap();
            if codec.decode_at::<SessionMap>(&variant, now()).is_ok() {
                prop_assert_eq!(&variant, &token, "{} accepted a second spelling", label);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// A value stored as one serde type and read as another is an error or
    /// the same value, never a different one (`7u64` read as `i64` is `7`;
    /// `-4i64` read as `u64` and `"text"` read as `Vec<u8>` are errors).
    /// See `properties/wrong_type.rs` for what "the same" means.
    #[test]
    fn a_value_read_as_another_type_is_an_error_or_the_same_value(
        stored in wrong_type::stored(),
    ) {
        let same = wrong_type::read_as_every_type(&stored)?;
        // The reading as its own type is among them (the model has one for
        // every stored type), so at least one read gives the value.
        prop_assert!(same >= 1, "{:?} read back as no type", stored);
    }
}
