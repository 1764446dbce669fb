//! A set of master keys by key ID: one primary key writes, every key reads.
//!
//! Rotation is a three-step change of the keyring, rolled out everywhere
//! between steps: stage a new key (`add`), make it primary (`promote`), then
//! retire the old one (`remove`) once every token it signed has expired.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::key::{Key, MAX_KEY_LEN};

/// The longest textual keyring accepted by [`Keyring::from_str`], in bytes.
pub const MAX_KEYRING_TEXT_LEN: usize = 64 * 1024;
/// The most keys a keyring may hold.
pub const MAX_KEYS: usize = 64;

/// Master keys by ID, with one primary.
///
/// The textual form (for one environment variable such as `SESSION_KEYS`) is
/// a comma-separated list of `ID:KEY` entries where `KEY` is base64 (URL-safe
/// without padding, or standard with padding, as `openssl rand -base64 32`
/// prints). **The first entry is the primary**; the others only verify.
/// Whitespace around entries is ignored.
///
/// ```
/// # fn main() -> Result<(), cookie_seal::Error> {
/// use cookie_seal::{Key, Keyring};
/// let mut ring = Keyring::new(1, Key::generate());
/// ring.add(2, Key::generate())?;      // stage: verifies, does not sign yet
/// ring.promote(2)?;                    // key 2 now signs, key 1 still verifies
/// ring.remove(1)?;                     // retire key 1 after max_age
/// let text = ring.export();            // store this in SESSION_KEYS
/// let again: Keyring = text.parse()?;
/// assert_eq!(again.primary_id(), 2);
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Keyring {
    primary: u32,
    keys: BTreeMap<u32, Key>,
}

impl Keyring {
    /// A keyring holding one key, which is the primary.
    pub fn new(id: u32, primary: Key) -> Keyring {
        Keyring {
            primary: id,
            keys: BTreeMap::from([(id, primary)]),
        }
    }

    /// Adds a verify-only key: a staged new key, or a retiring old one.
    ///
    /// # Errors
    /// [`Error::DuplicateKeyId`] if the ID is taken; [`Error::TooLarge`] if
    /// the keyring already holds [`MAX_KEYS`] keys.
    pub fn add(&mut self, id: u32, key: Key) -> Result<(), Error> {
        if self.keys.contains_key(&id) {
            return Err(Error::DuplicateKeyId(id));
        }
        if self.keys.len() >= MAX_KEYS {
            return Err(Error::TooLarge {
                len: self.keys.len() + 1,
                limit: MAX_KEYS,
            });
        }
        self.keys.insert(id, key);
        Ok(())
    }

    /// Makes an added key the primary (the one new tokens are written with).
    ///
    /// # Errors
    /// [`Error::UnknownKey`] if no key has this ID.
    pub fn promote(&mut self, id: u32) -> Result<(), Error> {
        if !self.keys.contains_key(&id) {
            return Err(Error::UnknownKey(id));
        }
        self.primary = id;
        Ok(())
    }

    /// Removes a verify-only key. Tokens written with it stop verifying.
    ///
    /// # Errors
    /// [`Error::RemovePrimary`] for the primary key; [`Error::UnknownKey`] if
    /// no key has this ID.
    pub fn remove(&mut self, id: u32) -> Result<(), Error> {
        if id == self.primary {
            return Err(Error::RemovePrimary(id));
        }
        self.keys.remove(&id).map(drop).ok_or(Error::UnknownKey(id))
    }

    /// The ID of the key that writes new tokens.
    pub fn primary_id(&self) -> u32 {
        self.primary
    }

