//! The random session ID.

use std::fmt;

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::error::Error;

/// Length of a [`SessionId`] in bytes (256 bits).
pub const SESSION_ID_LEN: usize = 32;

/// A random 256-bit session identifier from the OS CSPRNG.
///
/// Use it as the key of a server-side session store and put only the signed
/// ID in the cookie (`codec.encode(&id)` / `codec.decode::<SessionId>(..)`),
/// or read it from a [`SessionMap`](super::SessionMap) after [`SessionMap::regenerate`](super::SessionMap::regenerate).
/// It is a bearer credential: `Debug` redacts it and it has no `Display`;
/// [`SessionId::to_base64url`] spells it out explicitly.
///
/// ```
/// # fn main() -> Result<(), cookie_seal::Error> {
/// use cookie_seal::{Codec, Key, Keyring, SessionId};
/// let codec = Codec::signed(Keyring::new(1, Key::generate())).purpose("sid");
/// let id = SessionId::generate()?;
/// let cookie_value = codec.encode(&id)?;
/// let back = codec.decode::<SessionId>(&cookie_value)?.value;
/// assert_eq!(back, id);
/// let redis_key = format!("app:session:{}", id.to_base64url());
/// # Ok(()) }
/// ```
#[derive(Clone, Serialize, Deserialize)]
pub struct SessionId([u8; SESSION_ID_LEN]);

impl SessionId {
    /// A fresh random ID.
    ///
    /// # Errors
    /// [`Error::Rng`] if the operating system's random number generator fails.
    pub fn generate() -> Result<SessionId, Error> {
        let mut bytes = [0u8; SESSION_ID_LEN];
        getrandom::fill(&mut bytes).map_err(|_| Error::Rng)?;
        Ok(SessionId(bytes))
    }

    /// The ID's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; SESSION_ID_LEN] {
        &self.0
    }

    /// The ID as 43 base64url characters, e.g. for a store key.
    #[must_use]
    pub fn to_base64url(&self) -> String {
        crate::encoding::encode(&self.0)
    }
}

impl PartialEq for SessionId {
    /// Constant-time comparison.
    fn eq(&self, other: &SessionId) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for SessionId {}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(..)")
    }
}
