//! How `SessionMap` values are encoded: postcard (not self-describing, the
//! format before issue 19) against the self-describing candidates CBOR
//! (`ciborium`) and MessagePack (`rmp-serde`, structs as maps), on the bench
//! sessions, each field of a session one map value as an app stores it.
//!
//! `cargo bench -p cookie-seal-benches --bench values -- --measurement-time 2`
//!
//! Before the timings it prints, per session and format, the value bytes,
//! the map payload and the token lengths both modes give (computed with the
//! crate's codec on a payload laid out exactly as `SessionMap` lays it out).
//! The timed rows, per session: `<format>_insert` serializes every field
//! (what `SessionMap::insert` adds to encoding) and `<format>_get` reads
//! every field back typed (what `SessionMap::get` adds to decoding); then
//! `session_map_write` (insert every field and encode the token) and
//! `session_map_read` (decode the token and get every field) with the crate
//! as built, whichever value format it has.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a bench may panic on broken setup

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie_seal::{Codec, Key, Keyring, SessionMap};
use criterion::Criterion;
use serde::de::DeserializeOwned;
use serde::Serialize;

#[path = "support/mod.rs"]
mod support;
use support::{CartItem, Item, Large, Medium, SessionsFile, Small};

/// A value encoding under test.
trait Format {
    const NAME: &'static str;
    fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8>;
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> T;
}

struct Postcard;
struct Cbor;
/// CBOR read with a 256-byte scratch buffer instead of `from_reader`'s
/// 4 KiB one, which is zeroed on every call.
struct CborSmallScratch;
struct MsgPack;

impl Format for Postcard {
    const NAME: &'static str = "postcard";
    fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
        postcard::to_allocvec(value).unwrap()
    }
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> T {
        postcard::from_bytes(bytes).unwrap()
    }
}

impl Format for Cbor {
    const NAME: &'static str = "cbor_ciborium";
    fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(value, &mut out).unwrap();
        out
    }
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> T {
        ciborium::from_reader(bytes).unwrap()
    }
}

impl Format for CborSmallScratch {
    const NAME: &'static str = "cbor_ciborium_scratch256";
    fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
        Cbor::encode(value)
    }
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> T {
        ciborium::de::from_reader_with_buffer(bytes, &mut [0; 256]).unwrap()
    }
}

impl Format for MsgPack {
    const NAME: &'static str = "msgpack_rmp_serde";
    fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
        // Named: structs as maps of field names, as a self-describing
        // reading needs (`to_vec` writes them as arrays).
        rmp_serde::to_vec_named(value).unwrap()
    }
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> T {
        rmp_serde::from_slice(bytes).unwrap()
    }
}

