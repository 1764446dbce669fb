//! Master keys: generated from the OS CSPRNG or loaded from bytes, zeroized on
//! drop, compared in constant time, never printed.

use std::fmt;

use hkdf::Hkdf;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::Error;

/// The shortest master key accepted, in bytes (256 bits).
pub const MIN_KEY_LEN: usize = 32;
/// The longest master key accepted, in bytes.
pub const MAX_KEY_LEN: usize = 512;
/// The length of keys made by [`Key::generate`], in bytes.
pub const GENERATED_KEY_LEN: usize = 32;

/// A master secret. It never signs or encrypts directly: each mode derives its
/// own subkey from it with HKDF-SHA256, once per codec (on its first use).
///
/// `Key` is not `Copy`; its bytes are wiped when it is dropped, equality runs
/// in constant time, and `Debug` prints no key bytes.
///
/// ```
/// use cookie_seal::Key;
/// let key = Key::generate();
/// assert_eq!(format!("{key:?}"), "Key(..)");
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Key(Box<[u8]>);

impl Key {
    /// Generates a fresh 256-bit key from the operating system's CSPRNG.
    ///
    /// # Panics
    /// Panics if the OS random number generator fails, which on supported
    /// platforms only happens when the system is unusable. Use
    /// [`Key::try_generate`] to handle that case.
    #[allow(clippy::expect_used)]
    #[must_use]
    pub fn generate() -> Key {
        Key::try_generate().expect("OS random number generator failed")
    }

    /// Generates a fresh 256-bit key, reporting an RNG failure as an error.
    ///
    /// # Errors
    /// [`Error::Rng`] if the operating system's random number generator fails.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// let key = cookie_seal::Key::try_generate()?;
    /// # Ok(()) }
    /// ```
    pub fn try_generate() -> Result<Key, Error> {
        let mut bytes = vec![0u8; GENERATED_KEY_LEN].into_boxed_slice();
        getrandom::fill(&mut bytes).map_err(|_| Error::Rng)?;
        Ok(Key(bytes))
    }

    /// Loads a key from raw bytes: at least [`MIN_KEY_LEN`] (32) and at most
    /// [`MAX_KEY_LEN`] bytes. The bytes should come from a CSPRNG, not a password.
    ///
    /// # Errors
    /// [`Error::KeyLength`] if the slice is too short or too long.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// let key = cookie_seal::Key::from_bytes(&[7u8; 32])?;
    /// assert!(cookie_seal::Key::from_bytes(&[7u8; 16]).is_err());
    /// # Ok(()) }
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Key, Error> {
        if !(MIN_KEY_LEN..=MAX_KEY_LEN).contains(&bytes.len()) {
            return Err(Error::KeyLength {
                len: bytes.len(),
                min: MIN_KEY_LEN,
                max: MAX_KEY_LEN,
                entry: None,
            });
        }
        Ok(Key(bytes.into()))
    }

    /// The raw key bytes, for the keyring's textual export only.
    pub(crate) fn expose_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Derives a 32-byte subkey for one use with HKDF-SHA256 (no salt,
    /// `info` = the use's label), so one master secret never feeds two
    /// algorithms directly.
    pub(crate) fn derive_subkey(&self, info: &[u8]) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's 8160-byte output limit, so this
        // cannot fail; the fallback keeps the function total without a panic.
        if Hkdf::<Sha256>::new(None, &self.0)
            .expand(info, out.as_mut())
            .is_err()
        {
            out.zeroize();
        }
        out
    }
}

impl PartialEq for Key {
    /// Constant-time comparison (the length is not secret).
    fn eq(&self, other: &Key) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for Key {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_differ_and_have_the_documented_length() {
        let (a, b) = (Key::generate(), Key::generate());
        assert_ne!(a, b);
        assert_eq!(a.expose_bytes().len(), GENERATED_KEY_LEN);
    }

    #[test]
    fn debug_names_the_type_and_hides_the_bytes() {
        assert_eq!(format!("{:?}", Key::generate()), "Key(..)");
    }

    #[test]
    fn from_bytes_enforces_length_bounds() {
        assert_eq!(
            Key::from_bytes(&[1; 31]),
            Err(Error::KeyLength {
                len: 31,
                min: 32,
                max: 512,
                entry: None,
            })
        );
        assert!(Key::from_bytes(&[1; 32]).is_ok());
        assert!(Key::from_bytes(&[1; 512]).is_ok());
        assert!(Key::from_bytes(&[1; 513]).is_err());
    }

    #[test]
    fn equality_compares_contents() {
        assert_eq!(
            Key::from_bytes(&[1; 32]).ok(),
            Key::from_bytes(&[1; 32]).ok()
        );
        assert_ne!(
            Key::from_bytes(&[1; 32]).ok(),
            Key::from_bytes(&[2; 32]).ok()
        );
        assert_ne!(
            Key::from_bytes(&[1; 32]).ok(),
            Key::from_bytes(&[1; 33]).ok()
        );
    }

    #[test]
    fn debug_prints_no_key_bytes() {
        let key = Key::from_bytes(&[0xAB; 32]).unwrap();
        let shown = format!("{key:?} {key:#?}");
        assert!(
            !shown.contains("171") && !shown.to_lowercase().contains("ab"),
            "{shown}"
        );
    }

    #[test]
    fn subkeys_depend_on_label_and_key() {
        let key = Key::from_bytes(&[1; 32]).unwrap();
        let other = Key::from_bytes(&[2; 32]).unwrap();
        assert_ne!(*key.derive_subkey(b"a"), *key.derive_subkey(b"b"));
        assert_ne!(*key.derive_subkey(b"a"), *other.derive_subkey(b"a"));
        assert_eq!(*key.derive_subkey(b"a"), *key.derive_subkey(b"a"));
    }

    #[test]
    fn zeroize_wipes_the_key_bytes() {
        // Drop runs this same `zeroize` (ZeroizeOnDrop); calling it directly
        // lets the test observe the result without reading freed memory.
        let mut key = Key::from_bytes(&[0x5A; 32]).unwrap();
        key.zeroize();
        assert!(key.expose_bytes().iter().all(|&b| b == 0));
    }
}
