//! Reading a `SessionMap` value as another type never gives a different
//! value (issue 19, section 3): over the serde data model, a value stored as
//! one type and read as any other is either an error or the same value.
//!
//! "The same value" is judged in JSON's data model plus bytes, the model
//! the values are documented to keep (FORMAT.md section 8): both sides are
//! turned into a `serde_json::Value` by serde (bytes become a list of
//! numbers, `None` and `()` become null, `Some(x)` becomes `x`, structs become
//! maps, `E::A` becomes `"A"`), and numbers compare by value, so `7u64` read
//! as `7i64` or `0.5f32` read as `0.5f64` is the same value. An `f32` read from
//! an `f64` that it cannot hold exactly would be a different number.

use std::collections::BTreeMap;

use cookie_seal::{Error, SessionMap};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// A byte string (`serde_bytes`-style): `serialize_bytes` on write,
/// `deserialize_byte_buf` on read.
#[derive(Debug, Clone, PartialEq)]
pub struct Bytes(pub Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Bytes, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E>(self, bytes: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes(bytes.to_vec()))
            }
        }
        deserializer.deserialize_byte_buf(Visit)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    id: u64,
    name: String,
}

/// `User` after a deploy changed its fields' types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserChanged {
    id: i32,
    name: Bytes,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point(i16, i16);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meters(f32);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marker;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Role {
    Guest,
    Member(u32),
    Admin { level: u8, note: String },
    Pair(i8, bool),
}

/// A value of one of many serde types, serialized as that type.
#[derive(Debug, Clone)]
pub enum Stored {
    Bool(bool),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
    Char(char),
    Text(String),
    Bytes(Bytes),
    ByteList(Vec<u8>),
    Unit(()),
    Marker(Marker),
    MaybeNumber(Option<u64>),
    MaybeText(Option<String>),
    Numbers(Vec<i64>),
    Texts(Vec<String>),
    Tuple((u8, String, bool)),
    Point(Point),
    Meters(Meters),
    Map(BTreeMap<String, u32>),
    User(User),
    Role(Role),
    Nested(Vec<Option<(f64, Role)>>),
}

impl Serialize for Stored {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Stored::Bool(v) => v.serialize(s),
            Stored::U8(v) => v.serialize(s),
            Stored::U16(v) => v.serialize(s),
            Stored::U32(v) => v.serialize(s),
            Stored::U64(v) => v.serialize(s),
            Stored::I8(v) => v.serialize(s),
            Stored::I16(v) => v.serialize(s),
            Stored::I32(v) => v.serialize(s),
            Stored::I64(v) => v.serialize(s),
            Stored::F32(v) => v.serialize(s),
            Stored::F64(v) => v.serialize(s),
            Stored::Char(v) => v.serialize(s),
            Stored::Text(v) => v.serialize(s),
            Stored::Bytes(v) => v.serialize(s),
            Stored::ByteList(v) => v.serialize(s),
            Stored::Unit(v) => v.serialize(s),
            Stored::Marker(v) => v.serialize(s),
            Stored::MaybeNumber(v) => v.serialize(s),
            Stored::MaybeText(v) => v.serialize(s),
            Stored::Numbers(v) => v.serialize(s),
            Stored::Texts(v) => v.serialize(s),
            Stored::Tuple(v) => v.serialize(s),
            Stored::Point(v) => v.serialize(s),
            Stored::Meters(v) => v.serialize(s),
            Stored::Map(v) => v.serialize(s),
            Stored::User(v) => v.serialize(s),
            Stored::Role(v) => v.serialize(s),
            Stored::Nested(v) => v.serialize(s),
        }
    }
}

/// Floats as a test would pick them: small integers, halves, and any bits.
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-300i32..300).prop_map(f64::from),
        (-300i32..300).prop_map(|n| f64::from(n) + 0.5),
        any::<f64>(),
        any::<f32>().prop_map(f64::from),
    ]
}

/// Integers near the edges of every width, where a misread shows.
fn int() -> impl Strategy<Value = i128> {
    prop_oneof![
        -300i128..300,
        any::<i64>().prop_map(i128::from),
        any::<u64>().prop_map(i128::from),
        prop::sample::select(vec![
            i128::from(u8::MAX),
            i128::from(i8::MIN),
            i128::from(u16::MAX),
            i128::from(i32::MIN),
            i128::from(u32::MAX),
            i128::from(i64::MIN),
            i128::from(u64::MAX),
        ]),
    ]
}

/// `n` wrapped into an `i64`, as `as` does.
#[allow(clippy::cast_possible_truncation)]
fn wrap_i64(n: i128) -> i64 {
    n as i64
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::Guest),
        any::<u32>().prop_map(Role::Member),
        (any::<u8>(), "[a-z]{0,8}").prop_map(|(level, note)| Role::Admin { level, note }),
        (any::<i8>(), any::<bool>()).prop_map(|(a, b)| Role::Pair(a, b)),
    ]
}