/// A session shape, stored one field per map entry.
trait Fields: Sized {
    fn encode<F: Format>(&self) -> Vec<(&'static str, Vec<u8>)>;
    fn decode<F: Format>(entries: &[(&'static str, Vec<u8>)]) -> Self;
    fn insert_all(&self, map: &mut SessionMap);
    fn get_all(map: &SessionMap) -> Self;
}

macro_rules! fields {
    ($shape:ty { $($field:ident : $ty:ty),+ $(,)? }) => {
        impl Fields for $shape {
            fn encode<F: Format>(&self) -> Vec<(&'static str, Vec<u8>)> {
                vec![$((stringify!($field), F::encode(&self.$field))),+]
            }
            fn decode<F: Format>(entries: &[(&'static str, Vec<u8>)]) -> Self {
                let mut values = entries.iter();
                $(let $field: $ty = F::decode(&values.next().unwrap().1);)+
                Self { $($field),+ }
            }
            fn insert_all(&self, map: &mut SessionMap) {
                $(map.insert(stringify!($field), &self.$field).unwrap();)+
            }
            fn get_all(map: &SessionMap) -> Self {
                $(let $field: $ty = map.get(stringify!($field)).unwrap().unwrap();)+
                Self { $($field),+ }
            }
        }
    };
}

fields!(Small {
    user_id: u64,
    name: String,
    csrf_token: String,
    role: String,
    login_at: u64
});
fields!(Medium {
    user_id: u64, name: String, csrf_token: String, role: String, login_at: u64,
    cart: Vec<CartItem>,
});
fields!(Large {
    user_id: u64, name: String, csrf_token: String, role: String, login_at: u64,
    theme: String, locale: String, timezone: String, flash: Vec<String>, recent: Vec<Item>,
});

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn codecs() -> [(&'static str, Codec); 2] {
    let keys = || Keyring::new(1, Key::from_bytes(&[7; 32]).unwrap());
    [
        ("signed", Codec::signed(keys())),
        ("sealed", Codec::sealed(keys())),
    ]
}

/// What `SessionMap` serializes to (FORMAT.md section 8): no ID, then a map
/// of string keys to byte strings, keys sorted.
fn map_payload(entries: &[(&'static str, Vec<u8>)]) -> (Option<[u8; 32]>, BTreeMap<String, Bytes>) {
    let map = entries
        .iter()
        .map(|(key, value)| ((*key).to_owned(), Bytes(value.clone())))
        .collect();
    (None, map)
}

struct Bytes(Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

fn size_row<T: Fields, F: Format>(name: &str, shape: &T) {
    let entries = shape.encode::<F>();
    let values: usize = entries.iter().map(|(_, v)| v.len()).sum();
    let payload = map_payload(&entries);
    let payload_len = postcard::to_allocvec(&payload).unwrap().len();
    let [(_, signed), (_, sealed)] = codecs();
    let signed = signed.encode_at(&payload, now()).unwrap().len();
    let sealed = sealed.encode_at(&payload, now()).unwrap().len();
    println!(
        "  {name:<7} {:<18} values {values:>5} B   payload {payload_len:>5} B   \
         signed token {signed:>5}   sealed token {sealed:>5}",
        F::NAME
    );
}

fn sizes<T: Fields>(name: &str, shape: &T) {
    size_row::<T, Postcard>(name, shape);
    size_row::<T, Cbor>(name, shape);
    size_row::<T, MsgPack>(name, shape);
    let map = {
        let mut map = SessionMap::new();
        shape.insert_all(&mut map);
        map
    };
    let [(_, signed), (_, sealed)] = codecs();
    println!(
        "  {name:<7} {:<18} (the crate as built)              signed token {:>5}   sealed token {:>5}",
        "SessionMap",
        signed.encode_at(&map, now()).unwrap().len(),
        sealed.encode_at(&map, now()).unwrap().len()
    );
}

fn bench_format<T: Fields + PartialEq + std::fmt::Debug, F: Format>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    shape: &T,
) {
    let entries = shape.encode::<F>();
    assert_eq!(&T::decode::<F>(&entries), shape, "{} round trip", F::NAME);
    group.bench_function(format!("{}_insert", F::NAME), |b| {
        b.iter(|| black_box(shape).encode::<F>());
    });
    group.bench_function(format!("{}_get", F::NAME), |b| {
        b.iter(|| T::decode::<F>(black_box(&entries)));
    });
}

fn bench_shape<T: Fields + PartialEq + std::fmt::Debug>(c: &mut Criterion, name: &str, shape: &T) {
    let mut group = c.benchmark_group(format!("values_{name}"));
    bench_format::<T, Postcard>(&mut group, shape);
    bench_format::<T, Cbor>(&mut group, shape);
    bench_format::<T, CborSmallScratch>(&mut group, shape);
    bench_format::<T, MsgPack>(&mut group, shape);
    for (mode, codec) in codecs() {
        let mut map = SessionMap::new();
        shape.insert_all(&mut map);
        let token = codec.encode_at(&map, now()).unwrap();
        let back = codec.decode_at::<SessionMap>(&token, now()).unwrap().value;
        assert_eq!(&T::get_all(&back), shape);
        group.bench_function(format!("session_map_write_{mode}"), |b| {
            b.iter(|| {
                let mut map = SessionMap::new();
                black_box(shape).insert_all(&mut map);
                codec.encode_at(&map, now()).unwrap()
            });
        });
        group.bench_function(format!("session_map_read_{mode}"), |b| {
            b.iter(|| {
                let map = codec
                    .decode_at::<SessionMap>(black_box(&token), now())
                    .unwrap();
                T::get_all(&map.value)
            });
        });
    }
    group.finish();
}

fn main() {
    let file = SessionsFile::load();
    let large = file.large_with(file.large_items);
    println!("SessionMap value encodings (one map value per field):");
    sizes("small", &file.small);
    sizes("medium", &file.medium);
    sizes("large", &large);
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .configure_from_args();
    bench_shape(&mut c, "small", &file.small);
    bench_shape(&mut c, "medium", &file.medium);
    bench_shape(&mut c, "large", &large);
    c.final_summary();
}
