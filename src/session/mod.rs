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
    /// keys that are not strings or integers cannot);
    /// [`Error::InvalidOption`] for a key that starts with the control character U+0001
    /// followed by `cs:`
    /// (reserved for the crate's own entries, see [`SessionMap::keys`]).
    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        if is_reserved(key) {
            return Err(Error::InvalidOption(RESERVED_KEY_MESSAGE));
        }
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
        self.get_raw(key)
            .map(|bytes| crate::serialize::value_from_bytes(bytes))
            .transpose()
    }

    /// The raw bytes stored under `key`: the value's CBOR encoding
    /// (FORMAT.md section 8).
    #[must_use]
    pub fn get_raw(&self, key: &str) -> Option<&[u8]> {
        if is_reserved(key) {
            return None;
        }
        self.entries.get(key)
    }

    /// Removes `key`; `true` if it was present.
    pub fn remove(&mut self, key: &str) -> bool {
        if is_reserved(key) {
            return false;
        }
        let removed = self.entries.remove(key);
        self.modified |= removed;
        removed
    }

    /// Removes every value (the ID is kept; see [`SessionMap::regenerate`]),
    /// and the user binding of the store layers (a logout).
    pub fn clear(&mut self) {
        self.modified |= !self.is_blank();
        self.entries.clear();
    }

    /// Whether `key` holds a value.
    #[must_use]
    pub fn contains_key(&self, key: &str) -> bool {
        self.get_raw(key).is_some()
    }

    /// The number of values.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len() - self.reserved_len()
    }

    /// Whether there are no values.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The keys, in sorted order.
    ///
    /// Keys that start with the control character U+0001 and `cs:` are reserved for the crate's
    /// own entries (the user a session is bound to by the store layers'
    /// `Session::set_user`): they are not listed, counted, read, removed or
    /// written through the map's methods, but travel with the session and
    /// go with [`SessionMap::clear`].
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .map(|(key, _)| key)
            .filter(|key| !is_reserved(key))
    }

    /// How many reserved entries the map holds. They sort together, after
    /// only the keys that are empty or start with NUL or U+0001, so this
    /// looks at the first entries only.
    fn reserved_len(&self) -> usize {
        self.entries
            .iter()
            .map(|(key, _)| key)
            .skip_while(|key| *key < RESERVED_PREFIX)
            .take_while(|key| is_reserved(key))
            .count()
    }

    /// Whether the map holds nothing at all, reserved entries included: a
    /// session bound to a user but without values is still saved.
    pub(crate) fn is_blank(&self) -> bool {
        self.entries.len() == 0
    }

    #[cfg(all(feature = "store", any(feature = "tower", feature = "actix")))]
    /// Every entry, reserved ones included, in key order: what a store
    /// record holds.
    pub(crate) fn raw_entries(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.entries.iter()
    }

    #[cfg(all(feature = "store", any(feature = "tower", feature = "actix")))]
    /// The raw bytes under `key`, reserved keys included.
    pub(crate) fn raw_get(&self, key: &str) -> Option<&[u8]> {
        self.entries.get(key)
    }

    #[cfg(all(feature = "store", any(feature = "tower", feature = "actix")))]
    /// A session with `id` and exactly these entries (a store record's),
    /// not modified. Keys are unique in a record; a repeated one keeps the
    /// last value.
    pub(crate) fn from_entries(
        id: SessionId,
        entries: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) -> SessionMap {
        let mut session = SessionMap {
            id: Some(id),
            ..SessionMap::default()
        };
        for (key, value) in entries {
            session.entries.insert(&key, &value);
        }
        session
    }

    #[cfg(all(feature = "store", any(feature = "tower", feature = "actix")))]
    /// The user this session is bound to, and when (Unix seconds).
    pub(crate) fn user_binding(&self) -> Option<(String, u64)> {
        let bytes = self.entries.get(USER_KEY)?;
        crate::serialize::value_from_bytes(bytes).ok()
    }

    #[cfg(all(feature = "store", any(feature = "tower", feature = "actix")))]
    /// Binds the session to `user` as of `at` (Unix seconds); a change
    /// unless it is bound to `user` already (the bind time is then kept).
    pub(crate) fn set_user_binding(&mut self, user: &str, at: u64) -> Result<(), Error> {
        if self.user_binding().is_some_and(|(bound, _)| bound == user) {
            return Ok(());
        }
        let bytes = crate::serialize::value_to_bytes(&(user, at))?;
        self.entries.insert(USER_KEY, &bytes);
        self.modified = true;
        Ok(())
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

#[cfg(all(feature = "store", any(feature = "tower", feature = "actix")))]
/// The reserved key that holds the user a session is bound to and the
/// moment it was bound, as CBOR `[user, unix seconds]`.
pub(crate) const USER_KEY: &str = "\u{1}cs:user";

const RESERVED_KEY_MESSAGE: &str = "session keys starting with U+0001 cs: are reserved";

/// The prefix of the crate's reserved keys: a control character no app key
/// is expected to start with (not NUL, which some stores cannot keep: a
/// `text` column of `PostgreSQL`), then `cs:`, so that arbitrary keys
/// (property tests, keys taken from input) practically never hit it.
const RESERVED_PREFIX: &str = "\u{1}cs:";

/// Whether `key` is in the crate's reserved namespace.
fn is_reserved(key: &str) -> bool {
    key.starts_with(RESERVED_PREFIX)
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
mod tests;
