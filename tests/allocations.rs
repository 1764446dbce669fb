//! Heap allocations of the per-request paths, counted per call with
//! `allocation-counter` (this thread only; reallocations count as new
//! allocations). Decoding the session is what every request pays, so for a
//! typical session its count must not grow with the number of entries.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::hint::black_box;

use allocation_counter::measure;
use cookie_seal::{Codec, Compression, DecodeOptions, EncodeOptions, SessionMap};

mod fixtures;
use fixtures::{at, ring, T0};

/// Up to 64 entries (the most a decoder reserves for up front) of short keys
/// and small values, the shape of a typical session.
const ENTRY_COUNTS: [usize; 4] = [1, 8, 32, 64];

fn session_with(entries: usize) -> SessionMap {
    let mut session = SessionMap::new();
    for i in 0..entries {
        session
            .insert(&format!("key-{i:03}"), &(i as u64 * 1_000))
            .unwrap();
    }
    session
}

/// Both modes without deflate: inflating allocates its output, whatever is
/// being decoded (tests/resources.rs bounds that memory).
fn codecs() -> [Codec; 2] {
    [
        Codec::signed(ring(&[(1, 1)])),
        Codec::sealed(ring(&[(1, 1)])),
    ]
    .map(|codec| codec.compression(Compression::Never))
}

/// Tokens whose raw bytes and context block fit this many bytes are decoded
/// on the stack (`STACK_TOKEN_LEN` in src/codec/decode.rs); longer ones
/// allocate their buffer.
const STACK_TOKEN_LEN: usize = 512;

/// The token buffer's allocation: none for a short token (without context).
fn token_buffer_allocations(token: &str) -> u64 {
    u64::from(token.len() / 4 * 3 + 3 > STACK_TOKEN_LEN)
}

#[test]
fn decoding_a_session_of_1_to_64_entries_is_three_allocations() {
    for codec in codecs() {
        let counts = ENTRY_COUNTS.map(|entries| {
            let token = codec.encode_at(&session_with(entries), at(T0)).unwrap();
            // The first call on a thread may set up thread-local state.
            codec.decode_at::<SessionMap>(&token, at(T0)).unwrap();
            let info = measure(|| {
                let decoded = codec.decode_at::<SessionMap>(&token, at(T0)).unwrap();
                assert_eq!(black_box(decoded.value).len(), entries);
            });
            assert_eq!(info.count_current, 0, "leaked: {info:?}");
            info.count_total - token_buffer_allocations(&token)
        });
        let mode = codec.settings().mode();
        // The session's keys, values and index (and, counted out above,
        // the token buffer of a token too long for the stack: 64 entries).
        assert_eq!(counts, [3; ENTRY_COUNTS.len()], "{mode:?}");
    }
}

#[test]
fn a_short_token_is_decoded_without_a_token_buffer_and_a_long_one_with_one() {
    for codec in codecs() {
        let short = codec.encode_at(&session_with(8), at(T0)).unwrap();
        let long = codec.encode_at(&session_with(64), at(T0)).unwrap();
        assert_eq!(token_buffer_allocations(&short), 0);
        assert_eq!(token_buffer_allocations(&long), 1);
        // With a context, as the cookie layer binds the cookie name: the
        // context block shares the stack buffer.
        let with_context = EncodeOptions::new().context(b"session");
        let token = codec
            .encode_with(&(7u64, [1u8; 16]), &with_context, at(T0))
            .unwrap();
        let options = DecodeOptions::new().context(b"session");
        let decode = || {
            black_box(
                codec
                    .decode_with::<(u64, [u8; 16])>(&token, &options, at(T0))
                    .unwrap(),
            );
        };
        decode();
        assert_eq!(
            measure(decode).count_total,
            0,
            "{:?}",
            codec.settings().mode()
        );
    }
}

#[test]
fn cloning_a_session_is_three_allocations_for_any_number_of_entries() {
    // Past the decoder's reservation too: a clone copies three buffers.
    for entries in ENTRY_COUNTS.into_iter().chain([500]) {
        let session = session_with(entries);
        let info = measure(|| {
            black_box(session.clone());
        });
        assert_eq!(info.count_total, 3, "{entries} entries");
    }
}

