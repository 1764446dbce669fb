use std::collections::BTreeMap;

use super::*;

#[test]
fn insert_get_remove_clear_track_modification() {
    let mut s = SessionMap::new();
    assert!(!s.is_modified() && s.is_empty());
    s.insert("a", &1u8).unwrap();
    s.insert("b", "text").unwrap();
    assert_eq!((s.len(), s.contains_key("a")), (2, true));
    assert!(!s.contains_key("zzz") && !s.is_empty());
    assert_eq!(s.keys().collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(s.get::<String>("b").unwrap().as_deref(), Some("text"));
    let mut fresh = s.clone();
    fresh.modified = false;
    assert!(!fresh.remove("zzz") && !fresh.is_modified());
    assert!(fresh.remove("a") && fresh.is_modified());
    let mut empty = SessionMap::new();
    empty.clear();
    assert!(!empty.is_modified(), "clearing nothing changes nothing");
    s.clear();
    assert!(s.is_empty());
}

#[test]
fn inserting_an_equal_value_is_not_a_change() {
    // A handler that re-stores the signed-in user's ID on every request
    // must not send a new cookie (and restart the idle clock) each time.
    let mut s = SessionMap::new();
    s.insert("user_id", &42u64).unwrap();
    s.insert("name", "alice").unwrap();
    s.modified = false;
    s.insert("user_id", &42u64).unwrap();
    s.insert("name", "alice").unwrap();
    assert!(!s.is_modified(), "equal values: no change");
    s.insert("user_id", &43u64).unwrap();
    assert!(s.is_modified(), "a different value is a change");
    let mut added = s.clone();
    added.modified = false;
    added.insert("new", &()).unwrap();
    assert!(added.is_modified(), "a new key is a change");
}

#[test]
fn clearing_a_saved_session_marks_it_modified() {
    // A logout through a custom store saves only modified sessions.
    let mut s = SessionMap::new();
    s.insert("user", "alice").unwrap();
    s.modified = false;
    s.clear();
    assert!(s.is_empty() && s.is_modified());
}

#[test]
fn equality_needs_the_same_id_and_the_same_values() {
    let mut a = SessionMap::new();
    a.insert("n", &1u8).unwrap();
    let mut other_values = a.clone();
    other_values.insert("n", &2u8).unwrap();
    assert_ne!(a, other_values, "same (no) ID, other values");
    let mut other_id = a.clone();
    other_id.regenerate().unwrap();
    assert_ne!(a, other_id, "same values, other ID");
    let mut unmodified = a.clone();
    unmodified.modified = false;
    assert_eq!(a, unmodified, "is_modified is not compared");
}

#[test]
fn raw_values_are_the_cbor_bytes() {
    let mut s = SessionMap::new();
    s.insert("n", &300u32).unwrap();
    assert_eq!(s.get_raw("n"), Some(&[0x19, 0x01, 0x2C][..]));
    assert_eq!(s.get_raw("missing"), None);
}

#[test]
fn session_id_spells_its_bytes_in_base64url() {
    let id = SessionId::generate().unwrap();
    let text = id.to_base64url();
    assert_eq!(text.len(), 43);
    assert_eq!(
        crate::encoding::decode(&text).unwrap(),
        id.as_bytes().to_vec()
    );
    assert_ne!(id.as_bytes(), &[0u8; SESSION_ID_LEN]);
    assert_eq!(id, id.clone());
    assert_ne!(id, SessionId::generate().unwrap());
}

#[test]
fn clear_and_regenerate_drops_the_values_and_changes_the_id() {
    let mut s = SessionMap::new();
    s.insert("cart", &3u8).unwrap();
    s.regenerate().unwrap();
    let before = s.id().cloned();
    s.modified = false;
    s.clear_and_regenerate().unwrap();
    assert!(s.is_empty() && s.is_modified());
    assert!(s.id().is_some() && s.id().cloned() != before);
}

#[test]
fn get_with_the_wrong_type_is_an_error() {
    let mut s = SessionMap::new();
    s.insert("n", &300u32).unwrap();
    assert_eq!(s.get::<bool>("n"), Err(Error::Deserialize));
}

#[test]
fn regenerate_changes_id_and_keeps_values() {
    let mut s = SessionMap::new();
    s.insert("cart", &vec![1, 2, 3]).unwrap();
    s.regenerate().unwrap();
    let first = s.id().cloned().unwrap();
    s.regenerate().unwrap();
    assert_ne!(s.id().cloned().unwrap(), first);
    assert_eq!(s.get::<Vec<i32>>("cart").unwrap(), Some(vec![1, 2, 3]));
}

/// The byte-string path writes what a `BTreeMap<String, Vec<u8>>` of
/// `u8` sequences writes (the published format), and reads it back.
#[test]
fn entries_keep_the_wire_format_of_a_map_of_byte_sequences() {
    let mut s = SessionMap::new();
    s.insert("user", "alice").unwrap();
    s.insert("n", &300u32).unwrap();
    s.insert("empty", &()).unwrap();
    let map: BTreeMap<String, Vec<u8>> = s
        .entries
        .iter()
        .map(|(key, value)| (key.to_owned(), value.to_vec()))
        .collect();
    let plain: (Option<SessionId>, BTreeMap<String, Vec<u8>>) = (None, map);
    let bytes = crate::serialize::to_bytes(&s).unwrap();
    assert_eq!(bytes, crate::serialize::to_bytes(&plain).unwrap());
    assert_eq!(
        crate::serialize::from_bytes::<SessionMap>(&bytes).unwrap(),
        s
    );
}

/// The example of FORMAT.md section 8.1, byte for byte.
#[test]
fn the_format_md_example_payload() {
    let mut s = SessionMap::new();
    s.insert("user", "alice").unwrap();
    s.insert("n", &300u16).unwrap();
    assert_eq!(
        crate::serialize::to_bytes(&s).unwrap(),
        [
            0x00, 0x02, 0x01, 0x6E, 0x03, 0x19, 0x01, 0x2C, 0x04, 0x75, 0x73, 0x65, 0x72, 0x06,
            0x65, 0x61, 0x6C, 0x69, 0x63, 0x65
        ]
    );
}

#[test]
fn keys_come_out_sorted_whatever_the_insertion_order() {
    let mut s = SessionMap::new();
    for key in ["m", "b", "z", "a", "k"] {
        s.insert(key, key).unwrap();
    }
    assert_eq!(s.keys().collect::<Vec<_>>(), ["a", "b", "k", "m", "z"]);
    for key in ["m", "b", "z", "a", "k"] {
        assert_eq!(s.get::<String>(key).unwrap().as_deref(), Some(key));
    }
}

#[test]
fn replacing_a_value_keeps_one_entry_and_the_other_values() {
    let mut s = SessionMap::new();
    s.insert("a", &1u8).unwrap();
    s.insert("b", &2u8).unwrap();
    s.insert("a", "now a string").unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(
        s.get::<String>("a").unwrap().as_deref(),
        Some("now a string")
    );
    assert_eq!(s.get::<u8>("b").unwrap(), Some(2));
}

#[test]
fn removed_and_replaced_values_do_not_pile_up_in_memory() {
    let mut s = SessionMap::new();
    s.insert("keep", &vec![7u8; 100]).unwrap();
    for round in 0..1000u32 {
        s.insert("counter", &round).unwrap();
        s.insert("temporary", &vec![0u8; 50]).unwrap();
        assert!(s.remove("temporary"));
        // Live: 4 + 7 key bytes, 102 + at most 3 value bytes.
        assert!(s.entries.buffered_len() <= 2 * 116 + 64, "{round}");
    }
    assert_eq!(s.get::<u32>("counter").unwrap(), Some(999));
    assert_eq!(s.get::<Vec<u8>>("keep").unwrap(), Some(vec![7u8; 100]));
    assert_eq!(s.keys().collect::<Vec<_>>(), ["counter", "keep"]);
}

/// The rebuild rule, byte for byte: dead bytes are kept until they
/// outnumber the live ones, then the buffers hold only live bytes.
#[test]
fn buffers_are_rebuilt_once_dead_bytes_outnumber_live_ones() {
    // 102 bytes of CBOR: a 2-byte array header, then 100 small integers.
    let hundred = |byte: u8| vec![byte; 100];
    let mut replaced = SessionMap::new();
    replaced.insert("keep", &hundred(1)).unwrap();
    assert_eq!(replaced.entries.buffered_len(), 4 + 102);
    replaced.insert("keep", &hundred(2)).unwrap();
    assert_eq!(
        replaced.entries.buffered_len(),
        4 + 2 * 102,
        "102 dead of 208"
    );
    replaced.insert("keep", &hundred(3)).unwrap();
    assert_eq!(
        replaced.entries.buffered_len(),
        4 + 102,
        "204 dead of 310: rebuilt"
    );
    assert_eq!(replaced.get::<Vec<u8>>("keep").unwrap(), Some(hundred(3)));

    let mut removed = SessionMap::new();
    removed.insert("keep", &hundred(1)).unwrap();
    removed.insert("temporary", &vec![0u8; 50]).unwrap();
    assert!(removed.remove("temporary"));
    assert_eq!(removed.entries.buffered_len(), 106 + 61, "61 dead of 167");
    assert!(removed.remove("keep"));
    assert_eq!(removed.entries.buffered_len(), 0, "all dead: rebuilt empty");
}

#[test]
fn a_decoded_session_can_be_changed_and_encoded_again() {
    let mut s = SessionMap::new();
    s.insert("b", &2u8).unwrap();
    s.insert("d", &4u8).unwrap();
    let bytes = crate::serialize::to_bytes(&s).unwrap();
    let mut back: SessionMap = crate::serialize::from_bytes(&bytes).unwrap();
    assert_eq!(back, s);
    back.insert("a", &1u8).unwrap();
    back.insert("c", &3u8).unwrap();
    assert!(back.remove("d"));
    let again: SessionMap =
        crate::serialize::from_bytes(&crate::serialize::to_bytes(&back).unwrap()).unwrap();
    assert_eq!(again.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
    assert_eq!(again, back);
}

#[test]
fn decoding_refuses_unsorted_or_repeated_keys() {
    let map = |pairs: &[(&str, &[u8])]| {
        let map: Vec<(String, Vec<u8>)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.to_vec()))
            .collect();
        // postcard writes a map and a sequence of pairs alike.
        crate::serialize::to_bytes(&(None::<SessionId>, map)).unwrap()
    };
    let sorted = map(&[("a", &[1]), ("b", &[2])]);
    assert!(crate::serialize::from_bytes::<SessionMap>(&sorted).is_ok());
    for bad in [
        map(&[("b", &[2]), ("a", &[1])]),
        map(&[("a", &[1]), ("a", &[2])]),
    ] {
        assert_eq!(
            crate::serialize::from_bytes::<SessionMap>(&bad),
            Err(Error::Deserialize)
        );
    }
}

