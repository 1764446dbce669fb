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
    #[must_use]
    pub fn new(id: u32, primary: Key) -> Keyring {
        Keyring {
            primary: id,
            keys: BTreeMap::from([(id, primary)]),
        }
    }

    /// Adds a verify-only key: a staged new key, or a retiring old one.
    ///
    /// # Errors
    /// [`Error::DuplicateKeyId`] if the ID is taken; [`Error::TooManyKeys`]
    /// if the keyring already holds [`MAX_KEYS`] keys.
    pub fn add(&mut self, id: u32, key: Key) -> Result<(), Error> {
        if self.keys.contains_key(&id) {
            return Err(Error::DuplicateKeyId(id));
        }
        if self.keys.len() >= MAX_KEYS {
            return Err(Error::TooManyKeys {
                count: self.keys.len() + 1,
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
    #[must_use]
    pub fn primary_id(&self) -> u32 {
        self.primary
    }

    /// All key IDs, in ascending order.
    pub fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.keys.keys().copied()
    }

    /// The next unused key ID after the highest one (for staging a new key).
    /// `None` if `u32::MAX` is taken.
    #[must_use]
    pub fn next_free_id(&self) -> Option<u32> {
        self.keys
            .keys()
            .next_back()
            .and_then(|id| id.checked_add(1))
    }

    /// The key with this ID, if any.
    #[must_use]
    pub fn get(&self, id: u32) -> Option<&Key> {
        self.keys.get(&id)
    }

    /// Prints the keyring in its textual form, primary first, for storage in
    /// an environment variable or a secret manager. This is the only way key
    /// bytes leave the keyring; the result wipes itself when dropped.
    ///
    /// The text is written into one buffer sized up front, so no growing
    /// string leaves an unwiped copy of key material in freed memory.
    #[must_use]
    pub fn export(&self) -> Zeroizing<String> {
        let others = self.keys.iter().filter(|(id, _)| **id != self.primary);
        let primary = self.keys.get_key_value(&self.primary);
        let entries: Vec<(u32, &Key)> = primary
            .into_iter()
            .chain(others)
            .map(|(id, key)| (*id, key))
            .collect();
        let total: usize = entries
            .iter()
            .map(|(id, key)| {
                decimal_len(*id)
                    + 1
                    + base64::encoded_len(key.expose_bytes().len(), false).unwrap_or(0)
            })
            .sum::<usize>()
            + entries.len().saturating_sub(1);
        let mut text = Zeroizing::new(vec![0u8; total]);
        let mut at = 0;
        for (i, (id, key)) in entries.iter().enumerate() {
            if i > 0 {
                text[at] = b',';
                at += 1;
            }
            let digits = id.to_string();
            text[at..at + digits.len()].copy_from_slice(digits.as_bytes());
            at += digits.len();
            text[at] = b':';
            at += 1;
            // Cannot fail: the buffer was sized with `encoded_len` above.
            at += URL_SAFE_NO_PAD
                .encode_slice(key.expose_bytes(), &mut text[at..])
                .unwrap_or(0);
        }
        // Base64, digits and punctuation are ASCII, so this moves the buffer
        // into the string without copying it.
        let bytes = std::mem::take(&mut *text);
        match String::from_utf8(bytes) {
            Ok(string) => Zeroizing::new(string),
            Err(error) => {
                drop(Zeroizing::new(error.into_bytes()));
                Zeroizing::new(String::new())
            }
        }
    }
}

/// The number of decimal digits of `id`.
fn decimal_len(id: u32) -> usize {
    id.checked_ilog10().map_or(1, |log| log as usize + 1)
}

impl FromStr for Keyring {
    type Err = Error;

    /// Parses the textual form described on [`Keyring`].
    ///
    /// # Errors
    /// [`Error::EmptyKeyring`], [`Error::KeyringSyntax`] (naming the entry,
    /// never echoing it), [`Error::KeyLength`] (naming the entry),
    /// [`Error::DuplicateKeyId`], [`Error::TooManyKeys`] for more than
    /// [`MAX_KEYS`] entries, or [`Error::TooLarge`] for text over
    /// [`MAX_KEYRING_TEXT_LEN`] bytes.
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
    // One spelling per ID: `01` and `1` would otherwise name the same key.
    if id.len() > 1 && id.starts_with('0') {
        return Err(syntax("key ID has a leading zero"));
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
    let key = Key::from_bytes(&bytes).map_err(|error| match error {
        Error::KeyLength { len, min, max, .. } => Error::KeyLength {
            len,
            min,
            max,
            entry: Some(number),
        },
        other => other,
    })?;
    Ok((id, key))
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
        for id in 2..=u32::try_from(MAX_KEYS).unwrap() {
            ring.add(id, key(1)).unwrap();
        }
        assert_eq!(
            ring.add(1000, key(1)),
            Err(Error::TooManyKeys {
                count: MAX_KEYS + 1,
                limit: MAX_KEYS
            })
        );
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
                    entry: Some(1),
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
                k.clone(),
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
    fn key_ids_with_leading_zeros_are_refused() {
        let k = URL_SAFE_NO_PAD.encode([1u8; 32]);
        for id in ["01", "0001", "00"] {
            assert_eq!(
                format!("2:{k},{id}:{k}").parse::<Keyring>(),
                Err(Error::KeyringSyntax {
                    entry: 2,
                    reason: "key ID has a leading zero",
                }),
                "id {id}"
            );
        }
        let ring: Keyring = format!("0:{k},10:{k}").parse().unwrap();
        assert_eq!(ring.ids().collect::<Vec<_>>(), vec![0, 10]);
    }

    #[test]
    fn the_key_count_has_its_own_error_in_text_too() {
        let k = URL_SAFE_NO_PAD.encode([1u8; 32]);
        let entries = |n: usize| {
            (1..=n)
                .map(|id| format!("{id}:{k}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(
            entries(MAX_KEYS).parse::<Keyring>().unwrap().ids().count(),
            MAX_KEYS
        );
        let error = entries(MAX_KEYS + 1).parse::<Keyring>().unwrap_err();
        assert_eq!(
            error,
            Error::TooManyKeys {
                count: MAX_KEYS + 1,
                limit: MAX_KEYS
            }
        );
        assert_eq!(error.to_string(), "too many keys: 65, limit 64");
    }

    #[test]
    fn key_length_errors_name_the_entry() {
        let k = URL_SAFE_NO_PAD.encode([1u8; 32]);
        let short = URL_SAFE_NO_PAD.encode([1u8; 31]);
        let error = format!("1:{k}, 2:{k},3:{short}")
            .parse::<Keyring>()
            .unwrap_err();
        assert_eq!(
            error,
            Error::KeyLength {
                len: 31,
                min: 32,
                max: 512,
                entry: Some(3)
            }
        );
        assert_eq!(
            error.to_string(),
            "keyring entry 3: key length 31 not allowed: 32 to 512 bytes"
        );
        let bytes_error = Key::from_bytes(&[1; 31]).unwrap_err();
        assert_eq!(
            bytes_error.to_string(),
            "key length 31 not allowed: 32 to 512 bytes"
        );
    }

    #[test]
    fn base64_length_boundary_is_the_longest_key_in_padded_base64() {
        let longest: Vec<u8> = (0..=255u8).cycle().take(MAX_KEY_LEN).collect();
        // 512 bytes in padded standard base64: exactly 684 characters.
        let padded = STANDARD.encode(&longest);
        assert_eq!(padded.len(), 684);
        let ring: Keyring = format!("1:{padded}").parse().unwrap();
        assert_eq!(ring.get(1), Some(&Key::from_bytes(&longest).unwrap()));
        let unpadded = URL_SAFE_NO_PAD.encode(&longest);
        assert_eq!(unpadded.len(), 683);
        assert!(format!("1:{unpadded}").parse::<Keyring>().is_ok());
        // One character more is refused before decoding, as too long.
        assert_eq!(
            format!("1:{padded}A").parse::<Keyring>(),
            Err(Error::KeyringSyntax {
                entry: 1,
                reason: "key is too long",
            })
        );
        // 513 bytes decode but are over the key limit.
        let over = URL_SAFE_NO_PAD.encode([7u8; MAX_KEY_LEN + 1]);
        assert_eq!(over.len(), 684);
        assert!(matches!(
            format!("1:{over}").parse::<Keyring>(),
            Err(Error::KeyLength {
                len: 513,
                entry: Some(1),
                ..
            })
        ));
    }

    #[test]
    fn text_of_exactly_the_length_limit_is_read() {
        // Whitespace around entries is ignored, so padding reaches the limit.
        let entry = format!("1:{}", URL_SAFE_NO_PAD.encode([1u8; 32]));
        let at_limit = format!("{entry}{}", " ".repeat(MAX_KEYRING_TEXT_LEN - entry.len()));
        assert_eq!(at_limit.len(), MAX_KEYRING_TEXT_LEN);
        assert_eq!(at_limit.parse::<Keyring>().map(|r| r.primary_id()), Ok(1));
        let over = format!("{at_limit} ");
        assert_eq!(
            over.parse::<Keyring>(),
            Err(Error::TooLarge {
                len: MAX_KEYRING_TEXT_LEN + 1,
                limit: MAX_KEYRING_TEXT_LEN
            })
        );
    }

    #[test]
    fn export_is_exactly_the_entries_joined() {
        let mut ring = Keyring::new(7, key(7));
        for id in [0, 9, 10, 99, 100, u32::MAX] {
            ring.add(id, Key::from_bytes(&[id.to_le_bytes()[0]; 45]).unwrap())
                .unwrap();
        }
        let text = ring.export();
        let mut expected = vec![format!("7:{}", URL_SAFE_NO_PAD.encode([7u8; 32]))];
        for id in [0u32, 9, 10, 99, 100, u32::MAX] {
            expected.push(format!(
                "{id}:{}",
                URL_SAFE_NO_PAD.encode([id.to_le_bytes()[0]; 45])
            ));
        }
        assert_eq!(*text, expected.join(","));
        assert_eq!(text.capacity(), text.len(), "sized once, never grown");
        assert_eq!(text.parse::<Keyring>().unwrap(), ring);
        assert_eq!(decimal_len(0), 1);
        assert_eq!(decimal_len(9), 1);
        assert_eq!(decimal_len(10), 2);
        assert_eq!(decimal_len(u32::MAX), 10);
    }

    #[test]
    fn next_free_id_follows_the_highest() {
        let mut ring = Keyring::new(4, key(1));
        ring.add(2, key(2)).unwrap();
        assert_eq!(ring.next_free_id(), Some(5));
        assert_eq!(Keyring::new(u32::MAX, key(1)).next_free_id(), None);
    }
}
