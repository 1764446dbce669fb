//! A session's values in memory: every key in one `String`, every value in
//! one byte buffer, and an index of their ranges sorted by key.
//!
//! Decoding a session is what every request pays, so it is three allocations
//! for a typical session, whatever its number of entries (tests/allocations.rs
//! counts them); a map of owned strings and buffers costs two per entry.
//! Writes append to the buffers; the bytes they replace stay behind as dead
//! space until it outgrows the live bytes, and then the buffers are rebuilt,
//! so the memory stays within twice what is live.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;

use serde::de::{DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserializer, Serialize, Serializer};

/// Entries reserved for up front on decode, at most: a map's length prefix
/// is untrusted until the entries are read, and the Vec grows past it anyway.
const MAX_RESERVED_ENTRIES: usize = 64;
/// Bytes of key and of value reserved per announced entry on decode, so a
/// typical session fills its buffers without reallocating.
const RESERVED_KEY_BYTES: usize = 16;
const RESERVED_VALUE_BYTES: usize = 32;

#[derive(Clone, Default)]
pub(super) struct Entries {
    keys: String,
    values: Vec<u8>,
    /// Sorted by key, keys unique.
    index: Vec<Entry>,
    /// Bytes of `keys` and `values` that no entry points to any more.
    dead: usize,
}

#[derive(Clone)]
struct Entry {
    key: Range<usize>,
    value: Range<usize>,
}

impl Entries {
    /// The index position of `key`, or where it would go.
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.index
            .binary_search_by(|entry| self.keys[entry.key.clone()].cmp(key))
    }

    pub(super) fn get(&self, key: &str) -> Option<&[u8]> {
        let position = self.find(key).ok()?;
        Some(&self.values[self.index[position].value.clone()])
    }

    /// Stores `value` under `key`, replacing any previous value.
    pub(super) fn insert(&mut self, key: &str, value: &[u8]) {
        let value = append(&mut self.values, value);
        match self.find(key) {
            Ok(position) => {
                let old = std::mem::replace(&mut self.index[position].value, value);
                self.dead += old.len();
            }
            Err(position) => {
                let key = append_str(&mut self.keys, key);
                self.index.insert(position, Entry { key, value });
            }
        }
        self.compact_if_mostly_dead();
    }

    /// Removes `key`; `true` if it was present.
    pub(super) fn remove(&mut self, key: &str) -> bool {
        let Ok(position) = self.find(key) else {
            return false;
        };
        let entry = self.index.remove(position);
        self.dead += entry.key.len() + entry.value.len();
        self.compact_if_mostly_dead();
        true
    }

    pub(super) fn clear(&mut self) {
        self.keys.clear();
        self.values.clear();
        self.index.clear();
        self.dead = 0;
    }

    pub(super) fn len(&self) -> usize {
        self.index.len()
    }

    /// `(key, value)` pairs in key order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.index.iter().map(|entry| {
            (
                &self.keys[entry.key.clone()],
                &self.values[entry.value.clone()],
            )
        })
    }

    /// Rebuilds the buffers with only the live bytes once the dead ones are
    /// the majority: each rebuild copies at most as much as was written since
    /// the last one, so writes stay amortized O(1) in bytes.
    fn compact_if_mostly_dead(&mut self) {
        let total = self.keys.len() + self.values.len();
        if self.dead * 2 <= total {
            return;
        }
        let mut keys = String::with_capacity(self.keys.len());
        let mut values = Vec::with_capacity(self.values.len());
        for entry in &mut self.index {
            entry.key = append_str(&mut keys, &self.keys[entry.key.clone()]);
            entry.value = append(&mut values, &self.values[entry.value.clone()]);
        }
        self.keys = keys;
        self.values = values;
        self.dead = 0;
    }

    /// Bytes held for keys and values, live or dead (for tests of the bound).
    #[cfg(test)]
    pub(super) fn buffered_len(&self) -> usize {
        self.keys.len() + self.values.len()
    }
}

fn append(buffer: &mut Vec<u8>, bytes: &[u8]) -> Range<usize> {
    let start = buffer.len();
    buffer.extend_from_slice(bytes);
    start..buffer.len()
}

fn append_str(buffer: &mut String, text: &str) -> Range<usize> {
    let start = buffer.len();
    buffer.push_str(text);
    start..buffer.len()
}

impl PartialEq for Entries {
    fn eq(&self, other: &Entries) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for Entries {
    /// Keys and value sizes, never values (they may be secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(key, value)| (key, value.len())))
            .finish()
    }
}

/// Serializes as a map of strings to byte strings (in the postcard frame, a
/// value's CBOR bytes as a byte string), which is
/// byte for byte what a `BTreeMap<String, Vec<u8>>` of `u8` sequences writes
/// (FORMAT.md section 8), with one copy per value instead of a call per byte.
impl Serialize for Entries {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct AsBytes<'a>(&'a [u8]);
        impl Serialize for AsBytes<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_bytes(self.0)
            }
        }
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self.iter() {
            map.serialize_entry(key, &AsBytes(value))?;
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Entries, D::Error> {
        deserializer.deserialize_map(EntriesVisitor)
    }
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Entries;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of strictly increasing strings to byte strings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Entries, A::Error> {
        let announced = access.size_hint().unwrap_or(0).min(MAX_RESERVED_ENTRIES);
        let mut entries = Entries {
            keys: String::with_capacity(announced * RESERVED_KEY_BYTES),
            values: Vec::with_capacity(announced * RESERVED_VALUE_BYTES),
            index: Vec::with_capacity(announced),
            dead: 0,
        };
        while let Some(key) = access.next_key_seed(AppendTo(&mut entries.keys))? {
            // Keys strictly increasing: sorting or deduplicating here would
            // give one session several encodings (and a repeated key two
            // values). `SessionMap` writes its keys sorted and unique, so only
            // crafted payloads are refused.
            if let Some(last) = entries.index.last() {
                let order = entries.keys[last.key.clone()].cmp(&entries.keys[key.clone()]);
                if order != Ordering::Less {
                    return Err(serde::de::Error::custom(
                        "session keys out of order or repeated",
                    ));
                }
            }
            let value = access.next_value_seed(AppendTo(&mut entries.values))?;
            entries.index.push(Entry { key, value });
        }
        Ok(entries)
    }
}

/// Reads one string or byte string onto the end of a buffer and gives back
/// its range there.
struct AppendTo<'a, B>(&'a mut B);

impl<'de> DeserializeSeed<'de> for AppendTo<'_, String> {
    type Value = Range<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Range<usize>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for AppendTo<'_, String> {
    type Value = Range<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E>(self, text: &str) -> Result<Range<usize>, E> {
        Ok(append_str(self.0, text))
    }
}

impl<'de> DeserializeSeed<'de> for AppendTo<'_, Vec<u8>> {
    type Value = Range<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Range<usize>, D::Error> {
        deserializer.deserialize_bytes(self)
    }
}

impl Visitor<'_> for AppendTo<'_, Vec<u8>> {
    type Value = Range<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a byte string")
    }

    fn visit_bytes<E>(self, bytes: &[u8]) -> Result<Range<usize>, E> {
        Ok(append(self.0, bytes))
    }
}
