//! The keyring after HKDF: each master key's per-mode subkeys for one
//! purpose, derived once per codec (on its first encode or decode, after
//! every setting is known), so no later call pays for key derivation.

use crate::envelope::length_prefix;
use crate::keyring::Keyring;
use crate::seal::SealKey;
use crate::sign::SignKey;

/// Subkey labels (FORMAT.md section 4). Each is followed in the HKDF `info`
/// by the purpose; both are length-prefixed, so no (label, purpose) pair
/// shares an `info` with another.
pub(crate) const SIGN_LABEL: &[u8] = b"cookie-seal/v1 hmac-sha256";
pub(crate) const SEAL_LABEL: &[u8] = b"cookie-seal/v1 xchacha20poly1305";
pub(crate) const NONCE_LABEL: &[u8] = b"cookie-seal/v1 synthetic-nonce";

/// One key of the ring with its subkeys. All wipe themselves on drop.
#[derive(Clone)]
pub(crate) struct DerivedKey {
    pub(crate) id: u32,
    pub(crate) sign: SignKey,
    pub(crate) seal: SealKey,
    /// HMAC-SHA256 key of the synthetic nonce (`crate::nonce`).
    pub(crate) nonce: SignKey,
}

/// The derived keys, sorted by ID, and which one writes.
pub(crate) struct DerivedKeys {
    primary_id: u32,
    keys: Vec<DerivedKey>,
}

/// `le64(len(label)) || label || le64(len(purpose)) || purpose`, then, for
/// a codec bound to a payload type (`Codec::payload_type`),
/// `|| le64(32) || fingerprint` (FORMAT.md section 8.2).
pub(crate) fn subkey_info(label: &[u8], purpose: &str, payload_type: Option<&[u8]>) -> Vec<u8> {
    let mut info = Vec::with_capacity(24 + label.len() + purpose.len() + 32);
    for part in [label, purpose.as_bytes()].into_iter().chain(payload_type) {
        info.extend_from_slice(&length_prefix(part));
        info.extend_from_slice(part);
    }
    info
}

impl DerivedKeys {
    pub(crate) fn from_keyring(
        ring: &Keyring,
        purpose: &str,
        payload_type: Option<&[u8]>,
    ) -> DerivedKeys {
        let [sign_info, seal_info, nonce_info] = [SIGN_LABEL, SEAL_LABEL, NONCE_LABEL]
            .map(|label| subkey_info(label, purpose, payload_type));
        // Sized once: a growing Vec would free its old buffers, holding subkey
        // copies, without wiping them.
        let mut keys = Vec::with_capacity(ring.ids().count());
        for id in ring.ids() {
            if let Some(key) = ring.get(id) {
                keys.push(DerivedKey {
                    id,
                    sign: SignKey::new(key.derive_subkey(&sign_info).as_ref()),
                    seal: SealKey::new(&key.derive_subkey(&seal_info)),
                    nonce: SignKey::new(key.derive_subkey(&nonce_info).as_ref()),
                });
            }
        }
        keys.sort_unstable_by_key(|k| k.id);
        DerivedKeys {
            primary_id: ring.primary_id(),
            keys,
        }
    }

    pub(crate) fn primary_id(&self) -> u32 {
        self.primary_id
    }

    /// The key that writes. A [`Keyring`] always holds its primary key, so
    /// this is `Some` for every ring that can be built.
    pub(crate) fn primary(&self) -> Option<&DerivedKey> {
        self.get(self.primary_id)
    }

    /// The key with this ID, and no other.
    pub(crate) fn get(&self, id: u32) -> Option<&DerivedKey> {
        self.keys
            .binary_search_by_key(&id, |k| k.id)
            .ok()
            .and_then(|i| self.keys.get(i))
    }

    pub(crate) fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.keys.iter().map(|k| k.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_fields_are_length_prefixed() {
        assert_ne!(subkey_info(b"ab", "c", None), subkey_info(b"a", "bc", None));
        assert_ne!(
            subkey_info(b"a", "b", None),
            subkey_info(b"a", "b", Some(&[0; 32]))
        );
        let info = subkey_info(SIGN_LABEL, "session", None);
        assert_eq!(&info[..8], &(SIGN_LABEL.len() as u64).to_le_bytes());
        assert!(info.ends_with(b"\x07\0\0\0\0\0\0\0session"));
    }
}