#[test]
fn debug_shows_no_values_or_id() {
    let mut s = SessionMap::new();
    s.insert("token", "hunter2").unwrap();
    s.regenerate().unwrap();
    let id = s.id().unwrap().to_base64url();
    let shown = format!("{s:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains(&id),
        "{shown}"
    );
    assert_eq!(format!("{:?}", s.id().unwrap()), "SessionId(..)");
    assert!(
        shown.starts_with("SessionMap {") && shown.contains("\"token\": 8"),
        "keys and value sizes are shown: {shown}"
    );
}

#[test]
fn reserved_keys_are_hidden_refused_and_cleared() {
    let mut s = SessionMap::new();
    s.insert("", &0u8).unwrap();
    s.insert("a", &1u8).unwrap();
    s.insert("\0nul", &2u8).unwrap();
    s.insert("\u{1}c", &3u8).unwrap();
    s.entries.insert("\u{1}cs:user", &[0x80]);
    s.entries.insert("\u{1}cs:other", &[0x80]);
    assert_eq!(s.keys().collect::<Vec<_>>(), ["", "\0nul", "\u{1}c", "a"]);
    assert_eq!((s.len(), s.is_empty(), s.is_blank()), (4, false, false));
    assert_eq!(s.get::<u8>("\u{1}cs:user").unwrap(), None);
    assert!(s.get_raw("\u{1}cs:user").is_none() && !s.contains_key("\u{1}cs:user"));
    assert!(!s.remove("\u{1}cs:user"));
    assert_eq!(
        s.insert("\u{1}cs:user", &1u8),
        Err(Error::InvalidOption(
            "session keys starting with U+0001 cs: are reserved"
        ))
    );
    assert!(s.remove("") && s.remove("a") && s.remove("\0nul") && s.remove("\u{1}c"));
    assert!(s.is_empty() && !s.is_blank(), "only reserved entries left");
    s.modified = false;
    s.clear();
    assert!(
        s.is_blank() && s.is_modified(),
        "clear drops them, a change"
    );
}
