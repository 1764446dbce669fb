//! The dynamic session map and the random session ID.

mod entries;
mod id;

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::codec::Expiry;
use crate::error::Error;
use entries::Entries;
pub use id::{SessionId, SESSION_ID_LEN};

/// A dynamic session: string keys to values of any serde type, each stored as
/// self-describing CBOR (RFC 8949) and typed again on [`SessionMap::get`].
///
/// A value read as another type than it was stored as is then an error or
/// the same value, never another one (`7u64` reads as `7i64`; `-4i64` read
/// as `u64` is [`Error::Deserialize`]). The values keep to JSON's data model
/// plus byte strings, so that other languages read and write them
/// (FORMAT.md section 8):
///
/// | serde type | stored as |
/// |---|---|
/// | `bool` | true / false |
/// | integers of any width | an integer (`u128`/`i128` beyond 64 bits: a CBOR bignum, outside the JSON model) |
/// | `f32`, `f64` | a float, in the shortest width that holds it exactly; an `f32` reads only what it holds exactly |
/// | `char`, `str`, `String` | a text string |
/// | bytes (`serialize_bytes`, e.g. `serde_bytes`) | a byte string |
/// | `Vec<T>`, slices, arrays, tuples, tuple structs | an array (`Vec<u8>` too: an array of integers) |
/// | maps, structs | a map; struct fields keyed by name |
/// | `None`, `()`, unit structs | null (so `Some(())` and `Some(None)` read back as `None`, as in JSON) |
/// | `Some(x)`, newtype structs | `x` |
/// | enum `E::A` / `E::B(x)` / `E::C { .. }` | `"A"` / `{"B": x}` / `{"C": {..}}` (serde's externally tagged form, as JSON) |
///
/// The keys share one buffer and the values another, with a sorted index, so
/// cloning a session costs three allocations whatever the number of entries,
/// and so does decoding a typical one (up to 64 entries of short keys and
/// values; past that the buffers grow by doubling); values are typed only
/// when read.
///
/// A new session has no [`SessionId`]; [`SessionMap::regenerate`] gives it one
/// (call it at login, see its docs). [`SessionMap::is_modified`] tells whether the
/// session changed since it was created or decoded, so the app knows whether
/// to send a new cookie.
///
/// ```
/// # fn main() -> Result<(), cookie_seal::Error> {
/// use cookie_seal::SessionMap;
/// let mut session = SessionMap::new();
/// session.insert("user_id", &42u64)?;
/// session.insert("roles", &vec!["admin", "dev"])?;
/// assert_eq!(session.get::<u64>("user_id")?, Some(42));
/// assert_eq!(session.get::<Vec<String>>("roles")?.map(|r| r.len()), Some(2));
/// assert_eq!(session.get::<u64>("missing")?, None);
/// assert!(session.is_modified());
/// # Ok(()) }
/// ```
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct SessionMap {
    id: Option<SessionId>,
    entries: Entries,
    #[serde(skip)]
    modified: bool,
    /// Kept in the token's envelope, not in the map's bytes: set from the
    /// decoded token by [`Loaded::session`](crate::cookie::Loaded::session)
    /// or by the setters; `None` leaves the token's (or the default) to
    /// [`SessionCookie::save`](crate::cookie::SessionCookie::save).
    #[serde(skip)]
    expiry: Option<Expiry>,
    #[serde(skip)]
    generation: Option<u32>,
}

impl SessionMap {
    /// An empty session without an ID.
    #[must_use]
    pub fn new() -> SessionMap {
        SessionMap::default()
    }