#[test]
fn decoding_a_value_without_heap_fields_allocates_nothing() {
    // A baseline for the session numbers above: a value that owns nothing
    // on the heap, in a short token decoded on the stack, costs nothing.
    for codec in codecs() {
        let token = codec.encode_at(&(7u64, [1u8; 16]), at(T0)).unwrap();
        codec.decode_at::<(u64, [u8; 16])>(&token, at(T0)).unwrap();
        let info = measure(|| {
            black_box(codec.decode_at::<(u64, [u8; 16])>(&token, at(T0)).unwrap());
        });
        assert_eq!(info.count_total, 0, "{:?}", codec.settings().mode());
    }
}

#[test]
fn subkeys_are_derived_once_on_first_use_and_shared_by_clones() {
    let keyring = || ring(&[(1, 1), (2, 2), (3, 3)]);
    let encode_count = |codec: &Codec| {
        measure(|| {
            black_box(codec.encode_at(&1u8, at(T0)).unwrap());
        })
        .count_total
    };
    // Deriving allocates (the HKDF infos, the key list), which shows it.
    let (plain_ring, purpose_ring) = (keyring(), keyring());
    let plain = measure(|| {
        black_box(Codec::sealed(plain_ring));
    });
    let with_purpose = measure(|| {
        black_box(Codec::sealed(purpose_ring).purpose("csrf"));
    });
    // Setting a purpose only replaces the empty slot for the subkeys.
    assert!(
        with_purpose.count_total <= plain.count_total + 1,
        "{plain:?} {with_purpose:?}"
    );

    let codec = Codec::sealed(keyring()).purpose("csrf");
    let first = encode_count(&codec);
    let later = encode_count(&codec);
    assert!(first > later, "derived on first use: {first} then {later}");
    assert_eq!(encode_count(&codec), later);
    assert_eq!(encode_count(&codec.clone()), later, "a clone derives again");
}

#[test]
fn getting_a_value_allocates_only_what_the_value_owns() {
    // Values are CBOR, typed on `get`: a number costs no allocation, a
    // string one (its own buffer), a list of numbers one.
    let mut session = SessionMap::new();
    session.insert("n", &4_829_137u64).unwrap();
    session
        .insert("name", "Ada King, Countess of Lovelace")
        .unwrap();
    session.insert("list", &[1u32, 2, 3, 300_000]).unwrap();
    let count = |f: &dyn Fn()| {
        f();
        let info = measure(f);
        assert_eq!(info.count_current, 0, "leaked: {info:?}");
        info.count_total
    };
    assert_eq!(
        count(&|| assert_eq!(session.get::<u64>("n").unwrap(), Some(4_829_137))),
        0
    );
    assert_eq!(
        count(&|| {
            black_box(session.get::<String>("name").unwrap().unwrap());
        }),
        1
    );
    assert_eq!(
        count(&|| {
            black_box(session.get::<Vec<u32>>("list").unwrap().unwrap());
        }),
        1
    );
}

#[test]
fn a_bound_payload_type_costs_nothing_per_call() {
    // The shape is traced once, in `payload_type`; each encode and decode
    // then allocates exactly what it does unbound.
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Profile {
        user_id: u64,
        roles: Vec<String>,
    }
    let value = Profile {
        user_id: 7,
        roles: vec!["admin".into()],
    };
    for codec in codecs() {
        let bound = codec.clone().payload_type::<Profile>();
        let counts = |codec: &Codec| {
            let token = codec.encode_at(&value, at(T0)).unwrap();
            codec.decode_at::<Profile>(&token, at(T0)).unwrap();
            let encode = measure(|| {
                black_box(codec.encode_at(&value, at(T0)).unwrap());
            });
            let decode = measure(|| {
                black_box(codec.decode_at::<Profile>(&token, at(T0)).unwrap());
            });
            (encode.count_total, decode.count_total)
        };
        assert_eq!(counts(&bound), counts(&codec));
    }
}
