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

/// Why a key written in hex is refused (see [`Keyring`]'s text form).
pub(crate) const HEX_KEY_REASON: &str = "the key looks like hex (an even number of hex digits); \
     keys are base64: use `cookie-seal keygen` or `openssl rand -base64 32`";

/// Master keys by ID, with one primary.
///
/// The textual form (for one environment variable such as `SESSION_KEYS`) is
/// a comma-separated list of `ID:KEY` entries. **The first entry is the
/// primary**; the others only verify. Whitespace around entries is ignored.
///
/// `KEY` is base64, in one of two alphabets:
///
/// - URL-safe without padding (`A-Z a-z 0-9 - _`, RFC 4648 section 5): what
///   [`Keyring::export`] and `cookie-seal keygen` print;
/// - standard with padding (`A-Z a-z 0-9 + /` and `=`, RFC 4648 section 4),
///   as `openssl rand -base64 32` prints. An entry holding `+`, `/` or `=`
///   is read in this alphabet, and must then be padded.
///
/// **Hex is refused**: a key text that, without its `=` padding, has an even
/// length and only hex digits (`0-9 a-f A-F`, at least one a decimal digit)
/// is [`Error::KeyringSyntax`] ("looks like hex"), because `openssl rand -hex
/// 32` is also valid base64 and would otherwise be read silently as another,
/// 48-byte key. No key that `keygen`, [`Keyring::export`] of a generated key
/// or `openssl rand -base64 32` prints is affected (32 bytes are 43 base64
/// characters, an odd number), and a random key of another length is
/// hex-only with a probability below 2^-66. (Bytes chosen to spell hex in
/// base64, such as a key of 33 bytes `d3 4d 34 ...` that encodes as `0000...`,
/// are refused when read back: make keys with [`Key::generate`].)
///
/// ```
/// use cookie_seal::{Error, Keyring};
/// let from_keygen: Keyring = "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8".parse()?;
/// let from_openssl: Keyring = "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".parse()?;
/// assert_eq!(from_keygen, from_openssl);
/// let hex = format!("1:{}", "5a".repeat(32)); // as `openssl rand -hex 32` prints
/// assert!(matches!(hex.parse::<Keyring>(), Err(Error::KeyringSyntax { .. })));
/// # Ok::<(), Error>(())
/// ```
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
    /// never echoing it; also for a key written in hex),
    /// [`Error::KeyLength`] (naming the entry),
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
    if looks_like_hex(encoded) {
        return Err(syntax(HEX_KEY_REASON));
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

/// Whether a key's text is hex rather than base64: ignoring `=` padding, an
/// even number of characters, all of them hex digits (`0-9`, `a-f`, `A-F`)
/// and at least one a decimal digit.
///
/// Hex digits are valid base64 too, so without this check `openssl rand -hex
/// 32` would be read as a 48-byte key. Real base64 keys do not trip it:
/// 32-byte keys are 43 characters unpadded (odd) or end in `=` with 43
/// characters before it, and a random key of another length is hex-only with
/// a probability below 2^-66. The decimal digit keeps degenerate test keys
/// such as all-zero bytes (`AAAA...`) readable. The rule reads the text
/// without padding, which is the form [`Keyring::export`] writes, so every
/// keyring that parses also parses again after `export`.
fn looks_like_hex(encoded: &str) -> bool {
    let unpadded = encoded.trim_end_matches('=');
    unpadded.len().is_multiple_of(2)
        && unpadded.bytes().all(|b| b.is_ascii_hexdigit())
        && unpadded.bytes().any(|b| b.is_ascii_digit())
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
mod tests;