    /// Stores `value` under `key`, replacing any previous value.
    ///
    /// Storing a value whose encoding equals the stored one is not a change:
    /// [`SessionMap::is_modified`] stays as it was, so a handler that stores
    /// the signed-in user's ID on every request sends no new cookie (and
    /// does not restart the idle lifetime) when it is the same ID.
    ///
    /// # Errors
    /// [`Error::Serialize`] if the value cannot be serialized (a map with
    /// keys that are not strings or integers cannot).
    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        let bytes = crate::serialize::value_to_bytes(value)?;
        if self.entries.get(key) == Some(&bytes[..]) {
            return Ok(());
        }
        self.entries.insert(key, &bytes);
        self.modified = true;
        Ok(())
    }

    /// The value under `key`, typed as `T`; `Ok(None)` if there is none.
    ///
    /// Values are self-describing (CBOR, see the type's docs), so reading a
    /// value as another type than it was stored as is an error or gives the
    /// same value, never another one: `7u64` reads as `7i64`, `[1, 2]` as a
    /// `Vec<u8>`, a `&str` as a `String`; `-4i64` read as `u64`, a `String`
    /// read as `Vec<u8>` or `0.1f64` read as `f32` (which cannot hold it) is
    /// [`Error::Deserialize`].
    ///
    /// # Errors
    /// [`Error::Deserialize`] if the stored value is not a `T`.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use cookie_seal::{Error, SessionMap};
    /// let mut session = SessionMap::new();
    /// session.insert("n", &7u64)?;
    /// session.insert("name", "alice")?;
    /// assert_eq!(session.get::<i64>("n")?, Some(7));
    /// assert_eq!(session.get::<Vec<u8>>("name"), Err(Error::Deserialize));
    /// # Ok(()) }
    /// ```
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        self.entries
            .get(key)
            .map(|bytes| crate::serialize::value_from_bytes(bytes))
            .transpose()
    }

    /// The raw bytes stored under `key`: the value's CBOR encoding
    /// (FORMAT.md section 8).
    #[must_use]
    pub fn get_raw(&self, key: &str) -> Option<&[u8]> {
        self.entries.get(key)
    }

    /// Removes `key`; `true` if it was present.
    pub fn remove(&mut self, key: &str) -> bool {
        let removed = self.entries.remove(key);
        self.modified |= removed;
        removed
    }

    /// Removes every value (the ID is kept; see [`SessionMap::regenerate`]).
    pub fn clear(&mut self) {
        self.modified |= !self.is_empty();
        self.entries.clear();
    }

    /// Whether `key` holds a value.
    #[must_use]
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.get(key).is_some()
    }

    /// The number of values.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no values.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    /// The keys, in sorted order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(key, _)| key)
    }

    /// Whether the session changed since it was created or decoded.
    #[must_use]
    pub fn is_modified(&self) -> bool {
        self.modified
    }

    /// The session's ID, if it has one.
    #[must_use]
    pub fn id(&self) -> Option<&SessionId> {
        self.id.as_ref()
    }

    /// Gives the session a new random ID, keeping its values. Call it when the
    /// privilege level changes (login, logout, sudo) so that nothing an
    /// attacker learned or planted before (a session ID or token) is still
    /// valid afterwards. Encode the result with fresh options
    /// ([`Codec::encode`](crate::Codec::encode), not
    /// [`Decoded::carry_over`](crate::Decoded::carry_over)) so that its
    /// absolute lifetime starts again too; [`SessionCookie::save`](crate::cookie::SessionCookie::save)
    /// does this by itself when the ID changed. To drop values set before
    /// login as well, use [`SessionMap::clear_and_regenerate`].
    ///
    /// # Errors
    /// [`Error::Rng`] if the operating system's random number generator fails.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// let mut session = cookie_seal::SessionMap::new();
    /// session.regenerate()?;
    /// let before = session.id().cloned();
    /// session.regenerate()?;
    /// assert_ne!(session.id().cloned(), before);
    /// # Ok(()) }
    /// ```
    pub fn regenerate(&mut self) -> Result<(), Error> {
        self.id = Some(SessionId::generate()?);
        self.modified = true;
        Ok(())
    }

    /// Starts a clean session, as at login: drops every value and gives the
    /// session a new random ID ([`SessionMap::clear`] then
    /// [`SessionMap::regenerate`]). [`SessionCookie::save`](crate::cookie::SessionCookie::save)
    /// writes it with a fresh creation time, since the ID changed.
    ///
    /// # Errors
    /// [`Error::Rng`] if the operating system's random number generator fails.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// let mut session = cookie_seal::SessionMap::new();
    /// session.insert("count", &3u64)?;
    /// session.clear_and_regenerate()?;
    /// assert!(session.is_empty() && session.id().is_some());
    /// # Ok(()) }
    /// ```
    pub fn clear_and_regenerate(&mut self) -> Result<(), Error> {
        self.entries.clear();
        self.expiry = None;
        self.generation = None;
        self.regenerate()
    }

    /// This session's expiry: [`Expiry::Configured`] unless set with
    /// [`SessionMap::set_expiry`] (in this request or, kept in the token,
    /// an earlier one).
    #[must_use]
    pub fn expiry(&self) -> Expiry {
        self.expiry.unwrap_or_default()
    }

    /// Makes this session persistent with a lifetime of its own ("remember
    /// me": [`Expiry::OnInactivity`], capped at the codec's `max_age` by
    /// [`SessionCookie::save`](crate::cookie::SessionCookie::save)), a
    /// browser-session cookie ([`Expiry::OnSessionEnd`]), or the configured
    /// default again. The expiry is kept in the token, so later requests
    /// and re-issues keep it. A different expiry is a change (a new cookie
    /// is sent); the same one is not. [`SessionMap::clear_and_regenerate`]
    /// resets it; [`SessionMap::regenerate`] keeps it.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::{Duration, SystemTime};
    /// use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
    /// use cookie_seal::{Codec, Expiry, Key, Keyring, SessionMap};
    /// let cookies = SessionCookie::new(
    ///     Codec::sealed(Keyring::new(1, Key::generate())).max_age(Duration::from_secs(30 * 86_400)),
    ///     CookieConfig::new("__Host-session")?.browser_session(true),
    /// )?;
    /// let now = SystemTime::now();
    /// let loaded = cookies.load::<SessionMap>(std::iter::empty(), now);
    /// let mut session = loaded.session();
    /// session.insert("user", "alice")?;
    /// // "Remember me" ticked: a persistent cookie for 30 days.
    /// session.set_expiry(Expiry::OnInactivity(Duration::from_secs(30 * 86_400)));
    /// let set = cookies.save(&loaded, &session, now)?;
    /// assert!(set[0].contains("Max-Age=2592000"), "{}", set[0]);
    /// // The next request reads it back from the token.
    /// let request = set[0].split(';').next().unwrap_or_default();
    /// let again = cookies.load::<SessionMap>([request], now).session();
    /// assert_eq!(again.expiry(), session.expiry());
    /// # Ok(()) }
    /// ```
    pub fn set_expiry(&mut self, expiry: Expiry) {
        self.modified |= expiry != self.expiry();
        self.expiry = Some(expiry);
    }

    /// The session generation the token carries (0 if none), for "log out
    /// everywhere" without a store; see [`SessionMap::set_generation`].
    #[must_use]
    pub fn generation(&self) -> u32 {
        self.generation.unwrap_or(0)
    }

    /// Sets the generation written into the token: at login, the user's
    /// current generation from the app's database. Raising the user's
    /// generation there then revokes every older session, with
    /// [`SessionCookie::generation_check`](crate::cookie::SessionCookie::generation_check)
    /// or [`Decoded::check_generation`](crate::Decoded::check_generation).
    /// Re-issues keep it; [`SessionMap::clear_and_regenerate`] resets it to
    /// 0. A different generation is a change; the same one is not.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use cookie_seal::{Codec, Key, Keyring, SessionMap};
    /// let mut session = SessionMap::new();
    /// session.clear_and_regenerate()?;
    /// session.insert("user_id", &7u64)?;
    /// session.set_generation(3);
    /// assert_eq!(session.generation(), 3);
    /// # Ok(()) }
    /// ```
    pub fn set_generation(&mut self, generation: u32) {
        self.modified |= generation != self.generation();
        self.generation = Some(generation);
    }

    /// Sets the expiry and generation read from a token, without marking
    /// the session changed.
    pub(crate) fn set_envelope(&mut self, expiry: Expiry, generation: u32) {
        self.expiry = Some(expiry);
        self.generation = Some(generation);
    }

    /// The expiry and generation to write, where known (set, or read from
    /// a token); `None` keeps the token's, or the default for a new one.
    pub(crate) fn envelope(&self) -> (Option<Expiry>, Option<u32>) {
        (self.expiry, self.generation)
    }
}

impl PartialEq for SessionMap {
    /// Sessions are equal when their IDs and values are; `is_modified` is not compared.
    fn eq(&self, other: &SessionMap) -> bool {
        self.id == other.id && self.entries == other.entries
    }
}

impl Eq for SessionMap {}

impl fmt::Debug for SessionMap {
    /// Shows keys and value sizes, never values or the ID (both may be secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionMap")
            .field("has_id", &self.id.is_some())
            .field("entries", &self.entries)
            .field("modified", &self.modified)
            .finish()
    }
}

#[cfg(test)]
mod tests {
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
}