    /// All key IDs, in ascending order.
    pub fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.keys.keys().copied()
    }

    /// The next unused key ID after the highest one (for staging a new key).
    /// `None` if `u32::MAX` is taken.
    pub fn next_free_id(&self) -> Option<u32> {
        self.keys
            .keys()
            .next_back()
            .and_then(|id| id.checked_add(1))
    }

    /// The key with this ID, if any.
    pub fn get(&self, id: u32) -> Option<&Key> {
        self.keys.get(&id)
    }

    /// Prints the keyring in its textual form, primary first, for storage in
    /// an environment variable or a secret manager. This is the only way key
    /// bytes leave the keyring; the result wipes itself when dropped.
    pub fn export(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::new());
        let others = self.keys.iter().filter(|(id, _)| **id != self.primary);
        let primary = self.keys.get_key_value(&self.primary);
        for (i, (id, key)) in primary.into_iter().chain(others).enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&id.to_string());
            out.push(':');
            let encoded = Zeroizing::new(URL_SAFE_NO_PAD.encode(key.expose_bytes()));
            out.push_str(&encoded);
        }
        out
    }
}

impl FromStr for Keyring {
    type Err = Error;

    /// Parses the textual form described on [`Keyring`].
    ///
    /// # Errors
    /// [`Error::EmptyKeyring`], [`Error::KeyringSyntax`] (naming the entry,
    /// never echoing it), [`Error::KeyLength`], [`Error::DuplicateKeyId`], or
    /// [`Error::TooLarge`] for text over [`MAX_KEYRING_TEXT_LEN`] bytes.
    fn from_str(text: &str) -> Result<Keyring, Error> {
        if text.len() > MAX_KEYRING_TEXT_LEN {
            return Err(Error::TooLarge {
                len: text.len(),
                limit: MAX_KEYRING_TEXT_LEN,
            });
        }
        if text.trim().is_empty() {
            return Err(Error::EmptyKeyring);
        }
        let mut ring: Option<Keyring> = None;
        for (index, entry) in text.split(',').enumerate() {
            let (id, key) = parse_entry(entry.trim(), index + 1)?;
            match ring.as_mut() {
                None => ring = Some(Keyring::new(id, key)),
                Some(ring) => ring.add(id, key)?,
            }
        }
        ring.ok_or(Error::EmptyKeyring)
    }
}