pub fn stored() -> impl Strategy<Value = Stored> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let ints = int().prop_flat_map(|n| {
        prop::sample::select(vec![
            Stored::U8(n as u8),
            Stored::U16(n as u16),
            Stored::U32(n as u32),
            Stored::U64(n as u64),
            Stored::I8(n as i8),
            Stored::I16(n as i16),
            Stored::I32(n as i32),
            Stored::I64(n as i64),
        ])
    });
    #[allow(clippy::cast_possible_truncation)]
    let floats = float().prop_flat_map(|x| {
        prop::sample::select(vec![
            Stored::F32(x as f32),
            Stored::F64(x),
            Stored::Meters(Meters(x as f32)),
        ])
    });
    prop_oneof![
        any::<bool>().prop_map(Stored::Bool),
        ints,
        floats,
        any::<char>().prop_map(Stored::Char),
        "[a-z0-9]{0,6}|.{0,12}".prop_map(Stored::Text),
        prop::collection::vec(any::<u8>(), 0..12).prop_map(|b| Stored::Bytes(Bytes(b))),
        prop::collection::vec(any::<u8>(), 0..12).prop_map(Stored::ByteList),
        Just(Stored::Unit(())),
        Just(Stored::Marker(Marker)),
        proptest::option::of(any::<u64>()).prop_map(Stored::MaybeNumber),
        proptest::option::of("[a-z]{0,6}").prop_map(Stored::MaybeText),
        prop::collection::vec(int().prop_map(wrap_i64), 0..6).prop_map(Stored::Numbers),
        prop::collection::vec("[a-z]{0,4}", 0..4).prop_map(Stored::Texts),
        (any::<u8>(), "[a-z]{0,4}", any::<bool>()).prop_map(Stored::Tuple),
        (any::<i16>(), any::<i16>()).prop_map(|(x, y)| Stored::Point(Point(x, y))),
        prop::collection::btree_map("[a-z]{1,4}", any::<u32>(), 0..4).prop_map(Stored::Map),
        (any::<u64>(), "[a-z]{0,6}").prop_map(|(id, name)| Stored::User(User { id, name })),
        role().prop_map(Stored::Role),
        prop::collection::vec(proptest::option::of((float(), role())), 0..3)
            .prop_map(Stored::Nested),
    ]
}

/// The value in JSON's data model (see the module docs).
fn model<T: Serialize + ?Sized>(value: &T) -> Json {
    serde_json::to_value(value).unwrap()
}

/// Numbers by value (`7` is `7.0`), everything else structurally.
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_i128(), y.as_i128()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64() && [x, y].iter().all(|n| exact_f64(n)),
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Whether a JSON number is exactly its `f64`: any float, and integers up
/// to 2^53 (beyond, two integers can share one `f64`).
fn exact_f64(n: &serde_json::Number) -> bool {
    n.as_i128().is_none_or(|i| i.unsigned_abs() <= 1 << 53)
}

/// Reads `key` as `T` and checks the outcome: `Ok(true)` for the same
/// value, `Ok(false)` for a clean error; a different value is a failure.
fn read_as<T: DeserializeOwned + Serialize + std::fmt::Debug>(
    session: &SessionMap,
    stored: &Stored,
) -> Result<bool, TestCaseError> {
    match session.get::<T>("v") {
        Ok(Some(read)) => {
            prop_assert!(
                same(&model(stored), &model(&read)),
                "{:?} read as {} gave the different value {:?}",
                stored,
                std::any::type_name::<T>(),
                read
            );
            Ok(true)
        }
        Ok(None) => Err(TestCaseError::fail("the value is gone")),
        Err(Error::Deserialize) => Ok(false),
        Err(other) => Err(TestCaseError::fail(format!("{other:?}"))),
    }
}

/// Reads the stored value as every type of the model; returns how many
/// reads gave the value (the rest were errors).
pub fn read_as_every_type(stored: &Stored) -> Result<usize, TestCaseError> {
    let mut session = SessionMap::new();
    session.insert("v", stored).unwrap();
    let s = &session;
    let reads = [
        read_as::<bool>(s, stored)?,
        read_as::<u8>(s, stored)?,
        read_as::<u16>(s, stored)?,
        read_as::<u32>(s, stored)?,
        read_as::<u64>(s, stored)?,
        read_as::<i8>(s, stored)?,
        read_as::<i16>(s, stored)?,
        read_as::<i32>(s, stored)?,
        read_as::<i64>(s, stored)?,
        read_as::<f32>(s, stored)?,
        read_as::<f64>(s, stored)?,
        read_as::<char>(s, stored)?,
        read_as::<String>(s, stored)?,
        read_as::<Bytes>(s, stored)?,
        read_as::<Vec<u8>>(s, stored)?,
        read_as::<()>(s, stored)?,
        read_as::<Marker>(s, stored)?,
        read_as::<Option<u64>>(s, stored)?,
        read_as::<Option<String>>(s, stored)?,
        read_as::<Option<f32>>(s, stored)?,
        read_as::<Vec<i64>>(s, stored)?,
        read_as::<Vec<u16>>(s, stored)?,
        read_as::<Vec<String>>(s, stored)?,
        read_as::<Vec<f32>>(s, stored)?,
        read_as::<(u8, String, bool)>(s, stored)?,
        read_as::<(u64, u64)>(s, stored)?,
        read_as::<Point>(s, stored)?,
        read_as::<Meters>(s, stored)?,
        read_as::<BTreeMap<String, u32>>(s, stored)?,
        read_as::<BTreeMap<String, i8>>(s, stored)?,
        read_as::<BTreeMap<String, String>>(s, stored)?,
        read_as::<User>(s, stored)?,
        read_as::<UserChanged>(s, stored)?,
        read_as::<Role>(s, stored)?,
        read_as::<Vec<Option<(f64, Role)>>>(s, stored)?,
        read_as::<Vec<Option<(f32, Role)>>>(s, stored)?,
    ];
    Ok(reads.iter().filter(|same| **same).count())
}
