//! The keyring after HKDF: each master key's per-mode subkeys, derived once
//! when a codec is built, so no call pays for key derivation.

use crate::keyring::Keyring;
use crate::seal::SealKey;
use crate::sign::SignKey;

const SIGN_SUBKEY_INFO: &[u8] = b"cookie-seal/v1 hmac-sha256";
const SEAL_SUBKEY_INFO: &[u8] = b"cookie-seal/v1 xchacha20poly1305";

/// One key of the ring with both mode subkeys. Both wipe themselves on drop.
#[derive(Clone)]
pub(crate) struct DerivedKey {
    pub(crate) id: u32,
    pub(crate) sign: SignKey,
    pub(crate) seal: SealKey,
}

/// The derived keys, sorted by ID, and which one writes.
pub(crate) struct DerivedKeys {
    primary_id: u32,
    keys: Vec<DerivedKey>,
}

impl DerivedKeys {
    pub(crate) fn from_keyring(ring: &Keyring) -> DerivedKeys {
        // Sized once: a growing Vec would free its old buffers, holding subkey
        // copies, without wiping them.
        let mut keys = Vec::with_capacity(ring.ids().count());
        for id in ring.ids() {
            if let Some(key) = ring.get(id) {
                keys.push(DerivedKey {
                    id,
                    sign: SignKey::new(key.derive_subkey(SIGN_SUBKEY_INFO).as_ref()),
                    seal: SealKey::new(&key.derive_subkey(SEAL_SUBKEY_INFO)),
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