fn parse_entry(entry: &str, number: usize) -> Result<(u32, Key), Error> {
    let syntax = |reason| Error::KeyringSyntax {
        entry: number,
        reason,
    };
    if entry.is_empty() {
        return Err(syntax("empty entry"));
    }
    let (id, encoded) = entry.split_once(':').ok_or(syntax("expected ID:KEY"))?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax("key ID is not a decimal number"));
    }
    let id: u32 = id.parse().map_err(|_| syntax("key ID exceeds u32"))?;
    // Base64 of MAX_KEY_LEN bytes is at most this long; refuse more before decoding.
    if encoded.len() > MAX_KEY_LEN.div_ceil(3) * 4 {
        return Err(syntax("key is too long"));
    }
    let standard = encoded.contains(['+', '/', '=']);
    let engine = if standard {
        &STANDARD
    } else {
        &URL_SAFE_NO_PAD
    };
    let bytes = Zeroizing::new(
        engine
            .decode(encoded)
            .map_err(|_| syntax("key is not valid base64"))?,
    );
    Ok((id, Key::from_bytes(&bytes)?))
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("primary", &self.primary)
            .field("ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Key {
        Key::from_bytes(&[byte; 32]).unwrap()
    }

    #[test]
    fn rotation_cycle_add_promote_remove() {
        let mut ring = Keyring::new(1, key(1));
        ring.add(2, key(2)).unwrap();
        assert_eq!(ring.primary_id(), 1);
        ring.promote(2).unwrap();
        assert_eq!(ring.primary_id(), 2);
        ring.remove(1).unwrap();
        assert_eq!(ring.ids().collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn keyring_operations_report_their_errors() {
        let mut ring = Keyring::new(1, key(1));
        assert_eq!(ring.add(1, key(9)), Err(Error::DuplicateKeyId(1)));
        assert_eq!(ring.promote(7), Err(Error::UnknownKey(7)));
        assert_eq!(ring.remove(1), Err(Error::RemovePrimary(1)));
        assert_eq!(ring.remove(7), Err(Error::UnknownKey(7)));
        for id in 2..=MAX_KEYS as u32 {
            ring.add(id, key(1)).unwrap();
        }
        assert!(matches!(
            ring.add(1000, key(1)),
            Err(Error::TooLarge { .. })
        ));
    }

    #[test]
    fn text_round_trip_keeps_primary_and_keys() {
        let mut ring = Keyring::new(5, key(5));
        ring.add(3, key(3)).unwrap();
        ring.add(9, key(9)).unwrap();
        let text = ring.export();
        assert!(text.starts_with("5:"), "primary comes first");
        let parsed: Keyring = text.parse().unwrap();
        assert_eq!(parsed, ring);
    }

    #[test]
    fn text_accepts_standard_base64_and_whitespace() {
        let text = " 1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= ,\n 2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8\n";
        let ring: Keyring = text.parse().unwrap();
        assert_eq!(ring.primary_id(), 1);
        let first: Vec<u8> = (0..32).collect();
        assert_eq!(ring.get(1), Some(&Key::from_bytes(&first).unwrap()));
    }

    #[test]
    fn bad_keyring_text_is_a_clear_error() {
        let k = URL_SAFE_NO_PAD.encode([1u8; 32]);
        let short = URL_SAFE_NO_PAD.encode([1u8; 16]);
        let cases: Vec<(String, Error)> = vec![
            ("".into(), Error::EmptyKeyring),
            ("  \n".into(), Error::EmptyKeyring),
            (format!("1:{k},1:{k}"), Error::DuplicateKeyId(1)),
            (
                format!("1:{short}"),
                Error::KeyLength {
                    len: 16,
                    min: 32,
                    max: 512,
                },
            ),
            (
                "1:!!!notbase64!!!".into(),
                Error::KeyringSyntax {
                    entry: 1,
                    reason: "key is not valid base64",
                },
            ),
            (
                k.to_string(),
                Error::KeyringSyntax {
                    entry: 1,
                    reason: "expected ID:KEY",
                },
            ),
            (
                format!("x:{k}"),
                Error::KeyringSyntax {
                    entry: 1,
                    reason: "key ID is not a decimal number",
                },
            ),
            (
                format!("-1:{k}"),
                Error::KeyringSyntax {
                    entry: 1,
                    reason: "key ID is not a decimal number",
                },
            ),
            (
                format!("4294967296:{k}"),
                Error::KeyringSyntax {
                    entry: 1,
                    reason: "key ID exceeds u32",
                },
            ),
            (
                format!("1:{k},"),
                Error::KeyringSyntax {
                    entry: 2,
                    reason: "empty entry",
                },
            ),
            (
                format!("1:{k}=="),
                Error::KeyringSyntax {
                    entry: 1,
                    reason: "key is not valid base64",
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<Keyring>(), Err(expected), "input {text:?}");
        }
        let huge = "1".repeat(MAX_KEYRING_TEXT_LEN + 1);
        assert!(matches!(
            huge.parse::<Keyring>(),
            Err(Error::TooLarge { .. })
        ));
    }

    #[test]
    fn errors_and_debug_never_echo_key_text() {
        let secret = URL_SAFE_NO_PAD.encode([0x42u8; 20]);
        let err = format!("1:{secret}").parse::<Keyring>().unwrap_err();
        assert!(!format!("{err} {err:?}").contains(&secret));
        let ring: Keyring = format!("1:{}", URL_SAFE_NO_PAD.encode([0x42u8; 32]))
            .parse()
            .unwrap();
        let shown = format!("{ring:?}");
        assert_eq!(shown, "Keyring { primary: 1, ids: [1] }");
    }

    #[test]
    fn next_free_id_follows_the_highest() {
        let mut ring = Keyring::new(4, key(1));
        ring.add(2, key(2)).unwrap();
        assert_eq!(ring.next_free_id(), Some(5));
        assert_eq!(Keyring::new(u32::MAX, key(1)).next_free_id(), None);
    }
}
